// Configuration parsing: examples, the mapping to network_spec, every class of error, --set
// overrides and describe().
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "sparsechaos/io/config.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/io/config_memory.hpp"
#include "sparsechaos/io/config_names.hpp"

namespace {

using namespace sparsechaos;
namespace fs = std::filesystem;

const fs::path examples_dir = fs::path(SPARSECHAOS_SOURCE_DIR) / "examples";

// A small valid network; error tests edit one line of it.
const std::string base_config = R"(
[simulation]
duration_ms = 100.0

[[population]]
name = "I"
size = 200
model = "lif"
drive = { balanced_rate_hz = 2.0 }

[[projection]]
pre = "I"
post = "I"
rule = "fixed_indegree"
indegree = 20
j0 = -1.0
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
    const auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << "test bug: '" << from << "' not in the config";
    if (pos != std::string::npos) text.replace(pos, from.size(), to);
    return text;
}

// Parses and expects a config_error whose message contains every one of `parts`.
void expect_error(const std::string& text, std::initializer_list<std::string> parts,
                  const io::config_overrides& overrides = {}) {
    try {
        io::parse_config(text, overrides);
    } catch (const io::config_error& e) {
        const std::string msg = e.what();
        for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
        return;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected io::config_error, got another exception: " << e.what();
        return;
    }
    ADD_FAILURE() << "expected io::config_error containing '" << *parts.begin() << "', but the config parsed";
}

bool has_model(std::string_view name) {
    const auto names = io::model_names();
    return std::find(names.begin(), names.end(), name) != names.end();
}

// The model called `name` with its default parameters.
std::optional<models::model> default_model(std::string_view name) {
    std::optional<models::model> m;
    io::for_each_model([&]<class M>(std::type_identity<M>) {
        if (io::model_info<M>::name == name) m = M{};
    });
    return m;
}

// ---- examples -------------------------------------------------------------------------------

TEST(ConfigExamples, EveryExampleParsesAndDescribes) {
    std::size_t n = 0;
    for (const auto& entry : fs::directory_iterator(examples_dir)) {
        if (entry.path().extension() != ".toml") continue;
        SCOPED_TRACE(entry.path().string());
        network::network_spec spec;
        ASSERT_NO_THROW(spec = io::load_config(entry.path().string()));
        EXPECT_FALSE(spec.populations.empty());
        EXPECT_NO_THROW(io::describe(spec));
        ++n;
    }
    EXPECT_GE(n, 4u);
}

TEST(ConfigExamples, BalancedLifIsTheSparsePropDefault) {
    const auto spec = io::load_config((examples_dir / "balanced_lif.toml").string());
    ASSERT_EQ(spec.populations.size(), 1u);
    const auto& p = spec.populations[0];
    EXPECT_EQ(p.name, "I");
    EXPECT_EQ(p.size, 100000u);
    ASSERT_TRUE(std::holds_alternative<models::lif>(p.model));
    EXPECT_EQ(std::get<models::lif>(p.model).tau_ms, 10.0);
    ASSERT_TRUE(p.drive.balanced_rate_hz);
    EXPECT_EQ(*p.drive.balanced_rate_hz, 1.0);
    ASSERT_EQ(spec.projections.size(), 1u);
    EXPECT_EQ(spec.projections[0].rule, network::connection_rule::fixed_indegree);
    EXPECT_EQ(spec.projections[0].degree, 100.0);
    EXPECT_EQ(spec.projections[0].j0, -1.0);
    // The balance condition gives I = 0.1 (see the example's header comment).
    EXPECT_NE(io::describe(spec).find("drive 0.1 (from the balance condition at 1 Hz)"), std::string::npos);
}

TEST(ConfigExamples, BalancedThetaUsesThetaNeurons) {
    const auto spec = io::load_config((examples_dir / "balanced_theta.toml").string());
    ASSERT_EQ(spec.populations.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<models::theta>(spec.populations[0].model));
    EXPECT_EQ(spec.populations[0].size, 100000u);
}

TEST(ConfigExamples, EiThetaHasEightyPercentExcitatoryAndFourProjections) {
    const auto spec = io::load_config((examples_dir / "ei_theta.toml").string());
    ASSERT_EQ(spec.populations.size(), 2u);
    EXPECT_EQ(spec.populations[0].name, "E");
    EXPECT_EQ(spec.populations[1].name, "I");
    EXPECT_EQ(spec.populations[0].size * 2, 8 * (spec.populations[0].size + spec.populations[1].size) / 5);
    EXPECT_EQ(spec.projections.size(), 4u);
    for (const auto& p : spec.populations) EXPECT_TRUE(std::holds_alternative<models::theta>(p.model));
}

