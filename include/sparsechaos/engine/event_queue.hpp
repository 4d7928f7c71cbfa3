#pragma once
// The engine's priority queue of next spike times: a calendar queue in three levels.
//
//   near heap  d-ary heap ordered by (time, id): neurons whose bucket b(t) = floor(t / w) is at
//              most the current bucket
//   fine ring  one unsorted list per bucket of the current block of `fine_size` buckets
//   coarse     one unsorted list per later block, `coarse_size` blocks ahead; beyond: overflow
// (a hierarchical timing wheel, Varghese & Lauck, SOSP 1987). b is monotone in t, so every heap
// key precedes every bucketed key and the event order stays exact whatever w is.
//
// Why: in balanced networks inhibition delays most neurons, and lazily re-keyed neurons jump far
// ahead. In a plain heap each such re-key sifts from the root to the bottom through memory that
// does not fit in cache; here it is an append to a list, and the heap stays small.
//
// Memory layout, for large N where every per-neuron access is a cache miss:
// - The queue works on the owner's per-neuron cells: the neuron's state (8 B), and, where neurons
//   can be advanced (`keyed`), its key right after it (a lower bound of its next spike time, 16 B
//   cells). Re-keying a neuron whose bucket opens reads one cache line.
// - No per-neuron position is kept. Keyed, entries are deleted lazily: an entry is live while it
//   matches its neuron's key (heap entries: the same time; list entries: the same bucket).
//   Advancing a neuron (`decrease`) sets its key and adds an entry; the old one is skipped when
//   reached. Without advances (inhibition only) every neuron has exactly one entry, and no key
//   is needed at all: a neuron's bucket tells where it is, its refreshed time where it goes.
// - Coarse entries carry their bucket inside the block, so spreading a block over the fine ring
//   reads no cells at all.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "sparsechaos/engine/event_heap.hpp"

namespace sparsechaos::engine {

class event_queue {
public:
    using entry = event_heap<4, false>::entry;  // (time, id)

    // Doubles per neuron in the owner's cells: the state, and the key if keyed.
    static std::size_t stride(bool keyed) { return keyed ? 2 : 1; }

    event_queue() = default;
    // All neurons 0..n-1 of `cells` (stride(keyed) doubles each), ordered by `times` (>= 0; with
    // keys they are written into the cells); `bucket_width` in the unit of the times. The cells
    // stay the caller's and must neither move nor be freed while queued.
    event_queue(double* cells, std::size_t n, bool keyed, const double* times, double bucket_width) {
        assign(cells, n, keyed, times, bucket_width);
    }

    void assign(double* cells, std::size_t n, bool keyed, const double* times, double bucket_width) {
        reset(cells, keyed, bucket_width, times, n);
        for (std::uint32_t i = 0; i < n; ++i) {
            if (keyed_) key(i) = times[i];
            insert(i, times[i]);
        }
    }
    // Only the `count` neurons `ids` (unkeyed queues): the owner keeps the others out of the
    // queue, and must assign again before any of them may fire.
    void assign_some(double* cells, const std::uint32_t* ids, std::size_t count, const double* times,
                     double bucket_width) {
        reset(cells, false, bucket_width, times, count);
        for (std::size_t k = 0; k < count; ++k) insert(ids[k], times[k]);
    }

    bool empty() { return !ready(no_refresh{}); }
    // Earliest (time, id); the queue must not be empty.
    entry top() {
        ready(no_refresh{});
        return near_.top();
    }
    // Brings the earliest event to the top; false if the queue is empty. refresh(ids, n, times)
    // gives the exact times of n neurons (>= their keys: keys are lower bounds). Neurons of a
    // bucket that opens are re-keyed at once, in one batch whose memory accesses overlap (and
    // whose arithmetic can be vectorized), instead of one by one when each reaches the top.
    template <class Refresh>
    bool ready(Refresh&& refresh) {
        for (;;) {
            while (!near_.empty() && !live(near_.top())) near_.pop();
            if (!near_.empty()) return true;
            if (!open_next(refresh)) return false;
        }
    }
    // The neuron at the top of the near heap, if any, without opening buckets: a guess at the
    // next event, for memory hints only (the top may be a dead entry).
    bool peek(std::uint32_t& id) const {
        if (near_.empty()) return false;
        id = near_.top().id;
        return true;
    }
    // The entry after the top of the near heap, if the heap holds one: a guess at the event after
    // next (it misses when that event is still in a bucket, or the entry is dead).
    bool peek_second(std::uint32_t& id) const {
        const auto* e = near_.second();
        if (e == nullptr) return false;
        id = e->id;
        return true;
    }
    // A neuron's key (keyed queues only).
    double time_of(std::uint32_t id) const { return key(id); }

