#pragma once
// The engine's priority queue of next spike times: a calendar queue in three levels.
//
//   near heap  exact indexed d-ary heap ordered by (time, id): neurons whose bucket b(t) =
//              floor(t / w) is at most the current bucket
//   fine ring  one unsorted list per bucket of the current block of `fine_size` buckets
//   coarse     one unsorted list per later block, `coarse_size` blocks ahead; beyond: overflow
// (a hierarchical timing wheel, Varghese & Lauck, SOSP 1987). b is monotone in t, so every heap
// key precedes every bucketed key and the event order stays exact whatever w is.
//
// Why: in balanced networks inhibition delays most neurons, and lazily re-keyed neurons jump far
// ahead. In a plain heap each such re-key sifts from the root to the bottom through memory that
// does not fit in cache; here it is an append to a list, and the heap stays small.
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
    // All neurons 0..n-1 with the given times (>= 0); `bucket_width` in the unit of the times.
    event_queue(const std::vector<double>& times, double bucket_width) { assign(times, bucket_width); }

    void assign(const std::vector<double>& times, double bucket_width) {
        const std::size_t n = times.size();
        inv_width_ = 1.0 / bucket_width;
        slot_.assign(n, {});
        near_.reset(n);
        fine_.resize(fine_size);
        coarse_.resize(coarse_size);
        for (auto& b : fine_) b.clear();
        for (auto& b : coarse_) b.clear();
        overflow_.clear();
        fine_count_ = coarse_count_ = 0;
        // Start at the earliest bucket so that the heap is small from the first event on.
        double first = std::numeric_limits<double>::infinity();
        for (double t : times) first = std::min(first, t);
        current_ = std::isfinite(first) ? bucket_of(first) : 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            slot_[i].key = times[i];
            insert(i, times[i]);
        }
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
    double time_of(std::uint32_t id) const { return slot_[id].key; }
    // The neuron at the top of the near heap, if any, without opening buckets: a guess at the
    // next event, for memory hints only.
    bool peek(std::uint32_t& id) const {
        if (near_.empty()) return false;
        id = near_.top().id;
        return true;
    }

    // New, later time for the neuron at the top.
    void replace_top(double time) {
        const std::uint32_t id = near_.top().id;
        slot_[id].key = time;
        if (bucket_of(time) <= current_) {
            near_.replace_top(time);
        } else {
            near_.pop();
            insert_far(id, bucket_of(time));
        }
    }
    // Earlier time for any neuron.
    void decrease(std::uint32_t id, double time) {
        if (slot_[id].where == place::heap) {
            slot_[id].key = time;
            near_.decrease(id, time);
            return;
        }
        remove_far(id);  // finds its list from the old key
        slot_[id].key = time;
        insert(id, time);
    }

    // Re-keys made while opening buckets.
    std::uint64_t rekeys() const { return rekeys_; }
    // Per-neuron data of the owner that is read when a neuron reaches the top (engine states).
    void prefetch_with(const double* data) { prefetch_ = data; }
    std::size_t memory_bytes() const {
        std::size_t b = near_.memory_bytes() + slot_.capacity() * sizeof(slot) +
                        (overflow_.capacity() + keep_.capacity()) * sizeof(std::uint32_t);
        for (const auto& r : fine_) b += r.capacity() * sizeof(std::uint32_t);
        for (const auto& r : coarse_) b += r.capacity() * sizeof(std::uint32_t);
        return b;
    }