TEST(ConfigExamples, SmallLifIsSmall) {
    const auto spec = io::load_config((examples_dir / "small_lif.toml").string());
    EXPECT_EQ(spec.populations.at(0).size, 1000u);
    EXPECT_EQ(spec.simulation.t_end_ms, 2000.0);
}

// ---- mapping to the spec --------------------------------------------------------------------

TEST(ConfigParse, EveryKeyReachesTheSpec) {
    const std::string text = R"(
[simulation]
duration_ms = 250          # an integer would do as well
seed = 42
connectivity = "procedural"
hold_kicks = "on"

[output]
spikes = false

[[population]]
name = "E_1"
size = 300
model = "theta"
tau_m_ms = 20.0
[population.drive]
value = 0.5
jitter = 0.25

[[population]]
name = "I"
size = 100
model = "lif"
drive = { value = 0.2 }

[[projection]]
pre = "E_1"
post = "I"
rule = "fixed_outdegree"
outdegree = 10
weight = 0.05
autapses = true
multapses = true

[[projection]]
pre = "I"
post = "E_1"
rule = "pairwise_bernoulli"
probability = 0.1
j0 = -3
)";
    const auto spec = io::parse_config(text);
    EXPECT_EQ(spec.simulation.t_end_ms, 250.0);
    EXPECT_EQ(spec.simulation.seed, 42u);
    EXPECT_EQ(spec.simulation.storage, network::connectivity_storage::procedural);
    EXPECT_EQ(spec.simulation.hold_kicks, network::kick_holding::on);
    EXPECT_FALSE(spec.output.spikes);
    ASSERT_EQ(spec.populations.size(), 2u);
    const auto& e = spec.populations[0];
    EXPECT_EQ(e.name, "E_1");
    EXPECT_EQ(e.size, 300u);
    ASSERT_TRUE(std::holds_alternative<models::theta>(e.model));
    EXPECT_EQ(std::get<models::theta>(e.model).tau_ms, 20.0);
    EXPECT_EQ(e.drive.value, 0.5);
    EXPECT_FALSE(e.drive.balanced_rate_hz);
    EXPECT_EQ(e.drive.jitter, 0.25);
    EXPECT_TRUE(std::holds_alternative<models::lif>(spec.populations[1].model));
    EXPECT_EQ(std::get<models::lif>(spec.populations[1].model).tau_ms, models::lif{}.tau_ms);
    ASSERT_EQ(spec.projections.size(), 2u);
    const auto& a = spec.projections[0];
    EXPECT_EQ(a.pre, "E_1");
    EXPECT_EQ(a.post, "I");
    EXPECT_EQ(a.rule, network::connection_rule::fixed_outdegree);
    EXPECT_EQ(a.degree, 10.0);
    EXPECT_EQ(a.weight, 0.05);
    EXPECT_FALSE(a.j0);
    EXPECT_TRUE(a.autapses);
    EXPECT_TRUE(a.multapses);
    const auto& b = spec.projections[1];
    EXPECT_EQ(b.rule, network::connection_rule::pairwise_bernoulli);
    EXPECT_EQ(b.probability, 0.1);
    EXPECT_EQ(b.j0, -3.0);
    EXPECT_FALSE(b.autapses);
    EXPECT_FALSE(b.multapses);
    EXPECT_EQ(spec.config_text, text);
}

TEST(ConfigParse, DefaultsApplyWhenKeysAreLeftOut) {
    const auto spec = io::parse_config(base_config);
    EXPECT_EQ(spec.simulation.seed, 1u);
    const auto no_simulation = io::parse_config(replace(base_config, "[simulation]\nduration_ms = 100.0", ""));
    EXPECT_EQ(no_simulation.simulation.t_end_ms, 1000.0);
    EXPECT_EQ(spec.simulation.storage, network::connectivity_storage::stored);
    EXPECT_TRUE(spec.output.spikes);
    EXPECT_EQ(spec.populations[0].drive.jitter, 0.0);
    EXPECT_FALSE(spec.projections[0].autapses);
    EXPECT_FALSE(spec.projections[0].multapses);
}

