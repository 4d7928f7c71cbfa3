#pragma once
// The closed set of neuron models a population can use. The engine dispatches on the variant
// once per (spike, projection), never per target, so the hot loop has no virtual calls.
#include <variant>

#include "sparsechaos/models/lif.hpp"
#include "sparsechaos/models/neuron_model.hpp"
#include "sparsechaos/models/theta.hpp"

namespace sparsechaos::models {

using model = std::variant<lif, theta>;

static_assert(neuron_model<lif>);
static_assert(neuron_model<theta>);

}  // namespace sparsechaos::models
