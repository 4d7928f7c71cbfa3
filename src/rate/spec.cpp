#include "sparsechaos/rate/spec.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace sparsechaos::rate {

std::uint64_t coupling_spec::excitatory_units() const {
    return std::uint64_t(std::llround(excitatory_fraction * double(size)));
}

std::uint64_t coupling_spec::excitatory_indegree() const {
    return std::uint64_t(std::llround(excitatory_fraction * double(indegree)));
}

std::uint64_t rate_network_spec::steps_for(double t) const {
    const double steps = t / step_length();
    return std::uint64_t(std::ceil(steps - 1e-9));
}

void validate(const coupling_spec& s) {
    auto fail = [](const std::string& what) { throw std::invalid_argument("rate coupling: " + what); };
    if (s.size < 1) fail("size must be >= 1");
    if (s.kind == coupling_kind::gaussian) {
        if (!(s.g > 0)) fail("g must be > 0");
        if (!(s.j0_value() >= 0)) fail("j0 must be >= 0");
        return;
    }
    if (!(s.excitatory_fraction > 0 && s.excitatory_fraction < 1)) fail("excitatory_fraction must be in (0, 1)");
    if (s.indegree < 1) fail("indegree must be >= 1");
    if (!(s.j0_value() > 0)) fail("j0 must be > 0");
    if (!(s.inhibition_ratio >= 0)) fail("inhibition_ratio must be >= 0");
    const std::uint64_t n_e = s.excitatory_units(), n_i = s.size - n_e;
    const std::uint64_t k_e = s.excitatory_indegree(), k_i = s.indegree - k_e;
    // A unit never projects to itself, so a population offers one candidate fewer to its own.
    if (n_e < 1 || k_e + 1 > n_e)
        fail("round(f K) = " + std::to_string(k_e) + " excitatory inputs need more than " + std::to_string(n_e) +
             " excitatory units");
    if (n_i < 1 || k_i + 1 > n_i)
        fail("K - round(f K) = " + std::to_string(k_i) + " inhibitory inputs need more than " + std::to_string(n_i) +
             " inhibitory units");
}

double effective_gain_squared(const coupling_spec& spec) {
    if (spec.kind == coupling_kind::gaussian) return spec.g * spec.g * double(spec.size - 1) / double(spec.size);
    const double k_e = double(spec.excitatory_indegree()), k_i = double(spec.indegree) - k_e;
    const double j0 = spec.j0_value();
    return j0 * j0 * (k_e + spec.inhibition_ratio * spec.inhibition_ratio * k_i) / double(spec.indegree);
}

std::string_view to_string(coupling_kind k) { return k == coupling_kind::gaussian ? "gaussian" : "balanced"; }
std::string_view to_string(storage_kind k) { return k == storage_kind::dense ? "dense" : "sparse"; }
std::string_view to_string(time_kind k) { return k == time_kind::continuous ? "continuous" : "discrete"; }
std::string_view to_string(integrator_kind k) { return k == integrator_kind::euler ? "euler" : "rk4"; }

std::string_view to_string(transfer_function f) {
    switch (f) {
    case transfer_function::tanh: return "tanh";
    case transfer_function::relu: return "relu";
    case transfer_function::threshold_linear: return "threshold_linear";
    }
    return "?";
}

std::string_view to_string(input_kind k) {
    switch (k) {
    case input_kind::none: return "none";
    case input_kind::common_sine: return "common_sine";
    case input_kind::independent_sine: return "independent_sine";
    case input_kind::ou: return "ou";
    }
    return "?";
}

}  // namespace sparsechaos::rate
