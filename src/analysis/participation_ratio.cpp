#include "sparsechaos/analysis/participation_ratio.hpp"

#include <stdexcept>

namespace sparsechaos::analysis {

participation_sums local_participation_sums(std::span<const double> v, std::span<const double> direction, double c) {
    if (!direction.empty() && direction.size() != v.size())
        throw std::invalid_argument("participation ratio: vector and direction differ in length");
    participation_sums s;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const double x = direction.empty() ? v[i] : v[i] - c * direction[i];
        const double x2 = x * x;
        s.sum2 += x2;
        s.sum4 += x2 * x2;
    }
    return s;
}

double projection_coefficient(double v_dot_d, double d_dot_d) { return d_dot_d > 0.0 ? v_dot_d / d_dot_d : 0.0; }

double participation_ratio(const participation_sums& s) { return s.sum4 > 0.0 ? s.sum2 * s.sum2 / s.sum4 : 0.0; }

double participation_ratio(std::span<const double> v) { return participation_ratio(local_participation_sums(v)); }

double participation_ratio(std::span<const double> v, std::span<const double> neutral_direction) {
    if (neutral_direction.size() != v.size())
        throw std::invalid_argument("participation ratio: vector and direction differ in length");
    double vd = 0.0, dd = 0.0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        vd += v[i] * neutral_direction[i];
        dd += neutral_direction[i] * neutral_direction[i];
    }
    const double c = projection_coefficient(vd, dd);
    return participation_ratio(local_participation_sums(v, neutral_direction, c));
}

}  // namespace sparsechaos::analysis
