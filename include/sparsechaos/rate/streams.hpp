#pragma once
// The random streams of a rate network. Every number is a pure function of (seed, sub-stream,
// unit id, draw number) through network::random_stream (Philox), so J, the initial state and
// the inputs are the same whichever rank owns a unit and however many ranks there are.
#include <cmath>
#include <cstdint>
#include <numbers>

#include "sparsechaos/network/random.hpp"

namespace sparsechaos::rate {

// Sub-streams of network::stream_purpose::rate_network; the id is the unit (row) index.
enum class stream : std::uint32_t {
    gaussian_row = 0,       // row i of the Gaussian J: entry (i, j) from draws 2j, 2j + 1
    excitatory_inputs = 1,  // which excitatory units project to unit i
    inhibitory_inputs = 2,  // which inhibitory units project to unit i
    initial_state = 3,      // h_i(0): draws 0, 1
    input_phase = 4,        // phase of unit i's sinusoid: draw 0
    ou_noise = 5,           // OU increment of unit i at step s: draws 2s, 2s + 1
    ou_initial = 6,         // OU value of unit i at step 0: draws 0, 1
};

inline network::random_stream make_stream(std::uint64_t seed, stream s, std::uint64_t unit) {
    return network::random_stream(seed, network::stream_purpose::rate_network, static_cast<std::uint32_t>(s), unit);
}

// A standard normal number from the next two draws (Box-Muller, one normal per pair, so draw
// pair k always gives the same number whatever was drawn before in other pairs).
inline double standard_normal(network::random_stream& rng) {
    const double radius = std::sqrt(-2.0 * std::log(rng.uniform_pos()));
    return radius * std::cos(2.0 * std::numbers::pi * rng.uniform());
}

}  // namespace sparsechaos::rate
