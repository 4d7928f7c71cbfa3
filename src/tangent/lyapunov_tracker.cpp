#include "sparsechaos/tangent/lyapunov_tracker.hpp"
#include "sparsechaos/mpi_comm.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <limits>
#include <stdexcept>

#include "lapack.hpp"
#include "sparsechaos/analysis/participation_ratio.hpp"

namespace sparsechaos::tangent {
namespace {

double process_cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

analysis::accumulator_options accumulator_options_for(const lyapunov_settings& s) {
    analysis::accumulator_options o;
    o.local_count = std::min<std::size_t>(s.local_exponents, std::size_t(s.exponents));
    return o;
}

}  // namespace

lyapunov_tracker::lyapunov_tracker(MPI_Comm comm, const engine::simulation& sim, const lyapunov_settings& settings)
    : comm_(comm),
      n_ranks_(size_of(comm)),
      layout_(&sim.layout()),
      settings_(settings),
      m_(settings.exponents),
      // Rows padded to whole cache lines measured no faster (N = 1e5 and 1e6, m = 100): none.
      ld_(settings.exponents),
      row_j_(std::size_t(settings.exponents) + 1),
      accumulator_(std::size_t(settings.exponents), settings.measuring_time_s, accumulator_options_for(settings)),
      interval_(std::max<std::uint64_t>(settings.orthonormalize_every, 1)) {
    if (m_ < 1 || std::uint64_t(m_) > sim.layout().total())
        throw std::invalid_argument("lyapunov.exponents must lie in [1, N = " + std::to_string(sim.layout().total()) + "]");
    const std::uint32_t n = std::uint32_t(sim.layout().local().size);
    const auto first = std::int64_t(sim.layout().local().first);
    prefetch_lines_ = std::min<std::size_t>((std::size_t(m_) * sizeof(double) + 63) / 64, 16);
    omega_.resize(n);
    column0_.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) omega_[i] = sim.omega(i);
    automatic_interval_ = settings.orthonormalize_every == 0 && settings.max_condition <= 0.0;
    if (settings.orthonormalize_every == 0) {
        // cholqr2 on a tall block: one Cholesky pass with the explicit inverse (cond <= ~95) is the
        // cheapest per unit of growth. Else (other methods, or m >= N/3, where cholqr2 takes
        // Householder for ill-conditioned blocks) a step costs the same whatever the condition:
        // long intervals, as far as accuracy allows.
        const bool tall = 3 * m_ < std::int64_t(sim.layout().total());
        target_condition_ = settings.target_condition > 0.0                                   ? settings.target_condition
                            : settings.method == orthogonalization::cholesky_qr2 && tall ? 30.0
                                                                                         : 1e6;
        interval_ = 16;  // adapts within a few steps, during the warm-up of the orthonormal system
    }
    qr_options_.min_passes = 1;
    qr_options_.max_orthogonality_loss = settings.max_orthogonality_loss;
    qr_options_.householder_only = settings.method == orthogonalization::householder;
    qr_options_.form_r = false;  // only ln R_kk is needed
    // Deferred normalization pays off only for intervals shorter than the conditioning needs,
    // which the automatic interval never picks.
    defer_ = !automatic_interval_ && settings.method == orthogonalization::cholesky_qr2;
    hidden_log_.assign(std::size_t(m_), 0.0);
    if (defer_ && neuron_major()) {
        const std::size_t mm = std::size_t(m_);
        gram_local_.assign(mm * mm, 0.0);
        gram_plus_.assign(64 * mm, 0.0);  // rows buffered before one SYRK into G
        gram_minus_.assign(64 * mm, 0.0);
        gram_u_.assign(mm, 0.0);
    }
    single_pass_condition_ = std::min(100.0, std::sqrt(settings.max_orthogonality_loss / (0.5 * std::numeric_limits<double>::epsilon())));
    if (neuron_major()) {
        // On huge pages when large (1.5x faster updates at N = 1e6, m = 100: fewer TLB misses);
        // 8 spare numbers to start on a cache line.
        rows_storage_.assign(std::size_t(n) * std::size_t(ld_) + 8, 0.0);
        const auto addr = reinterpret_cast<std::uintptr_t>(rows_storage_.data());
        rows_ = rows_storage_.data() + ((64 - addr % 64) % 64) / sizeof(double);
    }
    if (neuron_major() && is_local_qr(settings.method)) {
        // The initial system is filled and factored in place: no BV at all.
        qr_ = std::make_unique<block_qr>(comm, std::int64_t(n), m_, block_layout::row_major, ld_);
        random_tangent_rows(settings.seed, first, std::int64_t(n), m_, rows_, ld_);
        qr_options o;  // start orthonormal to rounding
        o.householder_only = qr_options_.householder_only;
        o.form_r = false;
        qr_->factor(rows_, o);
        return;
    }
    ons_ = std::make_unique<orthonormal_system>(comm, std::int64_t(n), settings.exponents, settings.method);
    ons_->initialize_random(settings.seed);
    if (neuron_major())
        for (std::int64_t k = 0; k < m_; ++k) {
            const double* col = ons_->column(k);
            for (std::uint32_t i = 0; i < n; ++i) rows_[std::size_t(i) * std::size_t(ld_) + std::size_t(k)] = col[i];
        }
}