private:
    enum class place : std::uint8_t { heap, fine, coarse, overflow };
    static constexpr std::int64_t fine_size = 1 << 12;    // buckets per block
    static constexpr std::int64_t coarse_size = 1 << 12;  // blocks ahead
    static constexpr std::int64_t never = std::int64_t(1) << 60;

    // Per neuron, one 16-byte record: its key and where it is (heap, or index in a list).
    struct slot {
        double key = 0.0;
        std::uint32_t index = 0;
        place where = place::heap;
    };
    struct no_refresh {
        double operator()(std::uint32_t) const { return -std::numeric_limits<double>::infinity(); }
    };

    std::int64_t bucket_of(double t) const {
        const double b = std::floor(t * inv_width_);
        return b < double(never) ? static_cast<std::int64_t>(b) : never;  // far and infinite times
    }
    static std::int64_t block_of(std::int64_t b) { return b / fine_size; }

    std::vector<std::uint32_t>& list_of(std::uint32_t id) {
        const std::int64_t b = bucket_of(slot_[id].key);
        switch (slot_[id].where) {
        case place::fine: return fine_[b % fine_size];
        case place::coarse: return coarse_[block_of(b) % coarse_size];
        default: return overflow_;
        }
    }
    void insert(std::uint32_t id, double t) {
        const std::int64_t b = bucket_of(t);
        if (b <= current_) {
            slot_[id].where = place::heap;
            near_.push(id, t);
        } else {
            insert_far(id, b);
        }
    }
    void insert_far(std::uint32_t id, std::int64_t b) {
        const std::int64_t block = block_of(b), now = block_of(current_);
        place where = place::overflow;
        std::vector<std::uint32_t>* list = &overflow_;
        if (block == now) {
            where = place::fine;
            list = &fine_[b % fine_size];
            ++fine_count_;
        } else if (block < now + coarse_size) {
            where = place::coarse;
            list = &coarse_[block % coarse_size];
            ++coarse_count_;
        }
        slot_[id].where = where;
        slot_[id].index = std::uint32_t(list->size());
        list->push_back(id);
    }
    void remove_far(std::uint32_t id) {
        fine_count_ -= slot_[id].where == place::fine;
        coarse_count_ -= slot_[id].where == place::coarse;
        auto& list = list_of(id);
        const std::uint32_t k = slot_[id].index;
        list[k] = list.back();
        slot_[list[k]].index = k;
        list.pop_back();
    }

    // Open buckets until the heap holds the earliest event; false if nothing is left.
    template <class Refresh>
    bool settle(Refresh& refresh) {
        while (near_.empty()) {
            if (fine_count_ == 0) {
                if (coarse_count_ == 0 && overflow_.empty()) return false;
                enter_next_block();
                continue;
            }
            ++current_;  // stays inside the block: the fine ring holds only this block's buckets
            open_bucket(fine_[current_ % fine_size], refresh);
        }
        return true;
    }
    template <class Refresh>
    void open_bucket(std::vector<std::uint32_t>& bucket, Refresh& refresh) {
        fine_count_ -= bucket.size();
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
    // Move to the first bucket of the next block that holds anything and spread that block's
    // coarse list over the fine ring (entries of its first bucket go to the heap). Overflow
    // entries move into the coarse ring whenever it wraps, and before any jump over empty time.
    void enter_next_block() {
        std::int64_t block = block_of(current_) + 1;
        for (;;) {
            current_ = block * fine_size;
            if (coarse_count_ == 0 && fine_count_ == 0 && near_.empty()) {
                if (overflow_.empty()) return;
                std::int64_t first = never;
                for (std::uint32_t id : overflow_) first = std::min(first, bucket_of(slot_[id].key));
                block = std::max(block, block_of(first));
                current_ = block * fine_size;
                refill_from_overflow();
            } else if (block % coarse_size == 0) {
                refill_from_overflow();
            }
            if (!coarse_[block % coarse_size].empty() || fine_count_ > 0 || !near_.empty()) break;
            ++block;
        }
        auto& list = coarse_[block % coarse_size];
        coarse_count_ -= list.size();
        // Take the list's buffer and leave it empty without capacity: otherwise every coarse
        // list keeps room for a whole block and the queue's memory grows far beyond its entries.
        keep_ = std::move(list);
        list = std::vector<std::uint32_t>();
        // Random reads of records: keep a window of them in flight.
        constexpr std::size_t ahead = 16;
        for (std::size_t k = 0; k < keep_.size(); ++k) {
            if (k + ahead < keep_.size()) __builtin_prefetch(&slot_[keep_[k + ahead]]);
            insert(keep_[k], slot_[keep_[k]].key);
        }
        keep_.clear();
    }
    // Move overflow entries that now fall inside the coarse ring.
    void refill_from_overflow() {
        std::vector<std::uint32_t> still;
        for (std::uint32_t id : overflow_) {
            if (block_of(bucket_of(slot_[id].key)) < block_of(current_) + coarse_size) {
                insert(id, slot_[id].key);
            } else {
                slot_[id].index = std::uint32_t(still.size());
                still.push_back(id);
            }
        }
        overflow_.swap(still);
    }

    double inv_width_ = 1.0;
    std::int64_t current_ = 0;  // bucket number of the heap's horizon
    std::vector<slot> slot_;
    event_heap<4> near_;
    std::vector<std::vector<std::uint32_t>> fine_, coarse_;
    std::vector<std::uint32_t> overflow_, keep_;
    std::size_t fine_count_ = 0, coarse_count_ = 0;  // entries in the fine and coarse lists
    const double* prefetch_ = nullptr;
    std::uint64_t rekeys_ = 0;
};

}  // namespace sparsechaos::engine
