#pragma once
// Participation ratio of a vector v over N units: PR = (sum v_i^2)^2 / sum v_i^4, the number of
// units that carry it: 1 for a unit vector along one axis, N for a vector spread evenly.
// Not divided by N; divide to compare networks of different size.
//
// A Lyapunov vector of a spiking network contains a share of the neutral (time-shift) direction
// omega, which is spread over all neurons and so hides localization; project it out first:
// v <- v - (v.omega / omega.omega) omega.
//
// For a vector distributed over ranks, the sums are local and then added over ranks:
//   c = projection_coefficient(allreduce(local dot products));
//   PR = participation_ratio(allreduce(local_participation_sums(v, omega, c))).
// Pure functions, no MPI.
#include <span>

namespace sparsechaos::analysis {

struct participation_sums {
    double sum2 = 0.0;  // sum of v_i^2
    double sum4 = 0.0;  // sum of v_i^4
};

// Sums over v - c * direction (c = 0, or direction empty: v itself).
participation_sums local_participation_sums(std::span<const double> v, std::span<const double> direction = {},
                                            double c = 0.0);
// (v.d) / (d.d) from the two (global) dot products; 0 when d is zero.
double projection_coefficient(double v_dot_d, double d_dot_d);
// (sum2)^2 / sum4; 0 for the zero vector.
double participation_ratio(const participation_sums& s);

// Serial conveniences.
double participation_ratio(std::span<const double> v);
double participation_ratio(std::span<const double> v, std::span<const double> neutral_direction);

}  // namespace sparsechaos::analysis
