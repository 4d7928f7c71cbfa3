#pragma once
// Phase timing shared by the schedules (engine_state.hpp, phase_times). Internal to the engine.
#include <chrono>
#include <cstdint>

#include "sparsechaos/engine/engine_state.hpp"

namespace sparsechaos::engine::timing {

using clock = std::chrono::steady_clock;
inline double since(clock::time_point t0) { return std::chrono::duration<double>(clock::now() - t0).count(); }

// Clock reads on every event would cost more than some events: time every 16th event and
// apportion the loop's measured time (run time less output) in the sampled proportions.
constexpr std::uint64_t sample_every = 16;

inline void apportion(phase_times& total, const phase_times& sampled, double loop_s) {
    const double sampled_s = sampled.update + sampled.communicate + sampled.deliver;
    if (sampled_s > 0.0 && loop_s > 0.0) {
        total.update += loop_s * sampled.update / sampled_s;
        total.communicate += loop_s * sampled.communicate / sampled_s;
        total.deliver += loop_s * sampled.deliver / sampled_s;
    }
}

}  // namespace sparsechaos::engine::timing
