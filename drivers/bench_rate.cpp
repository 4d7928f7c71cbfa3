// Benchmark of rate-network Lyapunov runs (docs/benchmarks.md, docs/rate_networks.md): one step
// of the trajectory, one tangent step of m vectors and one QR (TSQR and refined CGS), for a
// Gaussian network (g = 4, Euler, dt = 0.1) with dense or sparse J. Run under mpirun for several
// ranks; times are the slowest rank's, median over repetitions.
#include <CLI/CLI.hpp>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "sparsechaos/rate/model.hpp"
#include "sparsechaos/tangent/orthonormal_system.hpp"
#include "sparsechaos/petsc/session.hpp"

namespace rate = sparsechaos::rate;
namespace tangent = sparsechaos::tangent;
namespace petsc = sparsechaos::petsc;

namespace {

template <class F>
double median_ms(int repetitions, F&& f) {
    std::vector<double> t;
    for (int r = 0; r < repetitions; ++r) {
        MPI_Barrier(MPI_COMM_WORLD);
        const auto t0 = std::chrono::steady_clock::now();
        f();
        double local = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        double slowest = 0.0;
        MPI_Allreduce(&local, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        t.push_back(slowest);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1, status = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    {
        CLI::App app{"sparsechaos rate-network benchmark: step, tangent step and QR times"};
        std::vector<std::uint64_t> sizes{1000, 2000};
        std::vector<std::string> columns{"100", "all"}, storages{"dense", "sparse"};
        int steps = 20;
        app.add_option("--sizes", sizes, "network sizes N")->delimiter(',');
        app.add_option("--columns", columns, "numbers of tangent vectors m, or all")->delimiter(',');
        app.add_option("--storage", storages, "dense, sparse")->delimiter(',');
        app.add_option("--steps", steps, "repetitions of a step");
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            status = app.exit(e);
            MPI_Finalize();
            return status;
        }
        petsc::session petsc;
        if (rank == 0)
            std::printf("%6s %6s %3s %7s  %10s %12s %10s %10s\n", "N", "m", "P", "storage", "step ms", "tangent ms",
                        "tsqr ms", "cgs ms");
        for (const std::uint64_t n : sizes) {
            for (const auto& storage_text : storages) {
                rate::rate_network_spec spec;
                spec.coupling.size = n;
                spec.coupling.g = 4.0;
                spec.coupling.seed = 7;
                spec.coupling.storage = storage_text == "dense" ? rate::storage_kind::dense : rate::storage_kind::sparse;
                spec.dt = 0.1;
                spec.record_every = 0;
                rate::rate_model model(MPI_COMM_WORLD, spec);
                auto h = model.initial_state();
                std::uint64_t s = 0;
                for (; s < 10; ++s) model.step(h, s);
                const double step = median_ms(steps, [&] { model.step(h, s++); });
                for (const auto& m_text : columns) {
                    const std::int64_t m = m_text == "all" ? std::int64_t(n) : std::stoll(m_text);
                    double qr[2] = {0.0, 0.0}, tangent_step = 0.0;
                    for (int method = 0; method < 2; ++method) {
                        tangent::orthonormal_system q(MPI_COMM_WORLD, model.local_rows(), m,
                                                      method == 0 ? tangent::orthogonalization::tsqr
                                                                  : tangent::orthogonalization::cgs_refined);
                        q.initialize_random(1);
                        if (method == 0) tangent_step = median_ms(std::max(3, steps / 4), [&] { model.tangent_step(q.bv()); });
                        qr[method] = median_ms(3, [&] { q.orthonormalize(); });
                    }
                    if (rank == 0)
                        std::printf("%6llu %6lld %3d %7s  %10.3f %12.3f %10.3f %10.3f\n", (unsigned long long)n,
                                    (long long)m, size, storage_text.c_str(), step, tangent_step, qr[0], qr[1]);
                }
            }
        }
    }
    MPI_Finalize();
    return status;
}