TEST(ConfigParse, ModelParametersOfNewModels) {
    if (has_model("rapid_theta")) {
        const auto spec = io::parse_config(replace(base_config, R"(model = "lif")",
                                                   "model = \"rapid_theta\"\nrapidness = 3.0"));
        const auto params = io::model_parameters(spec.populations[0].model);
        EXPECT_EQ(io::model_name(spec.populations[0].model), "rapid_theta");
        ASSERT_EQ(params.size(), 2u);
        EXPECT_EQ(params[1].first, "rapidness");
        EXPECT_EQ(params[1].second, 3.0);
        expect_error(replace(base_config, R"(model = "lif")", "model = \"rapid_theta\"\nrapidness = 0.5"),
                     {"population[0].rapidness", ">= 1"});
    }
    if (has_model("eif")) {
        // Only configs rejected before the network check: a valid eif config builds the model's
        // spike-time table, which is the eif tests' business (and slow).
        const auto params = io::model_parameters(*default_model("eif"));
        ASSERT_EQ(params.size(), 5u);
        EXPECT_EQ(params[1].first, "delta_t");
        EXPECT_EQ(params[4].first, "v_spike");
        expect_error(replace(base_config, R"(model = "lif")", "model = \"eif\"\ndelta_t = -1"),
                     {"population[0].delta_t"});
    }
    if (!has_model("rapid_theta") && !has_model("eif")) GTEST_SKIP() << "rapid_theta and eif not in this build";
}

// ---- errors ---------------------------------------------------------------------------------

TEST(ConfigErrors, SyntaxErrorGivesFileLineColumn) {
    const std::string text = "[simulation]\nduration_ms = 100.0\nseed = = 3\n";
    expect_error(text, {"config:3:", "syntax"});
    // load_config names the file.
    const fs::path path = fs::temp_directory_path() / "sparsechaos_test_config_syntax.toml";
    std::ofstream(path) << text;
    try {
        io::load_config(path.string());
        ADD_FAILURE() << "syntax error not detected";
    } catch (const io::config_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind(path.string() + ":3:", 0), 0u) << e.what();
    }
    fs::remove(path);
}

TEST(ConfigErrors, MissingFileNamesThePath) {
    try {
        io::load_config("/nonexistent/dir/net.toml");
        ADD_FAILURE() << "missing file not detected";
    } catch (const io::config_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/net.toml"), std::string::npos) << e.what();
    }
}

TEST(ConfigErrors, UnknownKeysAreNamedInFull) {
    expect_error(replace(base_config, "drive = {", "drvie = {"),
                 {"unknown key 'population[0].drvie'", "did you mean 'drive'"});
    expect_error(replace(base_config, "balanced_rate_hz", "balanced_rate"),
                 {"unknown key 'population[0].drive.balanced_rate'"});
    expect_error(replace(base_config, "duration_ms", "duration"), {"unknown key 'simulation.duration'"});
    expect_error(replace(base_config, "j0 =", "jo ="), {"unknown key 'projection[0].jo'"});
    expect_error(base_config + "\n[outptu]\nspikes = true\n", {"unknown key 'outptu'", "did you mean 'output'"});
    expect_error(base_config + "\n[output]\nspike = true\n", {"unknown key 'output.spike'"});
}

TEST(ConfigErrors, UnknownKeyErrorPointsAtTheLine) {
    // "drvie" is on line 9 of base_config (line 1 is the empty first line).
    expect_error(replace(base_config, "drive = {", "drvie = {"), {"config:9:"});
}

TEST(ConfigErrors, WrongTypesShowTheValue) {
    expect_error(replace(base_config, "size = 200", "size = \"abc\""),
                 {"population[0].size: expected an integer, got string \"abc\""});
    expect_error(replace(base_config, "size = 200", "size = 2e2"), {"population[0].size", "integer", "float"});
    expect_error(replace(base_config, "duration_ms = 100.0", "duration_ms = \"long\""),
                 {"simulation.duration_ms", "expected a number", "\"long\""});
    expect_error(replace(base_config, "name = \"I\"", "name = 7"), {"population[0].name", "expected a string", "7"});
    expect_error(base_config + "autapses = 1\n", {"projection[0].autapses", "boolean", "integer 1"});
    expect_error(replace(base_config, "[simulation]\nduration_ms = 100.0", "simulation = 3"),
                 {"simulation", "expected a table"});
    expect_error(replace(base_config, "drive = { balanced_rate_hz = 2.0 }", "drive = 0.1"),
                 {"population[0].drive", "expected a table", "float 0.1"});
    expect_error(replace(base_config, "duration_ms = 100.0", "duration_ms = inf"),
                 {"simulation.duration_ms", "finite"});
}

