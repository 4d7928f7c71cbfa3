#include "sparsechaos/rate/run_rate.hpp"
#include "sparsechaos/mpi_comm.hpp"
#include "sparsechaos/io/timestamp.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>
#include <stdexcept>

#include "sparsechaos/io/lyapunov_writer.hpp"
#include "sparsechaos/rate/model.hpp"
#include "sparsechaos/rate/rate_lyapunov.hpp"
#include "sparsechaos/tangent/petsc_error.hpp"
#include "sparsechaos/version.hpp"

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

void write_rate_group(io::h5::file& file, const rate_network_spec& spec, const rate_model& model, Vec h,
                      const rate_run_result& r, const rate_lyapunov_tracker* tracker, std::uint64_t stored_entries) {
    io::h5::group g = file.create_group("rate");
    {
        // Every rank appends its block of units, in rank order: the global order of the units.
        io::h5::dataset d = g.create_extendable<double>("final_state", 1 << 14);
        const double* a = nullptr;
        SC_PETSC_CHECK(VecGetArrayRead(h, &a));
        std::vector<double> local(a, a + model.local_rows());
        SC_PETSC_CHECK(VecRestoreArrayRead(h, &a));
        d.append(local);
        d.set_attribute("definition", "h_i at the end of the run, units in id order");
        d.close();
    }
    auto series = [&](const char* name, const std::vector<double>& v, const char* definition) {
        io::h5::dataset d = g.write(name, v);
        d.set_attribute("definition", definition);
        d.close();
    };
    series("times", r.times_tau, "time of each sample, in tau (steps for the discrete map)");
    series("mean_activity", r.mean_phi, "population mean of phi(h_i)");
    series("mean_square", r.mean_h2, "population mean of h_i^2");
    if (r.lyapunov) {
        std::vector<double> per_tau;
        for (double x : r.lyapunov->exponents) per_tau.push_back(x * spec.tau_ms * 1e-3);
        series("exponents_per_tau", per_tau, "lambda_i * tau: /lyapunov/exponents in units of 1/tau");
        g.set_attribute("largest_condition_bound", tracker->largest_condition_bound());
    }
    const auto& c = spec.coupling;
    g.set_attribute("units", std::int64_t(c.size));
    g.set_attribute("coupling", std::string(to_string(c.kind)));
    g.set_attribute("storage", std::string(to_string(c.resolved_storage())));
    if (c.kind == coupling_kind::gaussian) {
        g.set_attribute("g", c.g);
        g.set_attribute("j0", c.j0_value());
    } else {
        g.set_attribute("excitatory_fraction", c.excitatory_fraction);
        g.set_attribute("indegree", std::int64_t(c.indegree));
        g.set_attribute("j0", c.j0_value());
        g.set_attribute("inhibition_ratio", c.inhibition_ratio);
    }
    g.set_attribute("effective_gain", std::sqrt(effective_gain_squared(c)));
    g.set_attribute("stored_entries", std::int64_t(stored_entries));
    g.set_attribute("phi", std::string(to_string(spec.phi)));
    g.set_attribute("time", std::string(to_string(spec.time)));
    if (spec.time == time_kind::continuous) g.set_attribute("integrator", std::string(to_string(spec.integrator)));
    g.set_attribute("dt_tau", spec.step_length());
    g.set_attribute("duration_tau", spec.duration);
    g.set_attribute("steps", std::int64_t(r.steps));
    g.set_attribute("tau_ms", spec.tau_ms);
    g.set_attribute("seed", std::int64_t(c.seed));
    g.set_attribute("input", std::string(to_string(spec.input.kind)));
    g.set_attribute("input_amplitude", spec.input.amplitude);
    g.set_attribute("input_frequency", spec.input.frequency);
    g.set_attribute("input_correlation_time", spec.input.correlation_time);
    g.set_attribute("input_bias", spec.input.bias);
    g.set_attribute("input_seed", std::int64_t(spec.input.seed));
    g.close();
}

void write_meta(io::h5::file& file, const rate_network_spec& spec, const rate_run_result& r,
                const rate_run_options& options) {
    io::h5::group m = file.create_group("meta");
    m.write_string("config", spec.config_text).close();
    m.set_attribute("version", sparsechaos::version);
    m.set_attribute("git_revision", sparsechaos::git_revision);
    m.set_attribute("command_line", options.command_line);
    m.set_attribute("created", io::utc_now());
    m.set_attribute("ranks", size_of(file.comm()));
    m.set_attribute("model", "rate");
    m.set_attribute("neurons", std::int64_t(spec.coupling.size));
    // Nonzero couplings (dense storage also stores the zeros: /rate attr stored_entries).
    const auto& c = spec.coupling;
    m.set_attribute("synapses", std::int64_t(c.kind == coupling_kind::gaussian ? c.size * (c.size - 1) : c.size * c.indegree));
    m.set_attribute("simulated_time_ms", double(r.steps) * spec.step_length() * spec.tau_ms);
    m.set_attribute("build_wall_s", r.build_wall_s);
    m.set_attribute("run_wall_s", r.run_wall_s);
    m.close();
}

}  // namespace

rate_run_result run_rate_network(const rate_network_spec& spec, MPI_Comm comm, io::h5::file* output,
                                 const rate_run_options& options) {
    const phases ph = phases_of(spec);
    rate_run_result result;
    const auto t_build = clock_type::now();
    rate_model model(comm, spec);
    unique_vec h = model.initial_state();
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
    }
    result.steps = ph.total;
    result.run_wall_s = seconds_since(t_run);

    if (output) {
        std::uint64_t local = model.coupling_matrix_object().local_entries(), stored = 0;
        MPI_Allreduce(&local, &stored, 1, MPI_UINT64_T, MPI_SUM, comm);
        if (result.lyapunov) io::write_lyapunov(*output, *result.lyapunov);
        write_rate_group(*output, spec, model, h, result, tracker.get(), stored);
        write_meta(*output, spec, result, options);
    }
    return result;
}

}  // namespace sparsechaos::rate
