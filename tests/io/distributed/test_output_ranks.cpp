// The output on the ranks of the test (1 rank: the local context; 2 and 3 under mpiexec): every
// rank writes its part of one file, the file holds every spike once, and the target appears only
// when every rank is done.
#include "sparsechaos/io/meta_writer.hpp"
#include "sparsechaos/io/spike_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "../output_cases.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/parallel/context.hpp"

namespace io = sparsechaos::io;
namespace h5 = sparsechaos::io::h5;
namespace net = sparsechaos::network;
namespace fs = std::filesystem;
using namespace output_cases;

// The parallel path: every rank streams the spikes of its own neurons and flushes collectively;
// the file holds every spike once.
TEST(spike_writer, ranks_write_their_own_spikes) {
    const fs::path dir = scratch_dir();
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const auto spec = two_populations();
    const net::layout lay(spec, rank, size);
    const auto all = synthetic_spikes(900);
    std::vector<sparsechaos::engine::spike> mine;
    for (const auto& s : all)
        if (lay.local().contains(s.neuron)) mine.push_back(s);
    io::spike_writer::options opt;
    opt.buffer_spikes = 1 << 20;  // never flushes by itself: flushes below are the collective points
    opt.chunk = 64;
    io::spike_totals totals;
    {
        io::output_file out((dir / "par.h5").string(), MPI_COMM_WORLD);
        io::spike_writer w(out.file(), spec, lay, opt);
        // Flushes are collective: every rank makes as many, whatever its own number of spikes.
        unsigned long batches = (mine.size() + 99) / 100, most = 0;
        MPI_Allreduce(&batches, &most, 1, MPI_UNSIGNED_LONG, MPI_MAX, MPI_COMM_WORLD);
        for (std::size_t b = 0; b < most; ++b) {
            const std::size_t k = std::min(b * 100, mine.size());
            w.on_spikes({mine.begin() + k, mine.begin() + std::min(k + 100, mine.size())});
            if (b % 3 == 0) w.flush();
        }
        totals = w.finish(225.0);
        io::write_meta(out.file(), {});
        out.commit();
    }
    EXPECT_EQ(totals.spikes, 900u);
    auto f = h5::file::open((dir / "par.h5").string(), MPI_COMM_WORLD);
    EXPECT_EQ(f.open_group("spikes").string_attribute("sorting"), size == 1 ? "by_time" : "none");
    EXPECT_EQ(f.open_group("meta").int_attribute("ranks"), size);
    std::vector<std::pair<double, std::uint64_t>> expected, found;
    for (const auto& s : all) expected.emplace_back(s.time_ms, s.neuron);
    for (const auto* name : {"E", "I"}) {
        const auto first = lay.population(lay.population_index(name)).first;
        auto g = f.open_group("spikes").open_group(name);
        const auto t = g.open_dataset("timestamps").read<double>();
        const auto id = g.open_dataset("node_ids").read<std::uint64_t>();
        ASSERT_EQ(t.size(), id.size());
        for (std::size_t k = 0; k < t.size(); ++k) found.emplace_back(t[k], id[k] + first);
    }
    std::sort(expected.begin(), expected.end());
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, expected);
}

TEST(spike_writer, observes_a_simulation) {
    const fs::path dir = scratch_dir();
    net::network_spec spec;
    net::population_spec pop;
    pop.name = "I";
    pop.size = 300;
    pop.model = sparsechaos::models::lif{};
    pop.drive.value = 0.3;
    spec.populations.push_back(pop);
    net::projection_spec proj;
    proj.pre = proj.post = "I";
    proj.degree = 20;
    proj.weight = -0.05;
    spec.projections.push_back(proj);
    spec.simulation.t_end_ms = 200.0;

    // On the ranks of the test: every rank is handed every spike in global order and writes its
    // slice of the train (the command line's layout, runs/spiking_run.cpp).
    const auto ctx = sparsechaos::parallel::make_context(MPI_COMM_WORLD);
    sparsechaos::engine::simulation sim(sparsechaos::network::build_local_graph(spec, ctx->rank(), ctx->size()), *ctx);
    io::spike_writer::options opt;
    opt.buffer_spikes = 100;
    opt.global_order = ctx->distributed();
    io::spike_totals totals;
    struct flushing : sparsechaos::engine::observer {
        io::spike_writer* w;
        void on_spikes(const std::vector<sparsechaos::engine::spike>& b) override { w->on_spikes(b); }
        void on_collective_point() override { w->flush(); }
    } obs;
    {
        io::output_file out((dir / "sim.h5").string(), MPI_COMM_WORLD);
        io::spike_writer w(out.file(), spec, sim.layout(), opt);
        obs.w = &w;
        sim.run_until(spec.simulation.t_end_ms, &obs);
        totals = w.finish(spec.simulation.t_end_ms);
        out.commit();
    }
    ASSERT_GT(sim.statistics().network_spikes, 100u);
    EXPECT_EQ(totals.spikes, sim.statistics().network_spikes);
    auto f = h5::file::open((dir / "sim.h5").string(), MPI_COMM_WORLD);
    const auto t = f.open_dataset("spikes/I/timestamps").read<double>();
    const auto ids = f.open_dataset("spikes/I/node_ids").read<std::uint64_t>();
    ASSERT_EQ(t.size(), totals.spikes);
    ASSERT_EQ(ids.size(), totals.spikes);
    EXPECT_TRUE(std::is_sorted(t.begin(), t.end()));
    EXPECT_GE(t.front(), 0.0);
    EXPECT_LT(t.back(), 200.0);
    EXPECT_LT(*std::max_element(ids.begin(), ids.end()), 300u);
}

TEST(output_file, commit_replaces_the_target) {
    const fs::path dir = scratch_dir();
    const fs::path target = dir / "out.h5";
    { std::ofstream(target) << "previous results"; }
    {
        io::output_file out(target.string(), MPI_COMM_WORLD);
        out.file().set_attribute("k", 1.0);
        out.commit();
        EXPECT_FALSE(fs::exists(out.temporary()));
    }
    auto f = h5::file::open(target.string(), MPI_COMM_WORLD);
    EXPECT_DOUBLE_EQ(f.double_attribute("k"), 1.0);
}
