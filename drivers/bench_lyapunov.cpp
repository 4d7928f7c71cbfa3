// Benchmark of the tangent-space work of Lyapunov spectra (issues 4 and 20, docs/benchmarks.md): on
// the balanced inhibitory theta network (K = 100, J = −1/√K, 1 Hz balanced drive: --rate), the time per
// network spike of the tangent update, the time per QR step for a method, the machine's memory
// bandwidth (a triad) and DGEMM speed, for comparison. Runs under mpirun for strong scaling.
// --qr-only times the QR of a random N x m block alone (distributed over the ranks); --replay the
// tracker's row updates alone. The BLAS is set up as in sparsechaos (one thread, fast kernels).
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

#include "cpu_time.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/parallel/context.hpp"
#include "sparsechaos/network/standard_networks.hpp"
#include "sparsechaos/tangent/blas_runtime.hpp"
#include "sparsechaos/tangent/block_qr.hpp"
#include "sparsechaos/tangent/lyapunov_tracker.hpp"
#include "sparsechaos/tangent/orthonormal_system.hpp"
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

// Seconds per QR of a random N x m block (rows split evenly over the ranks), the best of `reps`
// (the block is refilled before each). neuron_major: block_qr on row-major rows, as the tracker
// does; column_major: orthonormal_system (a BV, for SLEPc's methods too).
double qr_seconds(std::uint64_t n, std::int64_t m, const std::string& method, bool neuron_major, int reps,
                  const sc::tangent::qr_options& options, sc::tangent::qr_report& report, double& orthogonality) {
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const auto rows = std::int64_t(n / std::uint64_t(size) + (std::uint64_t(rank) < n % std::uint64_t(size) ? 1 : 0));
    std::int64_t first = 0;
    MPI_Exscan(&rows, &first, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) first = 0;
    const auto how = sc::tangent::parse_orthogonalization(method);
    double best = 1e300;
    auto time_one = [&](auto&& refill, auto&& factor) {
        for (int r = 0; r < reps; ++r) {
            refill();
            MPI_Barrier(MPI_COMM_WORLD);
            const auto t0 = clock_type::now();
            factor();
            double t = seconds_since(t0);
            MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
            best = std::min(best, t);
        }
    };
    if (neuron_major) {
        if (!sc::tangent::is_local_qr(how)) throw std::invalid_argument("--qr-layout neuron_major needs cholqr2 or householder");
        const std::int64_t ld = m;  // as the tracker's rows
        std::vector<double> a(std::size_t(rows) * std::size_t(ld), 0.0);
        sc::tangent::block_qr qr(MPI_COMM_WORLD, rows, m, sc::tangent::block_layout::row_major, ld);
        sc::tangent::qr_options o = options;
        o.householder_only = how == sc::tangent::orthogonalization::householder;
        o.form_r = false;
        time_one([&] { sc::tangent::random_tangent_rows(7, first, rows, m, a.data(), ld); }, [&] { qr.factor(a.data(), o); });
        report = qr.report();
        // max |QᵀQ − I|, not timed.
        std::vector<double> g(std::size_t(m) * std::size_t(m), 0.0);
        for (std::int64_t i = 0; i < rows; ++i)
            for (std::int64_t k = 0; k < m; ++k)
                for (std::int64_t l = 0; l <= k; ++l) g[std::size_t(k * m + l)] += a[std::size_t(i * ld + k)] * a[std::size_t(i * ld + l)];
        MPI_Allreduce(MPI_IN_PLACE, g.data(), int(g.size()), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        orthogonality = 0.0;
        for (std::int64_t k = 0; k < m; ++k)
            for (std::int64_t l = 0; l <= k; ++l) orthogonality = std::max(orthogonality, std::abs(g[std::size_t(k * m + l)] - (k == l)));
    } else {
        sc::tangent::orthonormal_system q(MPI_COMM_WORLD, rows, m, how);
        time_one([&] { q.fill_random(7); }, [&] { q.orthonormalize(options); });
        if (q.last_qr_report()) report = *q.last_qr_report();
        orthogonality = q.orthonormality_error();
    }
    return best;
}

// The tracker alone, without the engine's arithmetic: `spikes` spikes of random neurons, each
// kicking K random targets with the engine's hint two targets ahead. CPU µs per spike (one rank).
double replay_us_per_spike(const sc::engine::simulation& sim, const sc::tangent::lyapunov_settings& s,
                           std::uint64_t spikes, int k) {
    sc::tangent::lyapunov_tracker tracker(MPI_COMM_SELF, sim, s);
    const auto n = std::uint32_t(sim.layout().local().size);
    std::vector<std::uint32_t> targets(std::size_t(spikes) * std::size_t(k) + 2), spikers(spikes);
    std::uint64_t x = 88172645463325252ull;
    auto next = [&] {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        return std::uint32_t(x % n);
    };
    for (auto& t : targets) t = next();
    for (auto& j : spikers) j = next();
    const double c0 = sc::bench::cpu_seconds();
    for (std::uint64_t sp = 0; sp < spikes; ++sp) {
        tracker.begin_spike(spikers[sp], double(sp), true, 1.0);
        const std::uint32_t* t = targets.data() + sp * std::uint64_t(k);
        for (int i = 0; i < k; ++i) {
            tracker.prefetch(t[i + 2]);
            tracker.kick(t[i], 0.9, 1.0);
        }
    }
    return 1e6 * (sc::bench::cpu_seconds() - c0) / double(spikes);
}

}  // namespace

