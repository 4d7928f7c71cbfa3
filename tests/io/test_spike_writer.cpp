// The spike writer and the atomic output file on one process: SONATA layout, batching, rates,
// metadata, and that a failed run never leaves a half-written file in place of the target.
#include "sparsechaos/io/meta_writer.hpp"
#include "sparsechaos/io/spike_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "output_cases.hpp"
#include "sparsechaos/version.hpp"

namespace io = sparsechaos::io;
namespace h5 = sparsechaos::io::h5;
namespace net = sparsechaos::network;
namespace fs = std::filesystem;
using namespace output_cases;

TEST(spike_writer, sonata_layout_rates_and_meta) {
    const fs::path dir = scratch_dir();
    const auto spec = two_populations();
    const net::layout lay(spec);
    const auto spikes = synthetic_spikes(1000);  // t in [0, 250) ms
    io::spike_writer::options opt;
    opt.buffer_spikes = 64;  // many appends
    opt.chunk = 50;
    opt.flush_interval_s = 0.0;  // and a file flush after each
    io::spike_totals totals;
    {
        io::output_file out((dir / "run.h5").string(), MPI_COMM_WORLD);
        io::spike_writer w(out.file(), spec, lay, opt);
        for (std::size_t k = 0; k < spikes.size(); k += 37)  // odd batch sizes
            w.on_spikes({spikes.begin() + k, spikes.begin() + std::min(k + 37, spikes.size())});
        totals = w.finish(250.0);
        io::write_rates(out.file(), spec, lay, totals);
        io::run_metadata meta;
        meta.config_text = spec.config_text;
        meta.command_line = "sparsechaos run x.toml --output run.h5";
        meta.t_end_ms = 250.0;
        meta.build_wall_s = 0.5;
        meta.run_wall_s = 1.5;
        meta.neurons = 40;
        meta.spikes = totals.spikes;
        meta.population_names = {"E", "I"};
        meta.population_sizes = {30, 10};
        io::write_meta(out.file(), meta);
        out.commit();
    }
    EXPECT_EQ(totals.spikes, 1000u);
    EXPECT_EQ(totals.population_spikes, (std::vector<std::uint64_t>{750, 250}));
    EXPECT_DOUBLE_EQ(totals.mean_rate_hz, 1000.0 / (40 * 0.25));
    EXPECT_DOUBLE_EQ(totals.population_rates_hz[0], 750.0 / (30 * 0.25));

    auto f = h5::file::open((dir / "run.h5").string(), MPI_COMM_WORLD);
    auto sp = f.open_group("spikes");
    EXPECT_EQ(sp.string_attribute("sorting"), "by_time");
    std::vector<double> expected_t[2];
    std::vector<std::uint64_t> expected_id[2];
    for (const auto& s : spikes) {
        const int p = s.neuron < 30 ? 0 : 1;
        expected_t[p].push_back(s.time_ms);
        expected_id[p].push_back(s.neuron - (p ? 30 : 0));
    }
    for (int p = 0; p < 2; ++p) {
        auto g = sp.open_group(p ? "I" : "E");
        EXPECT_TRUE(g.has_attribute("sorting"));
        auto ts = g.open_dataset("timestamps");
        EXPECT_EQ(ts.string_attribute("units"), "ms");
        EXPECT_EQ(ts.read<double>(), expected_t[p]);
        EXPECT_EQ(g.open_dataset("node_ids").read<std::uint64_t>(), expected_id[p]);
    }
    auto rates = f.open_group("rates");
    EXPECT_EQ(rates.string_attribute("units"), "Hz");
    EXPECT_DOUBLE_EQ(rates.double_attribute("mean"), 100.0);
    auto re = rates.open_dataset("E");
    EXPECT_DOUBLE_EQ(re.read<double>().at(0), 100.0);
    EXPECT_EQ(re.string_attribute("units"), "Hz");
    EXPECT_EQ(re.int_attribute("neurons"), 30);
    EXPECT_EQ(re.int_attribute("spikes"), 750);

    auto m = f.open_group("meta");
    EXPECT_EQ(m.open_dataset("config").read_string(), "# a config\n");
    EXPECT_EQ(m.open_dataset("populations").read_strings(), (std::vector<std::string>{"E", "I"}));
    EXPECT_EQ(m.open_dataset("population_sizes").read<std::uint64_t>(), (std::vector<std::uint64_t>{30, 10}));
    EXPECT_EQ(m.string_attribute("version"), sparsechaos::version);
    EXPECT_EQ(m.string_attribute("git_revision"), sparsechaos::git_revision);
    EXPECT_EQ(m.string_attribute("command_line"), "sparsechaos run x.toml --output run.h5");
    EXPECT_EQ(m.int_attribute("ranks"), 1);
    EXPECT_EQ(m.int_attribute("spikes"), 1000);
    EXPECT_EQ(m.int_attribute("neurons"), 40);
    EXPECT_DOUBLE_EQ(m.double_attribute("simulated_time_ms"), 250.0);
    EXPECT_DOUBLE_EQ(m.double_attribute("build_wall_s"), 0.5);
    EXPECT_DOUBLE_EQ(m.double_attribute("run_wall_s"), 1.5);
    EXPECT_TRUE(m.has_attribute("created"));
}

