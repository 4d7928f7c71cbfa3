#include "sparsechaos/tangent/blas_runtime.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sparsechaos::tangent {
namespace {

// Set in the environment of the second image when configure_blas chose the kernels, so that the
// program can say so in /meta.
constexpr const char* chosen_marker = "SPARSECHAOS_OPENBLAS_CORETYPE_CHOSEN";

// OpenBLAS's own functions, looked up at run time: the program links whatever libblas.so.3 the
// system provides, and these exist only when that is OpenBLAS.
struct openblas_api {
    char* (*get_config)() = nullptr;
    char* (*get_corename)() = nullptr;
    int (*get_num_threads)() = nullptr;
    void (*set_num_threads)(int) = nullptr;
};

openblas_api find_openblas() {
    openblas_api api;
    api.get_config = reinterpret_cast<char* (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
    api.get_corename = reinterpret_cast<char* (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    api.get_num_threads = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    api.set_num_threads = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    return api;
}

bool set_in_environment(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0';
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::string blas_info::summary() const {
    std::string s = library;
    if (!kernels.empty()) s += ", kernels " + kernels + " (chosen by " + kernels_chosen_by + ")";
    s += threads > 0 ? ", " + std::to_string(threads) + (threads == 1 ? " thread" : " threads") : ", threads unknown";
    return s;
}

blas_info current_blas() {
    blas_info info;
    const openblas_api api = find_openblas();
    if (!api.get_corename) {
        info.library = "unknown BLAS (not OpenBLAS)";
        return info;
    }
    info.library = api.get_config ? api.get_config() : "OpenBLAS";
    info.kernels = api.get_corename();
    if (set_in_environment(chosen_marker)) info.kernels_chosen_by = "sparsechaos (OPENBLAS_CORETYPE)";
    else if (set_in_environment("OPENBLAS_CORETYPE")) info.kernels_chosen_by = "user (OPENBLAS_CORETYPE)";
    else info.kernels_chosen_by = "library";
    info.threads = api.get_num_threads ? api.get_num_threads() : 0;
    return info;
}

cpu_features this_cpu() {
    cpu_features f;
    // GCC's checks include the operating system's support (XSAVE state for YMM/ZMM registers).
    __builtin_cpu_init();
    f.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    f.avx512 = f.avx2_fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vl");
    return f;
}

std::optional<std::string> kernels_to_request(std::string_view loaded, const std::optional<std::string>& requested,
                                              const cpu_features& cpu) {
    if (requested) return std::nullopt;  // the user's choice stands, even an empty one
    // Kernel sets that already use AVX2 or better: whatever the library picked among them is its
    // informed choice for this processor.
    const std::string name = lower(loaded);
    for (const char* good : {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids", "excavator"})
        if (name == good) return std::nullopt;
    if (cpu.avx512) return std::string("SkylakeX");
    if (cpu.avx2_fma) return std::string("Haswell");
    return std::nullopt;
}

int limit_blas_threads() {
    const openblas_api api = find_openblas();
    if (!api.set_num_threads || !api.get_num_threads) return 0;
    if (!set_in_environment("OPENBLAS_NUM_THREADS") && !set_in_environment("OMP_NUM_THREADS"))
        api.set_num_threads(1);
    return api.get_num_threads();
}

void configure_blas(char** argv) {
    const openblas_api api = find_openblas();
    if (api.get_corename) {
        const char* env = std::getenv("OPENBLAS_CORETYPE");
        const auto want = kernels_to_request(api.get_corename(),
                                             env ? std::optional<std::string>(env) : std::nullopt, this_cpu());
        // The marker guards against a loop should the library ignore the variable.
        if (want && !set_in_environment(chosen_marker)) {
            ::setenv("OPENBLAS_CORETYPE", want->c_str(), 1);
            ::setenv(chosen_marker, "1", 1);
            std::fflush(nullptr);
            ::execv("/proc/self/exe", argv);
            // Still here: carry on with the kernels already loaded.
            std::fprintf(stderr, "sparsechaos: could not restart with OPENBLAS_CORETYPE=%s (%s); BLAS stays on %s kernels\n",
                         want->c_str(), std::strerror(errno), api.get_corename());
            ::unsetenv("OPENBLAS_CORETYPE");
            ::unsetenv(chosen_marker);
        }
    }
    limit_blas_threads();
}

}  // namespace sparsechaos::tangent
