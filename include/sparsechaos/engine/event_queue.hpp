#pragma once
// The engine's priority queue of next spike times: a two-level calendar queue.
//
// Near future: an exact indexed d-ary heap ordered by (time, id). Far future: a ring of time
// buckets of width w (unsorted, O(1) insert and removal) plus an overflow list beyond the ring.
// A neuron is in the heap iff its bucket number b(t) = floor(t / w) is <= the current bucket;
// b is monotone in t, so every heap key precedes every bucketed key and the order stays exact.
//
// Why: in balanced networks inhibition delays most neurons, and lazily re-keyed neurons jump far
// ahead. In a plain heap each such re-key sifts from the root to the bottom through memory that
// does not fit in cache; here it is an append to a bucket, and the heap stays small.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "sparsechaos/engine/event_heap.hpp"

namespace sparsechaos::engine {

class event_queue {
public:
    struct entry {
        double time;
        std::uint32_t id;
    };

    event_queue() = default;
    // All neurons 0..n-1 with the given times; `bucket_width` in the unit of the times.
    event_queue(const std::vector<double>& times, double bucket_width) { assign(times, bucket_width); }

    void assign(const std::vector<double>& times, double bucket_width) {
        const std::size_t n = times.size();
        inv_width_ = 1.0 / bucket_width;
        slot_.assign(n, {});
        for (std::size_t i = 0; i < n; ++i) slot_[i].key = times[i];
        near_.reset(n);
        for (auto& b : ring_) b.clear();
        ring_.resize(ring_size);
        overflow_.clear();
        ring_count_ = 0;
        // Start at the earliest bucket so that the heap is small from the first event on.
        double first = std::numeric_limits<double>::infinity();
        for (double t : times) first = std::min(first, t);
        current_ = std::isfinite(first) ? bucket_of(first) : 0;
        for (std::uint32_t i = 0; i < n; ++i) insert(i, times[i]);
    }

    bool empty() { return !ready(no_refresh{}); }
    // Earliest (time, id); the queue must not be empty.
    entry top() {
        ready(no_refresh{});
        const auto& e = near_.top();
        return {e.time, e.id};
    }
    // Brings the earliest event to the top; false if the queue is empty. refresh(id) gives a
    // neuron's exact time (>= its key: keys are lower bounds). Neurons of a bucket that opens are
    // re-keyed at once, in one pass whose memory accesses overlap, instead of one by one when
    // each reaches the top.
    template <class Refresh>
    bool ready(Refresh&& refresh) {
        return !near_.empty() || settle(refresh);
    }
    // Re-keys made while opening buckets.
    std::uint64_t rekeys() const { return rekeys_; }
    double time_of(std::uint32_t id) const { return slot_[id].key; }

    // New, later time for the neuron at the top.
    void replace_top(double time) {
        const std::uint32_t id = near_.top().id;
        slot_[id].key = time;
        if (bucket_of(time) <= current_) {
            near_.replace_top(time);
        } else {
            near_.pop();
            insert_far(id, time);
        }
    }
    // Earlier time for any neuron.
    void decrease(std::uint32_t id, double time) {
        if (slot_[id].where == place::heap) {
            slot_[id].key = time;
            near_.decrease(id, time);
            return;
        }
        remove_far(id);  // finds its bucket from the old key
        slot_[id].key = time;
        insert(id, time);
    }
    std::size_t memory_bytes() const {
        std::size_t b = near_.memory_bytes() + slot_.capacity() * sizeof(slot) +
                        (overflow_.capacity() + keep_.capacity()) * sizeof(std::uint32_t);
        for (const auto& r : ring_) b += r.capacity() * sizeof(std::uint32_t);
        return b;
    }
    std::size_t near_size() const { return near_.size(); }
    double bucket_width() const { return 1.0 / inv_width_; }
    // Per-neuron data of the owner that is read when a neuron reaches the top (engine states).
    void prefetch_with(const double* data) { prefetch_ = data; }

private:
    enum class place : std::uint8_t { heap, ring, overflow };
    static constexpr std::int64_t ring_size = 1 << 14;

