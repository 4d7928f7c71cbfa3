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
        key_ = times;
        where_.assign(n, 0);
        place_.assign(n, place::heap);
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

    bool empty() { return !settle(); }
    // Earliest (time, id); the queue must not be empty.
    entry top() {
        settle();
        const auto& e = near_.top();
        return {e.time, e.id};
    }
    double time_of(std::uint32_t id) const { return key_[id]; }

    // New, later time for the neuron at the top.
    void replace_top(double time) {
        const std::uint32_t id = near_.top().id;
        key_[id] = time;
        if (bucket_of(time) <= current_) {
            near_.replace_top(time);
        } else {
            near_.pop();
            insert_far(id, time);
        }
    }
    // Earlier time for any neuron.
    void decrease(std::uint32_t id, double time) {
        if (place_[id] == place::heap) {
            key_[id] = time;
            near_.decrease(id, time);
            return;
        }
        remove_far(id);  // finds its bucket from the old key
        key_[id] = time;
        insert(id, time);
    }
    std::size_t memory_bytes() const {
        std::size_t b = near_.memory_bytes() + key_.capacity() * sizeof(double) +
                        where_.capacity() * sizeof(std::uint32_t) + place_.capacity() + overflow_.capacity() * 4;
        for (const auto& r : ring_) b += r.capacity() * sizeof(std::uint32_t);
        return b;
    }
    std::size_t near_size() const { return near_.size(); }
    double bucket_width() const { return 1.0 / inv_width_; }

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
            place_[id] = place::heap;
            near_.push(id, t);
        } else {
            insert_far(id, t);
        }
    }
    void insert_far(std::uint32_t id, double t) {
        const std::int64_t b = bucket_of(t);
        auto& list = b < current_ + ring_size ? ring_[b % ring_size] : overflow_;
        const bool far = &list == &overflow_;
        place_[id] = far ? place::overflow : place::ring;
        ring_count_ += !far;
        where_[id] = std::uint32_t(list.size());
        list.push_back(id);
    }
    void remove_far(std::uint32_t id) {
        ring_count_ -= place_[id] == place::ring;
        auto& list = place_[id] == place::overflow ? overflow_ : ring_[bucket_of(key_[id]) % ring_size];
        const std::uint32_t k = where_[id];
        list[k] = list.back();
        where_[list[k]] = k;
        list.pop_back();
    }
    // Open buckets until the heap holds the earliest event; false if nothing is left.
    bool settle() {
        while (near_.empty()) {
            if (ring_count_ == 0 && overflow_.empty()) return false;
            ++current_;
            if (current_ % ring_size == 0 || ring_count_ == 0) refill_from_overflow();
            auto& bucket = ring_[current_ % ring_size];
            ring_count_ -= bucket.size();
            for (std::uint32_t id : bucket) {
                place_[id] = place::heap;
                near_.push(id, key_[id]);
            }
            bucket.clear();
        }
        return true;
    }
    // Move overflow entries that now fall inside the ring; jump over an empty stretch of time.
    void refill_from_overflow() {
        if (ring_count_ == 0 && !overflow_.empty()) {
            std::int64_t first = std::numeric_limits<std::int64_t>::max();
            for (std::uint32_t id : overflow_) first = std::min(first, bucket_of(key_[id]));
            // Only never-firing neurons left: the heap takes them all and orders them by id.
            current_ = std::max(current_, first);
        }
        std::vector<std::uint32_t> keep;
        for (std::uint32_t id : overflow_) {
            const std::int64_t b = bucket_of(key_[id]);
            if (b < current_ + ring_size) {
                if (b <= current_) {
                    place_[id] = place::heap;
                    near_.push(id, key_[id]);
                } else {
                    auto& list = ring_[b % ring_size];
                    place_[id] = place::ring;
                    ++ring_count_;
                    where_[id] = std::uint32_t(list.size());
                    list.push_back(id);
                }
            } else {
                where_[id] = std::uint32_t(keep.size());
                keep.push_back(id);
            }
        }
        overflow_.swap(keep);
    }

    double inv_width_ = 1.0;
    std::int64_t current_ = 0;  // bucket number of the heap's horizon
    std::vector<double> key_;
    std::vector<std::uint32_t> where_;  // index in its ring bucket or in the overflow list
    std::vector<place> place_;
    event_heap<4> near_;
    std::vector<std::vector<std::uint32_t>> ring_;
    std::vector<std::uint32_t> overflow_;
    std::size_t ring_count_ = 0;  // entries in ring buckets
};

}  // namespace sparsechaos::engine
