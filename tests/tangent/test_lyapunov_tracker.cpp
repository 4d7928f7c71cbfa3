// Lyapunov spectra of spiking networks from the tangent dynamics (docs/design.md, "Tangent dynamics"): the identities every
// implementation must satisfy, a twin-trajectory check, and the same spectrum on any number of
// ranks. Runs under mpiexec at 1, 2 and 3 ranks.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "spike_recorder.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/parallel/context.hpp"
#include "sparsechaos/network/standard_networks.hpp"
#include "sparsechaos/tangent/lyapunov_tracker.hpp"

namespace sc = sparsechaos;
using test_support::spike_recorder;
namespace net = sparsechaos::network;

namespace {

struct spectrum {
    std::vector<double> lambda;  // descending
    double contraction = 0.0;
    std::uint64_t spikes = 0;
    std::vector<std::uint64_t> intervals;
    std::vector<double> conditions;
    std::uint64_t qr_steps = 0, cholesky_passes = 0, shifted = 0, householder = 0, between = 0;
};

struct run_options {
    double warmup_ms = 500.0, ons_warmup_ms = 1000.0, measure_ms = 10000.0;
    std::int64_t exponents = 0;  // 0: all
    std::uint64_t every = 50;    // 0: automatic
    sc::tangent::row_layout layout = sc::tangent::row_layout::neuron_major;
    sc::tangent::orthogonalization method = sc::tangent::orthogonalization::cholesky_qr2;
};

// The spectrum of `spec` computed on `comm` (MPI_COMM_SELF: one rank alone).
spectrum lyapunov(const net::network_spec& spec, MPI_Comm comm, const run_options& o = {}) {
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    const auto ctx = sc::parallel::make_context(comm);
    sc::engine::simulation sim(net::build_local_graph(spec, rank, size), *ctx);
    sim.run_until(o.warmup_ms);
    sc::tangent::lyapunov_settings s;
    s.exponents = o.exponents ? o.exponents : std::int64_t(sim.layout().total());
    s.orthonormalize_every = o.every;
    s.measuring_time_s = o.measure_ms * 1e-3;
    s.layout = o.layout;
    s.method = o.method;
    sc::tangent::lyapunov_tracker tracker(comm, sim, s);
    sim.track_jacobian(&tracker);
    const double t1 = o.warmup_ms + o.ons_warmup_ms, t2 = t1 + o.measure_ms;
    sim.run_until(t1);
    tracker.start_measurement(t1);
    sim.run_until(t2);
    tracker.finish(t2);
    spectrum out;
    out.lambda = tracker.accumulator().exponents();
    std::sort(out.lambda.rbegin(), out.lambda.rend());
    out.contraction = tracker.contraction_rate();
    out.spikes = tracker.spikes_measured();
    out.intervals = tracker.intervals();
    out.conditions = tracker.conditions();
    out.qr_steps = tracker.qr_steps();
    out.cholesky_passes = tracker.cholesky_passes();
    out.shifted = tracker.qr_path_counts()[int(sc::tangent::qr_path::shifted_cholesky)];
    out.householder = tracker.qr_path_counts()[int(sc::tangent::qr_path::householder)];
    out.between = tracker.normalizations_between();
    return out;
}

std::size_t count_near_zero(const std::vector<double>& l, double tol) {
    return std::size_t(std::count_if(l.begin(), l.end(), [&](double x) { return std::abs(x) < tol; }));
}

net::network_spec theta_network() { return net::inhibitory_network(sc::models::theta{}, 100, 20, -1.0, 5.0); }
net::network_spec small_theta_network() { return net::inhibitory_network(sc::models::theta{}, 30, 10, -1.0, 5.0); }
net::network_spec lif_network() { return net::inhibitory_network(sc::models::lif{}, 100, 20, -1.0, 5.0); }

// The zero exponent belongs to the time-shift direction ω, an exact eigenvector (eigenvalue 1) of
// every single-spike Jacobian; its finite-time estimate is a bounded log-ratio divided by T, so
// O(1/T): 0.009 1/s for the 30-neuron theta network at T = 20 s, whose nearest other exponent
// is 0.43 1/s, and ~0.01 1/s for the LIF network, whose other exponents are all below -0.5 1/s.
// A tolerance of 0.1 1/s separates the two cases by a factor of 4 or more either way. (In the
// 100-neuron theta network the spectrum is so dense, ~1 exponent per 1/s, that another exponent
// may lie within 0.1 1/s of zero by chance: the count test uses the 30-neuron network.)
constexpr double zero_tolerance = 0.1;

// The identities must hold for every QR method: this project's CholeskyQR2 (the default, with one
// pass where the block is well conditioned) and Householder, and SLEPc's TSQR.
class LyapunovMethods : public ::testing::TestWithParam<sc::tangent::orthogonalization> {};

std::string method_name(const ::testing::TestParamInfo<sc::tangent::orthogonalization>& info) {
    return std::string(sc::tangent::to_string(info.param));
}

}  // namespace