TEST(ConfigErrors, SizesAndRangesAreChecked) {
    expect_error(replace(base_config, "size = 200", "size = -5"), {"population[0].size", "> 0", "-5"});
    expect_error(replace(base_config, "size = 200", "size = 0"), {"population[0].size", "> 0"});
    expect_error(replace(base_config, "duration_ms = 100.0", "duration_ms = 0"), {"simulation.duration_ms", "> 0"});
    expect_error(replace(base_config, "duration_ms = 100.0", "duration_ms = 1\nseed = -1"), {"simulation.seed"});
    expect_error(replace(base_config, "indegree = 20", "indegree = -20"), {"projection[0].indegree", ">= 0"});
    expect_error(replace(base_config, "balanced_rate_hz = 2.0", "balanced_rate_hz = 0"),
                 {"population[0].drive.balanced_rate_hz", "> 0"});
    expect_error(replace(base_config, "balanced_rate_hz = 2.0", "value = -0.1"), {"population[0].drive.value", "> 0"});
    expect_error(replace(base_config, "balanced_rate_hz = 2.0", "balanced_rate_hz = 2.0, jitter = 1.0"),
                 {"population[0].drive.jitter", "[0, 1)"});
    expect_error(replace(base_config, "model = \"lif\"", "model = \"lif\"\ntau_m_ms = -10"),
                 {"population[0].tau_m_ms", "> 0"});
    expect_error(replace(replace(base_config, "fixed_indegree", "pairwise_bernoulli"), "indegree = 20",
                         "probability = 1.5"),
                 {"projection[0].probability", "[0, 1]"});
}

TEST(ConfigErrors, BadEnumValuesListTheAllowedOnes) {
    expect_error(replace(base_config, "model = \"lif\"", "model = \"hodgkin_huxley\""),
                 {"population[0].model", "\"hodgkin_huxley\"", "lif, theta"});
    expect_error(replace(base_config, "fixed_indegree", "fixed_in_degree"),
                 {"projection[0].rule", "\"fixed_in_degree\"", "fixed_indegree, fixed_outdegree, pairwise_bernoulli"});
    expect_error(replace(base_config, "duration_ms = 100.0", "duration_ms = 1\nconnectivity = \"lazy\""),
                 {"simulation.connectivity", "\"lazy\"", "stored, procedural"});
    expect_error(replace(base_config, "duration_ms = 100.0", "duration_ms = 1\nhold_kicks = true"),
                 {"simulation.hold_kicks", "string"});
    expect_error(replace(base_config, "duration_ms = 100.0", "duration_ms = 1\nhold_kicks = \"always\""),
                 {"simulation.hold_kicks", "\"always\"", "auto, on, off"});
}

TEST(ConfigErrors, MissingRequiredKeys) {
    expect_error(replace(base_config, "name = \"I\"", ""), {"population[0]", "missing required key 'name'"});
    expect_error(replace(base_config, "size = 200", ""), {"population[0]", "missing required key 'size'"});
    expect_error(replace(base_config, "model = \"lif\"", ""), {"population[0]", "missing required key 'model'"});
    expect_error(replace(base_config, "drive = { balanced_rate_hz = 2.0 }", ""), {"population[0]", "'drive'"});
    expect_error(replace(base_config, "balanced_rate_hz = 2.0", ""), {"population[0].drive", "balanced_rate_hz"});
    expect_error(replace(base_config, "rule = \"fixed_indegree\"", ""), {"projection[0]", "missing required key 'rule'"});
    expect_error(replace(base_config, "indegree = 20", ""), {"projection[0]", "missing required key 'indegree'"});
    expect_error(replace(base_config, "j0 = -1.0", ""), {"projection[0]", "'j0'", "'weight'"});
    expect_error(replace(base_config, "pre = \"I\"", ""), {"projection[0]", "missing required key 'pre'"});
    const auto no_population = base_config.substr(0, base_config.find("[[population]]"));
    expect_error(no_population, {"population"});
}

TEST(ConfigErrors, ExactlyOneOfTwoAlternatives) {
    expect_error(replace(base_config, "balanced_rate_hz = 2.0", "balanced_rate_hz = 2.0, value = 0.1"),
                 {"population[0].drive", "not both"});
    expect_error(replace(base_config, "j0 = -1.0", "j0 = -1.0\nweight = -0.1"), {"projection[0]", "not both"});
}

TEST(ConfigErrors, DuplicateAndInvalidPopulationNames) {
    const std::string two = base_config + R"(
[[population]]
name = "I"
size = 10
model = "theta"
drive = { value = 0.1 }
)";
    expect_error(two, {"population[1].name", "duplicate", "\"I\""});
    expect_error(replace(base_config, "name = \"I\"", "name = \"I-1\""), {"population[0].name", "I-1"});
    expect_error(replace(base_config, "name = \"I\"", "name = \"\""), {"population[0].name"});
}

