#pragma once
// A firing-rate network and its Lyapunov run, as plain values (docs/rate_networks.md).
//
//   continuous time   dh/dt = -h + J phi(h) + I(t)        (time in units of tau)
//   discrete time     h_{t+1} = phi(J h_t + I_t)          (time in steps)
//
// io::load_rate_config fills this from a [rate_network] TOML file; every default here is the
// documented default of the config key with the same name.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sparsechaos/tangent/orthonormal_system.hpp"

namespace sparsechaos::rate {

// gaussian: dense J_ij = (g z_ij - j0)/sqrt(N), z_ij standard normal, J_ii = 0; j0 = 0 is the
// network of Sompolinsky, Crisanti & Sommers, PRL 61, 259 (1988), j0 > 0 adds the strong
// inhibitory mean of the dense balanced networks of Engelken et al., arXiv:2201.09916.
// balanced: sparse excitatory/inhibitory, K inputs per unit with weights +j0/sqrt(K)
// (excitatory) and -inhibition_ratio * j0/sqrt(K) (inhibitory).
enum class coupling_kind { gaussian, balanced };
// How J is stored: dense (MATDENSE: every entry, BLAS-3 products) or sparse (MATAIJ).
enum class storage_kind { dense, sparse };
enum class transfer_function { tanh, relu, threshold_linear };
enum class time_kind { continuous, discrete };
enum class integrator_kind { euler, rk4 };
enum class input_kind { none, common_sine, independent_sine, ou };

struct coupling_spec {
    coupling_kind kind = coupling_kind::gaussian;
    std::uint64_t size = 0;  // N
    double g = 2.0;          // gaussian: gain of the random part
    // balanced
    double excitatory_fraction = 0.8;  // f: units [0, round(f N)) are excitatory
    std::uint64_t indegree = 100;      // K: inputs per unit, round(f K) of them excitatory
    std::optional<double> j0;  // default: 0 for gaussian, 1 for balanced (j0_value())
    double inhibition_ratio = 4.0;  // gamma; f / (1 - f) makes every row sum to zero in expectation
    std::optional<storage_kind> storage;  // default: dense for gaussian, sparse for balanced
    std::uint64_t seed = 1;

    storage_kind resolved_storage() const {
        return storage ? *storage : (kind == coupling_kind::gaussian ? storage_kind::dense : storage_kind::sparse);
    }
    double j0_value() const { return j0 ? *j0 : (kind == coupling_kind::gaussian ? 0.0 : 1.0); }
    std::uint64_t excitatory_units() const;   // round(f N)
    std::uint64_t excitatory_indegree() const;  // round(f K)
};

struct input_spec {
    input_kind kind = input_kind::none;
    double amplitude = 0.0;         // A: sine amplitude, or the stationary sd of the OU process
    double frequency = 0.1;         // f, cycles per tau (per step in discrete time)
    double correlation_time = 1.0;  // tau_c of the OU process, in tau
    double bias = 0.0;              // constant added to every unit's input
    std::uint64_t seed = 1;         // phases and noise (defaults to the network's seed)
};

struct rate_lyapunov_spec {
    std::uint64_t exponents = 0;  // m; 0 = all N
    double warmup = 100.0;        // trajectory alone, in tau (steps in discrete time)
    double ons_warmup = 100.0;    // tangent space on, exponents discarded
    std::uint64_t orthonormalize_every = 10;  // steps between QR steps
    tangent::orthogonalization method = tangent::orthogonalization::tsqr;
    std::uint64_t seed = 1;  // initial orthonormal system
    std::uint64_t local_exponents = 3;
};

struct rate_network_spec {
    coupling_spec coupling;
    transfer_function phi = transfer_function::tanh;
    time_kind time = time_kind::continuous;
    integrator_kind integrator = integrator_kind::euler;
    double dt = 0.1;           // in tau; 1 (one step) in discrete time
    double duration = 1000.0;  // in tau; steps in discrete time
    double tau_ms = 10.0;      // the time constant, to report rates of time in 1/s
    double initial_std = 1.0;  // h_i(0) ~ N(0, initial_std^2)
    input_spec input;
    std::uint64_t record_every = 10;  // steps between samples of the population activity; 0: none
    std::optional<rate_lyapunov_spec> lyapunov;
    std::string config_text;  // as read, for /meta/config

    // Time step in tau: dt, or 1 for the discrete map.
    double step_length() const { return time == time_kind::discrete ? 1.0 : dt; }
    // Number of steps that cover `t` (in tau): ceil(t / step), ignoring rounding below 1e-9 steps.
    std::uint64_t steps_for(double t) const;
};

// Throws std::invalid_argument naming the first inconsistent field (the config reader checks
// the same conditions and names the TOML key; this guards programmatic specs). Pure: every
// rank of a run reaches the same verdict.
void validate(const coupling_spec& spec);

// Sum of squares of the entries of a row in expectation: g^2 (N - 1)/N for gaussian,
// j0^2 (K_E + gamma^2 K_I)/K for balanced; g_eff = sqrt of it is the gain the mean-field theory
// of Sompolinsky et al. sees (chaos for g_eff > 1 with tanh).
double effective_gain_squared(const coupling_spec& spec);

std::string_view to_string(coupling_kind);
std::string_view to_string(storage_kind);
std::string_view to_string(transfer_function);
std::string_view to_string(time_kind);
std::string_view to_string(integrator_kind);
std::string_view to_string(input_kind);

}  // namespace sparsechaos::rate
