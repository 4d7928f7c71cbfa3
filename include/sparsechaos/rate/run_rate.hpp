#pragma once
// One run of a rate network from a rate_network_spec: the trajectory from h(0), and with a
// [lyapunov] section its spectrum (docs/rate_networks.md):
//
//   [0, warmup)                       the network alone
//   [warmup, warmup + ons_warmup)     tangent space on, QR steps, exponents discarded
//   [warmup + ons_warmup, duration)   measurement
//
// The result is what io writes to /lyapunov (the layout of spiking runs, exponents in 1/s with
// tau = tau_ms) and /rate (io/rate_writer.hpp); runs/rate_run.hpp puts the two together.
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sparsechaos/rate/spec.hpp"
#include "sparsechaos/tangent/lyapunov_result.hpp"

namespace sparsechaos::rate {

class rate_lyapunov_tracker;

struct rate_run_options {
    // Called about every progress_interval_s of wall time (never when <= 0) with the time
    // reached and the total, in tau, and the tracker once it exists (for a running lambda_1).
    // Rank 0's clock decides, and every rank calls it at the same step: set it on every rank or
    // on none.
    double progress_interval_s = 0.0;
    std::function<void(double t_tau, double total_tau, const rate_lyapunov_tracker*)> progress;
};

struct rate_run_result {
    std::optional<tangent::lyapunov_result> lyapunov;  // with a [lyapunov] section
    std::uint64_t steps = 0;
    double build_wall_s = 0.0, run_wall_s = 0.0;
    // Population activity at every record_every-th step (and step 0): time in tau, mean of
    // phi(h), mean of h^2. Identical on every rank.
    std::vector<double> times_tau, mean_phi, mean_h2;
    // h_i at the end of the run, this rank's block of units (rows of the coupling matrix).
    std::vector<double> final_state;
    std::uint64_t stored_entries = 0;               // of the coupling matrix, all ranks
    std::optional<double> largest_condition_bound;  // with [lyapunov]
};

// Collective over comm; every rank passes the same spec. Needs a live petsc session. Throws
// std::invalid_argument for specs that cannot run (the config reader rejects them earlier with
// the key's name) and petsc errors.
rate_run_result run_rate_network(const rate_network_spec& spec, MPI_Comm comm, const rate_run_options& options = {});

}  // namespace sparsechaos::rate
