#pragma once
// Vectorized transcendental functions for per-target kicks and spike times (SLEEF, Shibata & Petrogalli,
// IEEE TPDS 2020; 1-ulp accuracy). `lanes` values at a time; a caller with fewer values pads the
// group, so a single kick and a batch of kicks run the same instructions and agree to the bit.
// The lane count follows the instruction set the build targets (8 with AVX-512, else 4).
#include <immintrin.h>
#include <sleef.h>

namespace sparsechaos::models::simd {

#ifdef __AVX512F__
inline constexpr unsigned lanes = 8;

inline void sincos(const double* x, double* sin_out, double* cos_out) {
    const Sleef___m512d_2 r = Sleef_sincosd8_u10avx512f(_mm512_loadu_pd(x));
    _mm512_storeu_pd(sin_out, r.x);
    _mm512_storeu_pd(cos_out, r.y);
}
inline void atan2(const double* y, const double* x, double* out) {
    _mm512_storeu_pd(out, Sleef_atan2d8_u10avx512f(_mm512_loadu_pd(y), _mm512_loadu_pd(x)));
}
inline void log(const double* x, double* out) { _mm512_storeu_pd(out, Sleef_logd8_u10avx512f(_mm512_loadu_pd(x))); }
#else
inline constexpr unsigned lanes = 4;

inline void sincos(const double* x, double* sin_out, double* cos_out) {
    const Sleef___m256d_2 r = Sleef_sincosd4_u10avx2(_mm256_loadu_pd(x));
    _mm256_storeu_pd(sin_out, r.x);
    _mm256_storeu_pd(cos_out, r.y);
}
inline void atan2(const double* y, const double* x, double* out) {
    _mm256_storeu_pd(out, Sleef_atan2d4_u10avx2(_mm256_loadu_pd(y), _mm256_loadu_pd(x)));
}
inline void log(const double* x, double* out) { _mm256_storeu_pd(out, Sleef_logd4_u10avx2(_mm256_loadu_pd(x))); }
#endif

}  // namespace sparsechaos::models::simd