int main(int argc, char** argv) {
    sc::tangent::configure_blas(argv);
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int status = 0;
    {
        CLI::App app{"sparsechaos Lyapunov benchmark: tangent update per spike and QR time"};
        std::uint64_t n = 10000, spikes = 20000, every = 5000;
        std::int64_t m = 100;
        double k = 100, rate_hz = 1.0, target_condition = 0.0;
        std::string method = "cholqr2", layout = "neuron_major", qr_layout = "neuron_major", json;
        bool machine = false, qr_only = false, one_pass = false, replay = false;
        int reps = 5;
        app.add_option("-n,--neurons", n, "number of neurons");
        app.add_option("-k,--indegree", k, "in-degree K");
        app.add_option("--rate", rate_hz, "rate of the balanced drive (Hz); 5 is LEquipe's tutorial case");
        app.add_option("-m,--exponents", m, "number of exponents m");
        app.add_option("--spikes", spikes, "network spikes to measure");
        app.add_option("--every", every, "network spikes between QR steps (0: automatic)");
        app.add_option("--target-condition", target_condition, "automatic interval: cond(Q) aimed at (0: the tracker's choice)");
        app.add_option("--method", method, "cholqr2 | householder | tsqr | cgs_refined | cholesky");
        app.add_option("--layout", layout, "neuron_major | column_major")
            ->check(CLI::IsMember({"neuron_major", "column_major"}));
        app.add_flag("--machine", machine, "also measure memory bandwidth and DGEMM speed (rank 0)");
        app.add_flag("--qr-only", qr_only, "time the QR of a random N x m block instead of a network run");
        app.add_option("--qr-layout", qr_layout, "--qr-only: neuron_major (block_qr on rows) | column_major (a BV)")
            ->check(CLI::IsMember({"neuron_major", "column_major"}));
        app.add_option("--reps", reps, "--qr-only: repetitions (the best counts)");
        app.add_flag("--one-pass", one_pass, "--qr-only: accept one Cholesky pass where it suffices (the tracker's setting)");
        app.add_flag("--replay", replay, "time the tracker's row updates alone (random targets, no engine arithmetic)");
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
        if (rank == 0) std::printf("BLAS: %s\n", sc::tangent::current_blas().summary().c_str());
        if (qr_only) {
            sc::tangent::qr_report rep;
            double orthogonality = 0.0;
            sc::tangent::qr_options options;
            if (one_pass) {
                options.min_passes = 1;
                options.max_orthogonality_loss = sc::tangent::lyapunov_settings{}.max_orthogonality_loss;
            }
            const double t = qr_seconds(n, m, method, qr_layout == "neuron_major", reps, options, rep, orthogonality);
            const double flops = 4.0 * double(n) * double(m) * double(m);
            const double gemm = rank == 0 ? dgemm_flops(1000) : 0.0;
            if (rank == 0) {
                std::printf("QR of %llu x %lld, P %d, %s, %s: %.6f s, %.2f GFlop/s (4 N m^2), DGEMM(1000) %.2f GFlop/s: %.0f %%",
                            (unsigned long long)n, (long long)m, size, method.c_str(), qr_layout.c_str(), t,
                            flops / t / 1e9, gemm / 1e9, 100.0 * flops / t / gemm);
                if (sc::tangent::is_local_qr(sc::tangent::parse_orthogonalization(method)))
                    std::printf(", path %s, %d passes, cond %.3g", std::string(sc::tangent::to_string(rep.path)).c_str(),
                                rep.passes, rep.condition);
                std::printf(", max|QᵀQ − I| %.2g\n", orthogonality);
                if (!json.empty()) {
                    std::ofstream out(json, std::ios::app);
                    out << "{\"qr_only\":true,\"neurons\":" << n << ",\"exponents\":" << m << ",\"ranks\":" << size
                        << ",\"method\":\"" << method << "\",\"layout\":\"" << qr_layout << "\",\"qr_s\":" << t
                        << ",\"gflops\":" << flops / t / 1e9 << ",\"dgemm_gflops\":" << gemm / 1e9 << "}\n";
                }
            }
        } else if (replay) {
            const auto spec = sc::network::inhibitory_network(sc::models::theta{}, n, k, -1.0, rate_hz);
            sc::engine::simulation sim(sc::network::build_local_graph(spec));
            sc::tangent::lyapunov_settings s;
            s.exponents = m;
            s.orthonormalize_every = every;
            s.method = sc::tangent::parse_orthogonalization(method);
            const double us = replay_us_per_spike(sim, s, spikes, int(k));
            const double triad = machine ? triad_bytes_per_s(MPI_COMM_SELF) : 0.0;
            if (rank == 0)
                std::printf("replay N %llu, K %g, m %lld: %.3f µs/spike (CPU) = %.3g GB/s of row traffic (K m 16 B)%s\n",
                            (unsigned long long)n, k, (long long)m, us, k * double(m) * 16.0 / (us * 1e-6) / 1e9,
                            machine ? (", triad " + std::to_string(triad / 1e9) + " GB/s").c_str() : "");
        } else {
            const auto spec = sc::network::inhibitory_network(sc::models::theta{}, n, k, -1.0, rate_hz);
            std::uint64_t passes = 0, shifted = 0, householder = 0, last_interval = 0;
            double cpu[2] = {0.0, 0.0}, qr_cpu = 0.0;  // [without, with tangent]; max over ranks
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
                s.target_condition = target_condition;
                s.method = sc::tangent::parse_orthogonalization(method);
                s.layout = layout == "neuron_major" ? sc::tangent::row_layout::neuron_major : sc::tangent::row_layout::column_major;
                std::unique_ptr<sc::tangent::lyapunov_tracker> tracker;
                if (tangent) {
                    tracker = std::make_unique<sc::tangent::lyapunov_tracker>(MPI_COMM_WORLD, sim, s);
                    sim.track_jacobian(tracker.get());
                }
                const double qr_before = tracker ? tracker->qr_seconds() : 0.0;
                const double qr_cpu_before = tracker ? tracker->qr_cpu_seconds() : 0.0;
                const std::uint64_t calls_before = tracker ? tracker->qr_calls() : 0;
                MPI_Barrier(MPI_COMM_WORLD);
                const auto w0 = clock_type::now();
                const double c0 = sc::bench::cpu_seconds();
                const auto spikes_before = sim.statistics().network_spikes;
                sim.run_until(start + t_span);
                MPI_Barrier(MPI_COMM_WORLD);
                wall = seconds_since(w0);
                double c[2] = {sc::bench::cpu_seconds() - c0, tracker ? tracker->qr_cpu_seconds() - qr_cpu_before : 0.0};
                MPI_Allreduce(MPI_IN_PLACE, c, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
                cpu[tangent ? 1 : 0] = c[0];
                if (tangent) qr_cpu = c[1];
                qr = tracker ? tracker->qr_seconds() - qr_before : 0.0;  // not the constructor's initial QR
                qr_calls = tracker ? tracker->qr_calls() - calls_before : 0;
                if (tracker) {
                    passes = tracker->cholesky_passes();
                    shifted = tracker->qr_path_counts()[int(sc::tangent::qr_path::shifted_cholesky)];
                    householder = tracker->qr_path_counts()[int(sc::tangent::qr_path::householder)];
                    last_interval = tracker->current_interval();
                }
                return sim.statistics().network_spikes - spikes_before;
            };
            double plain_wall = 0, plain_qr = 0, tan_wall = 0, tan_qr = 0, span = 0;
            std::uint64_t calls = 0, plain_calls = 0;
            run(false, plain_wall, plain_qr, plain_calls, span);
            // The spikes in the timed window (--spikes sets its length from the rate of a short
            // earlier window; per-spike figures divide by the spikes that really happened).
            const auto after = run(true, tan_wall, tan_qr, calls, span);
            const double measured_spikes = double(after);
            const double qr_per_step = calls > 0 ? tan_qr / double(calls) : 0.0;
            const double update_us = 1e6 * (tan_wall - plain_wall - tan_qr) / measured_spikes;
            // Memory bandwidth of all ranks together, and DGEMM on one: what the update and QR compare to.
            const double triad = machine ? triad_bytes_per_s(MPI_COMM_WORLD) : 0.0;
            if (rank == 0) {
                if (machine)
                    std::printf("  machine: triad %.2f GB/s over %d rank(s) together, DGEMM(1000) %.2f GFlop/s on one\n",
                                triad / 1e9, size, dgemm_flops(1000) / 1e9);
                std::printf("N %llu, K %g, m %lld, P %d, %s, %s: %.0f network spikes timed (%llu asked for)\n",
                            (unsigned long long)n, k, (long long)m, size, method.c_str(), layout.c_str(), measured_spikes,
                            (unsigned long long)spikes);
                std::printf("  run without tangent  %.3f s (%.3f µs/spike)\n", plain_wall, 1e6 * plain_wall / measured_spikes);
                std::printf("  run with tangent     %.3f s (%.3f µs/spike), %llu QR steps %.4f s each\n", tan_wall,
                            1e6 * tan_wall / measured_spikes, (unsigned long long)calls, qr_per_step);
                std::printf("  tangent update       %.3f µs/spike = %.3g GB/s of row traffic (K m 16 B per spike)\n",
                            update_us, k * double(m) * 16.0 / (update_us * 1e-6) / 1e9 / double(size));
                const double update_cpu_us = 1e6 * (cpu[1] - cpu[0] - qr_cpu) / measured_spikes;
                std::printf("  CPU time (max over ranks): without tangent %.3f µs/spike, with %.3f µs/spike; QR %.6f s "
                            "each; update %.3f µs/spike = %.3g GB/s\n",
                            1e6 * cpu[0] / measured_spikes, 1e6 * cpu[1] / measured_spikes,
                            calls > 0 ? qr_cpu / double(calls) : 0.0, update_cpu_us,
                            k * double(m) * 16.0 / (update_cpu_us * 1e-6) / 1e9 / double(size));
                if (sc::tangent::is_local_qr(sc::tangent::parse_orthogonalization(method)))
                    std::printf("  QR paths             %llu Cholesky passes in %llu steps (initial QR included), %llu shifted, "
                                "%llu Householder; last interval %llu spikes\n",
                                (unsigned long long)passes, (unsigned long long)(calls + 1), (unsigned long long)shifted,
                                (unsigned long long)householder, (unsigned long long)last_interval);

                if (!json.empty()) {
                    std::ofstream out(json, std::ios::app);
                    out << "{\"neurons\":" << n << ",\"indegree\":" << k << ",\"exponents\":" << m << ",\"ranks\":" << size
                        << ",\"method\":\"" << method << "\",\"layout\":\"" << layout << "\",\"spikes\":" << measured_spikes
                        << ",\"plain_s\":" << plain_wall << ",\"tangent_s\":" << tan_wall << ",\"qr_steps\":" << calls
                        << ",\"qr_s_each\":" << qr_per_step << ",\"update_us_per_spike\":" << update_us
                        << ",\"cpu_plain_s\":" << cpu[0] << ",\"cpu_tangent_s\":" << cpu[1] << ",\"qr_cpu_s\":" << qr_cpu
                        << "}\n";
                }
            }
        }
    }
    MPI_Finalize();
    return status;
}