TEST(ConfigErrors, ProjectionNamingAnUnknownPopulation) {
    expect_error(replace(base_config, "pre = \"I\"", "pre = \"X\""), {"projection[0].pre", "\"X\"", "I"});
    expect_error(replace(base_config, "post = \"I\"", "post = \"Y\""), {"projection[0].post", "\"Y\""});
}

TEST(ConfigErrors, KeysOfAnotherModelOrRule) {
    // rapidness belongs to rapid_theta only: on a lif population it is rejected by name, whether or
    // not rapid_theta is part of this build.
    expect_error(replace(base_config, "model = \"lif\"", "model = \"lif\"\nrapidness = 2.0"),
                 {"population[0].rapidness"});
    if (has_model("rapid_theta"))
        expect_error(replace(base_config, "model = \"lif\"", "model = \"lif\"\nrapidness = 2.0"),
                     {"population[0].rapidness", "not a parameter of model 'lif'"});
    if (has_model("eif"))
        expect_error(replace(base_config, "model = \"lif\"", "model = \"theta\"\nv_t = 0.5"),
                     {"population[0].v_t", "not a parameter of model 'theta'"});
    expect_error(replace(base_config, "indegree = 20", "indegree = 20\noutdegree = 20"),
                 {"projection[0].outdegree", "not used by rule 'fixed_indegree'"});
    expect_error(replace(base_config, "indegree = 20", "indegree = 20\nprobability = 0.1"),
                 {"projection[0].probability", "not used by rule 'fixed_indegree'"});
}

TEST(ConfigErrors, NetworkChecksRunAtParseTime) {
    // In-degree beyond the 199 other neurons of the population (resolve_projections).
    expect_error(replace(base_config, "indegree = 20", "indegree = 500"), {"projection[0].indegree", "500"});
    // fixed_indegree cannot be generated procedurally.
    expect_error(replace(base_config, "duration_ms = 100.0", "duration_ms = 100.0\nconnectivity = \"procedural\""),
                 {"projection[0]", "procedural"});
    // Net excitatory recurrence has no balanced drive > 0 (population_drives).
    expect_error(replace(base_config, "j0 = -1.0", "j0 = 1.0"), {"population 'I'", "balanced_rate_hz", "<= 0"});
    // A balanced population needs the rates of its sources.
    const std::string two = base_config + R"(
[[population]]
name = "X"
size = 50
model = "theta"
drive = { value = 0.1 }

[[projection]]
pre = "X"
post = "I"
rule = "fixed_indegree"
indegree = 5
weight = -0.1
)";
    expect_error(two, {"population 'I'", "'X'"});
}

// ---- overrides ------------------------------------------------------------------------------

TEST(ConfigOverrides, SimulationKeys) {
    const auto spec = io::parse_config(base_config, {"simulation.duration_ms=500", "simulation.seed = 7"});
    EXPECT_EQ(spec.simulation.t_end_ms, 500.0);
    EXPECT_EQ(spec.simulation.seed, 7u);
}

TEST(ConfigOverrides, PopulationByNameAndByIndex) {
    const auto by_name = io::parse_config(base_config, {"population.I.size=1000"});
    const auto by_index = io::parse_config(base_config, {"population[0].size=1000"});
    EXPECT_EQ(by_name.populations[0].size, 1000u);
    EXPECT_EQ(by_index.populations[0].size, 1000u);
    const auto by_bracket_name = io::parse_config(base_config, {"population[I].size=1000"});
    EXPECT_EQ(by_bracket_name.populations[0].size, 1000u);
    const auto model = io::parse_config(base_config, {"population.I.model=\"theta\"", "population[0].tau_m_ms=5"});
    ASSERT_TRUE(std::holds_alternative<models::theta>(model.populations[0].model));
    EXPECT_EQ(std::get<models::theta>(model.populations[0].model).tau_ms, 5.0);
}

TEST(ConfigOverrides, ProjectionByIndex) {
    const auto spec = io::parse_config(base_config, {"projection[0].j0=-2"});
    EXPECT_EQ(spec.projections[0].j0, -2.0);
}

