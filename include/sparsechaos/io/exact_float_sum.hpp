#pragma once
// The exact sum of floats, independent of the order of the additions: every float is an integer
// multiple of 2^-149, so the sum is kept as a 384-bit two's-complement integer in units of
// 2^-149 (floats reach 2^128, so 278 bits, plus 64 bits for up to 2^64 terms). Partial sums of
// several ranks add exactly too. Used where a statistic of a graph read by any number of ranks
// must come out bit for bit the same (the mean weight of the balance condition).
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace sparsechaos::io {

class exact_float_sum {
public:
    static constexpr int limbs = 6;

    void add(float x) {
        std::uint32_t bits;
        std::memcpy(&bits, &x, 4);
        const bool negative = bits >> 31;
        const std::uint32_t exponent = (bits >> 23) & 0xffu, fraction = bits & 0x7fffffu;
        if (exponent == 0xffu) return;  // inf/nan: callers reject them first
        const std::uint64_t m = exponent ? (fraction | 0x800000u) : fraction;
        const unsigned shift = exponent ? exponent - 1 : 0;  // value = m · 2^(shift − 149)
        std::array<std::uint64_t, limbs> term{};
        const unsigned limb = shift / 64, bit = shift % 64;
        term[limb] = m << bit;
        if (bit > 40 && limb + 1 < limbs) term[limb + 1] = m >> (64 - bit);
        if (negative) negate(term);
        add_limbs(term);
    }
    void add(const exact_float_sum& o) { add_limbs(o.v_); }
    const std::array<std::uint64_t, limbs>& limb_values() const { return v_; }
    static exact_float_sum from_limbs(const std::uint64_t* limb) {
        exact_float_sum s;
        for (int i = 0; i < limbs; ++i) s.v_[i] = limb[i];
        return s;
    }

    // The sum rounded to double (deterministically: the top 64 significant bits, then to double).
    double value() const {
        auto v = v_;
        const bool negative = v[limbs - 1] >> 63;
        if (negative) negate(v);
        int top = -1;
        for (int i = limbs - 1; i >= 0 && top < 0; --i)
            if (v[i]) top = i * 64 + 63 - __builtin_clzll(v[i]);
        if (top < 0) return 0.0;
        const int low = std::max(0, top - 63);  // the 64 bits [low, low + 64)
        std::uint64_t word = 0;
        for (int b = 0; b < 64 && low + b <= top; ++b) {
            const int at = low + b;
            word |= ((v[at / 64] >> (at % 64)) & 1ull) << b;
        }
        const double r = std::ldexp(double(word), low - 149);
        return negative ? -r : r;
    }

private:
    static void negate(std::array<std::uint64_t, limbs>& a) {
        std::uint64_t carry = 1;
        for (auto& x : a) {
            x = ~x + carry;
            carry = (carry && x == 0) ? 1 : 0;
        }
    }
    void add_limbs(const std::array<std::uint64_t, limbs>& t) {
        unsigned carry = 0;
        for (int i = 0; i < limbs; ++i) {
            const std::uint64_t a = v_[i], s = a + t[i], r = s + carry;
            carry = (s < a) + (r < s);
            v_[i] = r;
        }
    }
    std::array<std::uint64_t, limbs> v_{};
};

}  // namespace sparsechaos::io
