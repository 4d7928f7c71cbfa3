#pragma once
// The /lyapunov group of the output file (docs/output.md, docs/lyapunov.md). Collective: every
// rank passes the same (replicated) result.
#include "sparsechaos/io/hdf5.hpp"
#include "sparsechaos/tangent/lyapunov_result.hpp"

namespace sparsechaos::io {

void write_lyapunov(h5::file& file, const tangent::lyapunov_result& r);

}  // namespace sparsechaos::io
