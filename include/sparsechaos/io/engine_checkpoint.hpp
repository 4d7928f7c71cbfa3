#pragma once
// The engine's part of a checkpoint (io/checkpoint_file.hpp): the portable state of
// engine/engine_state.hpp in the group /engine, per neuron in global-id order.
#include <mpi.h>

#include "sparsechaos/engine/engine_state.hpp"
#include "sparsechaos/io/hdf5.hpp"
#include "sparsechaos/network/layout.hpp"

namespace sparsechaos::io {

// Collective: every rank passes its own portable state (its neurons, its flights); the scalars
// are the same on every rank. `inputs`: the network has Poisson input (else those arrays are
// left out).
void write_engine_state(h5::location& at, const engine::portable_state& state, bool inputs);

// This rank's part for `layout` (any number of ranks), with every rank's flights.
engine::portable_state read_engine_state(const h5::location& at, const network::layout& layout);

}  // namespace sparsechaos::io