// The parallel path: every rank streams the spikes of its own neurons and flushes collectively;
// the file holds every spike once (tests/cli/hdf5_two_ranks.sh runs this on 2 ranks).

TEST(spike_writer, spikes_off_still_writes_rates) {
    const fs::path dir = scratch_dir();
    auto spec = two_populations();
    spec.output.spikes = false;
    const net::layout lay(spec);
    {
        io::output_file out((dir / "run.h5").string(), MPI_COMM_WORLD);
        io::spike_writer w(out.file(), spec, lay);
        w.on_spikes(synthetic_spikes(400));
        const auto totals = w.finish(100.0);
        EXPECT_EQ(totals.spikes, 400u);
        io::write_rates(out.file(), spec, lay, totals);
        out.commit();
    }
    auto f = h5::file::open((dir / "run.h5").string(), MPI_COMM_WORLD);
    EXPECT_FALSE(f.contains("spikes"));
    EXPECT_DOUBLE_EQ(f.open_group("rates").double_attribute("mean"), 400 / (40 * 0.1));
}

TEST(output_file, failure_keeps_the_existing_target) {
    const fs::path dir = scratch_dir();
    const fs::path target = dir / "out.h5";
    { std::ofstream(target) << "previous results"; }
    std::string temporary;
    try {
        io::output_file out(target.string(), MPI_COMM_WORLD);
        temporary = out.temporary();
        long pid = ::getpid();  // rank 0's names the temporary on every rank
        MPI_Bcast(&pid, 1, MPI_LONG, 0, MPI_COMM_WORLD);
        EXPECT_EQ(temporary, target.string() + ".tmp." + std::to_string(pid));
        EXPECT_TRUE(fs::exists(temporary));
        out.file().create_group("spikes");
        throw std::runtime_error("the run failed");
    } catch (const std::runtime_error&) {
    }
    MPI_Barrier(MPI_COMM_WORLD);  // rank 0 removes the temporary after every rank closed it
    EXPECT_FALSE(fs::exists(temporary));
    EXPECT_EQ(slurp(target), "previous results");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(output_file, unusable_paths_fail_early_with_the_path) {
    const fs::path dir = scratch_dir();
    { std::ofstream(dir / "plain") << "x"; }
    auto message = [](const std::string& target) -> std::string {
        try {
            io::check_output_path(target);
        } catch (const io::output_error& e) {
            return e.what();
        }
        return "no error";
    };
    EXPECT_NE(message((dir / "missing" / "out.h5").string()).find("'" + (dir / "missing").string() + "' does not exist"),
              std::string::npos);
    EXPECT_NE(message((dir / "plain" / "out.h5").string()).find("is not a directory"), std::string::npos);
    EXPECT_NE(message(dir.string()).find("is a directory"), std::string::npos);
    EXPECT_EQ(message((dir / "fine.h5").string()), "no error");
    EXPECT_EQ(message("relative.h5"), "no error");
    // The same paths through output_file: an output_error naming the temporary.
    try {
        io::output_file out((dir / "missing" / "out.h5").string(), MPI_COMM_WORLD);
        FAIL() << "created a file in a missing directory";
    } catch (const io::output_error& e) {
        EXPECT_NE(std::string(e.what()).find((dir / "missing" / "out.h5.tmp.").string()), std::string::npos) << e.what();
    }
}
