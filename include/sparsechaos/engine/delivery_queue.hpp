#pragma once
// Spikes in transit to this rank's neurons (runs with delays).
//
// One entry per (spike, projection), not per synapse: with a constant delay the whole row of
// targets is kicked at spike time + delay; with per-synapse delays the row is sorted by delay and
// the entry walks along it (a cursor), re-keyed to the next synapse's arrival after each kick
// (replace_top: one sift instead of a pop and a push). So the queue holds the spikes of the last
// d_max, which is small, and never grows with K.
//
// Order: arrival time, then source id, projection, emission time, so that kicks arriving at one
// neuron at the same instant are applied in the same order on any number of ranks.
#include <cstdint>
#include <limits>
#include <vector>

namespace sparsechaos::engine {

struct in_transit {
    double arrival;           // local time of the next kick
    double emitted;           // local time of the spike
    std::uint64_t source;     // global id of the spiking neuron
    std::uint64_t cursor;     // per-synapse delays: index of the next synapse in the stored rows
    std::uint32_t projection;
    std::uint32_t remaining;  // per-synapse delays: synapses of the row still to arrive
};

// A 4-ary min-heap: a node's children share one or two cache lines.
class delivery_queue {
public:
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    double next_time() const { return heap_.empty() ? std::numeric_limits<double>::infinity() : heap_[0].arrival; }
    const in_transit& top() const { return heap_[0]; }
    void push(const in_transit& e) {
        heap_.push_back(e);
        sift_up(heap_.size() - 1);
    }
    void pop() {
        const in_transit last = heap_.back();
        heap_.pop_back();
        if (!heap_.empty()) {
            heap_[0] = last;
            sift_down(0);
        }
    }
    // The top entry, changed to a later arrival.
    void replace_top(const in_transit& e) {
        heap_[0] = e;
        sift_down(0);
    }
    // Local time moved by dt (the engine shifted its origin). `arrival(e)` gives an entry's
    // arrival after the shift (its emission time is shifted first). Rounding may turn two close
    // arrivals into a tie that the other keys order differently: restore the heap.
    template <class Arrival>
    void shift_origin(double dt, Arrival&& arrival) {
        for (auto& e : heap_) {
            e.emitted -= dt;
            e.arrival = arrival(e, dt);
        }
        for (std::size_t s = heap_.size() / arity + 1; s-- > 0;)
            if (s < heap_.size()) sift_down(s);
    }
    // Every entry, in heap order (checkpoints).
    const std::vector<in_transit>& entries() const { return heap_; }

private:
    static constexpr std::size_t arity = 4;
    static bool before(const in_transit& a, const in_transit& b) {
        if (a.arrival != b.arrival) return a.arrival < b.arrival;
        if (a.source != b.source) return a.source < b.source;
        if (a.projection != b.projection) return a.projection < b.projection;
        return a.emitted < b.emitted;
    }
    void sift_up(std::size_t s) {
        const in_transit e = heap_[s];
        while (s > 0) {
            const std::size_t parent = (s - 1) / arity;
            if (!before(e, heap_[parent])) break;
            heap_[s] = heap_[parent];
            s = parent;
        }
        heap_[s] = e;
    }
    void sift_down(std::size_t s) {
        const in_transit e = heap_[s];
        const std::size_t n = heap_.size();
        for (;;) {
            const std::size_t first = arity * s + 1;
            if (first >= n) break;
            const std::size_t last = first + arity < n ? first + arity : n;
            std::size_t best = first;
            for (std::size_t c = first + 1; c < last; ++c)
                if (before(heap_[c], heap_[best])) best = c;
            if (!before(heap_[best], e)) break;
            heap_[s] = heap_[best];
            s = best;
        }
        heap_[s] = e;
    }
    std::vector<in_transit> heap_;
};

}  // namespace sparsechaos::engine
