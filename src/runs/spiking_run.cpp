#include "sparsechaos/runs/spiking_run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "sparsechaos/io/engine_checkpoint.hpp"
#include "sparsechaos/io/graph_export.hpp"
#include "sparsechaos/io/lyapunov_writer.hpp"
#include "sparsechaos/io/meta_writer.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/petsc/session.hpp"
#include "sparsechaos/runs/build_graph.hpp"
#include "sparsechaos/runs/drive_tuning.hpp"
#include "sparsechaos/runs/lyapunov_run.hpp"
#include "sparsechaos/runs/progress.hpp"
#include "sparsechaos/tangent/blas_runtime.hpp"

namespace sparsechaos::runs {
namespace {

using wall_clock = std::chrono::steady_clock;
double seconds_since(wall_clock::time_point t0) {
    return std::chrono::duration<double>(wall_clock::now() - t0).count();
}

// Spikes go to the writer, progress to the display (with the running λ_1 while a Lyapunov
// measurement is on).
class run_observer final : public engine::observer {
public:
    run_observer(io::spike_writer& writer, progress_display& display, double end_ms)
        : writer_(writer), display_(display), end_ms_(end_ms) {}
    void watch(const tangent::lyapunov_tracker* tracker) { tracker_ = tracker; }
    void on_spikes(const std::vector<engine::spike>& batch) override { writer_.on_spikes(batch); }
    // On several ranks the writer appends only when all ranks call it together.
    void on_collective_point() override { writer_.flush(); }
    void on_progress(const engine::progress& p) override {
        display_.spiking(p, end_ms_, tracker_ && tracker_->measuring() ? &tracker_->accumulator() : nullptr);
    }

private:
    io::spike_writer& writer_;
    progress_display& display_;
    double end_ms_;
    const tangent::lyapunov_tracker* tracker_ = nullptr;
};

}  // namespace

spiking_result run_spiking(const network::network_spec& spec_in, parallel::context& ctx, const run_options& options) {
    spiking_result r;
    network::network_spec spec = spec_in;
    auto t0 = wall_clock::now();
    io::check_output_path(options.output);
    io::output_file out(options.output, ctx.comm());
    r.create_s = seconds_since(t0);
    progress_display display(options.show_progress && ctx.root());
    checkpointing checkpoints(options.checkpoints, options.output, ctx, "spiking", spec.config_text);
    if (spec.lyapunov && checkpoints.active())
        throw std::invalid_argument("checkpoints of Lyapunov runs are not available yet: run without "
                                    "--checkpoint-every and --resume");

    // Lyapunov runs use PETSc/SLEPc (the tangent space); the session must outlive its objects.
    std::optional<petsc::session> petsc;
    std::optional<double> drive_factor;
    if (spec.lyapunov) {
        check_lyapunov_ranks(spec, ctx.size());
        petsc.emplace();
        if (checkpoints.resumed() && checkpoints.resumed_file().contains("drive_factor")) {
            drive_factor = checkpoints.resumed_file().open_dataset("drive_factor").read<double>().at(0);
            spec = with_drive_factor(spec, *drive_factor);
        } else if (spec.lyapunov->target_rate_hz) {
            const double target = *spec.lyapunov->target_rate_hz;
            auto report = [&](int step, double factor, double rate) {
                if (display.shows())
                    std::fprintf(stderr, "tuning drive: step %d, factor %.6g -> mean rate %.4g Hz (target %.4g Hz)\n",
                                 step, factor, rate, target);
            };
            drive_factor = tune_drive_factor(spec, ctx, target, spec.lyapunov->tune_ms, report);
            spec = with_drive_factor(spec, *drive_factor);
        }
    }

    t0 = wall_clock::now();
    engine::simulation sim(build_graph(spec, ctx), ctx);
    r.build_s = seconds_since(t0);
    if (!options.write_graph.empty())
        io::write_graph(options.write_graph, ctx.comm(), spec, sim.layout(), sim.projections(), sim.graph().targets);

    // Several ranks: every rank learns the global spike sequence and writes its share of it.
    // A checkpointed run writes its spikes to segments first (runs/checkpointing.hpp).
    io::spike_writer::options writer_options;
    writer_options.global_order = ctx.distributed();
    double t_ms = 0.0, earlier_wall_s = 0.0;
    std::int64_t first_segment = 0;
    if (checkpoints.resumed()) {
        const auto& f = checkpoints.resumed_file();
        sim.import_state(io::read_engine_state(f, sim.layout()));
        t_ms = checkpoints.header().time_ms;
        r.resumed_from_ms = t_ms;
        first_segment = f.open_dataset("segments").read<std::int64_t>().at(0);
        earlier_wall_s = f.open_dataset("run_wall_s").read<double>().at(0);
    }
    io::spike_writer writer(checkpoints.active() ? checkpoints.open_segment(first_segment) : out.file(), spec,
                            sim.layout(), writer_options);
    if (checkpoints.resumed()) {
        writer.add_earlier(checkpoints.resumed_file().open_dataset("population_spikes").read<std::uint64_t>());
        checkpoints.close_resumed();
    }
    run_observer observer(writer, display, spec.simulation.t_end_ms);
    if (spec.lyapunov) {
        r.lyapunov = run_lyapunov(sim, spec, &observer, display.interval_s(),
                                  [&](const tangent::lyapunov_tracker* t) { observer.watch(t); });
        r.lyapunov->tuned_drive_factor = drive_factor;
    } else {
        const double t_end = spec.simulation.t_end_ms;
        while (t_ms < t_end) {
            t_ms = checkpoints.next_stop(t_ms, t_end);
            sim.run_until(t_ms, &observer, display.interval_s());
            if (t_ms < t_end && checkpoints.due(t_ms)) {
                auto w = checkpoints.begin(writer);
                io::write_engine_state(w.file(), sim.export_state(), sim.graph().poisson);
                w.file().write("population_spikes", writer.population_totals()).close();
                double wall = earlier_wall_s + sim.statistics().wall_s;
                ctx.broadcast(&wall, 1);
                w.file().write_scalar("run_wall_s", wall).close();
                if (drive_factor) w.file().write_scalar("drive_factor", *drive_factor).close();
                checkpoints.commit(w, t_ms);
                ++r.checkpoints_written;
            }
        }
    }
    r.stats = sim.statistics();
    r.stats.wall_s += earlier_wall_s;

    t0 = wall_clock::now();
    r.memory = sim.memory();
    r.synapses = ctx.sum(r.memory.synapses);
    const auto& lay = sim.layout();
    r.neurons = lay.total();
    r.local_neurons = lay.local().size;
    for (const auto& pop : spec.populations) r.population_names.push_back(pop.name);
    r.procedural = spec.simulation.storage == network::connectivity_storage::procedural;
    for (const auto& p : sim.projections()) r.expected_synapses += network::expected_synapses(p, lay);
    r.t_end_ms = spec.simulation.t_end_ms;
    r.min_delay_ms = sim.minimum_delay_ms();
    r.window_ms = sim.window_ms();
    r.ranks = ctx.size();
    // Collective attribute writes need the same value on every rank: rank 0's.
    double walls[2] = {r.build_s, r.stats.wall_s};
    ctx.broadcast(walls, 2);
    // Every rank's phase times, gathered so that all ranks write the same /meta/timers.
    const auto& ph = r.stats.phases;
    for (const auto& [name, seconds] : {std::pair<const char*, double>{"update", ph.update},
                                        {"communicate", ph.communicate}, {"deliver", ph.deliver},
                                        {"output", ph.output}}) {
        r.phase_names.push_back(name);
        r.phase_seconds.push_back(ctx.gather_all(seconds));
    }
    r.totals = writer.finish(r.t_end_ms);
    if (checkpoints.active()) {
        io::spike_writer assembled(out.file(), spec, lay, writer_options);
        checkpoints.assemble(assembled);
        assembled.finish(r.t_end_ms);
    }
    io::write_rates(out.file(), spec, lay, r.totals);
    // Populations placed on a sheet: their positions, as SONATA nodes.
    if (std::any_of(spec.populations.begin(), spec.populations.end(), [](const auto& p) { return p.positions.has_value(); }))
        io::write_nodes(out.file().id(), ctx.comm(), spec, lay);
    io::run_metadata meta;
    meta.config_text = spec.config_text;
    meta.command_line = options.command_line;
    meta.t_end_ms = r.t_end_ms;
    meta.build_wall_s = walls[0];
    meta.run_wall_s = walls[1];
    meta.neurons = r.neurons;
    meta.synapses = r.synapses;
    meta.spikes = r.totals.spikes;
    meta.population_names = r.population_names;
    for (std::size_t p = 0; p < lay.population_count(); ++p) meta.population_sizes.push_back(lay.population(p).size);
    meta.phase_names = r.phase_names;
    meta.phase_seconds = r.phase_seconds;
    const auto blas = tangent::current_blas();
    r.blas = meta.blas = blas.summary();
    meta.blas_threads = blas.threads;
    io::write_meta(out.file(), meta);
    if (r.lyapunov) io::write_lyapunov(out.file(), *r.lyapunov);
    out.commit();
    if (checkpoints.active()) checkpoints.remove_files();
    r.output = out.target();
    r.write_s = seconds_since(t0);
    return r;
}

}  // namespace sparsechaos::runs