TEST_P(LyapunovMethods, ThetaHasExactlyOneZeroExponentAndTheSumIsTheContraction) {
    run_options o;
    o.measure_ms = 20000.0;
    o.method = GetParam();
    const auto s = lyapunov(small_theta_network(), MPI_COMM_SELF, o);
    ASSERT_EQ(s.lambda.size(), 30u);
    ASSERT_GT(s.spikes, 3000u);
    EXPECT_EQ(count_near_zero(s.lambda, zero_tolerance), 1u) << "lambda_1 " << s.lambda[0];
    EXPECT_GT(s.lambda[0], 1.0) << "the inhibitory theta network is chaotic";
    const double sum = std::accumulate(s.lambda.begin(), s.lambda.end(), 0.0);
    EXPECT_LT(sum, 0.0);
    EXPECT_NEAR(sum, s.contraction, 1e-8 * std::abs(s.contraction));
}

TEST_P(LyapunovMethods, InhibitoryLifIsStableButForTheZeroExponent) {
    run_options o;
    o.method = GetParam();
    const auto s = lyapunov(lif_network(), MPI_COMM_SELF, o);
    EXPECT_EQ(count_near_zero(s.lambda, zero_tolerance), 1u);
    EXPECT_LT(std::abs(s.lambda[0]), zero_tolerance) << "the largest exponent is the zero one";
    EXPECT_LT(s.lambda[1], -zero_tolerance) << "every other exponent is negative";
    const double sum = std::accumulate(s.lambda.begin(), s.lambda.end(), 0.0);
    EXPECT_NEAR(sum, s.contraction, 1e-8 * std::abs(s.contraction));
}

TEST(Lyapunov, BothRowLayoutsGiveTheSameSpectrum) {
    run_options o;
    o.measure_ms = 2000.0;
    o.exponents = 10;
    const auto a = lyapunov(theta_network(), MPI_COMM_SELF, o);
    o.layout = sc::tangent::row_layout::column_major;
    const auto b = lyapunov(theta_network(), MPI_COMM_SELF, o);
    for (std::size_t k = 0; k < a.lambda.size(); ++k) EXPECT_NEAR(a.lambda[k], b.lambda[k], 1e-10 * std::abs(a.lambda[k]) + 1e-12);
}

TEST_P(LyapunovMethods, SameSpectrumOnEveryNumberOfRanks) {
    run_options o;
    o.measure_ms = 4000.0;
    o.method = GetParam();
    const auto serial = lyapunov(theta_network(), MPI_COMM_SELF, o);
    const auto distributed = lyapunov(theta_network(), MPI_COMM_WORLD, o);
    ASSERT_EQ(serial.spikes, distributed.spikes);
    for (std::size_t k = 0; k < serial.lambda.size(); ++k)
        EXPECT_NEAR(distributed.lambda[k], serial.lambda[k], 1e-8 * std::abs(serial.lambda[k]) + 1e-12) << "k " << k;
    EXPECT_NEAR(distributed.contraction, serial.contraction, 1e-10 * std::abs(serial.contraction));
}

