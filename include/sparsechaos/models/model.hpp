#pragma once
// The closed set of neuron models a population can use. The engine dispatches on the variant
// once per (spike, projection), never per target, so the hot loop has no virtual calls.
#include <variant>

#include "sparsechaos/models/eif.hpp"
#include "sparsechaos/models/lif.hpp"
#include "sparsechaos/models/neuron_model.hpp"
#include "sparsechaos/models/rapid_theta.hpp"
#include "sparsechaos/models/theta.hpp"

namespace sparsechaos::models {

using model = std::variant<lif, theta, rapid_theta, eif>;

static_assert(neuron_model<lif>);
static_assert(neuron_model<theta>);
static_assert(neuron_model<rapid_theta>);
static_assert(neuron_model<eif>);

}  // namespace sparsechaos::models
