// Configuration of structured networks: positions, fixed_total_number, distance_dependent, sonet
// and file projections, weight and delay laws; every new key mapped, every misuse one error naming
// key or file, and `check`'s report of them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>

#include "sparsechaos/io/config.hpp"
#include "sparsechaos/io/config_memory.hpp"
#include "sparsechaos/io/graph_export.hpp"
#include "sparsechaos/network/connectivity.hpp"

namespace {

using namespace sparsechaos;
namespace fs = std::filesystem;

const std::string header = R"(
[[population]]
name = "E"
size = 400
model = "lif"
drive = { value = 0.3 }
positions = { width_um = 400.0, height_um = 400.0, periodic = true, layout = "grid" }

[[population]]
name = "I"
size = 100
model = "lif"
drive = { value = 0.3 }
)";

std::string with(const std::string& projection) { return header + "\n[[projection]]\n" + projection; }

void expect_error(const std::string& text, std::initializer_list<std::string> parts, const std::string& base = "") {
    try {
        io::parse_config(text, {}, "net.toml", base);
    } catch (const io::config_error& e) {
        for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << "'" << p << "' not in: " << e.what();
        return;
    }
    ADD_FAILURE() << "no error; expected '" << *parts.begin() << "'";
}

// A scratch directory of this test.
fs::path scratch_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const fs::path dir = fs::path(SPARSECHAOS_BINARY_DIR) / "test_io_scratch" / info->name();
    fs::create_directories(dir);
    return dir;
}

}  // namespace