void lyapunov_tracker::begin_spike(std::uint64_t neuron, double time_ms, bool local, double omega) {
    if (track_gram_) flush_gram();  // the last spike's terms need its row j, about to be replaced
    // Between events the tangent map is the identity, so a QR step may sit at any spike time.
    if (spikes_since_qr_ >= interval_) orthonormalize(time_ms);
    else if (hidden_interval_ > 0 && spikes_since_norm_ >= hidden_interval_) normalize_between();
    ++spikes_since_qr_;
    ++spikes_since_norm_;
    if (measuring_) ++spikes_measured_;
    const std::size_t m = std::size_t(m_);
    if (local) {
        const auto i = std::uint32_t(neuron - layout_->local().first);
        if (neuron_major())
            std::copy_n(row(i), m, row_j_.begin());
        else
            ons_->copy_row(i, row_j_.data());
        row_j_[m] = omega;
    }
    if (n_ranks_ > 1 &&
        MPI_Bcast(row_j_.data(), int(m + 1), MPI_DOUBLE, layout_->owner(neuron), comm_) != MPI_SUCCESS)
        throw std::runtime_error("MPI_Bcast of a tangent row failed");
    omega_j_ = row_j_[m];
}

void lyapunov_tracker::kick(std::uint32_t i, double d, double omega) {
    const double c = omega / omega_j_ * (1.0 - d);
    ++kicks_since_qr_;
    if (neuron_major()) {
        double* __restrict q = row(i);
        if (track_gram_) record_kick(q, d, c);
        const double* __restrict qj = row_j_.data();
        for (std::int64_t k = 0; k < m_; ++k) q[k] = d * q[k] + c * qj[k];
    } else {
        ons_->update_row(i, d, c, row_j_.data());
    }
    if (measuring_) add_log_d(d);
}

void lyapunov_tracker::add_log_d(double d) {
    // d = 0 (a kick across threshold) collapses phase-space volume: the rate is -inf.
    if (!(d > 0.0)) {
        log_d_sum_ = -INFINITY;
        log_d_c_ = 0.0;
        return;
    }
    if (std::isinf(log_d_sum_)) return;
    // Neumaier summation: a long run adds millions of terms, and the sum is checked to 1e-8.
    const double x = std::log(d), t = log_d_sum_ + x;
    log_d_c_ += std::abs(log_d_sum_) >= std::abs(x) ? (log_d_sum_ - t) + x : (x - t) + log_d_sum_;
    log_d_sum_ = t;
}

void lyapunov_tracker::prefetch(std::uint32_t i) {
    // The rows of a spike's targets lie at random places in a block far larger than the caches
    // (N = 1e5, m = 100: 80 MB): asking for the next rows early overlaps their cache misses.
    if (!neuron_major()) return;
    const char* p = reinterpret_cast<const char*>(row(i));
    for (std::size_t l = 0; l < prefetch_lines_; ++l) __builtin_prefetch(p + 64 * l, 1);
}

void lyapunov_tracker::input(std::uint32_t i, double d) {
    // An external kick: Q_i ← d_i Q_i (no other row enters).
    if (neuron_major()) {
        double* q = row(i);
        if (track_gram_) record_kick(q, d, 0.0);
        for (std::int64_t k = 0; k < m_; ++k) q[k] *= d;
    } else {
        ons_->scale_row(i, d);
    }
    if (measuring_) add_log_d(d);
}