    std::int64_t bucket_of(double t) const {
        const double b = std::floor(t * inv_width_);
        // Far-away and infinite times all go to the overflow list.
        return b < 1e15 ? static_cast<std::int64_t>(b) : std::int64_t(1e15);
    }
    void insert(std::uint32_t id, double t) {
        if (bucket_of(t) <= current_) {
            slot_[id].where = place::heap;
            near_.push(id, t);
        } else {
            insert_far(id, t);
        }
    }
    void insert_far(std::uint32_t id, double t) {
        const std::int64_t b = bucket_of(t);
        auto& list = b < current_ + ring_size ? ring_[b % ring_size] : overflow_;
        const bool far = &list == &overflow_;
        slot_[id].where = far ? place::overflow : place::ring;
        ring_count_ += !far;
        slot_[id].index = std::uint32_t(list.size());
        list.push_back(id);
    }
    void remove_far(std::uint32_t id) {
        ring_count_ -= slot_[id].where == place::ring;
        auto& list = slot_[id].where == place::overflow ? overflow_ : ring_[bucket_of(slot_[id].key) % ring_size];
        const std::uint32_t k = slot_[id].index;
        list[k] = list.back();
        slot_[list[k]].index = k;
        list.pop_back();
    }
    // Open buckets until the heap holds the earliest event; false if nothing is left.
    struct no_refresh {
        double operator()(std::uint32_t) const { return -std::numeric_limits<double>::infinity(); }
    };
    template <class Refresh>
    bool settle(Refresh&& refresh) {
        while (near_.empty()) {
            if (ring_count_ == 0 && overflow_.empty()) return false;
            ++current_;
            if (current_ % ring_size == 0 || ring_count_ == 0) refill_from_overflow();
            auto& bucket = ring_[current_ % ring_size];
            ring_count_ -= bucket.size();
            // These neurons reach the top soon: fetch their records (and the owner's per-neuron
            // data) in parallel now instead of one cache miss after the other later.
            for (std::uint32_t id : bucket) {
                __builtin_prefetch(&slot_[id]);
                if (prefetch_) __builtin_prefetch(prefetch_ + id);
            }
            for (std::uint32_t id : bucket) {
                const double t = refresh(id);
                if (t > slot_[id].key) {  // stale: straight to its new place
                    ++rekeys_;
                    slot_[id].key = t;
                    insert(id, t);
                } else {
                    slot_[id].where = place::heap;
                    near_.push(id, slot_[id].key);
                }
            }
            bucket.clear();
        }
        return true;
    }
    // Move overflow entries that now fall inside the ring; jump over an empty stretch of time.
    void refill_from_overflow() {
        if (ring_count_ == 0 && !overflow_.empty()) {
            std::int64_t first = std::numeric_limits<std::int64_t>::max();
            for (std::uint32_t id : overflow_) first = std::min(first, bucket_of(slot_[id].key));
            // Only never-firing neurons left: the heap takes them all and orders them by id.
            current_ = std::max(current_, first);
        }
        for (std::uint32_t id : overflow_) {
            const std::int64_t b = bucket_of(slot_[id].key);
            if (b < current_ + ring_size) {
                if (b <= current_) {
                    slot_[id].where = place::heap;
                    near_.push(id, slot_[id].key);
                } else {
                    auto& list = ring_[b % ring_size];
                    slot_[id].where = place::ring;
                    ++ring_count_;
                    slot_[id].index = std::uint32_t(list.size());
                    list.push_back(id);
                }
            } else {
                slot_[id].index = std::uint32_t(keep_.size());
                keep_.push_back(id);
            }
        }
        overflow_.swap(keep_);
        keep_.clear();
    }

    double inv_width_ = 1.0;
    std::int64_t current_ = 0;  // bucket number of the heap's horizon
    // Per neuron, one 16-byte record: its key and where it is (heap, or index in a far list).
    struct slot {
        double key = 0.0;
        std::uint32_t index = 0;
        place where = place::heap;
    };
    std::vector<slot> slot_;
    event_heap<4> near_;
    std::vector<std::vector<std::uint32_t>> ring_;
    std::vector<std::uint32_t> overflow_, keep_;
    std::size_t ring_count_ = 0;  // entries in ring buckets
    const double* prefetch_ = nullptr;
    std::uint64_t rekeys_ = 0;
};

}  // namespace sparsechaos::engine
