#pragma once
// Spikes in transit to this rank's neurons (runs with delays).
//
// One entry per (spike, projection), not per synapse: with a constant delay the whole row of
// targets is kicked at spike time + delay; with per-synapse delays the row is sorted by delay and
// the entry walks along it (a cursor), re-keyed to the next synapse's arrival after each kick.
// So the queue holds the spikes of the last d_max, which is small, and never grows with K.
//
// Order: arrival time, then source id, projection, emission time, so that kicks arriving at one
// neuron at the same instant are applied in the same order on any number of ranks.
#include <cstdint>
#include <limits>
#include <queue>
#include <vector>

namespace sparsechaos::engine {

struct in_transit {
    double arrival;           // local time of the next kick
    double emitted;           // local time of the spike
    std::uint64_t source;     // global id of the spiking neuron
    std::uint32_t projection;
    std::uint32_t cursor;     // next synapse of the row (per-synapse delays)
};

class delivery_queue {
public:
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    double next_time() const { return heap_.empty() ? std::numeric_limits<double>::infinity() : heap_.top().arrival; }
    const in_transit& top() const { return heap_.top(); }
    void push(const in_transit& e) { heap_.push(e); }
    void pop() { heap_.pop(); }
    // Local time moved by dt (the engine shifted its origin).
    void shift_origin(double dt) {
        std::vector<in_transit> all;
        all.reserve(heap_.size());
        while (!heap_.empty()) all.push_back(heap_.top()), heap_.pop();
        for (auto& e : all) e.arrival -= dt, e.emitted -= dt, heap_.push(e);
    }

private:
    struct later {
        bool operator()(const in_transit& a, const in_transit& b) const {
            if (a.arrival != b.arrival) return a.arrival > b.arrival;
            if (a.source != b.source) return a.source > b.source;
            if (a.projection != b.projection) return a.projection > b.projection;
            return a.emitted > b.emitted;
        }
    };
    std::priority_queue<in_transit, std::vector<in_transit>, later> heap_;
};

}  // namespace sparsechaos::engine
