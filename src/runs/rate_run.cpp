#include "sparsechaos/runs/rate_run.hpp"

#include <stdexcept>

#include "sparsechaos/io/lyapunov_writer.hpp"
#include "sparsechaos/io/meta_writer.hpp"
#include "sparsechaos/io/rate_writer.hpp"
#include "sparsechaos/io/spike_writer.hpp"
#include "sparsechaos/petsc/session.hpp"
#include "sparsechaos/rate/rate_lyapunov.hpp"
#include "sparsechaos/runs/progress.hpp"
#include "sparsechaos/tangent/blas_runtime.hpp"

namespace sparsechaos::runs {

rate_result run_rate(const rate::rate_network_spec& spec, parallel::context& ctx, const run_options& options) {
    if (options.checkpoints.every || options.checkpoints.resume)
        throw std::invalid_argument("checkpoints of rate-network runs are not available yet: run without "
                                    "--checkpoint-every and --resume");
    io::check_output_path(options.output);
    io::output_file out(options.output, ctx.comm());
    petsc::session petsc;
    progress_display display(options.show_progress && ctx.root());
    rate::rate_run_options ro;
    // Progress checks are collective (rank 0's clock decides): the same interval on every rank.
    double interval = display.interval_s();
    ctx.broadcast(&interval, 1);
    ro.progress_interval_s = interval;
    ro.progress = [&](double t, double total, const rate::rate_lyapunov_tracker* tracker) {
        display.rate(t, total, tracker && tracker->measuring() ? &tracker->accumulator() : nullptr);
    };
    rate_result r;
    r.run = rate::run_rate_network(spec, ctx.comm(), ro);
    display.done();

    if (r.run.lyapunov) io::write_lyapunov(out.file(), *r.run.lyapunov);
    io::write_rate_group(out.file(), spec, r.run);
    io::run_metadata meta;
    meta.config_text = spec.config_text;
    meta.command_line = options.command_line;
    meta.model = "rate";
    const auto& c = spec.coupling;
    meta.neurons = c.size;
    // Nonzero couplings (dense storage also stores the zeros: /rate attr stored_entries).
    meta.synapses = c.kind == rate::coupling_kind::gaussian ? c.size * (c.size - 1) : c.size * c.indegree;
    meta.t_end_ms = double(r.run.steps) * spec.step_length() * spec.tau_ms;
    double walls[2] = {r.run.build_wall_s, r.run.run_wall_s};
    ctx.broadcast(walls, 2);
    meta.build_wall_s = walls[0];
    meta.run_wall_s = walls[1];
    const auto blas = tangent::current_blas();
    meta.blas = blas.summary();
    meta.blas_threads = blas.threads;
    io::write_meta(out.file(), meta);
    out.commit();
    r.output = out.target();
    return r;
}

}  // namespace sparsechaos::runs
