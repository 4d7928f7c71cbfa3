// The calendar event queue against an ordered set of (time, id): same top after every operation.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "sparsechaos/engine/event_heap.hpp"
#include "sparsechaos/engine/event_queue.hpp"

using sparsechaos::engine::event_heap;
using sparsechaos::engine::event_queue;

namespace {

// Cells for a keyed queue: (state, key) per neuron; the queue writes the keys.
std::vector<double> keyed_cells(std::size_t n) { return std::vector<double>(2 * n, 0.0); }

// Random workload shaped like the engine's: the top fires or is re-keyed later (often far later,
// beyond the bucket ring), random neurons are advanced (never before now), equal times occur.
void run_workload(double bucket_width, std::uint32_t n, int steps, unsigned seed, double far = 1e5) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> times(n);
    for (auto& t : times) t = std::floor(u(rng) * 50.0) * 0.25;  // coarse grid: many ties
    auto cells = keyed_cells(n);
    event_queue q(cells.data(), n, true, times.data(), bucket_width);
    std::set<std::pair<double, std::uint32_t>> ref;
    for (std::uint32_t i = 0; i < n; ++i) ref.insert({times[i], i});
    double now = 0.0;
    for (int step = 0; step < steps; ++step) {
        ASSERT_FALSE(q.empty());
        const auto top = q.top();
        ASSERT_EQ(top.time, ref.begin()->first) << "step " << step;
        ASSERT_EQ(top.id, ref.begin()->second) << "step " << step;
        now = top.time;
        const double r = u(rng);
        // Later time for the top: near, far, or far beyond the ring (up to `far` bucket widths).
        const double jump = r < 0.4 ? u(rng) * 2.0 : r < 0.8 ? u(rng) * 200.0 : u(rng) * far * bucket_width;
        const double later = r < 0.1 ? now : now + std::floor(jump * 4.0) * 0.25;
        ref.erase(ref.begin());
        ref.insert({later, top.id});
        q.replace_top(later);
        ASSERT_EQ(q.time_of(top.id), later);
        if (u(rng) < 0.3) {  // an excitatory kick advances a random neuron, not before now
            const std::uint32_t id = std::uint32_t(rng() % n);
            const double old = q.time_of(id);
            const double earlier = std::max(now, old - std::floor(u(rng) * 40.0) * 0.25);
            if (earlier < old) {
                ref.erase({old, id});
                ref.insert({earlier, id});
                q.decrease(id, earlier);
            }
        }
    }
}

}  // namespace

namespace {

// The engine's use: keys are lower bounds of true times. Inhibition delays true times without
// touching keys, excitation advances them (and the key; keyed queues only), stale neurons are
// re-keyed when their bucket opens or when they reach the top. The first fresh top must be the
// earliest true event.
void run_lazy_workload(bool keyed, double bucket_width, std::uint32_t n, int steps, unsigned seed, double far = 1e4) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> truth(n);
    for (auto& t : truth) t = std::floor(u(rng) * 50.0) * 0.25;
    std::vector<double> cells(event_queue::stride(keyed) * n);
    event_queue q(cells.data(), n, keyed, truth.data(), bucket_width);
    std::set<std::pair<double, std::uint32_t>> ref;
    for (std::uint32_t i = 0; i < n; ++i) ref.insert({truth[i], i});
    auto refresh = [&](const std::uint32_t* ids, std::size_t m, double* out) {
        for (std::size_t k = 0; k < m; ++k) out[k] = truth[ids[k]];
    };
    auto set_truth = [&](std::uint32_t i, double t) {
        ref.erase({truth[i], i});
        truth[i] = t;
        ref.insert({t, i});
    };
    double now = 0.0;
    for (int step = 0; step < steps; ++step) {
        ASSERT_TRUE(q.ready(refresh));
        auto top = q.top();
        while (truth[top.id] > top.time) {  // stale at the top: re-key and look again
            q.replace_top(truth[top.id]);
            ASSERT_TRUE(q.ready(refresh));
            top = q.top();
        }
        ASSERT_EQ(top.time, ref.begin()->first) << "step " << step;
        ASSERT_EQ(top.id, ref.begin()->second) << "step " << step;
        now = top.time;
        const double r = u(rng);
        const double jump = r < 0.5 ? u(rng) * 20.0 : u(rng) * far * bucket_width;
        set_truth(top.id, now + std::floor(jump * 4.0) * 0.25);  // it fired: its next time
        q.replace_top(truth[top.id]);
        for (int k = 0; k < 3; ++k) {  // inhibition: later true times, keys stay
            const std::uint32_t i = std::uint32_t(rng() % n);
            set_truth(i, truth[i] + std::floor(u(rng) * 40.0) * 0.25);
        }
        if (keyed && u(rng) < 0.4) {  // excitation: an earlier true time, not before now
            const std::uint32_t i = std::uint32_t(rng() % n);
            const double t = std::max(now, truth[i] - std::floor(u(rng) * 80.0) * 0.25);
            set_truth(i, t);
            if (t < q.time_of(i)) q.decrease(i, t);
        }
    }
}

}  // namespace