TEST(ConfigOverrides, ValuesAreTomlAndBareWordsAreStrings) {
    const auto spec = io::parse_config(replace(base_config, "indegree = 20", "outdegree = 20"),
                                       {"output.spikes=false", "projection[0].rule=\"fixed_outdegree\"",
                                        "simulation.connectivity=procedural", "population.I.drive.jitter=0.5"});
    EXPECT_FALSE(spec.output.spikes);
    EXPECT_EQ(spec.projections[0].rule, network::connection_rule::fixed_outdegree);
    EXPECT_EQ(spec.simulation.storage, network::connectivity_storage::procedural);
    EXPECT_EQ(spec.populations[0].drive.jitter, 0.5);
}

TEST(ConfigOverrides, CreateMissingTablesAndLaterOnesWin) {
    // [output] is absent from base_config.
    const auto spec = io::parse_config(base_config, {"output.spikes=false", "output.spikes=true",
                                                     "population[0].drive={ value = 0.3 }"});
    EXPECT_TRUE(spec.output.spikes);
    EXPECT_EQ(spec.populations[0].drive.value, 0.3);
    EXPECT_FALSE(spec.populations[0].drive.balanced_rate_hz);
}

TEST(ConfigOverrides, ErrorsNameTheOverride) {
    expect_error(base_config, {"--set population[0].drvie=1", "unknown key 'population[0].drvie'"},
                 {"population[0].drvie=1"});
    expect_error(base_config, {"unknown key 'population[0].drvie'"}, {"population.I.drvie=1"});
    expect_error(base_config, {"unknown key 'simulation.length'"}, {"simulation.length=1"});
    expect_error(base_config, {"unknown key 'layers'"}, {"layers.x=1"});
    expect_error(base_config, {"no population named 'Q'", "I"}, {"population.Q.size=1"});
    expect_error(base_config, {"no population named 'Q'", "I"}, {"population[Q].size=1"});
    expect_error(base_config, {"projection[3]", "does not exist"}, {"projection[3].j0=1"});
    expect_error(base_config, {"projection[0]"}, {"projection.I.j0=1"});
    expect_error(base_config, {"dotted.key=value"}, {"simulation.duration_ms"});
    expect_error(base_config, {"--set population[0].size=[1,", "not valid TOML"}, {"population[0].size=[1,"});
    // Type errors in an overridden value point at the override, not at a line of the file.
    expect_error(base_config, {"--set population.I.size=abc: population[0].size: expected an integer, got string \"abc\""},
                 {"population.I.size=abc"});
    expect_error(base_config, {"--set projection[0].weight=-0.1", "projection[0]", "not both"},
                 {"projection[0].weight=-0.1"});
}

// A projection's rule switched from the command line: the whole element replaced by an inline
// table, or the rule changed and the old rule's key removed (overrides apply in order).
TEST(ConfigOverrides, WholeTablesAndRemovedKeys) {
    const auto replaced = io::parse_config(
        base_config, {"projection[0]={pre = \"I\", post = \"I\", rule = \"pairwise_bernoulli\", probability = 0.25, j0 = -1.0}"});
    ASSERT_EQ(replaced.projections.size(), 1u);
    EXPECT_EQ(replaced.projections[0].rule, network::connection_rule::pairwise_bernoulli);
    EXPECT_EQ(replaced.projections[0].probability, 0.25);
    const auto switched = io::parse_config(
        base_config, {"projection[0].rule=pairwise_bernoulli", io::config_override::unset("projection[0].indegree"),
                      "projection[0].probability=0.25"});
    EXPECT_EQ(switched.projections[0].rule, network::connection_rule::pairwise_bernoulli);
    EXPECT_EQ(switched.projections[0].probability, 0.25);
    // Removing an element of an array of tables, and a key of a table.
    const auto two = replace(base_config, "j0 = -1.0", "j0 = -1.0\n[[projection]]\npre = \"I\"\npost = \"I\"\n"
                                                       "rule = \"fixed_indegree\"\nindegree = 5\nj0 = -0.5");
    ASSERT_EQ(io::parse_config(two).projections.size(), 2u);
    const auto one = io::parse_config(two, {io::config_override::unset("projection[0]")});
    ASSERT_EQ(one.projections.size(), 1u);
    EXPECT_EQ(one.projections[0].degree, 5.0);
    const auto set_then_removed =
        io::parse_config(base_config, {"population.I.drive.jitter=0.2", io::config_override::unset("population.I.drive.jitter")});
    EXPECT_EQ(set_then_removed.populations[0].drive.jitter, 0.0);
}