void lyapunov_tracker::record_kick(const double* old_row, double d, double c) {
    const double w = d * d - 1.0;
    if (w != 0.0) {
        std::vector<double>& rows = w > 0.0 ? gram_plus_ : gram_minus_;
        std::size_t& count = w > 0.0 ? n_plus_ : n_minus_;
        if (count * std::size_t(m_) == rows.size()) flush_gram();  // a full buffer: into G now
        double* out = rows.data() + count * std::size_t(m_);
        const double s = std::sqrt(std::abs(w));
        for (std::int64_t k = 0; k < m_; ++k) out[k] = s * old_row[k];
        ++count;
    }
    if (c != 0.0) {
        const double dc = d * c;
        for (std::int64_t k = 0; k < m_; ++k) gram_u_[std::size_t(k)] += dc * old_row[k];
        gram_c2_ += c * c;
        gram_spike_open_ = true;
    }
}

void lyapunov_tracker::flush_gram() {
    const int m = int(m_), one_i = 1;
    const double one = 1.0, minus_one = -1.0;
    double* g = gram_local_.data();
    if (n_plus_ > 0) {
        const int k = int(n_plus_);
        dsyrk_("L", "N", &m, &k, &one, gram_plus_.data(), &m, &one, g, &m, 1, 1);
    }
    if (n_minus_ > 0) {
        const int k = int(n_minus_);
        dsyrk_("L", "N", &m, &k, &minus_one, gram_minus_.data(), &m, &one, g, &m, 1, 1);
    }
    n_plus_ = n_minus_ = 0;
    if (gram_spike_open_) {  // u q_jᵀ + q_j uᵀ + (Σ c²) q_j q_jᵀ, q_j the spiking neuron's old row
        dsyr2_("L", &m, &one, gram_u_.data(), &one_i, row_j_.data(), &one_i, g, &m, 1);
        dsyr_("L", &m, &gram_c2_, row_j_.data(), &one_i, g, &m, 1);
        std::fill(gram_u_.begin(), gram_u_.end(), 0.0);
        gram_c2_ = 0.0;
        gram_spike_open_ = false;
    }
}

void lyapunov_tracker::choose_gram_tracking(bool normalized) {
    // Keeping AᵀA kick by kick costs about K m² per spike and a SYRK after each normalization;
    // a SYRK per step costs n m². Worth it when steps come every few spikes.
    const double kicks_per_spike = spikes_since_qr_ > 0 ? double(kicks_since_qr_) / double(spikes_since_qr_) : 0.0;
    const bool want = defer_ && qr_ && double(interval_) * (kicks_per_spike + 2.0) < 0.5 * double(omega_.size());
    if (want && (normalized || !track_gram_)) qr_->local_gram(rows_, gram_local_.data());
    track_gram_ = want;
    kicks_since_qr_ = 0;
}