TEST(EventQueue, LazyRekeysMatchOrderedSetWithNarrowBuckets) { run_lazy_workload(true, 0.01, 400, 100000, 4); }
TEST(EventQueue, LazyRekeysMatchOrderedSetWithWideBuckets) { run_lazy_workload(true, 3.0, 400, 100000, 5); }
TEST(EventQueue, WithoutKeysInhibitionOnlyMatchesOrderedSet) {
    run_lazy_workload(false, 0.01, 400, 100000, 6);
    run_lazy_workload(false, 3.0, 400, 100000, 7);
}

TEST(EventQueue, MatchesOrderedSetWithNarrowBuckets) { run_workload(0.01, 500, 200000, 1); }
// Jumps of up to 3e7 buckets: entries go to the coarse lists and the overflow (more than 2^24
// buckets ahead), the coarse ring wraps, and the queue jumps over empty time.
TEST(EventQueue, MatchesOrderedSetAcrossTheCoarseRingAndOverflow) { run_workload(0.01, 300, 100000, 6, 3e7); }
TEST(EventQueue, LazyRekeysMatchOrderedSetAcrossTheCoarseRingAndOverflow) {
    run_lazy_workload(true, 0.01, 300, 100000, 7, 3e7);
    run_lazy_workload(false, 0.01, 300, 100000, 8, 3e7);
}
TEST(EventQueue, MatchesOrderedSetWithWideBuckets) { run_workload(5.0, 500, 200000, 2); }
TEST(EventQueue, MatchesOrderedSetWithFewNeurons) { run_workload(0.3, 3, 20000, 3); }

TEST(EventQueue, InfiniteTimesStayLast) {
    const std::vector<double> times{INFINITY, 2.0, INFINITY, 1.0};
    auto cells = keyed_cells(times.size());
    event_queue q(cells.data(), times.size(), true, times.data(), 0.5);
    EXPECT_EQ(q.top().id, 3u);
    q.replace_top(INFINITY);
    EXPECT_EQ(q.top().id, 1u);
    q.replace_top(INFINITY);
    EXPECT_FALSE(q.empty());
    EXPECT_EQ(q.top().id, 0u);  // all infinite: ties by id
    EXPECT_TRUE(std::isinf(q.top().time));
}

// Entries are deleted lazily: an advanced neuron must stay queued exactly once wherever its old
// entry was (same bucket, another bucket of a later block, beyond the coarse ring, infinity).
TEST(EventQueue, AdvancedNeuronsStayQueuedOnce) {
    const double w = 1.0;
    const std::vector<double> times{0.0, 5.5, 3.0e4, 1.0e9, INFINITY, INFINITY};
    auto cells = keyed_cells(times.size());
    event_queue q(cells.data(), times.size(), true, times.data(), w);
    q.decrease(1, 5.25);     // same bucket as before
    q.decrease(2, 2.0e4);    // another block of the coarse ring
    q.decrease(3, 1.0e8);    // still beyond the coarse ring
    q.decrease(4, 1.0e300);  // from infinity to a time as far as infinity in buckets
    q.decrease(5, 7.0);      // from infinity into the current block
    // Each neuron once, in time order, then only infinite times.
    std::vector<std::pair<double, std::uint32_t>> order;
    while (std::isfinite(q.top().time) && order.size() < 20) {
        order.push_back({q.top().time, q.top().id});
        q.replace_top(INFINITY);
    }
    const std::vector<std::pair<double, std::uint32_t>> expected{
        {0.0, 0}, {5.25, 1}, {7.0, 5}, {2.0e4, 2}, {1.0e8, 3}, {1.0e300, 4}};
    EXPECT_EQ(order, expected);
}

TEST(EventHeap, OrdersByTimeThenId) {
    event_heap<4> h(std::vector<double>{3.0, 1.0, 1.0, 2.0});
    EXPECT_EQ(h.top().id, 1u);
    h.replace_top(5.0);
    EXPECT_EQ(h.top().id, 2u);
    h.decrease(0, 0.5);
    EXPECT_EQ(h.top().id, 0u);
    h.pop();
    EXPECT_EQ(h.top().id, 2u);
    h.push(0, 1.0);  // equal time, smaller id: first
    EXPECT_EQ(h.top().id, 0u);
}

// second() is the entry that would be on top after a pop: checked against the ordered set at
// every step of a random push/pop sequence with ties.
TEST(EventHeap, SecondIsTheNextInOrder) {
    std::mt19937_64 rng(11);
    std::uniform_int_distribution<int> grid(0, 40);
    event_heap<4, false> h;
    std::set<std::pair<double, std::uint32_t>> ref;
    EXPECT_EQ(h.second(), nullptr);
    for (int step = 0; step < 20000; ++step) {
        if (ref.size() < 3 || rng() % 5 < 3) {
            const auto id = std::uint32_t(rng() % 1000);
            const double t = 0.5 * grid(rng);
            if (!ref.insert({t, id}).second) continue;  // the set keeps one copy of a pair
            h.push(id, t);
        } else {
            h.pop();
            ref.erase(ref.begin());
        }
        ASSERT_EQ(h.top().id, ref.begin()->second);
        const auto* s = h.second();
        if (ref.size() < 2) {
            ASSERT_EQ(s, nullptr);
            continue;
        }
        ASSERT_NE(s, nullptr);
        const auto expected = *std::next(ref.begin());
        ASSERT_EQ(s->time, expected.first);
        ASSERT_EQ(s->id, expected.second);
    }
}
