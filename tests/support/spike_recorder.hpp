#pragma once
// An engine observer that keeps every spike it is handed (tests only).
#include <vector>

#include "sparsechaos/engine/observer.hpp"

namespace test_support {

struct spike_recorder : sparsechaos::engine::observer {
    std::vector<sparsechaos::engine::spike> spikes;
    void on_spikes(const std::vector<sparsechaos::engine::spike>& b) override {
        spikes.insert(spikes.end(), b.begin(), b.end());
    }
};

}  // namespace test_support