TEST(ConfigOverrides, WholeTableAndRemovalErrors) {
    // The same validation as the file: a replaced table lacking a key, a removed key a rule needs.
    expect_error(base_config, {"--set projection[0]={pre = \"I\", post = \"I\", j0 = -1.0}", "missing required key"},
                 {"projection[0]={pre = \"I\", post = \"I\", j0 = -1.0}"});
    expect_error(base_config, {"--unset projection[0].indegree", "missing required key 'indegree'"},
                 {io::config_override::unset("projection[0].indegree")});
    expect_error(base_config, {"--set projection[0]=5", "'projection[0]' is a table", "inline table"},
                 {"projection[0]=5"});
    expect_error(base_config, {"--unset projection[0].probability", "'projection[0].probability' is not in the configuration"},
                 {io::config_override::unset("projection[0].probability")});
    expect_error(base_config, {"--unset projection[0].j0=1", "without a value"},
                 {io::config_override::unset("projection[0].j0=1")});
    expect_error(base_config, {"--unset projection[2]", "does not exist"}, {io::config_override::unset("projection[2]")});
    expect_error(base_config, {"--unset simulation.lenght", "unknown key 'simulation.lenght'"},
                 {io::config_override::unset("simulation.lenght")});
}

TEST(ConfigOverrides, ConfigTextRecordsThem) {
    const auto plain = io::parse_config(base_config);
    EXPECT_EQ(plain.config_text, base_config);
    const auto spec = io::parse_config(base_config, {"simulation.duration_ms=500", "population.I.size=1000"});
    EXPECT_EQ(spec.config_text.rfind(base_config, 0), 0u);
    EXPECT_NE(spec.config_text.find("# --set overrides"), std::string::npos);
    EXPECT_NE(spec.config_text.find("#   --set simulation.duration_ms=500\n#   --set population.I.size=1000\n"),
              std::string::npos);
    // The recorded text with its overrides as comments reproduces the unmodified file.
    EXPECT_EQ(io::parse_config(spec.config_text).populations[0].size, 200u);
    const auto unset = io::parse_config(base_config, {io::config_override::unset("population.I.drive"),
                                                      "population.I.drive.value=0.5"});
    EXPECT_NE(unset.config_text.find("# --set and --unset overrides applied"), std::string::npos);
    EXPECT_NE(unset.config_text.find("#   --unset population.I.drive\n#   --set population.I.drive.value=0.5\n"),
              std::string::npos);
}

// ---- describe -------------------------------------------------------------------------------

TEST(ConfigDescribe, MentionsPopulationsSynapsesAndMemory) {
    const auto spec = io::load_config((examples_dir / "ei_theta.toml").string());
    const std::string d = io::describe(spec);
    for (const auto& p : spec.populations) EXPECT_NE(d.find("  " + p.name + ": "), std::string::npos) << d;
    EXPECT_NE(d.find("E -> I"), std::string::npos) << d;
    EXPECT_NE(d.find("I -> E"), std::string::npos) << d;
    // K = 100 from E and 100 from I for each of the 50,000 neurons.
    ASSERT_EQ(spec.populations[0].size + spec.populations[1].size, 50000u);
    EXPECT_NE(d.find("synapses 10,000,000"), std::string::npos) << d;
    EXPECT_NE(d.find("MiB"), std::string::npos) << d;
    EXPECT_NE(d.find("theta"), std::string::npos) << d;
    EXPECT_NE(d.find("not available (projection[0] uses fixed_indegree)"), std::string::npos) << d;
}

TEST(ConfigDescribe, MemoryEstimateOfTheSparsePropDefault) {
    const auto d = io::describe(io::load_config((examples_dir / "balanced_lif.toml").string()));
    EXPECT_NE(d.find("synapses 10,000,000"), std::string::npos) << d;
    // Inhibition only, so no queue keys. Neurons: 16 B * 1e5 = 1.53 MiB; synapses: 4e7 B +
    // 8 (1e5 + 1) B = 38.9 MiB; total 40.4 MiB.
    EXPECT_NE(d.find("neurons: 1.53 MiB (16 B each: state 8 (inhibition only"), std::string::npos) << d;
    EXPECT_NE(d.find("stored connectivity: 38.9 MiB"), std::string::npos) << d;
    EXPECT_NE(d.find("total 40.4 MiB  [selected]"), std::string::npos) << d;
    EXPECT_NE(d.find("spikes expected at the balanced rates over 10000 ms: 1,000,000"), std::string::npos) << d;
}