INSTANTIATE_TEST_SUITE_P(AllMethods, LyapunovMethods,
                         ::testing::Values(sc::tangent::orthogonalization::cholesky_qr2,
                                           sc::tangent::orthogonalization::householder,
                                           sc::tangent::orthogonalization::tsqr),
                         method_name);

TEST(Lyapunov, TheIntervalDoesNotChangeTheSpectrum) {
    // The product of the R factors over a run is the R of the whole tangent map applied to Q_0,
    // whatever the QR steps in between: exponents from the automatic interval must equal those
    // from a fixed short interval with TSQR to rounding. 20 of 100 exponents (a tall block:
    // cholqr2 aims at one Cholesky pass per step) and all 100 (square: long intervals, which
    // cholqr2 factors by Householder once the condition is high).
    for (std::int64_t m : {20, 0}) {
        run_options o;
        o.measure_ms = 4000.0;
        o.exponents = m;
        o.method = sc::tangent::orthogonalization::tsqr;
        o.every = 5;
        const auto reference = lyapunov(theta_network(), MPI_COMM_WORLD, o);
        o.method = sc::tangent::orthogonalization::cholesky_qr2;
        o.every = 0;
        const auto automatic = lyapunov(theta_network(), MPI_COMM_WORLD, o);
        ASSERT_EQ(reference.spikes, automatic.spikes);
        for (std::size_t k = 0; k < reference.lambda.size(); ++k)
            EXPECT_NEAR(automatic.lambda[k], reference.lambda[k], 1e-8 * std::abs(reference.lambda[k]) + 1e-10)
                << "m " << m << ", k " << k;
        // The chosen intervals are recorded, cover the measurement, and are not all the same.
        ASSERT_EQ(automatic.intervals.size(), automatic.qr_steps);
        std::uint64_t total = 0;
        for (auto i : automatic.intervals) total += i;
        EXPECT_EQ(total, automatic.spikes);
        const auto [lo, hi] = std::minmax_element(automatic.intervals.begin(), automatic.intervals.end());
        EXPECT_LT(*lo, *hi);
        EXPECT_GT(double(automatic.spikes) / double(automatic.qr_steps), 5.0) << "fewer QR steps than every 5 spikes";
        if (m == 20) {
            // The interval keeps the block well conditioned: most steps take one Cholesky pass.
            EXPECT_LT(double(automatic.cholesky_passes), 1.5 * double(automatic.qr_steps) + 10.0);
            EXPECT_EQ(automatic.householder, 0u);
        } else {
            EXPECT_GT(automatic.householder, automatic.qr_steps / 2);
        }
    }
}

TEST(Lyapunov, DeferredNormalizationGivesEveryStepsR) {
    // A QR after every spike: CholeskyQR2 leaves most steps unnormalized (deferred) and keeps
    // each rank's Gram matrix up to date kick by kick; it must still give Householder's R
    // diagonal at every step (computed on one rank): the same local exponents, interval by
    // interval, on any number of ranks.
    const auto spec = theta_network();
    auto run = [&](MPI_Comm comm, sc::tangent::orthogonalization method, std::uint64_t& passes) {
        int rank = 0, size = 1;
        MPI_Comm_rank(comm, &rank);
        MPI_Comm_size(comm, &size);
        const auto ctx = sc::parallel::make_context(comm);
        sc::engine::simulation sim(net::build_local_graph(spec, rank, size), *ctx);
        sim.run_until(500.0);
        sc::tangent::lyapunov_settings s;
        s.exponents = 20;
        s.orthonormalize_every = 1;
        s.method = method;
        s.measuring_time_s = 1.0;
        s.local_exponents = 20;
        sc::tangent::lyapunov_tracker tracker(comm, sim, s);
        sim.track_jacobian(&tracker);
        sim.run_until(1000.0);
        tracker.start_measurement(1000.0);
        sim.run_until(2000.0);
        tracker.finish(2000.0);
        passes = tracker.cholesky_passes();
        const auto local = tracker.accumulator().local_exponents();  // (interval, k), row-major
        return std::make_pair(std::vector<double>(local.begin(), local.end()), tracker.qr_steps());
    };
    std::uint64_t fast_passes = 0, house_passes = 0;
    const auto [fast, steps] = run(MPI_COMM_WORLD, sc::tangent::orthogonalization::cholesky_qr2, fast_passes);
    const auto [house, house_steps] = run(MPI_COMM_SELF, sc::tangent::orthogonalization::householder, house_passes);
    ASSERT_EQ(steps, house_steps);
    ASSERT_GT(steps, 400u);
    EXPECT_LT(fast_passes, steps / 4) << "most steps deferred";
    ASSERT_EQ(fast.size(), house.size());
    ASSERT_EQ(fast.size(), 20 * steps);
    double worst = 0.0;
    for (std::size_t x = 0; x < fast.size(); ++x)
        worst = std::max(worst, std::abs(fast[x] - house[x]) / (1.0 + std::abs(house[x])));
    EXPECT_LT(worst, 1e-8);
}

