// Benchmark of the tangent-space work of Lyapunov spectra (issue 4, docs/benchmarks.md): on the
// balanced inhibitory theta network (K = 100, J = −1/√K, 1 Hz balanced drive), the time per
// network spike of the tangent update, the time per QR step for a method, the machine's memory
// bandwidth (a triad) and DGEMM speed, for comparison. Runs under mpirun for strong scaling.
#include <CLI/CLI.hpp>
#include <mpi.h>
#include <petscsys.h>
#include <petscblaslapack.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/parallel/context.hpp"
#include "sparsechaos/network/standard_networks.hpp"
#include "sparsechaos/tangent/lyapunov_tracker.hpp"
#include "sparsechaos/petsc/session.hpp"

namespace sc = sparsechaos;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// a = b + s c over arrays far larger than the caches, on every rank at once: the bytes all
// ranks move together per second (3 arrays; the slowest rank's time).
double triad_bytes_per_s(MPI_Comm comm) {
    const std::size_t n = std::size_t(1) << 25;  // 3 x 256 MiB per rank
    std::vector<double> a(n, 0.0), b(n, 1.0), c(n, 2.0);
    int size = 1;
    MPI_Comm_size(comm, &size);
    double best = 0.0;
    for (int rep = 0; rep < 3; ++rep) {
        MPI_Barrier(comm);
        const auto t0 = clock_type::now();
        for (std::size_t i = 0; i < n; ++i) a[i] = b[i] + 0.5 * c[i];
        double s = seconds_since(t0);
        MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_DOUBLE, MPI_MAX, comm);
        best = std::max(best, 3.0 * 8.0 * double(n) * double(size) / s);
    }
    if (a[n / 2] != 2.0) std::fprintf(stderr, "triad check failed\n");
    return best;
}

