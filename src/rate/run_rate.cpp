#include "sparsechaos/rate/run_rate.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>

#include "sparsechaos/rate/model.hpp"
#include "sparsechaos/rate/rate_lyapunov.hpp"
#include "sparsechaos/petsc/error.hpp"

namespace sparsechaos::rate {
namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// The phase boundaries in steps: [0, warm) alone, [warm, start) ONS warm-up, [start, total) measured.
struct phases {
    std::uint64_t warm = 0, start = 0, total = 0;
};

phases phases_of(const rate_network_spec& spec) {
    phases p;
    p.total = spec.steps_for(spec.duration);
    if (spec.lyapunov) {
        p.warm = spec.steps_for(spec.lyapunov->warmup);
        p.start = spec.steps_for(spec.lyapunov->warmup + spec.lyapunov->ons_warmup);
        if (p.start >= p.total)
            throw std::invalid_argument("rate run: warmup + ons_warmup leaves no measuring time within duration");
    }
    return p;
}

}  // namespace

rate_run_result run_rate_network(const rate_network_spec& spec, MPI_Comm comm, const rate_run_options& options) {
    const phases ph = phases_of(spec);
    rate_run_result result;
    const auto t_build = clock_type::now();
    rate_model model(comm, spec);
    petsc::unique_vec h = model.initial_state();
    result.build_wall_s = seconds_since(t_build);

    const auto t_run = clock_type::now();
    auto last_progress = t_run;
    const bool report_progress = options.progress && options.progress_interval_s > 0;
    const double step_tau = spec.step_length();
    auto record = [&](std::uint64_t step) {
        double mean_phi = 0.0, mean_h2 = 0.0;
        model.population_means(h, mean_phi, mean_h2);
        result.times_tau.push_back(double(step) * step_tau);
        result.mean_phi.push_back(mean_phi);
        result.mean_h2.push_back(mean_h2);
    };
    if (spec.record_every) record(0);
    std::unique_ptr<rate_lyapunov_tracker> tracker;
    for (std::uint64_t s = 0; s < ph.total; ++s) {
        if (spec.lyapunov && s == ph.warm)
            tracker = std::make_unique<rate_lyapunov_tracker>(model, *spec.lyapunov, double(ph.total - ph.start) * step_tau);
        if (tracker && s == ph.start) tracker->start_measurement();
        model.step(h, s, tracker != nullptr);
        if (tracker) tracker->advance();
        if (spec.record_every && (s + 1) % spec.record_every == 0) record(s + 1);
        if (report_progress && (s + 1) % 16 == 0) {
            // Every rank must report at the same step (the callback may be collective): rank 0's
            // clock decides, every 16 steps.
            int due = seconds_since(last_progress) >= options.progress_interval_s;
            MPI_Bcast(&due, 1, MPI_INT, 0, comm);
            if (due) {
                last_progress = clock_type::now();
                options.progress(double(s + 1) * step_tau, double(ph.total) * step_tau, tracker.get());
            }
        }
    }
    if (tracker) {
        tracker->finish();
        result.lyapunov = tracker->result(spec.lyapunov->warmup, spec.lyapunov->ons_warmup);
        result.largest_condition_bound = tracker->largest_condition_bound();
    }
    result.steps = ph.total;
    result.run_wall_s = seconds_since(t_run);

    std::uint64_t local = model.coupling_matrix_object().local_entries();
    MPI_Allreduce(&local, &result.stored_entries, 1, MPI_UINT64_T, MPI_SUM, comm);
    const double* a = nullptr;
    SC_PETSC_CHECK(VecGetArrayRead(h, &a));
    result.final_state.assign(a, a + model.local_rows());
    SC_PETSC_CHECK(VecRestoreArrayRead(h, &a));
    return result;
}

}  // namespace sparsechaos::rate