void lyapunov_tracker::orthonormalize(double t_ms) {
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = process_cpu_seconds();
    const std::size_t n = omega_.size(), m = std::size_t(m_), ld = std::size_t(ld_);
    std::span<const double> log_r;
    double condition = 0.0;  // of Q before this step, as well as it is known
    if (qr_) {
        log_r = factor_rows(defer_, condition);
        if (hidden_steps_pending_) {  // this interval's R is the product with the ones in between
            for (std::size_t k = 0; k < m; ++k) hidden_log_[k] += log_r[k];
            log_r = hidden_log_;
            hidden_steps_pending_ = false;
        }
        // The leading vector is column 0 of Q = A P⁻¹, i.e. column 0 of A over P_00.
        const double scale = qr_->normalization_pending() ? 1.0 / qr_->pending_factor()[0] : 1.0;
        for (std::size_t i = 0; i < n; ++i) column0_[i] = scale * rows_[i * ld];
    } else {
        if (neuron_major())
            for (std::size_t k = 0; k < m; ++k) {
                double* col = ons_->column(std::int64_t(k));
                for (std::size_t i = 0; i < n; ++i) col[i] = rows_[i * ld + k];
            }
        log_r = ons_->orthonormalize(qr_options_);
        if (const qr_report* rep = ons_->last_qr_report()) {
            ++path_counts_[int(rep->path)];
            cholesky_passes_ += std::uint64_t(rep->passes);
        }
        condition = ons_->last_condition_bound();
        if (neuron_major())
            for (std::size_t k = 0; k < m; ++k) {
                const double* col = ons_->column(std::int64_t(k));
                for (std::size_t i = 0; i < n; ++i) rows_[i * ld + k] = col[i];
            }
        std::copy_n(ons_->column(0), n, column0_.begin());
    }
    qr_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    qr_cpu_seconds_ += process_cpu_seconds() - cpu0;
    ++qr_calls_;
    const double dt_s = (t_ms - last_qr_ms_) * 1e-3;
    if (measuring_ && dt_s > 0.0) {
        accumulator_.add_interval(log_r, dt_s);
        ++qr_steps_;
        intervals_.push_back(spikes_since_qr_);
        conditions_.push_back(condition);
        // Localization of the leading vector, without its share of the neutral direction ω.
        const double* v = column0_.data();
        double dots[2] = {0.0, 0.0};
        for (std::size_t i = 0; i < n; ++i) dots[0] += v[i] * omega_[i], dots[1] += omega_[i] * omega_[i];
        if (n_ranks_ > 1) MPI_Allreduce(MPI_IN_PLACE, dots, 2, MPI_DOUBLE, MPI_SUM, comm_);
        const double c = analysis::projection_coefficient(dots[0], dots[1]);
        auto sums = analysis::local_participation_sums({v, n}, omega_, c);
        double both[2] = {sums.sum2, sums.sum4};
        if (n_ranks_ > 1) MPI_Allreduce(MPI_IN_PLACE, both, 2, MPI_DOUBLE, MPI_SUM, comm_);
        pr_times_.push_back((t_ms - start_ms_) * 1e-3);
        pr_values_.push_back(analysis::participation_ratio({both[0], both[1]}));
    }
    adapt_interval(log_r, condition);
    last_qr_ms_ = t_ms;
    spikes_since_qr_ = 0;
}

std::span<const double> lyapunov_tracker::factor_rows(bool may_defer, double& condition) {
    if (track_gram_) flush_gram();
    // Deferred normalization: leave Q unnormalized while the condition expected at the next
    // step (this one's times the growth per step) stays where one pass with the explicit
    // inverse will do.
    qr_options_.defer_below = may_defer ? single_pass_condition_ / std::max(1.0, growth_) : 0.0;
    const bool was_pending = qr_->normalization_pending();
    const auto log_r = qr_->factor(rows_, qr_options_, track_gram_ ? gram_local_.data() : nullptr);
    const qr_report& rep = qr_->report();
    ++path_counts_[int(rep.path)];
    cholesky_passes_ += std::uint64_t(rep.passes);
    condition = rep.condition;
    growth_ = was_pending ? condition / last_condition_ : condition;
    if (!std::isfinite(growth_)) growth_ = single_pass_condition_;
    last_condition_ = condition;
    const bool normalized = !qr_->normalization_pending();
    if (normalized && !automatic_interval_ && !qr_options_.householder_only) {
        // Normalizations in between when the condition grows past hidden_condition within the
        // requested interval: cond(Q) ~ exp(rate · spikes), and log det R, hence the sum of the
        // exponents, is only determined to ~ε cond per step (measured: 1e-8 relative at cond
        // 1e9-1e12, for TSQR and Householder alike).
        const double spikes = double(std::max<std::uint64_t>(spikes_since_norm_, 1));
        const double every = !std::isfinite(condition) ? spikes / 2.0
                             : condition > 1.0         ? spikes * std::log(hidden_condition) / std::log(condition)
                                                       : INFINITY;
        hidden_interval_ = every < double(interval_) ? std::uint64_t(std::max(std::floor(every), 1.0)) : 0;
        spikes_since_norm_ = 0;
    }
    if (defer_) choose_gram_tracking(normalized);
    return log_r;
}

