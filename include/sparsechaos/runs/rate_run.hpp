#pragma once
// One run of a rate network, start to finish (docs/rate_networks.md): the PETSc session, the
// integration and the Lyapunov measurement (rate::run_rate_network), and the output file
// (/lyapunov, /rate and /meta through io). Collective over the context.
#include <string>

#include "sparsechaos/parallel/context.hpp"
#include "sparsechaos/rate/run_rate.hpp"
#include "sparsechaos/rate/spec.hpp"
#include "sparsechaos/runs/spiking_run.hpp"

namespace sparsechaos::runs {

struct rate_result {
    std::string output;  // the committed file
    rate::rate_run_result run;
};

rate_result run_rate(const rate::rate_network_spec& spec, parallel::context& ctx, const run_options& options);

}  // namespace sparsechaos::runs
