#include "sparsechaos/io/lyapunov_writer.hpp"

#include <limits>
#include <string>

namespace sparsechaos::io {
namespace {

void with_units(h5::dataset d, const char* units) {
    d.set_attribute("units", units);
    d.close();
}

}  // namespace

void write_lyapunov(h5::file& file, const tangent::lyapunov_result& r) {
    h5::group g = file.create_group("lyapunov");
    with_units(g.write("exponents", r.exponents), "1/s");
    with_units(g.write("standard_errors", r.standard_errors), "1/s");
    with_units(g.write_scalar("sum_of_exponents", r.sum), "1/s");
    with_units(g.write_scalar("phase_space_contraction", r.contraction), "1/s");
    // 1-based, 0: none identified (docs/lyapunov.md, "The neutral exponent").
    g.write_scalar("neutral_index", std::int64_t(r.neutral ? *r.neutral + 1 : 0)).close();
    with_units(g.write_scalar("neutral_exponent", r.neutral ? r.exponents[*r.neutral]
                                                            : std::numeric_limits<double>::quiet_NaN()), "1/s");
    with_units(g.write_scalar("ks_entropy_nats_per_s", r.entropy.nats_per_second), "nats/s");
    with_units(g.write_scalar("ks_entropy_bits_per_s", r.entropy.bits_per_second), "bits/s");
    with_units(g.write_scalar("ks_entropy_bits_per_spike", r.entropy.bits_per_spike), "bits/spike");
    g.write_scalar("kaplan_yorke_dimension", r.dimensions.kaplan_yorke).close();
    g.write_scalar("positive_exponents", std::int64_t(r.dimensions.positive)).close();
    g.write_scalar("kaplan_yorke_floor", std::int64_t(r.dimensions.kaplan_yorke_floor)).close();
    g.write_scalar("entropy_over_lambda_max", r.dimensions.entropy_over_lambda_max).close();

    h5::group local = g.create_group("local");
    with_units(local.write("times", r.local_times), "s");
    for (std::size_t k = 0; k < r.local.size(); ++k) with_units(local.write("lambda_" + std::to_string(k + 1), r.local[k]), "1/s");
    with_units(local.write("sum", r.local_sum), "1/s");
    local.close();

    h5::group conv = g.create_group("convergence");
    with_units(conv.write("times", r.local_times), "s");
    with_units(conv.write("lambda_1", r.convergence_lambda1), "1/s");
    with_units(conv.write("sum", r.convergence_sum), "1/s");
    conv.close();

    h5::group pr = g.create_group("participation");
    with_units(pr.write("times", r.participation_times), "s");
    pr.write("ratio", r.participation).close();
    pr.set_attribute("neurons", r.neurons);
    pr.set_attribute("definition", "(sum v_i^2)^2 / sum v_i^4 of the leading vector with omega projected out; not divided by N");
    pr.close();

    if (!r.intervals.empty()) {
        // The QR steps as they came (an automatic interval follows the condition of Q).
        h5::group qr = g.create_group("qr");
        qr.write("intervals", r.intervals).close();
        qr.write("conditions", r.conditions).close();
        qr.set_attribute("definition", "network spikes of each QR interval of the measurement, and cond(Q) before each step");
        qr.close();
    }

    g.set_attribute("exponents_computed", r.exponents_computed);
    g.set_attribute("neurons", r.neurons);
    g.set_attribute("measuring_time_s", r.measuring_time_s);
    g.set_attribute("warmup_ms", r.warmup_ms);
    g.set_attribute("ons_warmup_ms", r.ons_warmup_ms);
    g.set_attribute("orthonormalize_every", r.orthonormalize_every);
    g.set_attribute("max_condition", r.max_condition);
    g.set_attribute("method", r.method);
    g.set_attribute("layout", r.layout);
    g.set_attribute("seed", r.seed);
    g.set_attribute("qr_steps", r.qr_steps);
    g.set_attribute("network_spikes_per_s", r.network_spikes_per_s);
    if (r.target_rate_hz) g.set_attribute("target_rate_hz", *r.target_rate_hz);
    if (r.tuned_drive_factor) g.set_attribute("tuned_drive_factor", *r.tuned_drive_factor);
    if (r.warmup_spikes_per_neuron) g.set_attribute("warmup_spikes_per_neuron", *r.warmup_spikes_per_neuron);
    if (r.ons_warmup_spikes_per_neuron) g.set_attribute("ons_warmup_spikes_per_neuron", *r.ons_warmup_spikes_per_neuron);
    g.close();
}

}  // namespace sparsechaos::io
