#pragma once
// Counter-based random numbers (Philox4x32-10, Salmon et al. SC'11, via Random123).
// Every draw is a pure function of (seed, purpose, id, counter), so a neuron's initial phase or
// a synapse's target never depends on which rank draws it or in which order.
#include <Random123/philox.h>

#include <cstdint>

namespace sparsechaos::network {

// What a stream of random numbers is for; keeps streams of different purposes independent.
enum class stream_purpose : std::uint32_t {
    initial_phase = 1,
    drive_jitter = 2,
    connectivity = 3,
    poisson_input = 4,
    synaptic_delay = 5,
    rate_network = 6,  // rate networks: couplings, initial state, inputs (sub-streams in rate/streams.hpp)
    positions = 7,           // random positions on a sheet, keyed by neuron id
    synapse_count_split = 8, // fixed_total_number: the split of the count at one node of its tree
    motif_factors = 9,       // SONETs: the in- and out-factors of each neuron
};
// Purposes must stay below 16 and `sub` below 2^24: synapse_stream (synapse_stream.hpp) uses
// counters whose top four bits are 8 or more, so the two families never share a counter.

class random_stream {
public:
    // `sub` separates streams of one purpose, e.g. the projection index.
    random_stream(std::uint64_t seed, stream_purpose purpose, std::uint32_t sub, std::uint64_t id)
        : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
          ctr_{{0u, static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(id >> 32),
                (static_cast<std::uint32_t>(purpose) << 24) ^ sub}} {}

    // Jump to draw number `n` of the stream (draws are numbered from 0): random access, so that
    // the n-th value of a stream never depends on how many were drawn before.
    void seek(std::uint64_t n) {
        ctr_.v[0] = static_cast<std::uint32_t>(n / 2);
        out_ = r123::Philox4x32{}(ctr_, key_);
        ++ctr_.v[0];
        used_ = int(n % 2);
    }

    // Next 64 random bits.
    std::uint64_t next_u64() {
        if (used_ == 2) refill();
        const std::uint64_t r = (std::uint64_t(out_[2 * used_ + 1]) << 32) | out_[2 * used_];
        ++used_;
        return r;
    }
    // Uniform double in [0, 1) with 53 random bits.
    double uniform() { return double(next_u64() >> 11) * 0x1.0p-53; }
    // Uniform double in (0, 1].
    double uniform_pos() { return double((next_u64() >> 11) + 1) * 0x1.0p-53; }
    // Uniform integer in [0, n): Lemire's multiply-shift with rejection (unbiased).
    std::uint64_t below(std::uint64_t n) {
        for (;;) {
            const unsigned __int128 m = (unsigned __int128)next_u64() * n;
            const std::uint64_t low = std::uint64_t(m);
            if (low >= n || low >= (-n) % n) return std::uint64_t(m >> 64);
        }
    }

private:
    void refill() {
        out_ = r123::Philox4x32{}(ctr_, key_);
        ++ctr_.v[0];
        used_ = 0;
    }
    r123::Philox4x32::key_type key_;
    r123::Philox4x32::ctr_type ctr_;
    r123::Philox4x32::ctr_type out_{};
    int used_ = 2;
};

}  // namespace sparsechaos::network