TEST(StructuredConfig, RulesAndLawsMapToTheSpec) {
    auto spec = io::parse_config(with(R"(pre = "E"
post = "I"
rule = "fixed_total_number"
connection_probability = 0.1
multapses = true
weight = 0.02
weight_distribution = "normal"
weight_relative_sd = 0.1
delay_distribution = "normal"
delay_ms = 1.5
delay_sd_ms = 0.75
delay_min_ms = 0.1
)"));
    const auto& p = spec.projections[0];
    EXPECT_EQ(p.rule, network::connection_rule::fixed_total_number);
    EXPECT_EQ(p.connection_probability, 0.1);
    EXPECT_EQ(p.weights, network::weight_distribution::normal);
    EXPECT_EQ(p.weight_relative_sd, 0.1);
    EXPECT_EQ(p.delays, network::delay_distribution::normal);
    EXPECT_EQ(p.delay_sd_ms, 0.75);
    EXPECT_EQ(p.delay_min_ms, 0.1);
    ASSERT_TRUE(spec.populations[0].positions);
    EXPECT_TRUE(spec.populations[0].positions->periodic);
    EXPECT_EQ(spec.populations[0].positions->layout, network::position_layout::grid);
    const std::string d = io::describe(spec);
    // Q = round(ln(0.9)/ln(1 - 1/40000)) = round(4214.37).
    EXPECT_NE(d.find("fixed_total_number Q = 4,214 (from connection probability C = 0.1"), std::string::npos) << d;
    EXPECT_NE(d.find("weights normal around J = 0.02, relative s.d. 0.1"), std::string::npos) << d;
    EXPECT_NE(d.find("delays normal 1.5 +- 0.75 ms, redrawn below 0.1 ms"), std::string::npos) << d;
    EXPECT_NE(d.find("12 B per stored synapse (target, delay, weight), stored connectivity only"), std::string::npos) << d;
    EXPECT_NE(d.find("positions grid on a 400 x 400 um sheet (periodic)"), std::string::npos) << d;
    EXPECT_NE(d.find("mode: delays >= 0.1 ms"), std::string::npos) << d;

    spec = io::parse_config(with(R"(pre = "E"
post = "E"
rule = "distance_dependent"
kernel = "exponential"
width_um = 50.0
max_probability = 0.3
cutoff_um = 150.0
j0 = -1.0
)"));
    EXPECT_EQ(spec.projections[0].spatial.kernel, network::distance_kernel::exponential);
    EXPECT_EQ(spec.projections[0].spatial.cutoff_um, 150.0);
    const std::string dd = io::describe(spec);
    EXPECT_NE(dd.find("p(d) = 0.3 exp(-d/50 um), cut off at 150 um"), std::string::npos) << dd;
    EXPECT_NE(dd.find("spatial index:"), std::string::npos) << dd;

    spec = io::parse_config(with(R"(pre = "I"
post = "I"
rule = "sonet"
probability = 0.1
alpha_recip = 0.4
alpha_conv = 0.2
alpha_div = 0.2
alpha_chain = 0.1
weight = -0.1
)"));
    EXPECT_EQ(spec.projections[0].sonet.alpha_chain, 0.1);
    EXPECT_NE(io::describe(spec).find("Gaussian construction: threshold"), std::string::npos);
}

TEST(StructuredConfig, EachMisuseIsOneErrorNamingTheKey) {
    expect_error(with("pre = \"E\"\npost = \"I\"\nrule = \"fixed_total_number\"\nsynapses = 10\nindegree = 3\nweight = 1.0\n"),
                 {"projection[0].indegree", "not used by rule 'fixed_total_number' (which reads 'synapses', 'connection_probability')"});
    expect_error(with("pre = \"E\"\npost = \"I\"\nrule = \"fixed_total_number\"\nweight = 1.0\n"),
                 {"projection[0]", "give 'synapses' (Q) or 'connection_probability'"});
    expect_error(with("pre = \"E\"\npost = \"I\"\nrule = \"fixed_total_number\"\nsynapses = 40001\nweight = 1.0\n"),
                 {"40001 synapses exceed the 40000 distinct (pre, post) pairs"});
    expect_error(with("pre = \"I\"\npost = \"I\"\nrule = \"distance_dependent\"\nkernel = \"gaussian\"\nwidth_um = 10.0\n"
                      "max_probability = 0.5\nweight = 1.0\n"),
                 {"projection[0]", "population 'I' has none (give population.positions)"});
    expect_error(with("pre = \"E\"\npost = \"E\"\nrule = \"distance_dependent\"\nkernel = \"box\"\nwidth_um = 10.0\n"
                      "max_probability = 0.5\nweight = 1.0\n"),
                 {"projection[0].kernel", "unknown value \"box\"; allowed: gaussian, exponential"});
    expect_error(with("pre = \"E\"\npost = \"E\"\nrule = \"distance_dependent\"\nkernel = \"gaussian\"\nwidth_um = 10.0\n"
                      "max_probability = 1.5\nweight = 1.0\n"),
                 {"projection[0].max_probability", "in (0, 1]"});
    expect_error(with("pre = \"I\"\npost = \"I\"\nrule = \"sonet\"\nprobability = 0.1\nalpha_chain = 0.5\nweight = 1.0\n"),
                 {"projection[0].alpha_chain = 0.5 is out of reach", "must lie in [0, 0]"});
    expect_error(with("pre = \"E\"\npost = \"I\"\nrule = \"sonet\"\nprobability = 0.1\nweight = 1.0\n"),
                 {"connects a population to itself"});
    expect_error(with("pre = \"I\"\npost = \"I\"\nrule = \"fixed_indegree\"\nindegree = 5\nweight = 1.0\nweight_relative_sd = 0.1\n"),
                 {"projection[0].weight_relative_sd", "needs weight_distribution = \"normal\" or \"lognormal\""});
    expect_error(with("pre = \"I\"\npost = \"I\"\nrule = \"fixed_indegree\"\nindegree = 5\nweight = 1.0\n"
                      "weight_distribution = \"lognormal\"\n"),
                 {"projection[0]: missing required key 'weight_relative_sd'"});
    expect_error(with("pre = \"I\"\npost = \"I\"\nrule = \"fixed_indegree\"\nindegree = 5\nweight = 1.0\ndelay_ms = 1.0\n"
                      "delay_sd_ms = 0.5\n"),
                 {"projection[0].delay_sd_ms", "needs delay_distribution = \"normal\""});
    expect_error(with("pre = \"I\"\npost = \"I\"\nrule = \"fixed_indegree\"\nindegree = 5\nweight = 1.0\n"
                      "delay_distribution = \"normal\"\ndelay_ms = 1.0\ndelay_sd_ms = 0.5\ndelay_min_ms = 2.0\n"),
                 {"projection[0].delay_min_ms", "in (0, delay_ms]"});
    expect_error(with("pre = \"I\"\npost = \"I\"\nrule = \"fixed_indegree\"\nindegree = 5\nweight = 1.0\n"
                      "delay_distribution = \"uniform\"\ndelay_ms = 1.0\n"),
                 {"projection[0]: missing required key 'delay_max_ms'"});
    std::string grid = header;
    grid.replace(grid.find("size = 400"), 10, "size = 401");
    expect_error(grid, {"population[0].positions.layout", "needs a size that is a multiple of 20"});
    std::string procedural = with("pre = \"I\"\npost = \"I\"\nrule = \"sonet\"\nprobability = 0.1\nweight = 1.0\n");
    procedural += "\n[simulation]\nconnectivity = \"procedural\"\n";
    expect_error(procedural, {"rule = 'sonet' cannot be generated procedurally"});
}

TEST(StructuredConfig, TextEdgeListsAreReadAtParse) {
    const fs::path dir = scratch_dir();
    {
        std::ofstream out(dir / "net.txt");
        out << "# pre post weight\n";
        for (int k = 0; k < 200; ++k) out << (k * 53 + 7) % 500 << " " << (k * 37 + 11) % 500 << " " << (k % 2 ? 0.01 : -0.02) << "\n";
    }
    std::string text = header;
    for (const char* pre : {"E", "I"})
        for (const char* post : {"E", "I"})
            text += std::string("\n[[projection]]\npre = \"") + pre + "\"\npost = \"" + post + "\"\nrule = \"file\"\nfile = \"net.txt\"\n";
    std::ofstream(dir / "net.toml") << text;
    // Relative to the config file, wherever the program runs.
    const auto spec = io::load_config((dir / "net.toml").string());
    std::uint64_t total = 0;
    for (const auto& p : spec.projections) {
        ASSERT_TRUE(p.file && p.file->synapses);
        EXPECT_TRUE(p.file->has_weights);
        EXPECT_FALSE(p.file->has_delays);
        total += *p.file->synapses;
    }
    EXPECT_EQ(total, 200u);
    const std::string d = io::describe(spec);
    EXPECT_NE(d.find("weights from the file (mean J = "), std::string::npos) << d;
    // Without the fourth projection, its edges belong to no one.
    std::string three = text.substr(0, text.rfind("[[projection]]"));
    std::ofstream(dir / "three.toml") << three;
    try {
        io::load_config((dir / "three.toml").string());
        ADD_FAILURE() << "no error";
    } catch (const io::config_error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("net.txt:"), std::string::npos) << m;
        EXPECT_NE(m.find("lies in no projection reading this file"), std::string::npos) << m;
    }
    expect_error(with("pre = \"I\"\npost = \"I\"\nrule = \"file\"\nfile = \"/no/such/list.txt\"\n"),
                 {"projection[0].file", "/no/such/list.txt: cannot open the edge list"});
    std::ofstream(dir / "bad.txt") << "1 2 0.5 -1.0\n";
    expect_error(with("pre = \"I\"\npost = \"I\"\nrule = \"file\"\nfile = \"bad.txt\"\nsource_id_offset = 0\ntarget_id_offset = 0\n"),
                 {"bad.txt:1: column 4 (delay): negative delay -1.0 ms"}, dir.string());
}

TEST(StructuredConfig, SonataFilesAreCheckedAndReportedByCheck) {
    // An exported graph read back by a config with rule = "file".
    const fs::path dir = scratch_dir();
    const std::string source = with(R"(pre = "E"
post = "I"
rule = "fixed_indegree"
indegree = 20
weight = 0.05
weight_distribution = "lognormal"
weight_relative_sd = 0.3
delay_ms = 1.0
delay_max_ms = 3.0
)");
    const auto spec = io::parse_config(source);
    {
        const network::layout lay(spec);
        const auto projs = network::resolve_projections(spec, lay);
        std::vector<network::projection_targets> t;
        t.emplace_back(spec, lay, projs[0], network::synapse_weight_use::per_synapse);
        io::write_graph((dir / "graph.h5").string(), MPI_COMM_SELF, spec, lay, projs, t);
    }
    std::ofstream(dir / "read.toml") << with("pre = \"E\"\npost = \"I\"\nrule = \"file\"\nfile = \"graph.h5\"\n");
    const auto back = io::load_config((dir / "read.toml").string());
    ASSERT_TRUE(back.projections[0].file);
    EXPECT_EQ(back.projections[0].file->edge_population, "E_to_I");
    EXPECT_EQ(back.projections[0].file->synapses, 2000u);
    const std::string d = io::describe(back);
    EXPECT_NE(d.find("weights from the file"), std::string::npos) << d;
    EXPECT_NE(d.find("delays from the file in [1"), std::string::npos) << d;
    EXPECT_NE(d.find("expected synapses 2,000, 12 B per stored synapse (target, delay, weight)"), std::string::npos) << d;
    // The node population the file names must be the projection's.
    expect_error(with("pre = \"I\"\npost = \"I\"\nrule = \"file\"\nfile = \"graph.h5\"\n"),
                 {"projection[0].pre", "node population 'E', a population of this config other than 'I'"}, dir.string());
    expect_error(with("pre = \"E\"\npost = \"I\"\nrule = \"file\"\nfile = \"graph.h5\"\nedges = \"X\"\n"),
                 {"projection[0].file", "/edges/X: no such edge population (the file has 'E_to_I')"}, dir.string());
    expect_error(with("pre = \"E\"\npost = \"I\"\nrule = \"file\"\nfile = \"graph.h5\"\nmultapses = true\n"),
                 {"projection[0].multapses", "not used by rule 'file'"}, dir.string());
    // Two projections may not take the same edges.
    expect_error(with("pre = \"E\"\npost = \"I\"\nrule = \"file\"\nfile = \"graph.h5\"\n") +
                     "\n[[projection]]\npre = \"E\"\npost = \"I\"\nrule = \"file\"\nfile = \"graph.h5\"\n",
                 {"projection[1].source_id_offset", "that projection[0] takes too"}, dir.string());
    // A file read with delays and a Lyapunov run.
    expect_error(with("pre = \"E\"\npost = \"I\"\nrule = \"file\"\nfile = \"graph.h5\"\n") + "\n[lyapunov]\nexponents = 2\n",
                 {"Lyapunov spectra ([lyapunov]) need zero delay"}, dir.string());
}

TEST(StructuredConfig, MemoryEstimateCountsPerSynapseValues) {
    const auto spec = io::parse_config(with(R"(pre = "I"
post = "I"
rule = "fixed_indegree"
indegree = 10
weight = -0.1
weight_distribution = "normal"
weight_relative_sd = 0.2
)"));
    const auto m = io::estimate_memory(spec);
    EXPECT_EQ(m.synapses, 1000.0);
    EXPECT_EQ(m.stored_synapse_bytes, 8.0 * 1000 + 8.0 * 101);
}

TEST(StructuredConfig, ExamplesParseAndDescribe) {
    const fs::path examples = fs::path(SPARSECHAOS_SOURCE_DIR) / "examples";
    std::size_t n = 0;
    for (const char* folder : {"import", "motifs"})
        for (const auto& entry : fs::directory_iterator(examples / folder)) {
            if (entry.path().extension() != ".toml") continue;
            SCOPED_TRACE(entry.path().string());
            network::network_spec spec;
            ASSERT_NO_THROW(spec = io::load_config(entry.path().string()));
            std::string d;
            ASSERT_NO_THROW(d = io::describe(spec));
            EXPECT_EQ(d.find("known once the file is read"), std::string::npos) << d;
            ++n;
        }
    EXPECT_GE(n, 2u);
    // The imported network: 25,000 edges shared out over four projections, drives balanced with
    // the file's in-degrees and weights.
    const auto spec = io::load_config((examples / "import" / "import.toml").string());
    const std::string d = io::describe(spec);
    EXPECT_NE(d.find("synapses 25,000"), std::string::npos) << d;
    EXPECT_NE(d.find("(from the balance condition at 2 Hz)"), std::string::npos) << d;
    // Its excitatory weights come from the file: the queue needs keys (the config alone cannot
    // tell, the file can).
    EXPECT_NE(d.find("(24 B each: state and queue key 16"), std::string::npos) << d;
}
