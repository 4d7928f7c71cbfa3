#pragma once
// A firing-rate network as a map of one time step, and the exact Jacobian of that map
// (docs/rate_networks.md). Time is in units of tau.
//
//   continuous, euler   h' = (1 - dt) h + dt (J phi(h) + I(t))
//                       M  = (1 - dt) 1 + dt J D,                D = diag(phi'(h))
//   continuous, rk4     k_s = -a_s + J phi(a_s) + I(t + c_s dt),  a_1 = h, a_2 = h + dt/2 k_1,
//                       a_3 = h + dt/2 k_2, a_4 = h + dt k_3;    h' = h + dt/6 (k_1 + 2k_2 + 2k_3 + k_4)
//                       M by the chain rule through the stages:  dk_s = -da_s + J D_s da_s,
//                       da_1 = dh, da_2 = dh + dt/2 dk_1, ...,   dh' = dh + dt/6 (dk_1 + 2dk_2 + 2dk_3 + dk_4)
//   discrete            h' = phi(J h + I_t),                     M = diag(phi'(J h + I_t)) J
//
// The tangent space is advanced with M itself, not with a discretization of the continuous
// Jacobian -1 + J D: the exponents are then exactly those of the map that is iterated (so
// identities such as sum of exponents = mean ln|det M| hold to rounding).
//
// State vectors and the tangent-space BV share one row layout: contiguous blocks in rank order
// (network::layout::block), the rows of J on this rank.
#include <mpi.h>
#include <petscmat.h>
#include <slepcbv.h>

#include <cstdint>
#include <vector>

#include "sparsechaos/rate/coupling.hpp"
#include "sparsechaos/rate/input.hpp"
#include "sparsechaos/petsc/handles.hpp"
#include "sparsechaos/rate/spec.hpp"

namespace sparsechaos::rate {

class rate_model {
public:
    // Collective: builds J and the input for this rank's block of units.
    rate_model(MPI_Comm comm, const rate_network_spec& spec);

    MPI_Comm comm() const { return comm_; }
    const rate_network_spec& spec() const { return spec_; }
    std::int64_t size() const { return std::int64_t(spec_.coupling.size); }
    std::int64_t local_rows() const { return local_rows_; }
    std::int64_t row_begin() const { return row_begin_; }
    double step_length() const { return spec_.step_length(); }  // tau
    Mat coupling() const { return coupling_.mat(); }
    const coupling_matrix& coupling_matrix_object() const { return coupling_; }

    // Collective. A state vector in the model's layout holding h_i(0) = initial_std * z_i, z_i
    // standard normal keyed by (seed, i).
    petsc::unique_vec initial_state() const;

    // Collective. One step of the map, h(step) -> h(step + 1) in place. With keep_jacobian the
    // model keeps phi' at every stage for tangent_step(); a twin trajectory steps without it.
    // Steps must be taken in order (the OU input moves forward only); a twin may repeat a step.
    void step(Vec h, std::uint64_t step, bool keep_jacobian = true);

    // Collective. Q <- M Q for the Jacobian M of the last step taken with keep_jacobian (every
    // column of the BV). Euler: 2 buffers the size of Q; RK4: 4; discrete: 1 (kept between
    // calls, recreated when the column count changes). The product with J is BVMatMult for sparse
    // storage and multiply_dense() for dense storage.
    void tangent_step(BV q);
    // The same for one vector (a twin-trajectory check or a test): v <- M v.
    void tangent_step(Vec v);

    // phi'(.) of the last kept step at stage s (0-based; 1 stage for euler and discrete, 4 for
    // rk4), local rows.
    const std::vector<double>& stage_derivative(int s) const { return d_[std::size_t(s)]; }
    int stages() const;

    // Collective: population mean of phi(h) and of h^2 (order parameters of the network's
    // activity), the same numbers on every rank.
    void population_means(Vec h, double& mean_phi, double& mean_h2) const;

private:
    // y = J phi(a) for local values a (into work vectors).
    void coupled_input(const double* a);
    void ensure_buffers(BV q, int count);
    // Y = J diag(d) X as BVs (W is scratch).
    void jacobian_product(BV x, const std::vector<double>& d, BV w, BV y);
    // Y = J X for BVs.
    void multiply(BV x, BV y);
    // Y = J X for dense J: the rows of X are gathered from every rank, a block of columns at a
    // time, and multiplied with this rank's rows of J (a SeqDense product, BLAS dgemm). PETSc
    // 3.18 has no native MPIDENSE x MPIDENSE product without Elemental, and BVMatMult on the
    // MPIDENSE J was 6x slower on two ranks (docs/rate_networks.md, "Measured").
    void multiply_dense(BV x, BV y);

    MPI_Comm comm_;
    rate_network_spec spec_;
    std::int64_t local_rows_, row_begin_;
    coupling_matrix coupling_;
    input_drive input_;
    petsc::unique_vec x_, y_;  // MatMult input phi(a) and output J phi(a)
    std::vector<double> stage_arg_, k_sum_, input_values_;
    std::vector<std::vector<double>> d_;  // phi' per stage
    std::vector<petsc::unique_bv> buffers_;
    PetscInt buffer_columns_ = 0;
    std::vector<int> block_rows_, block_first_;  // rows of every rank's block (dense products)
    std::vector<double> staging_, gathered_;    // rows of X from all ranks, one column block
};

}  // namespace sparsechaos::rate
