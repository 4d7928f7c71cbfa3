// The spike writer and the atomic output file: SONATA layout, batching, rates, metadata, and that
// a failed run never leaves a half-written file in place of the target.
#include "sparsechaos/io/spike_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/version.hpp"

namespace io = sparsechaos::io;
namespace h5 = sparsechaos::io::h5;
namespace net = sparsechaos::network;
namespace fs = std::filesystem;

namespace {

fs::path scratch_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    // Per test and rank count: the 2-rank run (cli.hdf5_two_ranks) may run alongside the serial one.
    const fs::path dir = fs::path(SPARSECHAOS_BINARY_DIR) / "test_io_scratch" /
                         (std::string(info->test_suite_name()) + "." + info->name() + "." + std::to_string(size));
    if (rank == 0) {
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    return dir;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Two LIF populations E (30 neurons) and I (10), no projections: enough for the layout.
net::network_spec two_populations() {
    net::network_spec spec;
    for (auto [name, size] : {std::pair{"E", 30}, std::pair{"I", 10}}) {
        net::population_spec p;
        p.name = name;
        p.size = std::uint64_t(size);
        p.model = sparsechaos::models::lif{};
        p.drive.value = 0.5;
        spec.populations.push_back(p);
    }
    spec.config_text = "# a config\n";
    return spec;
}

// Spikes in time order cycling over all 40 neurons: neuron k % 40 fires at 0.25 k ms.
std::vector<sparsechaos::engine::spike> synthetic_spikes(std::size_t n) {
    std::vector<sparsechaos::engine::spike> s;
    for (std::size_t k = 0; k < n; ++k) s.push_back({0.25 * double(k), std::uint64_t(k * 7 % 40)});
    return s;
}

}  // namespace

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
        io::run_metadata meta{spec.config_text, "sparsechaos run x.toml --output run.h5", 250.0, 0.5, 1.5, 40, 0};
        totals = w.finish(meta);
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
        for (std::size_t k = 0; k < mine.size(); k += 100) {
            w.on_spikes({mine.begin() + k, mine.begin() + std::min(k + 100, mine.size())});
            if (k % 300 == 0) w.flush();
        }
        totals = w.finish({"", "", 225.0});
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

TEST(spike_writer, spikes_off_still_writes_rates) {
    const fs::path dir = scratch_dir();
    auto spec = two_populations();
    spec.output.spikes = false;
    const net::layout lay(spec);
    {
        io::output_file out((dir / "run.h5").string(), MPI_COMM_WORLD);
        io::spike_writer w(out.file(), spec, lay);
        w.on_spikes(synthetic_spikes(400));
        EXPECT_EQ(w.finish({"", "", 100.0}).spikes, 400u);
        out.commit();
    }
    auto f = h5::file::open((dir / "run.h5").string(), MPI_COMM_WORLD);
    EXPECT_FALSE(f.contains("spikes"));
    EXPECT_DOUBLE_EQ(f.open_group("rates").double_attribute("mean"), 400 / (40 * 0.1));
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

    sparsechaos::engine::simulation sim(spec);
    io::spike_writer::options opt;
    opt.buffer_spikes = 100;
    io::spike_totals totals;
    {
        io::output_file out((dir / "sim.h5").string(), MPI_COMM_WORLD);
        io::spike_writer w(out.file(), spec, sim.layout(), opt);
        sim.run_until(spec.simulation.t_end_ms, &w);
        totals = w.finish({"", "", spec.simulation.t_end_ms});
        out.commit();
    }
    ASSERT_GT(sim.statistics().spikes, 100u);
    EXPECT_EQ(totals.spikes, sim.statistics().spikes);
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

TEST(output_file, failure_keeps_the_existing_target) {
    const fs::path dir = scratch_dir();
    const fs::path target = dir / "out.h5";
    { std::ofstream(target) << "previous results"; }
    std::string temporary;
    try {
        io::output_file out(target.string(), MPI_COMM_WORLD);
        temporary = out.temporary();
        EXPECT_EQ(temporary, target.string() + ".tmp." + std::to_string(::getpid()));
        EXPECT_TRUE(fs::exists(temporary));
        out.file().create_group("spikes");
        throw std::runtime_error("the run failed");
    } catch (const std::runtime_error&) {
    }
    EXPECT_FALSE(fs::exists(temporary));
    EXPECT_EQ(slurp(target), "previous results");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
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
