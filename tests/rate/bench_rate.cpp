// Timings of the parts of a rate-network Lyapunov run (docs/rate_networks.md, "Measured"):
// one step of the trajectory, one tangent step of m vectors, one QR. Disabled in the test
// suite; run it by hand, e.g.
//
//   OPENBLAS_NUM_THREADS=1 mpiexec -n 2 build/tests/test_rate_mpi
//       --gtest_also_run_disabled_tests --gtest_filter='RateBench.*'
//
// with RATE_BENCH_SIZES (default "1000,2000"), RATE_BENCH_COLUMNS (default "100,all"),
// RATE_BENCH_STORAGE (default "dense,sparse"), RATE_BENCH_STEPS (default 20) in the environment. Rank 0 prints one line per case; times are
// the slowest rank's, the median of the repetitions.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "rate_cases.hpp"
#include "sparsechaos/rate/model.hpp"
#include "sparsechaos/tangent/orthonormal_system.hpp"

namespace rate = sparsechaos::rate;
namespace tangent = sparsechaos::tangent;
using namespace rate_cases;

namespace {

std::vector<std::string> list_from_env(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    std::stringstream in(v ? v : fallback);
    std::vector<std::string> out;
    for (std::string item; std::getline(in, item, ',');) out.push_back(item);
    return out;
}

// Median over repetitions of the slowest rank's time of f(), in ms.
template <class F>
double time_ms(int repetitions, F&& f) {
    std::vector<double> t;
    for (int r = 0; r < repetitions; ++r) {
        MPI_Barrier(MPI_COMM_WORLD);
        const auto t0 = std::chrono::steady_clock::now();
        f();
        double local = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(), slowest = 0;
        MPI_Allreduce(&local, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        t.push_back(slowest);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

}  // namespace

TEST(RateBench, DISABLED_StepTangentAndQr) {
    const int steps = std::atoi(std::getenv("RATE_BENCH_STEPS") ? std::getenv("RATE_BENCH_STEPS") : "20");
    if (rank_of(MPI_COMM_WORLD) == 0)
        std::printf("%6s %6s %3s %7s  %10s %12s %10s %10s\n", "N", "m", "P", "storage", "step ms", "tangent ms",
                    "tsqr ms", "cgs ms");
    for (const auto& n_text : list_from_env("RATE_BENCH_SIZES", "1000,2000")) {
        const std::uint64_t n = std::stoull(n_text);
        for (const auto& storage_text : list_from_env("RATE_BENCH_STORAGE", "dense,sparse")) {
            const auto storage = storage_text == "dense" ? rate::storage_kind::dense : rate::storage_kind::sparse;
            auto spec = gaussian(n, 4.0, 0.1);
            spec.coupling.storage = storage;
            rate::rate_model model(MPI_COMM_WORLD, spec);
            auto h = model.initial_state();
            std::uint64_t s = 0;
            for (; s < 10; ++s) model.step(h, s);
            const double step = time_ms(steps, [&] { model.step(h, s++); });
            for (const auto& m_text : list_from_env("RATE_BENCH_COLUMNS", "100,all")) {
                const std::int64_t m = m_text == "all" ? std::int64_t(n) : std::stoll(m_text);
                double qr[2] = {0, 0};
                double tangent_step = 0;
                for (int method = 0; method < 2; ++method) {
                    tangent::orthonormal_system q(MPI_COMM_WORLD, model.local_rows(), m,
                                                  method == 0 ? tangent::orthogonalization::tsqr
                                                              : tangent::orthogonalization::cgs_refined);
                    q.initialize_random(1);
                    if (method == 0) tangent_step = time_ms(std::max(3, steps / 4), [&] { model.tangent_step(q.bv()); });
                    qr[method] = time_ms(3, [&] { q.orthonormalize(); });
                }
                if (rank_of(MPI_COMM_WORLD) == 0)
                    std::printf("%6llu %6lld %3d %7s  %10.3f %12.3f %10.3f %10.3f\n", (unsigned long long)n, (long long)m,
                                size_of(MPI_COMM_WORLD), std::string(rate::to_string(storage)).c_str(), step,
                                tangent_step, qr[0], qr[1]);
            }
        }
    }
}
