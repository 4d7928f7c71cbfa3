// The sparsechaos command line (docs/cli.md):
//   sparsechaos run CONFIG.toml --output OUT.h5 [--set key=value ...] [--quiet] [--timers]
//   sparsechaos check CONFIG.toml [--set key=value ...]
// Exit codes: 0 success, 1 error (config, output, run), 2 command-line usage error.
// MPI is initialised even on one rank so that the same binary runs under mpirun; rank 0 prints.
#include <CLI/CLI.hpp>
#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/io/config.hpp"
#include "sparsechaos/io/lyapunov_writer.hpp"
#include "sparsechaos/io/rate_config.hpp"
#include "sparsechaos/io/spike_writer.hpp"
#include "sparsechaos/network/connectivity.hpp"
#include "sparsechaos/rate/rate_lyapunov.hpp"
#include "sparsechaos/rate/run_rate.hpp"
#include "sparsechaos/tangent/blas_runtime.hpp"
#include "sparsechaos/tangent/lyapunov_run.hpp"
#include "sparsechaos/tangent/petsc_session.hpp"
#include "sparsechaos/version.hpp"

namespace sc = sparsechaos;

namespace {

constexpr int exit_error = 1;
constexpr int exit_usage = 2;

struct options {
    std::string config, output;
    std::vector<std::string> sets;
    bool quiet = false, timers = false;
};

struct mpi_context {
    MPI_Comm comm = MPI_COMM_WORLD;
    int rank = 0, size = 1;
    bool root() const { return rank == 0; }
};

using wall_clock = std::chrono::steady_clock;
double seconds_since(wall_clock::time_point t0) {
    return std::chrono::duration<double>(wall_clock::now() - t0).count();
}

void print_error(const mpi_context& mpi, const std::string& message) {
    if (mpi.root()) std::fprintf(stderr, "sparsechaos: error: %s\n", message.c_str());
}

// An error that may have struck one rank only (output, memory, the run itself): alone, report it;
// on several ranks, bring the whole job down instead of leaving the others waiting in a collective.
void fail(const mpi_context& mpi, const std::string& message) {
    if (mpi.size == 1) {
        print_error(mpi, message);
        return;
    }
    std::fprintf(stderr, "sparsechaos: error (rank %d of %d): %s\n", mpi.rank, mpi.size, message.c_str());
    std::fflush(stderr);
    MPI_Abort(mpi.comm, 1);
}

// The command line as typed, for /meta (arguments with spaces or quotes are single-quoted).
std::string command_line(int argc, char** argv) {
    std::string out;
    for (int k = 0; k < argc; ++k) {
        std::string a = argv[k];
        if (a.empty() || a.find_first_of(" \t\n'\"\\$`*?;&|<>()[]{}") != std::string::npos) {
            std::string q = "'";
            for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
            a = q + "'";
        }
        out += (k ? " " : "") + a;
    }
    return out;
}

std::string format_duration(double s) {
    if (!std::isfinite(s)) return "?";
    const long total = std::lround(s);
    char buf[32];
    if (total >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm%02lds", total / 3600, total / 60 % 60, total % 60);
    else if (total >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", total / 60, total % 60);
    else std::snprintf(buf, sizeof buf, "%lds", total);
    return buf;
}

// One progress line on stderr: rewritten in place on a terminal, a new "progress:" line otherwise.
void show_progress(bool tty, const std::string& line) {
    if (tty) std::fprintf(stderr, "\r%s\033[K", line.c_str());
    else std::fprintf(stderr, "progress: %s\n", line.c_str());
    std::fflush(stderr);
}

// " | lambda_1 X 1/s" once a Lyapunov measurement has its first QR step, else "".
std::string lambda_text(const sc::analysis::lyapunov_accumulator* acc) {
    if (!acc || acc->intervals() == 0) return "";
    char buf[64];
    std::snprintf(buf, sizeof buf, " | lambda_1 %.4g 1/s", acc->exponents()[0]);
    return buf;
}

// Spikes go to the writer; progress goes to stderr on rank 0: one line rewritten in place on a
// terminal, otherwise (log files of batch jobs) a new line at every report, which the engine
// makes every report_interval() seconds.
class run_observer final : public sc::engine::observer {
public:
    run_observer(sc::io::spike_writer& writer, bool show, double end_ms)
        : writer_(writer), show_(show), tty_(::isatty(STDERR_FILENO) == 1), end_ms_(end_ms) {}

    // A Lyapunov run: show the running estimate of λ_1 while it measures.
    void watch(const sc::tangent::lyapunov_tracker* tracker) { tracker_ = tracker; }

    double report_interval() const { return tty_ ? 0.5 : 10.0; }

    void on_spikes(const std::vector<sc::engine::spike>& batch) override { writer_.on_spikes(batch); }
    // On several ranks the writer appends only when all ranks call it together.
    void on_collective_point() override { writer_.flush(); }

    void on_progress(const sc::engine::progress& p) override {
        if (!show_) return;
        if (p.time_ms >= p.end_ms) {  // the end of a run segment; after the last the summary follows
            if (tty_ && shown_ && p.time_ms >= end_ms_) std::fputs("\r\033[K", stderr);
            return;
        }
        const double end = end_ms_;
        const double fraction = end > 0 ? p.time_ms / end : 0.0;
        const double eta = p.time_ms > 0 ? p.wall_s * (end - p.time_ms) / p.time_ms : NAN;
        char line[256];
        std::snprintf(line, sizeof line, "t %.1f / %.1f ms (%.1f%%) | %llu spikes | %.3g spikes/s | ETA %s", p.time_ms,
                      end, 100.0 * fraction, static_cast<unsigned long long>(p.spikes),
                      p.wall_s > 0 ? double(p.spikes) / p.wall_s : 0.0, format_duration(eta).c_str());
        show_progress(tty_, line + lambda_text(tracker_ && tracker_->measuring() ? &tracker_->accumulator() : nullptr));
        shown_ = true;
    }

private:
    sc::io::spike_writer& writer_;
    bool show_, tty_, shown_ = false;
    double end_ms_;
    const sc::tangent::lyapunov_tracker* tracker_ = nullptr;
};

void print_lyapunov(const sc::tangent::lyapunov_result& r) {
    const auto& l = r.exponents;
    std::printf("  lyapunov         %llu of %llu exponents over %g s, %llu QR steps (%s)\n",
                static_cast<unsigned long long>(r.exponents_computed), static_cast<unsigned long long>(r.neurons),
                r.measuring_time_s, static_cast<unsigned long long>(r.qr_steps), r.method.c_str());
    if (r.tuned_drive_factor)
        std::printf("  tuned drive      x %.6g for a mean rate of %g Hz\n", *r.tuned_drive_factor, *r.target_rate_hz);
    if (l.empty()) return;
    std::printf("  lambda_1         %.6g +- %.2g 1/s\n", l.front(), r.standard_errors.front());
    std::printf("  positive         %zu exponents%s\n", r.dimensions.positive,
                r.exponents_computed < r.neurons ? " (at least: not all exponents computed)" : "");
    if (r.network_spikes_per_s > 0)
        std::printf("  KS entropy       %.6g bits/s, %.4g bits/spike\n", r.entropy.bits_per_second, r.entropy.bits_per_spike);
    else
        std::printf("  KS entropy       %.6g bits/s\n", r.entropy.bits_per_second);
    std::printf("  Kaplan-Yorke     D = %.6g (D/N = %.4g)\n", r.dimensions.kaplan_yorke,
                r.dimensions.kaplan_yorke / double(r.neurons));
    if (std::isfinite(r.contraction))
        std::printf("  sum of exponents %.6g 1/s (contraction rate %.6g 1/s)\n", r.sum, r.contraction);
    else
        std::printf("  sum of exponents %.6g 1/s\n", r.sum);
}

int check_command(const options& opt, const mpi_context& mpi) {
    if (sc::io::is_rate_config_file(opt.config)) {
        const auto spec = sc::io::load_rate_config(opt.config, opt.sets);
        if (mpi.root()) std::fputs(sc::io::describe_rate(spec).c_str(), stdout);
        return 0;
    }
    const auto spec = sc::io::load_config(opt.config, opt.sets);
    if (mpi.root()) std::fputs(sc::io::describe(spec).c_str(), stdout);
    return 0;
}

// A rate network ([rate_network], docs/rate_networks.md): the same command, output and summary.
int run_rate_command(const options& opt, const mpi_context& mpi, const std::string& invocation) {
    const auto spec = sc::io::load_rate_config(opt.config, opt.sets);
    sc::io::check_output_path(opt.output);
    sc::io::output_file out(opt.output, mpi.comm);
    sc::tangent::petsc_session petsc;
    const bool show = !opt.quiet && mpi.root();
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    sc::rate::rate_run_options ro;
    ro.command_line = invocation;
    ro.progress_interval_s = show ? (tty ? 0.5 : 10.0) : 0.0;
    const auto start = wall_clock::now();
    ro.progress = [&](double t, double total, const sc::rate::rate_lyapunov_tracker* tracker) {
        if (!show || t >= total) return;
        const double wall = seconds_since(start);
        const double eta = t > 0 ? wall * (total - t) / t : NAN;
        char line[160];
        std::snprintf(line, sizeof line, "t %.1f / %.1f tau (%.1f%%) | ETA %s", t, total, 100.0 * t / total,
                      format_duration(eta).c_str());
        show_progress(tty, line + lambda_text(tracker && tracker->measuring() ? &tracker->accumulator() : nullptr));
    };
    const auto result = sc::rate::run_rate_network(spec, mpi.comm, &out.file(), ro);
    out.commit();
    if (show && tty) std::fputs("\r\033[K", stderr);
    if (!mpi.root() || opt.quiet) return 0;
    std::printf("sparsechaos run: %s\n", opt.config.c_str());
    std::printf("  rate network     %llu units\n", static_cast<unsigned long long>(spec.coupling.size));
    std::printf("  steps            %llu\n", static_cast<unsigned long long>(result.steps));
    std::printf("  wall time        build %.3f s, run %.3f s\n", result.build_wall_s, result.run_wall_s);
    if (mpi.size > 1) std::printf("  ranks            %d\n", mpi.size);
    if (result.lyapunov) print_lyapunov(*result.lyapunov);
    std::printf("  output           %s\n", out.target().c_str());
    std::fflush(stdout);
    return 0;
}

int run_command(const options& opt, const mpi_context& mpi, const std::string& invocation) {
    if (sc::io::is_rate_config_file(opt.config)) return run_rate_command(opt, mpi, invocation);
    auto t0 = wall_clock::now();
    auto spec = sc::io::load_config(opt.config, opt.sets);
    const double load_s = seconds_since(t0);

    // The output is created before anything long happens, so a bad path fails at once.
    t0 = wall_clock::now();
    sc::io::check_output_path(opt.output);
    sc::io::output_file out(opt.output, mpi.comm);
    const double create_s = seconds_since(t0);

    // Lyapunov runs use PETSc/SLEPc (the tangent space); the session must outlive its objects.
    std::optional<sc::tangent::petsc_session> petsc;
    std::optional<double> drive_factor;
    if (spec.lyapunov) {
        sc::tangent::check_lyapunov_ranks(spec, mpi.size);
        petsc.emplace();
        if (spec.lyapunov->target_rate_hz) {
            const double target = *spec.lyapunov->target_rate_hz;
            auto report = [&](int step, double factor, double rate) {
                if (mpi.root() && !opt.quiet)
                    std::fprintf(stderr, "tuning drive: step %d, factor %.6g -> mean rate %.4g Hz (target %.4g Hz)\n",
                                 step, factor, rate, target);
            };
            drive_factor = sc::tangent::tune_drive_factor(spec, mpi.comm, target, spec.lyapunov->tune_ms, report);
            spec = sc::tangent::with_drive_factor(spec, *drive_factor);
        }
    }

    t0 = wall_clock::now();
    sc::engine::simulation sim(spec, mpi.rank, mpi.size);
    const double build_s = seconds_since(t0);

    // Several ranks: zero-delay runs agree on every spike, runs with delays swap each window's
    // spikes. Either way every rank learns the global spike sequence and writes its share of it.
    std::unique_ptr<sc::engine::mpi_spike_agreement> agreement;
    std::unique_ptr<sc::engine::mpi_spike_exchange> exchange;
    if (mpi.size > 1) {
        if (sim.minimum_delay_ms() > 0.0)
            exchange = std::make_unique<sc::engine::mpi_spike_exchange>(mpi.comm);
        else
            agreement = std::make_unique<sc::engine::mpi_spike_agreement>(mpi.comm);
        sim.distribute(agreement.get(), exchange.get());
    }
    sc::io::spike_writer::options writer_options;
    writer_options.global_order = mpi.size > 1;
    sc::io::spike_writer writer(out.file(), spec, sim.layout(), writer_options);
    run_observer observer(writer, !opt.quiet && mpi.root(), spec.simulation.t_end_ms);
    std::optional<sc::tangent::lyapunov_result> lyapunov;
    if (spec.lyapunov) {
        lyapunov = sc::tangent::run_lyapunov(sim, spec, mpi.comm, &observer, observer.report_interval(),
                                             [&](const sc::tangent::lyapunov_tracker* t) { observer.watch(t); });
        lyapunov->tuned_drive_factor = drive_factor;
    } else {
        sim.run_until(spec.simulation.t_end_ms, &observer, observer.report_interval());
    }
    const auto& stats = sim.statistics();

    t0 = wall_clock::now();
    const auto memory = sim.memory();
    unsigned long long local_synapses = memory.synapses, synapses = 0;
    MPI_Allreduce(&local_synapses, &synapses, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, mpi.comm);
    sc::io::run_metadata meta;
    meta.config_text = spec.config_text;
    meta.command_line = invocation;
    meta.t_end_ms = spec.simulation.t_end_ms;
    // Collective attribute writes need the same value on every rank: rank 0's.
    double walls[2] = {build_s, stats.wall_s};
    MPI_Bcast(walls, 2, MPI_DOUBLE, 0, mpi.comm);
    meta.build_wall_s = walls[0];
    meta.run_wall_s = walls[1];
    meta.neurons = sim.layout().total();
    meta.synapses = synapses;
    const auto blas = sc::tangent::current_blas();
    meta.blas = blas.summary();
    meta.blas_threads = blas.threads;
    // Every rank's phase times, gathered so that all ranks write the same /meta/timers.
    const auto& ph = stats.phases;
    const std::vector<std::pair<const char*, double>> phases = {
        {"update", ph.update}, {"communicate", ph.communicate}, {"deliver", ph.deliver}, {"output", ph.output}};
    for (const auto& [name, seconds] : phases) {
        std::vector<double> all(std::size_t(mpi.size));
        double mine = seconds;
        MPI_Allgather(&mine, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, mpi.comm);
        meta.phase_names.push_back(name);
        meta.phase_seconds.push_back(std::move(all));
    }
    const auto totals = writer.finish(meta);
    if (lyapunov) sc::io::write_lyapunov(out.file(), *lyapunov);
    out.commit();
    const double write_s = seconds_since(t0);

    if (!mpi.root()) return 0;
    const bool procedural = spec.simulation.storage == sc::network::connectivity_storage::procedural;
    if (!opt.quiet) {
        const auto& lay = sim.layout();
        std::printf("sparsechaos run: %s\n", opt.config.c_str());
        std::printf("  neurons          %llu (%zu population%s)\n", static_cast<unsigned long long>(lay.total()),
                    lay.population_count(), lay.population_count() == 1 ? "" : "s");
        if (procedural) {
            double expected = 0.0;
            for (const auto& p : sim.projections()) expected += sc::network::expected_synapses(p, lay);
            std::printf("  synapses         %.0f expected (procedural, not stored)\n", expected);
        } else {
            std::printf("  synapses         %llu\n", synapses);
        }
        std::printf("  spikes           %llu\n", static_cast<unsigned long long>(totals.spikes));
        std::printf("  mean rate        %.4g Hz", totals.mean_rate_hz);
        if (lay.population_count() > 1) {
            for (std::size_t p = 0; p < lay.population_count(); ++p)
                std::printf("%s%s %.4g", p ? ", " : " (", spec.populations[p].name.c_str(),
                            totals.population_rates_hz[p]);
            std::printf(")");
        }
        std::printf("\n");
        std::printf("  simulated time   %g ms\n", spec.simulation.t_end_ms);
        std::printf("  wall time        build %.3f s, run %.3f s\n", build_s, stats.wall_s);
        if (totals.spikes > 0) {
            std::printf("  per spike        %.3f µs\n", 1e6 * stats.wall_s / double(totals.spikes));
            std::printf("  stale heap pops  %.3f per spike%s\n", double(stats.stale_pops) / double(totals.spikes),
                        mpi.size > 1 ? " (rank 0)" : "");
        }
        if (sim.minimum_delay_ms() > 0.0)
            std::printf("  mode             delays >= %g ms: exchange windows of %g ms\n", sim.minimum_delay_ms(),
                        sim.window_ms());
        else
            std::printf("  mode             zero delay: exact global event order\n");
        if (stats.held > 0)
            std::printf("  held kicks       %.1f %% of kicks, over %llu windows%s\n",
                        100.0 * double(stats.held) / double(std::max<std::uint64_t>(stats.kicks, 1)),
                        static_cast<unsigned long long>(stats.held_windows), mpi.size > 1 ? " (rank 0)" : "");
        if (stats.inputs > 0)
            std::printf("  Poisson inputs   %llu (rank 0)\n", static_cast<unsigned long long>(stats.inputs));
        if (mpi.size > 1)
            std::printf("  ranks            %d (%llu %s on rank 0)\n", mpi.size,
                        static_cast<unsigned long long>(stats.rounds),
                        sim.minimum_delay_ms() > 0.0 ? "window exchanges" : "agreements");
        if (lyapunov) print_lyapunov(*lyapunov);
        std::printf("  output           %s\n", out.target().c_str());
    }
    if (opt.timers) {
        auto mib = [](std::uint64_t b) { return double(b) / (1024.0 * 1024.0); };
        std::printf("timers\n");
        std::printf("  load config      %.3f s\n", load_s);
        std::printf("  create output    %.3f s\n", create_s);
        std::printf("  build network    %.3f s\n", build_s);
        std::printf("  run              %.3f s (spike output included)\n", stats.wall_s);
        for (std::size_t k = 0; k < meta.phase_names.size(); ++k) {
            const auto& v = meta.phase_seconds[k];
            double sum = 0.0, max = 0.0;
            for (double x : v) sum += x, max = std::max(max, x);
            std::printf("    %-13s  %.3f s mean over ranks, %.3f s max\n", meta.phase_names[k].c_str(),
                        sum / double(v.size()), max);
        }
        std::printf("  finish output    %.3f s (rates, metadata, close, rename)\n", write_s);
        std::printf("  BLAS             %s\n", meta.blas.c_str());
        std::printf("memory (this rank)\n");
        std::printf("  neurons          %.2f MiB (%.1f B per neuron)\n", mib(memory.neuron_bytes),
                    sim.layout().local().size ? double(memory.neuron_bytes) / double(sim.layout().local().size) : 0.0);
        std::printf("  synapses         %.2f MiB", mib(memory.synapse_bytes));
        if (memory.synapses) std::printf(" (%.2f B per synapse)", double(memory.synapse_bytes) / double(memory.synapses));
        std::printf("\n");
    }
    std::fflush(stdout);
    return 0;
}

int cli_main(int argc, char** argv, const mpi_context& mpi) {
    CLI::App app{"sparsechaos — exact event-based simulation of spiking networks (SparseProp).", "sparsechaos"};
    app.set_version_flag("--version", std::string("sparsechaos ") + sc::version + " (git " + sc::git_revision + ")");
    app.require_subcommand(1);
    app.footer("Run 'sparsechaos COMMAND --help' for the options of a command. Docs: docs/cli.md, docs/output.md.");

    options opt;
    auto add_sets = [&](CLI::App* cmd) {
        cmd->add_option("--set", opt.sets,
                        "Override a config key, e.g. --set simulation.seed=2 --set population.I.size=500 "
                        "(repeatable; values are TOML)")
            ->type_name("KEY=VALUE")
            ->allow_extra_args(false);
    };

    CLI::App* run = app.add_subcommand("run", "Simulate CONFIG (a spiking or a rate network; with [lyapunov] also its Lyapunov spectrum) and write the results to an HDF5 file");
    run->add_option("config", opt.config, "Configuration file (TOML, see docs/configuration.md)")
        ->required()
        ->type_name("CONFIG.toml");
    run->add_option("-o,--output", opt.output, "Output file; written as OUT.h5.tmp.<pid> and renamed when complete")
        ->required()
        ->type_name("OUT.h5");
    add_sets(run);
    run->add_flag("-q,--quiet", opt.quiet, "No progress and no summary (errors still print)");
    run->add_flag("--timers", opt.timers, "Print the time of each phase and the memory used");
    run->footer("Example: sparsechaos run examples/small_lif.toml --output small.h5 --set simulation.seed=3");

    CLI::App* check = app.add_subcommand("check", "Validate CONFIG and describe the network it builds");
    check->add_option("config", opt.config, "Configuration file (TOML)")->required()->type_name("CONFIG.toml");
    add_sets(check);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {  // --help, --version
            if (mpi.root()) app.exit(e);
            return 0;
        }
        print_error(mpi, std::string(e.what()) + " (see 'sparsechaos --help')");
        return exit_usage;
    }

    try {
        if (*run) return run_command(opt, mpi, command_line(argc, argv));
        return check_command(opt, mpi);
    } catch (const sc::io::config_error& e) {
        print_error(mpi, e.what());  // the same on every rank: all ranks end here
        return exit_error;
    } catch (const std::bad_alloc&) {
        fail(mpi, "out of memory");
    } catch (const std::exception& e) {
        fail(mpi, e.what());
    }
    return exit_error;
}

}  // namespace

int main(int argc, char** argv) {
    sc::tangent::configure_blas(argv);  // one BLAS thread, fast kernels (may restart the program once)
    MPI_Init(&argc, &argv);
    mpi_context mpi;
    MPI_Comm_rank(mpi.comm, &mpi.rank);
    MPI_Comm_size(mpi.comm, &mpi.size);
    // Every HDF5 object lives inside cli_main, so all files are closed before MPI ends.
    const int status = cli_main(argc, argv, mpi);
    MPI_Finalize();
    return status;
}
