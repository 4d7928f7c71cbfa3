#pragma once
// The tangent dynamics of a zero-delay spiking network and its Lyapunov spectrum (docs/design.md, "Tangent dynamics",
// docs/lyapunov.md).
//
// The tracker is the engine's jacobian_sink: per spike of j it updates the rows of j's targets,
//   Q_i ← d_i Q_i + (ω_i/ω_j)(1 − d_i) Q_j,
// and every so many network spikes it re-orthonormalizes Q and accumulates ln|R_kk|. Rows belong
// to the rank that owns the neuron; row j travels from its owner to every rank with one broadcast
// per spike.
//
// Q is kept neuron-major (row i = m contiguous numbers, on huge pages) because a spike
// touches K rows of m numbers each. The block_qr methods (cholesky_qr2, householder) factor these
// rows in place; SLEPc's methods copy them into the column-major BV of an orthonormal_system and
// back. `layout = column_major` updates that BV in place instead (docs/benchmarks.md compares both).
//
// The QR interval: a fixed number of spikes; or adapted from the last step's R-diagonal ratio
// (`max_condition`, as before); or, with `orthonormalize_every = 0`, chosen automatically from
// the condition of the block before each QR (docs/lyapunov.md). With cholesky_qr2 and a fixed
// interval the tracker normalizes only as often as the conditioning needs: steps on a still
// well-conditioned Q are deferred (only the Gram matrix is factored; with frequent steps it is
// kept up to date kick by kick), and intervals too long for the spread of the spectrum get
// normalizations in between. The reported steps are always the requested ones.
#include <mpi.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sparsechaos/analysis/lyapunov_accumulator.hpp"
#include "sparsechaos/engine/jacobian_sink.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/huge_pages.hpp"
#include "sparsechaos/tangent/block_qr.hpp"
#include "sparsechaos/tangent/orthonormal_system.hpp"

namespace sparsechaos::tangent {

enum class row_layout { neuron_major, column_major };

struct lyapunov_settings {
    std::int64_t exponents = 1;                 // m
    // Network spikes between QR steps (with max_condition: the longest); 0: automatic.
    std::uint64_t orthonormalize_every = 1000;
    double max_condition = 0.0;                 // > 0: adapt the interval to keep cond(Q) below this
    orthogonalization method = orthogonalization::cholesky_qr2;
    // Accepted loss of orthogonality of Q after a QR step (block_qr methods): a step whose first
    // Cholesky pass leaves at most this finishes after one pass. It does not bias the exponents:
    // the product of the R factors telescopes whatever Q's orthogonality (docs/lyapunov.md).
    double max_orthogonality_loss = 1e-12;
    // Automatic interval: the condition of Q before a QR step aimed at (0: ~30 for cholesky_qr2
    // on a tall block, one pass; else 1e6, where a step costs the same whatever the condition).
    double target_condition = 0.0;
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
    // Network spikes of every QR interval of the measurement, in order (the chosen intervals),
    // and the condition of Q before each of these steps (block_qr methods: the estimate of the
    // first Cholesky factor, +inf where it failed; SLEPc's: max|R_kk| / min|R_kk|).
    const std::vector<std::uint64_t>& intervals() const { return intervals_; }
    const std::vector<double>& conditions() const { return conditions_; }
    // The interval the next QR step waits for.
    std::uint64_t current_interval() const { return interval_; }
    // QR steps (all, warm-up included) by the path block_qr took: cholesky, shifted_cholesky,
    // householder; and all Cholesky passes. Zero for SLEPc's methods.
    const std::uint64_t* qr_path_counts() const { return path_counts_; }
    std::uint64_t cholesky_passes() const { return cholesky_passes_; }
    // Normalizations the tracker added between requested QR steps to keep cond(Q) below ~1e7
    // (block_qr methods with a fixed interval too long for the spectrum's spread).
    std::uint64_t normalizations_between() const { return hidden_steps_; }
    // Wall and process CPU time of all QR steps so far (with the layout conversions), and their
    // number.
    double qr_seconds() const { return qr_seconds_; }
    double qr_cpu_seconds() const { return qr_cpu_seconds_; }
    std::uint64_t qr_calls() const { return qr_calls_; }
    std::uint64_t spikes_measured() const { return spikes_measured_; }
    // Column k of Q over the local neurons (after the last QR plus the updates since).
    std::vector<double> local_vector(std::int64_t k) const;

private:
    void orthonormalize(double t_ms);
    // block_qr on the rows (deferring if allowed); updates the growth estimates.
    std::span<const double> factor_rows(bool may_defer, double& condition);
    // A normalization between requested QR steps (its ln R_kk go into the next step's).
    void normalize_between();
    void adapt_interval(std::span<const double> log_r, double condition);
    // Incremental Gram matrix (frequent QR steps): the change a kick makes to this rank's AᵀA,
    // new newᵀ − old oldᵀ = (d² − 1) old oldᵀ + d c (old q_jᵀ + q_j oldᵀ) + c² q_j q_jᵀ.
    void record_kick(const double* old_row, double d, double c);
    void flush_gram();
    void choose_gram_tracking(bool normalized);
    void add_log_d(double d);
    double* row(std::uint32_t i) { return rows_ + std::size_t(i) * std::size_t(ld_); }
    bool neuron_major() const { return settings_.layout == row_layout::neuron_major; }

