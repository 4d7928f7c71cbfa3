#pragma once
// A counter-based stream keyed by one synapse: (seed, purpose, projection, pre, post, repeat),
// where `repeat` numbers the synapses of one (pre, post) pair (multapses: 0, 1, 2, ... in the
// canonical row order). A synapse's weight and delay are then the same whichever rank stores it,
// in whatever order the rows are built, and two synapses never share random numbers.
//
// Counter layout of Philox4x32 (key = seed, 64 bits): 128 bits hold
//   v0: block (20 bits) | repeat (12 bits)
//   v1: pre bits 0..31
//   v2: pre bits 32..39 | post bits 0..23
//   v3: post bits 24..39 | projection (12 bits) | purpose (4 bits, 8..15)
// so the key is injective for neuron ids below 2^40, projections below 4096, repeats below 4096
// and 2^20 blocks (2^21 draws) per synapse. Purposes 8..15 keep these counters apart from every
// random_stream counter (whose top four bits are 0).
#include <Random123/philox.h>

#include <cstdint>

namespace sparsechaos::network {

enum class synapse_purpose : std::uint32_t { weight = 8, delay = 9 };

class synapse_stream {
public:
    static constexpr std::uint64_t max_id = std::uint64_t(1) << 40;
    static constexpr std::uint32_t max_projection = 1u << 12, max_repeat = 1u << 12;

    synapse_stream(std::uint64_t seed, synapse_purpose purpose, std::uint32_t projection, std::uint64_t pre,
                   std::uint64_t post, std::uint32_t repeat)
        : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
          ctr_{{(repeat & 0xfffu) << 20, static_cast<std::uint32_t>(pre),
                static_cast<std::uint32_t>((pre >> 32) & 0xffu) | static_cast<std::uint32_t>((post & 0xffffffu) << 8),
                static_cast<std::uint32_t>((post >> 24) & 0xffffu) | ((projection & 0xfffu) << 16) |
                    (static_cast<std::uint32_t>(purpose) << 28)}} {}

    std::uint64_t next_u64() {
        if (used_ == 2) refill();
        const std::uint64_t r = (std::uint64_t(out_[2 * used_ + 1]) << 32) | out_[2 * used_];
        ++used_;
        return r;
    }
    double uniform() { return double(next_u64() >> 11) * 0x1.0p-53; }
    double uniform_pos() { return double((next_u64() >> 11) + 1) * 0x1.0p-53; }

private:
    void refill() {
        out_ = r123::Philox4x32{}(ctr_, key_);
        ctr_.v[0] = (ctr_.v[0] & ~0xfffffu) | ((ctr_.v[0] + 1) & 0xfffffu);  // next block, repeat kept
        used_ = 0;
    }
    r123::Philox4x32::key_type key_;
    r123::Philox4x32::ctr_type ctr_;
    r123::Philox4x32::ctr_type out_{};
    int used_ = 2;
};

}  // namespace sparsechaos::network
