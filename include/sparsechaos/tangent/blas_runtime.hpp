#pragma once
// The BLAS library the tangent space runs on (docs/lyapunov.md, "BLAS"): which one is loaded,
// which kernels it uses and with how many threads, and the start-up policy of the programs.
//
// Policy (configure_blas, called first thing in main, before MPI_Init):
// - One BLAS thread per process unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS is set: MPI ranks
//   already occupy the cores, and BLAS threads on top of them fight over the same cores.
// - OpenBLAS with DYNAMIC_ARCH picks its kernels from the processor model when it is loaded. It does
//   not know every model (Debian's 0.3.21 falls back to its SSE3 "Prescott" kernels on recent Xeons,
//   3-6x slower). When that happened, OPENBLAS_CORETYPE is not set, and the processor has AVX2 or
//   AVX-512, the program executes itself once more with OPENBLAS_CORETYPE naming the matching kernel
//   set, which the library then loads. A user's OPENBLAS_CORETYPE is never overridden.
// Other BLAS libraries are reported as far as they can be and otherwise left alone.
#include <optional>
#include <string>
#include <string_view>

namespace sparsechaos::tangent {

struct blas_info {
    std::string library;  // e.g. "OpenBLAS 0.3.21 (DYNAMIC_ARCH ...)", or "unknown" when not OpenBLAS
    std::string kernels;  // OpenBLAS's core name ("Haswell", "SkylakeX", ...), empty when unknown
    std::string kernels_chosen_by;  // "library", "user (OPENBLAS_CORETYPE)" or "sparsechaos (OPENBLAS_CORETYPE)"
    int threads = 0;      // BLAS threads a call may use; 0 when unknown
    std::string summary() const;  // one line for /meta and --timers
};

// What is loaded in this process now.
blas_info current_blas();

// The kernel set to ask OpenBLAS for, or nothing: `loaded` is the core name OpenBLAS chose,
// `requested` the value of OPENBLAS_CORETYPE (nullopt when unset), and the CPU flags what the
// processor and the operating system support. Pure, for tests.
struct cpu_features {
    bool avx2_fma = false;
    bool avx512 = false;  // F, CD, BW, DQ, VL: what OpenBLAS's SkylakeX kernels use
};
std::optional<std::string> kernels_to_request(std::string_view loaded, const std::optional<std::string>& requested,
                                              const cpu_features& cpu);
cpu_features this_cpu();

// One BLAS thread unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS is set (then the library's own
// reading of them stands). Returns the thread count in effect (0 when the library is unknown).
int limit_blas_threads();

// The start-up policy above. Call before MPI_Init and before any other thread starts: it may
// replace the process image (execv of /proc/self/exe with the same arguments). Returns otherwise.
void configure_blas(char** argv);

}  // namespace sparsechaos::tangent
