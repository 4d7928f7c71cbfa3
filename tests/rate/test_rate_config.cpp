// Reading rate-network configurations: the example, defaults, --set overrides, and errors that
// name their key and where the value came from. Pure parsing (no MPI needed), run with the
// other rate tests.
#include <gtest/gtest.h>

#include <string>

#include "sparsechaos/io/rate_config.hpp"

namespace io = sparsechaos::io;
namespace rate = sparsechaos::rate;

namespace {

// The message of the config_error that parsing `text` throws ("" if none).
std::string error_of(const std::string& text, const io::config_overrides& overrides = {}) {
    try {
        io::parse_rate_config(text, overrides, "test.toml");
    } catch (const io::config_error& e) {
        return e.what();
    }
    return "";
}

const std::string minimal = "[rate_network]\nsize = 100\n";

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST(RateConfig, ReadsTheExample) {
    const auto spec = io::load_rate_config(std::string(SPARSECHAOS_SOURCE_DIR) + "/examples/rate/gaussian_g4.toml");
    EXPECT_EQ(spec.coupling.size, 200u);
    EXPECT_EQ(spec.coupling.kind, rate::coupling_kind::gaussian);
    EXPECT_EQ(spec.coupling.g, 4.0);
    EXPECT_EQ(spec.phi, rate::transfer_function::tanh);
    EXPECT_EQ(spec.integrator, rate::integrator_kind::euler);
    EXPECT_EQ(spec.dt, 0.1);
    ASSERT_TRUE(spec.lyapunov);
    EXPECT_EQ(spec.lyapunov->exponents, 0u);  // "all"
    EXPECT_EQ(spec.lyapunov->orthonormalize_every, 10u);
    EXPECT_FALSE(spec.config_text.empty());
}

TEST(RateConfig, DefaultsAndEveryKey) {
    const auto d = io::parse_rate_config(minimal);
    EXPECT_EQ(d.coupling.kind, rate::coupling_kind::gaussian);
    EXPECT_EQ(d.coupling.resolved_storage(), rate::storage_kind::dense);
    EXPECT_EQ(d.time, rate::time_kind::continuous);
    EXPECT_FALSE(d.lyapunov);
    EXPECT_EQ(d.input.kind, rate::input_kind::none);

    const auto s = io::parse_rate_config(R"(
[rate_network]
size = 500
coupling = "balanced"
excitatory_fraction = 0.75
indegree = 40
j0 = 2.0
inhibition_ratio = 3.0
storage = "dense"
phi = "threshold_linear"
integrator = "rk4"
dt = 0.05
duration = 50
tau_ms = 20
seed = 9
initial_std = 0.5
record_every = 0
[rate_network.input]
kind = "ou"
amplitude = 0.3
correlation_time = 2.5
bias = 0.2
[lyapunov]
exponents = 10
warmup = 5
ons_warmup = 5
orthonormalize_every = 4
method = "cgs"
seed = 4
local_exponents = 2
)");
    EXPECT_EQ(s.coupling.kind, rate::coupling_kind::balanced);
    EXPECT_EQ(s.coupling.excitatory_units(), 375u);
    EXPECT_EQ(s.coupling.excitatory_indegree(), 30u);
    EXPECT_EQ(s.coupling.resolved_storage(), rate::storage_kind::dense);
    EXPECT_EQ(s.phi, rate::transfer_function::threshold_linear);
    EXPECT_EQ(s.integrator, rate::integrator_kind::rk4);
    EXPECT_EQ(s.steps_for(s.duration), 1000u);
    EXPECT_EQ(s.input.kind, rate::input_kind::ou);
    EXPECT_EQ(s.input.seed, 9u);  // the network's seed unless given
    EXPECT_EQ(s.input.correlation_time, 2.5);
    ASSERT_TRUE(s.lyapunov);
    EXPECT_EQ(s.lyapunov->method, sparsechaos::tangent::orthogonalization::cgs_refined);
    EXPECT_EQ(s.lyapunov->exponents, 10u);
}

TEST(RateConfig, DescribesTheRun) {
    const auto spec = io::load_rate_config(std::string(SPARSECHAOS_SOURCE_DIR) + "/examples/rate/gaussian_g4.toml");
    const std::string d = io::describe_rate(spec);
    for (const char* part : {"N = 200 units", "phi = tanh", "euler, dt = 0.1 tau", "gaussian, g = 4, J_ii = 0",
                             "storage: dense", "input: none", "10400 steps", "lyapunov: 200 exponents",
                             "QR every 10 steps (tsqr)"})
        EXPECT_TRUE(contains(d, part)) << "\"" << part << "\" not in:\n" << d;
}

TEST(RateConfig, TellsRateFromSpikingConfigs) {
    EXPECT_TRUE(io::is_rate_config(toml::parse(minimal)));
    EXPECT_FALSE(io::is_rate_config(toml::parse("[[population]]\nname = \"e\"\n")));
    EXPECT_TRUE(io::is_rate_config_file(std::string(SPARSECHAOS_SOURCE_DIR) + "/examples/rate/gaussian_g4.toml"));
    EXPECT_FALSE(io::is_rate_config_file(std::string(SPARSECHAOS_SOURCE_DIR) + "/examples/lyapunov_theta.toml"));
    EXPECT_FALSE(io::is_rate_config_file("/nonexistent/rate.toml"));
}

TEST(RateConfig, OverridesApplyAndAreRecorded) {
    const auto s = io::parse_rate_config(minimal, {"rate_network.g=3", "rate_network.input.kind=common_sine",
                                                   "rate_network.input.amplitude=0.5", "lyapunov.exponents=7"});
    EXPECT_EQ(s.coupling.g, 3.0);
    EXPECT_EQ(s.input.kind, rate::input_kind::common_sine);
    ASSERT_TRUE(s.lyapunov);
    EXPECT_EQ(s.lyapunov->exponents, 7u);
    EXPECT_TRUE(contains(s.config_text, "#   --set rate_network.g=3"));
    // A whole table replaced, then a key of it removed again (in order).
    const auto t = io::parse_rate_config(minimal, {"rate_network.input={kind=\"common_sine\", amplitude=0.5}",
                                                   io::config_override::unset("rate_network.input.amplitude")});
    EXPECT_EQ(t.input.kind, rate::input_kind::common_sine);
    EXPECT_EQ(t.input.amplitude, io::parse_rate_config(minimal, {"rate_network.input.kind=common_sine"}).input.amplitude);
}

TEST(RateConfig, ErrorsNameTheirKeys) {
    struct error_case {
        std::string text;
        std::string expected;
    };
    const std::vector<error_case> cases{
        {"[rate_network]\nsize = 100\ng = -1\n", "test.toml:3:5: rate_network.g: must be > 0, got -1"},
        {"[rate_network]\nsize = 100\ngain = 2\n", "rate_network.gain: unknown key; allowed here: size"},
        {"[rate_network]\ng = 2\n", "rate_network.size: missing required key"},
        {"[rate_network]\nsize = \"big\"\n", "rate_network.size: expected an integer, got \"big\""},
        {"[rate_network]\nsize = 0\n", "rate_network.size: must be in [1, 2^31 - 1], got 0"},
        {"[rate_network]\nsize = 100\ncoupling = \"balanced\"\nindegree = 10\ng = 2\n",
         "rate_network.g: not used by coupling = \"balanced\""},
        {"[rate_network]\nsize = 100\nindegree = 10\n", "rate_network.indegree: not used by coupling = \"gaussian\""},
        {"[rate_network]\nsize = 100\nj0 = -1\n", "rate_network.j0: must be >= 0 (the mean coupling is -j0/sqrt(N)), got -1"},
        {"[rate_network]\nsize = 20\ncoupling = \"balanced\"\nindegree = 30\n", "rate_network.indegree: indegree K = 30"},
        {"[rate_network]\nsize = 100\ncoupling = \"balanced\"\nexcitatory_fraction = 1.2\n",
         "rate_network.excitatory_fraction: must be in (0, 1), got 1.2"},
        {"[rate_network]\nsize = 100\nphi = \"sigmoid\"\n",
         "rate_network.phi: unknown value \"sigmoid\"; allowed: tanh, relu, threshold_linear"},
        {"[rate_network]\nsize = 100\ndt = 1.5\n", "rate_network.dt: must be in (0, 1) for the Euler map"},
        {"[rate_network]\nsize = 100\ntime = \"discrete\"\ndt = 0.1\n", "rate_network.dt: not used by time = \"discrete\""},
        {"[rate_network]\nsize = 100\ntime = \"discrete\"\nintegrator = \"rk4\"\n",
         "rate_network.integrator: not used by time = \"discrete\""},
        {"[rate_network]\nsize = 100\ntau_ms = 0\n", "rate_network.tau_ms: must be > 0, got 0"},
        {"[rate_network]\nsize = 100\n[rate_network.input]\namplitude = 1\n",
         "rate_network.input.amplitude: not used by kind = \"none\""},
        {"[rate_network]\nsize = 100\n[rate_network.input]\nkind = \"common_sine\"\nfrequency = 0\n",
         "rate_network.input.frequency: must be > 0 (cycles per tau), got 0"},
        {"[rate_network]\nsize = 100\n[rate_network.input]\nkind = \"ou\"\nfrequency = 1\n",
         "rate_network.input.frequency: not used by kind = \"ou\""},
        {"[rate_network]\nsize = 100\n[rate_network.input]\nkind = \"noise\"\n", "rate_network.input.kind: unknown value \"noise\""},
        {"[rate_network]\nsize = 100\n[lyapunov]\nexponents = 101\n", "lyapunov.exponents: must be in [1, N = 100]"},
        {"[rate_network]\nsize = 100\n[lyapunov]\nexponents = \"some\"\n", "lyapunov.exponents: expected an integer m >= 1 or \"all\""},
        {"[rate_network]\nsize = 100\n[lyapunov]\nmethod = \"cholesky\"\n", "lyapunov.method: unknown value \"cholesky\"; allowed: tsqr, cgs"},
        {"[rate_network]\nsize = 100\n[lyapunov]\northonormalize_every = 0\n", "lyapunov.orthonormalize_every: must be >= 1"},
        {"[rate_network]\nsize = 100\nduration = 100\n[lyapunov]\nwarmup = 60\nons_warmup = 40\n",
         "lyapunov: warmup + ons_warmup = 100 leaves no measuring time within rate_network.duration = 100"},
        {"[rate_network]\nsize = 100\n[lyapunov]\nwarmup_ms = 3\n", "lyapunov.warmup_ms: unknown key"},
        {"[simulation]\nduration_ms = 5\n", "simulation: unknown key; allowed here: rate_network, lyapunov"},
        {"[rate_network\n", "test.toml:1:"},
    };
    for (const auto& c : cases) {
        const std::string e = error_of(c.text);
        EXPECT_TRUE(contains(e, c.expected)) << "expected \"" << c.expected << "\" in \"" << e << "\"";
    }
}

TEST(RateConfig, OverrideErrorsNameTheOverride) {
    EXPECT_TRUE(contains(error_of(minimal, {"rate_network.g=-2"}),
                         "--set rate_network.g=-2: rate_network.g: must be > 0, got -2"));
    EXPECT_TRUE(contains(error_of(minimal, {"rate_network.gain=2"}), "--set rate_network.gain=2: unknown key 'rate_network.gain'"));
    EXPECT_TRUE(contains(error_of(minimal, {"rate_network.input=3"}),
                         "--set rate_network.input=3: rate_network.input: expected a table, got 3"));
    // A whole table from the command line is checked like the file's.
    EXPECT_TRUE(contains(error_of(minimal, {"rate_network.input={kind=\"common_sine\", period=10}"}),
                         "rate_network.input.period: unknown key"));
    EXPECT_TRUE(contains(error_of(minimal, {io::config_override::unset("rate_network.gain")}),
                         "--unset rate_network.gain: unknown key 'rate_network.gain'"));
    EXPECT_TRUE(contains(error_of(minimal, {"rate_network.g"}), "expected dotted.key=value"));
    EXPECT_TRUE(contains(error_of(minimal, {"rate_network.phi=sigmoid"}),
                         "--set rate_network.phi=sigmoid: rate_network.phi: unknown value \"sigmoid\""));
}

TEST(RateConfig, MissingFileNamesThePath) {
    try {
        io::load_rate_config("/nonexistent/rate.toml");
        FAIL() << "no error";
    } catch (const io::config_error& e) {
        EXPECT_TRUE(contains(e.what(), "cannot open config file '/nonexistent/rate.toml' (no such file)")) << e.what();
    }
}