// C = A B for n x n matrices through the BLAS PETSc links: flop/s.
double dgemm_flops(PetscBLASInt n) {
    std::vector<double> a(std::size_t(n) * std::size_t(n), 1.0), b(a), c(a.size(), 0.0);
    const double one = 1.0, zero = 0.0;
    double best = 0.0;
    for (int rep = 0; rep < 3; ++rep) {
        const auto t0 = clock_type::now();
        BLASgemm_("N", "N", &n, &n, &n, &one, a.data(), &n, b.data(), &n, &zero, c.data(), &n);
        best = std::max(best, 2.0 * double(n) * double(n) * double(n) / seconds_since(t0));
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int status = 0;
    {
        CLI::App app{"sparsechaos Lyapunov benchmark: tangent update per spike and QR time"};
        std::uint64_t n = 10000, spikes = 20000, every = 5000;
        std::int64_t m = 100;
        double k = 100;
        std::string method = "tsqr", layout = "neuron_major", json;
        bool machine = false;
        app.add_option("-n,--neurons", n, "number of neurons");
        app.add_option("-k,--indegree", k, "in-degree K");
        app.add_option("-m,--exponents", m, "number of exponents m");
        app.add_option("--spikes", spikes, "network spikes to measure");
        app.add_option("--every", every, "network spikes between QR steps");
        app.add_option("--method", method, "tsqr | cgs_refined | cholesky");
        app.add_option("--layout", layout, "neuron_major | column_major")
            ->check(CLI::IsMember({"neuron_major", "column_major"}));
        app.add_flag("--machine", machine, "also measure memory bandwidth and DGEMM speed (rank 0)");
        app.add_option("--json", json, "append a JSON line with the results to this file");
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            status = app.exit(e);
            MPI_Finalize();
            return status;
        }
        sc::petsc::session petsc;
        const auto ctx = sc::parallel::make_context(MPI_COMM_WORLD);
        const auto spec = sc::network::inhibitory_network(sc::models::theta{}, n, k, -1.0, 1.0);
        auto run = [&](bool tangent, double& wall, double& qr, std::uint64_t& qr_calls, double& t_span) {
            sc::engine::simulation sim(sc::network::build_local_graph(spec, rank, size), *ctx);
            sim.run_until(200.0);
            // Simulated time holding about `spikes` network spikes at the measured rate.
            const double t0 = sim.time_ms();
            const auto s0 = sim.statistics().network_spikes;
            sim.run_until(400.0);
            const double rate = double(sim.statistics().network_spikes - s0) / (sim.time_ms() - t0);
            const double start = 400.0;
            t_span = double(spikes) / rate;
            sc::tangent::lyapunov_settings s;
            s.exponents = m;
            s.orthonormalize_every = every;
            s.method = sc::tangent::parse_orthogonalization(method);
            s.layout = layout == "neuron_major" ? sc::tangent::row_layout::neuron_major : sc::tangent::row_layout::column_major;
            std::unique_ptr<sc::tangent::lyapunov_tracker> tracker;
            if (tangent) {
                tracker = std::make_unique<sc::tangent::lyapunov_tracker>(MPI_COMM_WORLD, sim, s);
                sim.track_jacobian(tracker.get());
            }
            const double qr_before = tracker ? tracker->qr_seconds() : 0.0;
            const std::uint64_t calls_before = tracker ? tracker->qr_calls() : 0;
            MPI_Barrier(MPI_COMM_WORLD);
            const auto w0 = clock_type::now();
            sim.run_until(start + t_span);
            MPI_Barrier(MPI_COMM_WORLD);
            wall = seconds_since(w0);
            qr = tracker ? tracker->qr_seconds() - qr_before : 0.0;  // not the constructor's initial QR
            qr_calls = tracker ? tracker->qr_calls() - calls_before : 0;
            return sim.statistics().network_spikes;
        };
        double plain_wall = 0, plain_qr = 0, tan_wall = 0, tan_qr = 0, span = 0;
        std::uint64_t calls = 0, plain_calls = 0;
        const auto before = run(false, plain_wall, plain_qr, plain_calls, span);
        const auto after = run(true, tan_wall, tan_qr, calls, span);
        (void)before;
        const double measured_spikes = double(spikes);
        const double qr_per_step = calls > 0 ? tan_qr / double(calls) : 0.0;
        const double update_us = 1e6 * (tan_wall - plain_wall - tan_qr) / measured_spikes;
        // Memory bandwidth of all ranks together, and DGEMM on one: what the update and QR compare to.
        const double triad = machine ? triad_bytes_per_s(MPI_COMM_WORLD) : 0.0;
        if (rank == 0) {
            if (machine)
                std::printf("  machine: triad %.2f GB/s over %d rank(s) together, DGEMM(1000) %.2f GFlop/s on one\n",
                            triad / 1e9, size, dgemm_flops(1000) / 1e9);
            std::printf("N %llu, K %g, m %lld, P %d, %s, %s: %.0f network spikes (%llu total in the run)\n",
                        (unsigned long long)n, k, (long long)m, size, method.c_str(), layout.c_str(), measured_spikes,
                        (unsigned long long)after);
            std::printf("  run without tangent  %.3f s (%.3f µs/spike)\n", plain_wall, 1e6 * plain_wall / measured_spikes);
            std::printf("  run with tangent     %.3f s (%.3f µs/spike), %llu QR steps %.4f s each\n", tan_wall,
                        1e6 * tan_wall / measured_spikes, (unsigned long long)calls, qr_per_step);
            std::printf("  tangent update       %.3f µs/spike = %.3g GB/s of row traffic (K m 16 B per spike)\n",
                        update_us, k * double(m) * 16.0 / (update_us * 1e-6) / 1e9 / double(size));

            if (!json.empty()) {
                std::ofstream out(json, std::ios::app);
                out << "{\"neurons\":" << n << ",\"indegree\":" << k << ",\"exponents\":" << m << ",\"ranks\":" << size
                    << ",\"method\":\"" << method << "\",\"layout\":\"" << layout << "\",\"spikes\":" << measured_spikes
                    << ",\"plain_s\":" << plain_wall << ",\"tangent_s\":" << tan_wall << ",\"qr_steps\":" << calls
                    << ",\"qr_s_each\":" << qr_per_step << ",\"update_us_per_spike\":" << update_us << "}\n";
            }
        }
    }
    MPI_Finalize();
    return status;
}
