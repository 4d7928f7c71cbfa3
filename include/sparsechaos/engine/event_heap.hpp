#pragma once
// d-ary min-heap of (time, neuron) — the SparseProp priority queue.
// Order is by time, ties by neuron index (= global id order on a rank), so the event order is
// deterministic. Indexed (the default): each neuron's slot is tracked, so any neuron's key can be
// changed in O(log N). Not indexed: no per-neuron array at all, for owners that delete entries
// lazily and may hold several entries of one neuron.
// Keys and ids live in one array of 16-byte entries: a 4-ary node's children share one or two
// cache lines, which halves the cache misses of a binary heap at large N.
#include <cstdint>
#include <vector>

namespace sparsechaos::engine {

template <unsigned Arity = 4, bool Indexed = true>
class event_heap {
public:
    struct entry {
        double time;
        std::uint32_t id;
    };

    event_heap() = default;
    // Empty heap for neuron indices 0..n-1 (push/pop a subset).
    explicit event_heap(std::size_t n) { reset(n); }
    void reset(std::size_t n) {
        heap_.clear();
        if constexpr (Indexed) slot_.assign(n, 0);
    }
    // All neurons 0..n-1 with the given times.
    explicit event_heap(const std::vector<double>& times) { assign(times); }

    void assign(const std::vector<double>& times) {
        const std::size_t n = times.size();
        heap_.resize(n);
        if constexpr (Indexed) slot_.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            heap_[i] = {times[i], std::uint32_t(i)};
            if constexpr (Indexed) slot_[i] = std::uint32_t(i);
        }
        for (std::size_t i = n; i-- > 0;) sift_down(i);
    }

    void push(std::uint32_t id, double time) {
        heap_.push_back({time, id});
        sift_up(heap_.size() - 1);
    }
    // Remove the top entry.
    void pop() {
        const entry last = heap_.back();
        heap_.pop_back();
        if (!heap_.empty()) {
            heap_[0] = last;
            sift_down(0);
        }
    }
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    const entry& top() const { return heap_[0]; }
    // The entry after the top in order (the least child of the root), or null if there is none.
    const entry* second() const {
        const std::size_t n = heap_.size();
        if (n < 2) return nullptr;
        const std::size_t last = n < Arity + 1 ? n : Arity + 1;
        std::size_t best = 1;
        for (std::size_t c = 2; c < last; ++c)
            if (less(heap_[c], heap_[best])) best = c;
        return &heap_[best];
    }
    double time_of(std::uint32_t id) const
        requires Indexed
    {
        return heap_[slot_[id]].time;
    }

    // New time for the neuron at the top (it fired, or its key was stale); it can only move down.
    void replace_top(double time) {
        heap_[0].time = time;
        sift_down(0);
    }
    // Earlier time for a neuron (an excitatory kick advanced its spike).
    void decrease(std::uint32_t id, double time)
        requires Indexed
    {
        const std::uint32_t s = slot_[id];
        heap_[s].time = time;
        sift_up(s);
    }
    std::size_t memory_bytes() const {
        return heap_.capacity() * sizeof(entry) + slot_.capacity() * sizeof(std::uint32_t);
    }

private:
    static bool less(const entry& a, const entry& b) {
        return a.time < b.time || (a.time == b.time && a.id < b.id);
    }
    void place(std::size_t s, const entry& e) {
        heap_[s] = e;
        if constexpr (Indexed) slot_[e.id] = std::uint32_t(s);
    }
    void sift_up(std::size_t s) {
        const entry e = heap_[s];
        while (s > 0) {
            const std::size_t parent = (s - 1) / Arity;
            if (!less(e, heap_[parent])) break;
            place(s, heap_[parent]);
            s = parent;
        }
        place(s, e);
    }
    void sift_down(std::size_t s) {
        const entry e = heap_[s];
        const std::size_t n = heap_.size();
        for (;;) {
            const std::size_t first = Arity * s + 1;
            if (first >= n) break;
            const std::size_t last = first + Arity < n ? first + Arity : n;
            std::size_t best = first;
            for (std::size_t c = first + 1; c < last; ++c)
                if (less(heap_[c], heap_[best])) best = c;
            if (!less(heap_[best], e)) break;
            place(s, heap_[best]);
            s = best;
        }
        place(s, e);
    }

    std::vector<entry> heap_;
    std::vector<std::uint32_t> slot_;  // Indexed only
};

}  // namespace sparsechaos::engine