TEST(ConfigDescribe, ProceduralFigureWithoutSynapseMemory) {
    const auto spec = io::parse_config(replace(base_config, "indegree = 20", "outdegree = 20"),
                                       {"projection[0].rule=fixed_outdegree", "simulation.connectivity=procedural",
                                        "population.I.drive.jitter=0.1"});
    const auto d = io::describe(spec);
    // 200 inhibitory neurons with jitter: 16 B + one LIF neuron struct (32 B) each = 9600 B = 9.38 KiB.
    EXPECT_NE(d.find("procedural connectivity: no synapse memory -> total 9.38 KiB  [selected]"), std::string::npos)
        << d;
    EXPECT_NE(d.find("fixed_outdegree 20 (mean in-degree K = 20)"), std::string::npos) << d;
    EXPECT_NE(d.find("jitter ±10 %"), std::string::npos) << d;
}

TEST(ConfigDescribe, DelaysAndPoissonInput) {
    const auto spec = io::parse_config(base_config, {"projection[0].delay_ms=0.5", "projection[0].delay_max_ms=2",
                                                     "population.I.poisson.rate_hz=800",
                                                     "population.I.poisson.weight=-0.01"});
    const auto d = io::describe(spec);
    EXPECT_NE(d.find("delays uniform in [0.5, 2] ms"), std::string::npos) << d;
    EXPECT_NE(d.find("mode: delays >= 0.5 ms"), std::string::npos) << d;
    EXPECT_NE(d.find("Poisson input 800 Hz per neuron, weight -0.01 (inhibitory)"), std::string::npos) << d;
    EXPECT_NE(io::describe(io::parse_config(base_config)).find("mode: zero delay"), std::string::npos);
    EXPECT_EQ(spec.projections[0].delay_ms, 0.5);
    EXPECT_EQ(spec.projections[0].delay_max_ms, 2.0);
}

TEST(ConfigDescribe, MemoryEstimateWithPoissonAndSynapseDelays) {
    const auto spec = io::load_config((examples_dir / "small_lif.toml").string(),
                                      {"population.I.size=20000", "projection[0].delay_ms=1",
                                       "projection[0].delay_max_ms=3", "population.I.poisson.rate_hz=100",
                                       "population.I.poisson.weight=-0.01"});
    const auto estimate = io::estimate_memory(spec);
    const auto actual = engine::simulation(network::build_local_graph(spec)).memory();
    EXPECT_NEAR(double(actual.synapse_bytes), estimate.stored_synapse_bytes, 0.01 * estimate.stored_synapse_bytes);
    EXPECT_NEAR(double(actual.neuron_bytes), estimate.neuron_bytes, 0.2 * estimate.neuron_bytes);
}

// The estimate follows the engine's data layout: compare with what a built network holds.
// With excitation the queue keeps a key per neuron: the estimate grows by 8 B per neuron with it.
TEST(ConfigDescribe, MemoryEstimateWithExcitationCountsQueueKeys) {
    const auto spec = io::load_config((examples_dir / "ei_theta.toml").string(),
                                      {"population.E.size=16000", "population.I.size=4000"});
    const auto estimate = io::estimate_memory(spec);
    const auto actual = engine::simulation(network::build_local_graph(spec)).memory();
    EXPECT_NEAR(double(actual.neuron_bytes), estimate.neuron_bytes, 0.2 * estimate.neuron_bytes);
    EXPECT_NE(io::describe(spec).find("(24 B each: state and queue key 16"), std::string::npos);
}

TEST(ConfigDescribe, MemoryEstimateMatchesTheEngine) {
    for (const std::string jitter : {"0.0", "0.2"}) {
        SCOPED_TRACE("jitter " + jitter);
        const auto spec = io::load_config((examples_dir / "small_lif.toml").string(),
                                          {"population.I.size=20000", "population.I.drive.jitter=" + jitter});
        const auto estimate = io::estimate_memory(spec);
        const engine::simulation sim(network::build_local_graph(spec));
        const auto actual = sim.memory();
        EXPECT_EQ(double(actual.synapses), estimate.synapses);
        EXPECT_NEAR(double(actual.synapse_bytes), estimate.stored_synapse_bytes, 0.01 * estimate.stored_synapse_bytes);
        if (jitter == "0.0") {
            EXPECT_NEAR(double(actual.neuron_bytes), estimate.neuron_bytes, 0.2 * estimate.neuron_bytes);
        } else {
            // The engine grows the per-neuron constants by push_back, so their capacity may reach
            // twice the need: allow that much on top of the estimate.
            const double constants = 20000.0 * sizeof(models::lif::neuron);
            EXPECT_GE(double(actual.neuron_bytes), 0.9 * estimate.neuron_bytes);
            EXPECT_LE(double(actual.neuron_bytes), 1.1 * estimate.neuron_bytes + constants);
        }
    }
}

}  // namespace
