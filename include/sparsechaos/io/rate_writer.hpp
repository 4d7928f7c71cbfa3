#pragma once
// /rate of a rate-network run (docs/rate_networks.md, "Output"): the final state, the population
// activity, the exponents in units of 1/tau and the model's settings.
#include "sparsechaos/io/hdf5.hpp"
#include "sparsechaos/rate/run_rate.hpp"
#include "sparsechaos/rate/spec.hpp"

namespace sparsechaos::io {

// Collective: every rank passes the same spec and result (its own block of the final state).
void write_rate_group(h5::file& file, const rate::rate_network_spec& spec, const rate::rate_run_result& result);

}  // namespace sparsechaos::io
