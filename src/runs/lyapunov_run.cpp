#include "sparsechaos/runs/lyapunov_run.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sparsechaos::runs {

using namespace sparsechaos::tangent;

namespace {

orthogonalization method_of(network::qr_method m) {
    switch (m) {
    case network::qr_method::cgs: return orthogonalization::cgs_refined;
    case network::qr_method::cholesky: return orthogonalization::cholesky;
    case network::qr_method::cholqr2: return orthogonalization::cholesky_qr2;
    case network::qr_method::householder: return orthogonalization::householder;
    default: return orthogonalization::tsqr;
    }
}

}  // namespace

lyapunov_result run_lyapunov(engine::simulation& sim, const network::network_spec& spec, engine::observer* obs,
                             double progress_interval_s,
                             const std::function<void(const lyapunov_tracker*)>& on_tracker) {
    if (!spec.lyapunov) throw std::invalid_argument("run_lyapunov: the configuration has no [lyapunov] section");
    const auto& ly = *spec.lyapunov;
    const std::uint64_t n = sim.layout().total();
    double sim_time = sim.time_ms();  // the phases follow from where the simulation is
    const double t_end = spec.simulation.t_end_ms;
    // A warm-up phase ends at a time (ms) or after N x (spikes per neuron) network spikes.
    auto warm_up = [&](double ms, const std::optional<double>& spikes_per_neuron) {
        if (!spikes_per_neuron) {
            sim.run_until(sim_time + ms, obs, progress_interval_s);
            sim_time += ms;
            return;
        }
        const auto wanted = std::uint64_t(std::llround(*spikes_per_neuron * double(n)));
        const auto before = sim.statistics().network_spikes;
        sim.run_spikes(wanted, t_end, obs, progress_interval_s);
        if (sim.statistics().network_spikes - before < wanted)
            throw std::runtime_error("lyapunov: the warm-ups took the whole simulation.duration_ms = " +
                                     std::to_string(t_end) + " ms before their " + std::to_string(wanted) +
                                     " network spikes; lengthen the run or shorten the warm-ups");
        sim_time = sim.time_ms();
    };

    lyapunov_settings s;
    s.exponents = std::int64_t(ly.exponents ? ly.exponents : n);
    s.orthonormalize_every = ly.orthonormalize_every;  // 0: the tracker chooses (tangent/lyapunov_tracker.hpp)
    s.max_condition = ly.max_condition;
    s.method = method_of(ly.method);
    s.seed = ly.seed;
    s.local_exponents = ly.local_exponents;
    s.layout = ly.layout == network::tangent_layout::column_major ? row_layout::column_major : row_layout::neuron_major;

    check_lyapunov_ranks(spec, sim.layout().n_ranks());
    warm_up(ly.warmup_ms, ly.warmup_spikes_per_neuron);
    const double t_warm = sim_time;
    // Planned measuring time; a warm-up in spikes may end elsewhere: set again when it starts.
    s.measuring_time_s = std::max(t_end - t_warm - ly.ons_warmup_ms, 1e-3) * 1e-3;
    lyapunov_tracker tracker(sim.context().comm(), sim, s);
    if (on_tracker) on_tracker(&tracker);
    sim.track_jacobian(&tracker);
    warm_up(ly.ons_warmup_ms, ly.ons_warmup_spikes_per_neuron);
    const double t_start = sim_time;
    if (!(t_start < t_end))
        throw std::runtime_error("lyapunov: the warm-ups took the whole simulation.duration_ms = " +
                                 std::to_string(t_end) + " ms; lengthen the run or shorten the warm-ups");
    s.measuring_time_s = (t_end - t_start) * 1e-3;
    tracker.start_measurement(t_start, s.measuring_time_s);
    sim.run_until(t_end, obs, progress_interval_s);
    tracker.finish(t_end);
    sim.track_jacobian(nullptr);
    if (on_tracker) on_tracker(nullptr);

    lyapunov_result r;
    take_spectrum(r, tracker.accumulator());
    r.contraction = tracker.contraction_rate();
    const double t_s = s.measuring_time_s;
    r.network_spikes_per_s = t_s > 0 ? double(tracker.spikes_measured()) / t_s : 0.0;
    // Shifting the whole trajectory in time maps it to a trajectory (ω is an eigenvector of every
    // single-spike Jacobian), unless external input arrives at fixed times.
    bool time_shift_symmetry = true;
    for (const auto& pop : spec.populations) time_shift_symmetry = time_shift_symmetry && !pop.poisson;
    derive_quantities(r, time_shift_symmetry);
    r.participation_times = tracker.participation_times();
    r.participation = tracker.participation_ratios();
    r.exponents_computed = std::uint64_t(s.exponents);
    r.neurons = n;
    r.qr_steps = tracker.qr_steps();
    r.intervals = tracker.intervals();
    r.conditions = tracker.conditions();
    r.orthonormalize_every = s.orthonormalize_every;
    r.measuring_time_s = t_s;
    r.warmup_ms = t_warm;                 // as run (a warm-up in spikes ends at its last spike)
    r.ons_warmup_ms = t_start - t_warm;
    r.warmup_spikes_per_neuron = ly.warmup_spikes_per_neuron;
    r.ons_warmup_spikes_per_neuron = ly.ons_warmup_spikes_per_neuron;
    r.max_condition = ly.max_condition;
    r.method = std::string(to_string(s.method));
    r.layout = s.layout == row_layout::neuron_major ? "neuron_major" : "column_major";
    r.seed = ly.seed;
    r.target_rate_hz = ly.target_rate_hz;
    return r;
}

void check_lyapunov_ranks(const network::network_spec& spec, int n_ranks) {
    std::uint64_t n = 0;
    for (const auto& p : spec.populations) n += p.size;
    // PETSc (Debian's build) indexes a rank's block of Q with 32-bit integers.
    if (spec.lyapunov) {
        const std::uint64_t m = spec.lyapunov->exponents ? spec.lyapunov->exponents : n;
        const std::uint64_t rows = (n + std::uint64_t(n_ranks) - 1) / std::uint64_t(n_ranks);
        const std::uint64_t limit = 2147483647;
        if (rows * m > limit)
            throw std::invalid_argument("lyapunov.exponents = " + std::to_string(m) + ": a rank would hold " +
                                        std::to_string(rows) + " x " + std::to_string(m) +
                                        " numbers of Q, beyond PETSc's 32-bit index range (2^31 - 1); use at least " +
                                        std::to_string((n * m + limit - 1) / limit) + " ranks or fewer exponents");
    }
    // SLEPc's TSQR needs rows on every rank; N < P leaves some rank without neurons.
    if (spec.lyapunov && spec.lyapunov->method == network::qr_method::tsqr && n < std::uint64_t(n_ranks))
        throw std::invalid_argument("lyapunov.method = \"tsqr\" needs at least one neuron per rank (N = " +
                                    std::to_string(n) + " on " + std::to_string(n_ranks) +
                                    " ranks): use fewer ranks or method = \"cgs\"");
}

}  // namespace sparsechaos::runs