    MPI_Comm comm_;
    int n_ranks_ = 1;
    const network::layout* layout_;
    lyapunov_settings settings_;
    std::int64_t m_;
    std::int64_t ld_;  // distance of neuron-major rows (= m)
    std::unique_ptr<orthonormal_system> ons_;  // column-major storage / SLEPc's QR (if used)
    std::unique_ptr<block_qr> qr_;             // block_qr on the neuron-major rows (if used)
    qr_options qr_options_;
    huge_page_vector<double> rows_storage_;
    double* rows_ = nullptr;         // neuron-major local block, 64-byte aligned
    std::vector<double> row_j_;      // row of the spiking neuron, then its ω
    std::vector<double> omega_;      // of the local neurons
    std::vector<double> column0_;    // leading vector, for the participation ratio
    double omega_j_ = 1.0;
    std::size_t prefetch_lines_ = 0;  // cache lines of a row asked for ahead (the start of it)
    analysis::lyapunov_accumulator accumulator_;
    bool measuring_ = false;
    double last_qr_ms_ = 0.0, start_ms_ = 0.0, end_ms_ = 0.0;
    std::uint64_t interval_, spikes_since_qr_ = 0, qr_steps_ = 0, spikes_measured_ = 0;
    bool automatic_interval_ = false;
    bool defer_ = false;  // deferred normalization (block_qr) for fixed intervals
    bool track_gram_ = false;  // gram_local_ is kept up to date kick by kick
    std::vector<double> gram_local_;         // this rank's AᵀA (m x m, lower triangle)
    std::vector<double> gram_plus_, gram_minus_;  // rows sqrt|d² − 1| old, by the sign of d² − 1
    std::size_t n_plus_ = 0, n_minus_ = 0;
    std::vector<double> gram_u_;             // Σ d c old over this spike's kicks
    double gram_c2_ = 0.0;                   // Σ c² over this spike's kicks
    bool gram_spike_open_ = false;
    std::uint64_t kicks_since_qr_ = 0;
    // Normalizations between the requested steps (block_qr methods, fixed intervals), when the
    // condition would grow past hidden_condition within an interval.
    static constexpr double hidden_condition = 1e7;
    std::uint64_t hidden_interval_ = 0, spikes_since_norm_ = 0, hidden_steps_ = 0;
    std::vector<double> hidden_log_;
    bool hidden_steps_pending_ = false;
    double single_pass_condition_ = 95.0, last_condition_ = 1.0, growth_ = 1.0;
    double target_condition_ = 0.0;
    std::vector<std::uint64_t> intervals_;
    std::vector<double> conditions_;
    std::uint64_t path_counts_[3] = {0, 0, 0}, cholesky_passes_ = 0;
    double log_d_sum_ = 0.0, log_d_c_ = 0.0;  // Neumaier-compensated Σ ln d (local)
    std::vector<double> pr_times_, pr_values_;
    double qr_seconds_ = 0.0, qr_cpu_seconds_ = 0.0;
    std::uint64_t qr_calls_ = 0;
};

}  // namespace sparsechaos::tangent
