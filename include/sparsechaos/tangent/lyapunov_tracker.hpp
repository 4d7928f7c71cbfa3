#pragma once
// The tangent dynamics of a zero-delay spiking network and its Lyapunov spectrum (docs/design.md, "Tangent dynamics",
// docs/lyapunov.md).
//
// The tracker is the engine's jacobian_sink: per spike of j it updates the rows of j's targets,
//   Q_i ← d_i Q_i + (ω_i/ω_j)(1 − d_i) Q_j,
// and every `orthonormalize_every` network spikes it re-orthonormalizes Q (SLEPc BVOrthogonalize
// through tangent::orthonormal_system) and accumulates ln|R_kk|. Rows belong to the rank that
// owns the neuron; row j travels from its owner to every rank with one broadcast per spike.
//
// Q is kept neuron-major (row i = m contiguous numbers) between QR steps, because a spike
// touches K rows of m numbers each; the column-major BV layout is used for the QR only.
// `layout = column_major` updates the BV in place instead (docs/benchmarks.md compares both).
#include <mpi.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "sparsechaos/analysis/lyapunov_accumulator.hpp"
#include "sparsechaos/engine/jacobian_sink.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/tangent/orthonormal_system.hpp"

namespace sparsechaos::tangent {

enum class row_layout { neuron_major, column_major };

struct lyapunov_settings {
    std::int64_t exponents = 1;                 // m
    std::uint64_t orthonormalize_every = 1000;  // network spikes between QR steps (the longest)
    double max_condition = 0.0;                 // > 0: adapt the interval to keep cond(Q) below this
    orthogonalization method = orthogonalization::tsqr;
    std::uint64_t seed = 1;
    std::size_t local_exponents = 3;
    double measuring_time_s = 1.0;  // planned, for the block standard errors
    row_layout layout = row_layout::neuron_major;
};

class lyapunov_tracker final : public engine::jacobian_sink {
public:
    // Collective. Q starts as a random orthonormal system keyed by (seed, neuron, column).
    lyapunov_tracker(MPI_Comm comm, const engine::simulation& sim, const lyapunov_settings& settings);

    void begin_spike(std::uint64_t neuron, double time_ms, bool local, double omega) override;
    void kick(std::uint32_t local, double d, double omega) override;
    void prefetch(std::uint32_t local) override;
    void input(std::uint32_t local, double d) override;

    // Collective: re-orthonormalize at absolute time t_ms and start measuring from there (what
    // came before was the warm-up of the orthonormal system). `measuring_time_s` (> 0) replaces
    // the planned measuring time of the settings, e.g. when a warm-up counted in spikes ended at
    // a time known only now.
    void start_measurement(double t_ms, double measuring_time_s = 0.0);
    // Collective: the final QR step at the end of the measurement.
    void finish(double t_ms);

    bool measuring() const { return measuring_; }
    const analysis::lyapunov_accumulator& accumulator() const { return accumulator_; }
    // (1/T) Σ ln d_i over every kick of the measurement, all ranks (collective): the phase-space
    // contraction rate, which the sum of all N exponents must equal.
    double contraction_rate() const;
    // Participation ratio of the leading vector (ω projected out) at every QR of the measurement.
    const std::vector<double>& participation_times() const { return pr_times_; }
    const std::vector<double>& participation_ratios() const { return pr_values_; }
    std::uint64_t qr_steps() const { return qr_steps_; }
    // Wall time of all QR steps so far (with the layout conversions), and their number.
    double qr_seconds() const { return qr_seconds_; }
    std::uint64_t qr_calls() const { return qr_calls_; }
    std::uint64_t spikes_measured() const { return spikes_measured_; }
    // Column k of Q over the local neurons (after the last QR plus the updates since).
    std::vector<double> local_vector(std::int64_t k) const;

private:
    void orthonormalize(double t_ms);
    void add_log_d(double d);
    double* row(std::uint32_t i) { return rows_.data() + std::size_t(i) * std::size_t(m_); }

    MPI_Comm comm_;
    int n_ranks_ = 1;
    const network::layout* layout_;
    lyapunov_settings settings_;
    std::int64_t m_;
    orthonormal_system ons_;
    std::vector<double> rows_;       // neuron-major local block (neuron_major layout)
    std::vector<double> row_j_;      // row of the spiking neuron, then its ω
    std::vector<double> omega_;      // of the local neurons
    double omega_j_ = 1.0;
    std::size_t prefetch_lines_ = 0;  // cache lines of a row asked for ahead (the start of it)
    analysis::lyapunov_accumulator accumulator_;
    bool measuring_ = false;
    double last_qr_ms_ = 0.0, start_ms_ = 0.0, end_ms_ = 0.0;
    std::uint64_t interval_, spikes_since_qr_ = 0, qr_steps_ = 0, spikes_measured_ = 0;
    double log_d_sum_ = 0.0, log_d_c_ = 0.0;  // Neumaier-compensated Σ ln d (local)
    std::vector<double> pr_times_, pr_values_;
    double qr_seconds_ = 0.0;
    std::uint64_t qr_calls_ = 0;
};

}  // namespace sparsechaos::tangent