TEST(Lyapunov, LongIntervalsFallBackAndKeepTheIdentities) {
    // Fixed intervals so long that cond(Q) reaches 1e7-1e12 before each QR (measured with TSQR:
    // median ~1e9 for the full spectrum of 30 neurons every 50 spikes; ~3e7 for 20 of 100
    // exponents every 300). There log det R, hence the sum of the exponents, is only determined
    // to ~1e-8 per run for any QR (TSQR 6.8e-9, Householder 2.9e-9 relative). CholeskyQR2 must
    // take its fallbacks (Householder for the square block, shifted passes for the tall one) on
    // the first steps, then add normalizations between the requested steps, report exactly the
    // requested steps, keep the sum identity to 1e-8 and agree with Householder QR at the same
    // interval.
    struct take {
        net::network_spec spec;
        std::int64_t exponents;
        std::uint64_t every;
    };
    for (const take& t : std::vector<take>{{small_theta_network(), 0, 50}, {theta_network(), 20, 300}}) {
        run_options o;
        o.measure_ms = 6000.0;
        o.every = t.every;
        o.exponents = t.exponents;
        o.method = sc::tangent::orthogonalization::cholesky_qr2;
        const auto fast = lyapunov(t.spec, MPI_COMM_SELF, o);
        o.method = sc::tangent::orthogonalization::householder;
        const auto house = lyapunov(t.spec, MPI_COMM_SELF, o);
        if (t.exponents == 0) {
            EXPECT_GT(fast.householder, 0u) << "square: Householder while cond is unknown";
            const double sum = std::accumulate(fast.lambda.begin(), fast.lambda.end(), 0.0);
            EXPECT_NEAR(sum, fast.contraction, 1e-8 * std::abs(fast.contraction));
        } else {
            EXPECT_GT(fast.shifted, 0u) << "tall: shifted Cholesky passes";
        }
        EXPECT_GT(fast.between, fast.qr_steps / 2) << "normalizations between the requested steps";
        std::uint64_t total = 0;
        for (auto i : fast.intervals) {
            total += i;
            EXPECT_LE(i, t.every);
        }
        EXPECT_EQ(total, fast.spikes);
        EXPECT_EQ(fast.qr_steps, house.qr_steps) << "the requested steps, no more";
        for (std::size_t k = 0; k < fast.lambda.size(); ++k)
            EXPECT_NEAR(fast.lambda[k], house.lambda[k], 1e-6 * std::abs(house.lambda[k]) + 1e-8) << "k " << k;
    }
}

TEST(Lyapunov, TrackingTheJacobianLeavesTheSpikeTrainUnchanged) {
    const auto spec = theta_network();
    sc::engine::simulation plain(net::build_local_graph(spec)), tracked(net::build_local_graph(spec));
    sc::tangent::lyapunov_settings s;
    s.exponents = 5;
    sc::tangent::lyapunov_tracker tracker(MPI_COMM_SELF, tracked, s);
    tracked.track_jacobian(&tracker);
    spike_recorder a, b;
    plain.run_until(2000.0, &a);
    tracked.run_until(2000.0, &b);
    ASSERT_EQ(a.spikes.size(), b.spikes.size());
    for (std::size_t k = 0; k < a.spikes.size(); ++k) {
        ASSERT_EQ(a.spikes[k].neuron, b.spikes[k].neuron);
        ASSERT_EQ(a.spikes[k].time_ms, b.spikes[k].time_ms);
    }
}

