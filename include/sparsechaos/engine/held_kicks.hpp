#pragma once
// Kicks held back from neurons that cannot fire before the current window ends (docs/engine.md,
// "Held kicks").
//
// Why: at large N each of a spike's K kicks is a cache miss on a random cell, and the memory
// system, not the arithmetic, sets the cost per spike. Inhibitory kicks only delay spikes, so a
// neuron whose exact next spike time (with no further input) lies beyond the window's end can
// neither fire nor be looked at before then. Its kicks are only written down here, appended to
// the list of its block of neurons, and applied block by block when the window ends: the cells of
// a block are then in cache, and the lists are read in order.
//
// Each list collects its entries in a cache line of its own and writes full lines past the
// caches (streaming stores): a spike's kicks go to up to K different lists, and ordinary stores
// would first read every new line from memory.
//
// Exactness: each neuron's kicks are applied in the order they came, with the same arithmetic as
// at once (the same coefficient, the same multiply-add), so the cells end up with the same bits.
// Neurons that may fire in the window ("near") get their kicks at once, as without holding.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "sparsechaos/huge_pages.hpp"

namespace sparsechaos::engine {

class held_kicks {
public:
    // Neurons per block: 2^16 8-byte cells are 512 KiB, which stay in L2 while their kicks land.
    static constexpr unsigned block_shift = 16;
    static constexpr std::uint32_t block_size = std::uint32_t(1) << block_shift;
    static_assert(block_shift <= 16, "an entry keeps the neuron within its block in 16 bits");

    // A spike's kicks into one projection's targets: the LIF kick s ← fma(a, E, s)
    // (models::lif::kick_by) with the projection's coefficient a and the spike's E.
    struct event {
        double e;                  // E = exp(t/τ) of the spike
        std::uint32_t projection;  // index of the projection
    };
    // One held kick, 4 bytes: the lists are most of the memory traffic of a window (8-byte
    // entries with the full neuron and event indices were measured slower). A list's entries come
    // in event order, so each stores the step from the list's previous event; a step too large
    // for 16 bits is taken by skip entries (step = skip, no kick).
    struct entry {
        std::uint16_t offset;  // neuron within the block
        std::uint16_t step;    // events since the list's previous entry
    };
    static constexpr std::uint16_t skip = 0xFFFF;

private:
    static constexpr unsigned line_entries = 64 / sizeof(entry);
    struct alignas(64) line {
        entry e[line_entries];
    };
    struct bin {
        line open;                      // entries not yet written out
        std::unique_ptr<line[]> lines;  // full lines, in order
        std::size_t used = 0, capacity = 0;
        unsigned fill = 0;              // entries in `open`
        std::uint32_t last_event = 0;   // of the last entry (0 when empty)

        void append(entry e) {
            // A full line is written out when the list's next entry comes, not as it fills: its
            // last stores have reached the cache by then, and the line-wide load needs no forwarding.
            if (fill == line_entries) write_open_line();
            open.e[fill++] = e;
        }
        void write_open_line() {
            if (used == capacity) grow();
#if defined(__AVX512F__)
            _mm512_stream_si512(reinterpret_cast<__m512i*>(&lines[used]), _mm512_load_si512(&open));
#else
            const auto* src = reinterpret_cast<const __m256i*>(&open);
            auto* dst = reinterpret_cast<__m256i*>(&lines[used]);
            _mm256_stream_si256(dst, _mm256_load_si256(src));
            _mm256_stream_si256(dst + 1, _mm256_load_si256(src + 1));
#endif
            ++used;
            fill = 0;
        }
        void grow() {
            const std::size_t c = std::max<std::size_t>(64, 2 * capacity);
            std::unique_ptr<line[]> bigger(new line[c]);
            if (used > 0) std::memcpy(static_cast<void*>(bigger.get()), lines.get(), used * sizeof(line));
            lines = std::move(bigger);
            capacity = c;
        }
    };

public:
    // Room for neurons 0..n-1 (none near).
    void resize(std::size_t n) {
        near_.assign((n + 63) / 64, 0);
        bins_ = std::vector<bin>((n >> block_shift) + 1);
    }
    std::size_t blocks() const { return bins_.size(); }

    void mark_near(std::uint32_t i) { near_[i >> 6] |= std::uint64_t(1) << (i & 63); }
    void clear_near() { std::fill(near_.begin(), near_.end(), 0); }

    // The hot path of a spike's delivery, with its pointers in registers (stores into the lists
    // might alias the vectors' own members, and the compiler would reload them every time).
    class appender {
    public:
        bool near(std::uint32_t i) const { return near_[i >> 6] >> (i & 63) & 1; }
        void hold(std::uint32_t neuron, std::uint32_t event) const {
            bin& b = bins_[neuron >> block_shift];
            std::uint32_t step = event - b.last_event;
            b.last_event = event;
            while (step >= skip) [[unlikely]] {
                b.append({0, skip});
                step -= skip;
            }
            b.append({std::uint16_t(neuron & (block_size - 1)), std::uint16_t(step)});
        }

    private:
        friend class held_kicks;
        appender(const std::uint64_t* near, bin* bins) : near_(near), bins_(bins) {}
        const std::uint64_t* near_;
        bin* bins_;
    };
    appender append() { return {near_.data(), bins_.data()}; }
    std::uint32_t add_event(double e, std::uint32_t projection) {
        events_.push_back({e, projection});
        return std::uint32_t(events_.size() - 1);
    }

    // Calls f(neuron, event) for the held kicks of block b in the order they came; then forgets
    // them.
    template <class F>
    void drain(std::size_t b, F&& f) {
        bin& x = bins_[b];
        const std::uint32_t first = std::uint32_t(b) << block_shift;
        const event* ev = events_.data();
        auto one = [&](entry e) {
            ev += e.step;
            if (e.step != skip) [[likely]]
                f(first + e.offset, *ev);
        };
        for (std::size_t l = 0; l < x.used; ++l)
            for (const entry& e : x.lines[l].e) one(e);
        for (unsigned k = 0; k < x.fill; ++k) one(x.open.e[k]);
        x.used = 0;
        x.fill = 0;
        x.last_event = 0;
    }
    // After every block is drained.
    void clear_events() { events_.clear(); }
    bool empty(std::size_t b) const { return bins_[b].used == 0 && bins_[b].fill == 0; }
    std::size_t memory_bytes() const {
        std::size_t b = near_.capacity() * sizeof(std::uint64_t) + bins_.capacity() * sizeof(bin) +
                        events_.capacity() * sizeof(event);
        for (const auto& x : bins_) b += x.capacity * sizeof(line);
        return b;
    }

private:
    huge_page_vector<std::uint64_t> near_;  // one bit per neuron, tested at random per kick
    std::vector<bin> bins_;            // per block of 2^block_shift neurons
    std::vector<event> events_;        // of the current window
};

}  // namespace sparsechaos::engine
