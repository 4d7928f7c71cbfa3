#pragma once
// One run of a rate network from a rate_network_spec: the trajectory from h(0), and with a
// [lyapunov] section its spectrum, written to an HDF5 file (docs/rate_networks.md):
//
//   [0, warmup)                       the network alone
//   [warmup, warmup + ons_warmup)     tangent space on, QR steps, exponents discarded
//   [warmup + ons_warmup, duration)   measurement
//
// Output: /lyapunov (io::write_lyapunov, the layout of spiking runs, exponents in 1/s with
// tau = tau_ms), /rate (final state, population activity, lambda * tau, the model's settings)
// and /meta (configuration, version, ranks, wall times).
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sparsechaos/io/hdf5.hpp"
#include "sparsechaos/rate/spec.hpp"
#include "sparsechaos/tangent/lyapunov_result.hpp"

namespace sparsechaos::rate {

class rate_lyapunov_tracker;

struct rate_run_options {
    std::string command_line;  // for /meta
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
};

// Collective over comm; every rank passes the same spec. `output` (may be null) must be open on
// the same communicator; the function creates /rate, /meta and (with [lyapunov]) /lyapunov in
// it and closes what it created, so the caller can close or commit the file afterwards.
// Needs a live tangent::petsc_session. Throws std::invalid_argument for specs that cannot run
// (the config reader rejects them earlier with the key's name) and tangent::petsc_error.
rate_run_result run_rate_network(const rate_network_spec& spec, MPI_Comm comm, io::h5::file* output,
                                 const rate_run_options& options = {});

}  // namespace sparsechaos::rate