    // New, later time for the neuron at the top (after ready()).
    void replace_top(double time) {
        while (!live(near_.top())) near_.pop();
        const std::uint32_t id = near_.top().id;
        if (keyed_) key(id) = time;
        const std::int64_t b = bucket_of(time);
        if (b <= current_) {
            near_.replace_top(time);
        } else {
            near_.pop();
            insert_far(id, b);
        }
    }
    // Earlier time for any neuron (keyed queues only). Its old entry dies: a heap entry no longer
    // has the key's time, a list entry is in a later bucket than the key's (unless the bucket is
    // the same: then that entry stays live and nothing is added).
    void decrease(std::uint32_t id, double time) {
        const std::int64_t old = bucket_of(key(id));
        key(id) = time;
        const std::int64_t b = bucket_of(time);
        if (b <= current_)
            near_.push(id, time);
        else if (b != old)
            insert_far(id, b);
    }

    // Re-keys made while opening buckets.
    std::uint64_t rekeys() const { return rekeys_; }
    std::size_t memory_bytes() const {
        std::size_t b = near_.memory_bytes() + overflow_.capacity() * sizeof(far_entry) +
                        keep_.capacity() * sizeof(std::uint64_t);
        for (const auto& r : fine_) b += r.capacity() * sizeof(std::uint32_t);
        for (const auto& r : coarse_) b += r.capacity() * sizeof(std::uint64_t);
        return b;
    }

private:
    static constexpr std::int64_t fine_size = 1 << 12;    // buckets per block
    static constexpr std::int64_t coarse_size = 1 << 12;  // blocks ahead
    static constexpr std::int64_t never = std::int64_t(1) << 60;

    struct far_entry {
        std::int64_t bucket;
        std::uint32_t id;
    };
    struct no_refresh {
        void operator()(const std::uint32_t*, std::size_t n, double* times) const {
            for (std::size_t k = 0; k < n; ++k) times[k] = -std::numeric_limits<double>::infinity();
        }
    };

    void reset(double* cells, bool keyed, double bucket_width, const double* times, std::size_t n) {
        cells_ = cells;
        keyed_ = keyed;
        stride_ = stride(keyed);
        inv_width_ = 1.0 / bucket_width;
        near_.reset(0);
        fine_.resize(fine_size);
        coarse_.resize(coarse_size);
        for (auto& b : fine_) b.clear();
        for (auto& b : coarse_) b.clear();
        overflow_.clear();
        fine_count_ = coarse_count_ = 0;
        // Start at the earliest bucket so that the heap is small from the first event on.
        double first = std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k < n; ++k) first = std::min(first, times[k]);
        current_ = std::isfinite(first) ? bucket_of(first) : 0;
    }
    std::int64_t bucket_of(double t) const {
        const double b = std::floor(t * inv_width_);
        return b < double(never) ? static_cast<std::int64_t>(b) : never;  // far and infinite times
    }
    static std::int64_t block_of(std::int64_t b) { return b / fine_size; }
    double& key(std::uint32_t id) { return cells_[2 * std::size_t(id) + 1]; }
    double key(std::uint32_t id) const { return cells_[2 * std::size_t(id) + 1]; }
    const double* cell_of(std::uint32_t id) const { return cells_ + stride_ * id; }
    bool live(const entry& e) const { return !keyed_ || key(e.id) == e.time; }
    // Whether a list entry of bucket b is live.
    bool live_in(std::uint32_t id, std::int64_t b) const { return !keyed_ || bucket_of(key(id)) == b; }

    void insert(std::uint32_t id, double t) {
        const std::int64_t b = bucket_of(t);
        if (b <= current_)
            near_.push(id, t);
        else
            insert_far(id, b);
    }
    void insert_far(std::uint32_t id, std::int64_t b) {
        const std::int64_t block = block_of(b), now = block_of(current_);
        if (block == now) {
            fine_[b % fine_size].push_back(id);
            ++fine_count_;
        } else if (block < now + coarse_size) {
            // Coarse entry: the id and the bucket inside its block.
            coarse_[block % coarse_size].push_back(std::uint64_t(b % fine_size) << 32 | id);
            ++coarse_count_;
        } else {
            overflow_.push_back({b, id});
        }
    }

