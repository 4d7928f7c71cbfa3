// The sparsechaos command line (docs/cli.md):
//   sparsechaos run CONFIG.toml --output OUT.h5 [--set key=value ...] [--unset key ...] [--quiet] [--timers]
//   sparsechaos check CONFIG.toml [--set key=value ...] [--unset key ...]
// Exit codes: 0 success, 1 error (config, output, run), 2 command-line usage error.
// MPI is initialised even on one rank so that the same binary runs under mpirun; rank 0 prints.
// The work itself is the runs layer's (runs/spiking_run.hpp, runs/rate_run.hpp).
#include <CLI/CLI.hpp>
#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "sparsechaos/io/config.hpp"
#include "sparsechaos/io/rate_config.hpp"
#include "sparsechaos/parallel/context.hpp"
#include "sparsechaos/runs/rate_run.hpp"
#include "sparsechaos/runs/spiking_run.hpp"
#include "sparsechaos/runs/summary.hpp"
#include "sparsechaos/tangent/blas_runtime.hpp"
#include "sparsechaos/version.hpp"

namespace sc = sparsechaos;

namespace {

constexpr int exit_error = 1;
constexpr int exit_usage = 2;

struct options {
    std::string config, output;
    std::vector<std::string> sets, unsets;
    sc::io::config_overrides overrides;  // sets and unsets in command-line order
    bool quiet = false, timers = false;
    std::string checkpoint_every, resume_from, write_graph;
    bool resume = false;
};

void print_error(const sc::parallel::context& ctx, const std::string& message) {
    if (ctx.root()) std::fprintf(stderr, "sparsechaos: error: %s\n", message.c_str());
}

// An error that may have struck one rank only (output, memory, the run itself): alone, report it;
// on several ranks, bring the whole job down instead of leaving the others waiting in a collective.
void fail(const sc::parallel::context& ctx, const std::string& message) {
    if (!ctx.distributed()) {
        print_error(ctx, message);
        return;
    }
    std::fprintf(stderr, "sparsechaos: error (rank %d of %d): %s\n", ctx.rank(), ctx.size(), message.c_str());
    std::fflush(stderr);
    MPI_Abort(ctx.comm(), 1);
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

int check_command(const options& opt, const sc::parallel::context& ctx) {
    const std::string text = sc::io::is_rate_config_file(opt.config)
                                 ? sc::io::describe_rate(sc::io::load_rate_config(opt.config, opt.overrides))
                                 : sc::io::describe(sc::io::load_config(opt.config, opt.overrides));
    if (ctx.root()) std::fputs(text.c_str(), stdout);
    return 0;
}

int run_command(const options& opt, sc::parallel::context& ctx, const std::string& invocation) {
    sc::runs::run_options ro{opt.output, invocation, !opt.quiet};
    if (!opt.checkpoint_every.empty()) ro.checkpoints.every = sc::runs::parse_checkpoint_interval(opt.checkpoint_every);
    ro.checkpoints.resume = opt.resume;
    ro.checkpoints.resume_from = opt.resume_from;
    ro.write_graph = opt.write_graph;
    std::string text;
    if (sc::io::is_rate_config_file(opt.config)) {
        const auto spec = sc::io::load_rate_config(opt.config, opt.overrides);
        const auto r = sc::runs::run_rate(spec, ctx, ro);
        if (!opt.quiet) text = sc::runs::rate_summary(opt.config, spec, r.run, ctx.size(), r.output);
    } else {
        const auto t0 = std::chrono::steady_clock::now();
        const auto spec = sc::io::load_config(opt.config, opt.overrides);
        const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const auto r = sc::runs::run_spiking(spec, ctx, ro);
        if (!opt.quiet) text = sc::runs::spiking_summary(opt.config, r);
        if (opt.timers) text += sc::runs::spiking_timers(r, load_s);
    }
    if (ctx.root()) std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    return 0;
}

int cli_main(int argc, char** argv, sc::parallel::context& ctx) {
    CLI::App app{"sparsechaos — exact event-based simulation of spiking networks (SparseProp).", "sparsechaos"};
    app.set_version_flag("--version", std::string("sparsechaos ") + sc::version + " (git " + sc::git_revision + ")");
    app.require_subcommand(1);
    app.footer("Run 'sparsechaos COMMAND --help' for the options of a command. Docs: docs/cli.md, docs/output.md.");

    options opt;
    auto add_sets = [&](CLI::App* cmd) {
        cmd->add_option("--set", opt.sets,
                        "Override a config key, e.g. --set simulation.seed=2 --set population.I.size=500, or "
                        "replace a table, --set 'projection[0]={pre=\"I\", post=\"I\", rule=\"pairwise_bernoulli\", "
                        "probability=0.25, j0=-1}' (repeatable; values are TOML)")
            ->type_name("KEY=VALUE")
            ->allow_extra_args(false);
        cmd->add_option("--unset", opt.unsets,
                        "Remove a config key, table or array element, e.g. --unset projection[0].indegree "
                        "(repeatable; applied in order with --set)")
            ->type_name("KEY")
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
    run->add_option("--write-graph", opt.write_graph,
                    "Also write the realized graph as SONATA edges (and nodes) to this HDF5 file; rule = \"file\" "
                    "reads it back")
        ->type_name("GRAPH.h5");
    run->add_option("--checkpoint-every", opt.checkpoint_every,
                    "Write a checkpoint OUT.h5.ckpt this often: wall time (90s, 10min, 2h) or simulated time (500ms)")
        ->type_name("INTERVAL");
    run->add_option("--resume", opt.resume_from,
                    "Continue from a checkpoint: OUT.h5.ckpt (or FILE), on any number of ranks; without one, start "
                    "from the beginning")
        ->expected(0, 1)
        ->type_name("[FILE]");
    run->footer("Example: sparsechaos run examples/small_lif.toml --output small.h5 --set simulation.seed=3");

    CLI::App* check = app.add_subcommand("check", "Validate CONFIG and describe the network it builds");
    check->add_option("config", opt.config, "Configuration file (TOML)")->required()->type_name("CONFIG.toml");
    add_sets(check);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {  // --help, --version
            if (ctx.root()) app.exit(e);
            return 0;
        }
        print_error(ctx, std::string(e.what()) + " (see 'sparsechaos --help')");
        return exit_usage;
    }

    // --set and --unset apply in the order typed: CLI11 keeps each option's values in order and
    // the order in which options appeared.
    CLI::App* used = *run ? run : check;
    std::size_t next_set = 0, next_unset = 0;
    for (const CLI::Option* o : used->parse_order()) {
        if (o->get_name() == "--set")
            opt.overrides.emplace_back(opt.sets.at(next_set++));
        else if (o->get_name() == "--unset")
            opt.overrides.push_back(sc::io::config_override::unset(opt.unsets.at(next_unset++)));
    }

    opt.resume = run->count("--resume") > 0;

    try {
        if (*run) return run_command(opt, ctx, command_line(argc, argv));
        return check_command(opt, ctx);
    } catch (const sc::io::config_error& e) {
        print_error(ctx, e.what());  // the same on every rank: all ranks end here
        return exit_error;
    } catch (const std::bad_alloc&) {
        fail(ctx, "out of memory");
    } catch (const std::exception& e) {
        fail(ctx, e.what());
    }
    return exit_error;
}

}  // namespace

int main(int argc, char** argv) {
    sc::tangent::configure_blas(argv);  // one BLAS thread, fast kernels (may restart the program once)
    MPI_Init(&argc, &argv);
    int status = exit_error;
    {
        // Every HDF5 object and the context live inside this block, so all are gone before MPI ends.
        const auto ctx = sc::parallel::make_context(MPI_COMM_WORLD);
        status = cli_main(argc, argv, *ctx);
    }
    MPI_Finalize();
    return status;
}