TEST(Lyapunov, LargestExponentAgreesWithATwinTrajectory) {
    // A copy of the trajectory displaced by eps along the leading tangent vector, renormalized
    // back to distance eps every `step`: its mean log growth rate is lambda_1 (docs/design.md, "Tangent dynamics").
    const auto spec = theta_network();
    const double warm = 1500.0, measure = 10000.0, step = 10.0, eps = 1e-8;
    sc::engine::simulation a(net::build_local_graph(spec)), b(net::build_local_graph(spec));
    a.run_until(500.0);
    sc::tangent::lyapunov_settings s;
    s.exponents = 1;
    s.orthonormalize_every = 20;
    s.measuring_time_s = measure * 1e-3;
    sc::tangent::lyapunov_tracker tracker(MPI_COMM_SELF, a, s);
    a.track_jacobian(&tracker);
    a.run_until(warm);
    tracker.start_measurement(warm);
    b.run_until(warm);
    const double period = 2.0 * M_PI;  // theta phases live on (-pi, pi]
    auto wrapped = [&](double x) { return x - period * std::round(x / period); };
    auto distance = [&](const std::vector<double>& pa, const std::vector<double>& pb) {
        double d2 = 0.0;
        for (std::size_t i = 0; i < pa.size(); ++i) d2 += std::pow(wrapped(pb[i] - pa[i]), 2);
        return std::sqrt(d2);
    };
    // Start b at a + eps q_1, q_1 the current leading vector (unit norm).
    auto displace = [&](double t, const std::vector<double>& direction) {
        auto pa = a.phases_at(t);
        for (std::size_t i = 0; i < pa.size(); ++i) pa[i] += eps * direction[i];
        b.set_phases(pa, t);
    };
    displace(warm, tracker.local_vector(0));
    double log_growth = 0.0;
    for (double t = warm + step; t <= warm + measure + 1e-9; t += step) {
        a.run_until(t);
        b.run_until(t);
        const auto pa = a.phases_at(t), pb = b.phases_at(t);
        const double d = distance(pa, pb);
        ASSERT_GT(d, 0.0);
        log_growth += std::log(d / eps);
        std::vector<double> dir(pa.size());
        for (std::size_t i = 0; i < pa.size(); ++i) dir[i] = wrapped(pb[i] - pa[i]) / d;
        displace(t, dir);
    }
    tracker.finish(warm + measure);
    const double twin = log_growth / (measure * 1e-3);
    const double tangent = tracker.accumulator().exponents()[0];
    EXPECT_GT(tangent, 1.0);
    EXPECT_NEAR(twin, tangent, 0.02 * tangent) << "twin " << twin << ", tangent " << tangent;
}

TEST(Lyapunov, PoissonInputKicksScaleTheirOwnRows) {
    // External kicks have only D_ii = d_i: they enter the contraction rate and the spectrum, and
    // the identities and the rank independence still hold.
    auto spec = theta_network();
    spec.populations[0].poisson = net::poisson_spec{300.0, -0.05};
    run_options o;
    o.measure_ms = 3000.0;
    const auto serial = lyapunov(spec, MPI_COMM_SELF, o);
    const double sum = std::accumulate(serial.lambda.begin(), serial.lambda.end(), 0.0);
    EXPECT_NEAR(sum, serial.contraction, 1e-8 * std::abs(serial.contraction));
    const auto without = lyapunov(theta_network(), MPI_COMM_SELF, o);
    EXPECT_LT(serial.contraction, without.contraction - 1.0) << "inhibitory input kicks contract phase space";
    const auto distributed = lyapunov(spec, MPI_COMM_WORLD, o);
    for (std::size_t k = 0; k < serial.lambda.size(); ++k)
        EXPECT_NEAR(distributed.lambda[k], serial.lambda[k], 1e-8 * std::abs(serial.lambda[k]) + 1e-12) << "k " << k;
}
