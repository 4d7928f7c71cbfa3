#pragma once
// The text a run prints when it is done (docs/cli.md): the summary, the Lyapunov block and, with
// --timers, the phase times and memory.
#include <string>

#include "sparsechaos/rate/run_rate.hpp"
#include "sparsechaos/rate/spec.hpp"
#include "sparsechaos/runs/spiking_run.hpp"
#include "sparsechaos/tangent/lyapunov_result.hpp"

namespace sparsechaos::runs {

std::string spiking_summary(const std::string& config, const spiking_result& r);
// `load_s`: the time it took to read the configuration.
std::string spiking_timers(const spiking_result& r, double load_s);
std::string lyapunov_summary(const tangent::lyapunov_result& r);
std::string rate_summary(const std::string& config, const rate::rate_network_spec& spec,
                         const rate::rate_run_result& r, int ranks, const std::string& output);

}  // namespace sparsechaos::runs
