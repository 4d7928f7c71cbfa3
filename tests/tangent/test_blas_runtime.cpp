// The BLAS start-up policy (tangent/blas_runtime.hpp): which kernels to ask OpenBLAS for, one
// thread unless the user says otherwise, and what this very process ended up with (its main ran
// configure_blas as the programs do).
#include <gtest/gtest.h>
#include <dlfcn.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "sparsechaos/tangent/blas_runtime.hpp"

using namespace sparsechaos::tangent;

namespace {

const cpu_features none{};
const cpu_features avx2{.avx2_fma = true, .avx512 = false};
const cpu_features avx512{.avx2_fma = true, .avx512 = true};

// Restores an environment variable when it goes out of scope.
struct saved_env {
    std::string name;
    std::optional<std::string> value;
    explicit saved_env(std::string n) : name(std::move(n)) {
        if (const char* v = std::getenv(name.c_str())) value = v;
    }
    ~saved_env() {
        if (value) setenv(name.c_str(), value->c_str(), 1);
        else unsetenv(name.c_str());
    }
};

}  // namespace

TEST(BlasRuntime, KernelsAreRequestedOnlyForAGenericFallback) {
    // The fallback Debian's OpenBLAS 0.3.21 takes on processors it does not know.
    EXPECT_EQ(kernels_to_request("Prescott", std::nullopt, avx512), std::optional<std::string>("SkylakeX"));
    EXPECT_EQ(kernels_to_request("Prescott", std::nullopt, avx2), std::optional<std::string>("Haswell"));
    EXPECT_EQ(kernels_to_request("Nehalem", std::nullopt, avx2), std::optional<std::string>("Haswell"));
    // Nothing better to offer.
    EXPECT_EQ(kernels_to_request("Prescott", std::nullopt, none), std::nullopt);
    // The library's informed choice stands, in any spelling.
    for (const char* good : {"Haswell", "Zen", "SkylakeX", "COOPERLAKE", "sapphirerapids"})
        EXPECT_EQ(kernels_to_request(good, std::nullopt, avx512), std::nullopt) << good;
    // So does the user's, even a worse or an empty one.
    EXPECT_EQ(kernels_to_request("Prescott", std::optional<std::string>("Prescott"), avx512), std::nullopt);
    EXPECT_EQ(kernels_to_request("Prescott", std::optional<std::string>(""), avx512), std::nullopt);
}

TEST(BlasRuntime, ThisProcessRunsOnTheKernelsThePolicyPicks) {
    const blas_info info = current_blas();
    if (info.kernels.empty()) GTEST_SKIP() << "not OpenBLAS: " << info.library;
    EXPECT_FALSE(info.summary().empty());
    if (info.kernels_chosen_by == "library") {
        // configure_blas ran in main: had the library fallen back, the process would have restarted.
        EXPECT_EQ(kernels_to_request(info.kernels, std::nullopt, this_cpu()), std::nullopt) << info.kernels;
    } else if (info.kernels_chosen_by == "sparsechaos (OPENBLAS_CORETYPE)") {
        EXPECT_EQ(std::optional<std::string>(info.kernels), kernels_to_request("Prescott", std::nullopt, this_cpu()));
    } else {
        EXPECT_EQ(info.kernels_chosen_by, "user (OPENBLAS_CORETYPE)");
    }
}

TEST(BlasRuntime, OneThreadUnlessTheUserSetsTheCount) {
    auto set_threads = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (!set_threads) GTEST_SKIP() << "not OpenBLAS";
    saved_env openblas("OPENBLAS_NUM_THREADS"), omp("OMP_NUM_THREADS");
    unsetenv("OPENBLAS_NUM_THREADS");
    unsetenv("OMP_NUM_THREADS");
    set_threads(2);
    EXPECT_EQ(current_blas().threads, 2);
    EXPECT_EQ(limit_blas_threads(), 1);
    EXPECT_EQ(current_blas().threads, 1);
    // A count in the environment is the user's: left as the library took it.
    for (const char* name : {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}) {
        setenv(name, "2", 1);
        set_threads(2);
        EXPECT_EQ(limit_blas_threads(), 2) << name;
        unsetenv(name);
    }
    set_threads(1);
}