void lyapunov_tracker::normalize_between() {
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = process_cpu_seconds();
    double condition = 0.0;
    const auto log_r = factor_rows(false, condition);
    if (!hidden_steps_pending_) std::fill(hidden_log_.begin(), hidden_log_.end(), 0.0);
    for (std::size_t k = 0; k < std::size_t(m_); ++k) hidden_log_[k] += log_r[k];
    hidden_steps_pending_ = true;
    ++hidden_steps_;
    qr_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    qr_cpu_seconds_ += process_cpu_seconds() - cpu0;
    ++qr_calls_;
}

void lyapunov_tracker::adapt_interval(std::span<const double> log_r, double condition) {
    // Every input is the same on all ranks (reduced data), so all ranks choose the same interval.
    if (settings_.max_condition > 0.0) {
        // R's diagonal spread bounds cond(Q) before this step from below.
        const auto [lo, hi] = std::minmax_element(log_r.begin(), log_r.end());
        const double bound = std::exp(*hi - *lo);
        if (!(bound <= settings_.max_condition)) interval_ = std::max<std::uint64_t>(interval_ / 2, 1);
        else if (bound < 0.25 * settings_.max_condition)
            interval_ = std::min<std::uint64_t>(interval_ * 2, settings_.orthonormalize_every > 0
                                                                   ? settings_.orthonormalize_every
                                                                   : std::uint64_t(1) << 40);
        return;
    }
    if (!automatic_interval_ || spikes_since_qr_ < interval_) return;  // a step forced early says little
    // cond(Q) grows about like exp((λ_1 − λ_m) t): scale the interval by ln(target)/ln(cond),
    // at most by 2 either way. Columns must also stay far from overflow (|ln R_kk| < 700).
    double factor = 2.0;
    if (!(condition < std::numeric_limits<double>::infinity())) factor = 0.5;
    else if (condition > 1.0) factor = std::clamp(std::log(target_condition_) / std::log(condition), 0.5, 2.0);
    double largest = 0.0;
    for (double x : log_r) largest = std::max(largest, std::abs(x));
    if (largest > 200.0) factor = std::min(factor, 0.5);
    const double next = std::round(double(interval_) * factor);
    interval_ = std::uint64_t(std::clamp(next, 1.0, 1e12));
}

void lyapunov_tracker::start_measurement(double t_ms, double measuring_time_s) {
    orthonormalize(t_ms);
    if (measuring_time_s > 0.0) {
        settings_.measuring_time_s = measuring_time_s;
        accumulator_ = analysis::lyapunov_accumulator(std::size_t(m_), measuring_time_s, accumulator_options_for(settings_));
    }
    measuring_ = true;
    start_ms_ = last_qr_ms_ = t_ms;
    log_d_sum_ = log_d_c_ = 0.0;
}

void lyapunov_tracker::finish(double t_ms) {
    orthonormalize(t_ms);
    measuring_ = false;
    end_ms_ = t_ms;
}

double lyapunov_tracker::contraction_rate() const {
    double sum = log_d_sum_ + log_d_c_;
    if (n_ranks_ > 1) MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_DOUBLE, MPI_SUM, comm_);
    const double t_s = (end_ms_ - start_ms_) * 1e-3;
    return t_s > 0.0 ? sum / t_s : 0.0;
}

std::vector<double> lyapunov_tracker::local_vector(std::int64_t k) const {
    const std::size_t n = omega_.size(), ld = std::size_t(ld_), m = std::size_t(m_);
    std::vector<double> v(n);
    if (qr_ && qr_->normalization_pending()) {
        // Column k of A P⁻¹: x = P⁻¹ e_k by back substitution (P_jl at p[j * m + l]), then A x.
        const auto p = qr_->pending_factor();
        std::vector<double> x(m, 0.0);
        for (std::size_t j = std::size_t(k) + 1; j-- > 0;) {
            double d = j == std::size_t(k) ? 1.0 : 0.0;
            for (std::size_t l = j + 1; l <= std::size_t(k); ++l) d -= p[j * m + l] * x[l];
            x[j] = d / p[j * m + j];
        }
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j <= std::size_t(k); ++j) v[i] += rows_[i * ld + j] * x[j];
    } else if (neuron_major()) {
        for (std::size_t i = 0; i < n; ++i) v[i] = rows_[i * ld + std::size_t(k)];
    } else {
        std::copy_n(ons_->column(k), n, v.begin());
    }
    return v;
}

}  // namespace sparsechaos::tangent
