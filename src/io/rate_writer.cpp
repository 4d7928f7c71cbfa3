#include "sparsechaos/io/rate_writer.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace sparsechaos::io {

void write_rate_group(h5::file& file, const rate::rate_network_spec& spec, const rate::rate_run_result& r) {
    using namespace rate;
    h5::group g = file.create_group("rate");
    {
        // Every rank appends its block of units, in rank order: the global order of the units.
        h5::dataset d = g.create_extendable<double>("final_state", 1 << 14);
        d.append(r.final_state);
        d.set_attribute("definition", "h_i at the end of the run, units in id order");
        d.close();
    }
    auto series = [&](const char* name, const std::vector<double>& v, const char* definition) {
        h5::dataset d = g.write(name, v);
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
        g.set_attribute("largest_condition_bound", r.largest_condition_bound.value_or(1.0));
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
    g.set_attribute("stored_entries", std::int64_t(r.stored_entries));
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

}  // namespace sparsechaos::io