    // Opens the next bucket (or enters the next block); false if nothing is left.
    template <class Refresh>
    bool open_next(Refresh& refresh) {
        if (fine_count_ == 0) {
            if (coarse_count_ == 0 && overflow_.empty()) return false;
            enter_next_block();
            return true;
        }
        ++current_;  // stays inside the block: the fine ring holds only this block's buckets
        open_bucket(fine_[current_ % fine_size], refresh);
        return true;
    }
    template <class Refresh>
    void open_bucket(std::vector<std::uint32_t>& bucket, Refresh& refresh) {
        fine_count_ -= bucket.size();
        // These neurons reach the top soon: fetch their cells in parallel now instead of one
        // cache miss after the other later. Also look ahead: the next bucket's cells (its list
        // was fetched one bucket ago) and the list of the bucket after it.
        for (std::uint32_t id : bucket) __builtin_prefetch(cell_of(id));
        if ((current_ + 1) % fine_size != 0)
            for (std::uint32_t id : fine_[(current_ + 1) % fine_size]) __builtin_prefetch(cell_of(id));
        if ((current_ + 2) % fine_size > 1) {
            const auto& later = fine_[(current_ + 2) % fine_size];
            for (std::size_t k = 0; k < later.size(); k += 16) __builtin_prefetch(later.data() + k);
        }
        live_.clear();
        for (std::uint32_t id : bucket)
            if (live_in(id, current_)) live_.push_back(id);  // else dead: advanced since
        bucket.clear();
        times_.resize(live_.size());
        refresh(live_.data(), live_.size(), times_.data());
        for (std::size_t k = 0; k < live_.size(); ++k) {
            const std::uint32_t id = live_[k];
            const double t = times_[k];
            if (!keyed_) {  // one entry per neuron: to the heap, or on to its later bucket
                const std::int64_t b = bucket_of(t);
                if (b <= current_) {
                    near_.push(id, t);
                } else {
                    ++rekeys_;
                    insert_far(id, b);
                }
                continue;
            }
            // A neuron listed twice (advanced, then re-keyed back into this bucket) must be moved
            // once: after a re-key its other entry is dead.
            if (bucket_of(key(id)) != current_) continue;
            if (t > key(id)) {  // stale: straight to its new place
                ++rekeys_;
                key(id) = t;
                insert(id, t);
            } else {
                near_.push(id, key(id));
            }
        }
    }
    // Move to the next block that holds anything and spread its coarse list over the fine ring;
    // the next open_next() opens its first bucket. Overflow entries move into the coarse ring
    // whenever it wraps, and before any jump over empty time.
    void enter_next_block() {
        std::int64_t block = block_of(current_) + 1;
        for (;;) {
            current_ = block * fine_size;
            if (coarse_count_ == 0 && fine_count_ == 0 && near_.empty()) {
                if (overflow_.empty()) return;
                std::int64_t first = never;
                for (const far_entry& e : overflow_) first = std::min(first, e.bucket);
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
        list = std::vector<std::uint64_t>();
        for (std::uint64_t e : keep_) fine_[e >> 32].push_back(std::uint32_t(e));
        fine_count_ += keep_.size();
        keep_.clear();
        --current_;  // open_next() steps into the block's first bucket and opens it
    }
    // Move live overflow entries that now fall inside the coarse ring.
    void refill_from_overflow() {
        std::vector<far_entry> still;
        for (const far_entry& e : overflow_) {
            if (!live_in(e.id, e.bucket)) continue;  // dead
            if (block_of(e.bucket) < block_of(current_) + coarse_size)
                insert_far(e.id, e.bucket);  // >= current_: into a list, opened in time
            else
                still.push_back(e);
        }
        overflow_.swap(still);
    }

    double* cells_ = nullptr;
    bool keyed_ = true;
    std::size_t stride_ = 2;
    double inv_width_ = 1.0;
    std::int64_t current_ = 0;  // bucket number of the heap's horizon
    event_heap<4, false> near_;
    std::vector<std::vector<std::uint32_t>> fine_;
    std::vector<std::vector<std::uint64_t>> coarse_;
    std::vector<far_entry> overflow_;
    std::vector<std::uint64_t> keep_;
    std::size_t fine_count_ = 0, coarse_count_ = 0;  // entries in the fine and coarse lists
    std::vector<std::uint32_t> live_;                // scratch of open_bucket: live entries
    std::vector<double> times_;                      // and their exact times
    std::uint64_t rekeys_ = 0;
};

}  // namespace sparsechaos::engine
