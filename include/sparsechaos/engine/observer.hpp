#pragma once
// What a running engine reports: spikes in batches and progress. The engine owns no output of
// its own; io::spike_writer is the observer that writes /spikes.
#include <cstdint>
#include <vector>

namespace sparsechaos::engine {

struct spike {
    double time_ms;        // absolute time
    std::uint64_t neuron;  // global id
};

struct progress {
    double time_ms, end_ms;
    std::uint64_t spikes;
    double wall_s;
};

class observer {
public:
    virtual ~observer() = default;
    virtual void on_spikes(const std::vector<spike>& batch) = 0;
    virtual void on_progress(const progress&) {}
    // Called at the same point of the event sequence on every rank (a place for collective I/O).
    virtual void on_collective_point() {}
};

}  // namespace sparsechaos::engine
