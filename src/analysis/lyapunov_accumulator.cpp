#include "sparsechaos/analysis/lyapunov_accumulator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace sparsechaos::analysis {

double block_standard_error(std::span<const double> block_means) {
    const std::size_t b = block_means.size();
    if (b < 2) return std::numeric_limits<double>::quiet_NaN();
    double mean = 0.0;
    for (double x : block_means) mean += x;
    mean /= double(b);
    double ss = 0.0;
    for (double x : block_means) ss += (x - mean) * (x - mean);
    return std::sqrt(ss / double(b - 1)) / std::sqrt(double(b));
}

void lyapunov_accumulator::compensated::add(double x) {
    const double t = sum + x;
    c += std::abs(sum) >= std::abs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
}

lyapunov_accumulator::lyapunov_accumulator(std::size_t exponents, double measuring_time, accumulator_options options)
    : measuring_time_(measuring_time), blocks_(options.blocks),
      local_count_(std::min(options.local_count, exponents)), totals_(exponents),
      block_log_r_(options.blocks * exponents, 0.0), block_time_(options.blocks, 0.0) {
    if (exponents == 0) throw std::invalid_argument("lyapunov_accumulator: no exponents");
    if (!(measuring_time > 0.0)) throw std::invalid_argument("lyapunov_accumulator: measuring time must be > 0");
    if (blocks_ == 0) throw std::invalid_argument("lyapunov_accumulator: need at least one block");
}

std::size_t lyapunov_accumulator::block_of(double midpoint) const {
    const double b = std::floor(midpoint / measuring_time_ * double(blocks_));
    return b <= 0.0 ? 0 : std::min(blocks_ - 1, std::size_t(b));
}

void lyapunov_accumulator::add_interval(std::span<const double> log_r, double duration) {
    const std::size_t m = size();
    if (log_r.size() != m)
        throw std::invalid_argument("lyapunov_accumulator: got " + std::to_string(log_r.size()) +
                                    " values of ln|R_kk| for " + std::to_string(m) + " exponents");
    if (!(duration > 0.0) || !std::isfinite(duration))
        throw std::invalid_argument("lyapunov_accumulator: interval duration must be finite and > 0");
    for (double x : log_r)
        if (!std::isfinite(x))
            throw std::invalid_argument("lyapunov_accumulator: non-finite ln|R_kk| (a tangent vector collapsed; "
                                        "orthonormalize more often)");

    const std::size_t b = block_of(elapsed() + 0.5 * duration);
    double interval_sum = 0.0;
    for (std::size_t k = 0; k < m; ++k) {
        totals_[k].add(log_r[k]);
        block_log_r_[b * m + k] += log_r[k];
        interval_sum += log_r[k];
    }
    block_time_[b] += duration;
    elapsed_.add(duration);

    const double t = elapsed();
    double running_sum = 0.0;
    for (const auto& s : totals_) running_sum += s.value();
    times_.push_back(t);
    lambda1_running_.push_back(totals_[0].value() / t);
    sum_running_.push_back(running_sum / t);
    for (std::size_t k = 0; k < local_count_; ++k) local_.push_back(log_r[k] / duration);
    local_sum_.push_back(interval_sum / duration);
}

std::vector<double> lyapunov_accumulator::exponents() const {
    std::vector<double> l(size(), 0.0);
    const double t = elapsed();
    if (t > 0.0)
        for (std::size_t k = 0; k < size(); ++k) l[k] = totals_[k].value() / t;
    return l;
}

double lyapunov_accumulator::sum() const {
    double s = 0.0;
    for (const auto& c : totals_) s += c.value();
    const double t = elapsed();
    return t > 0.0 ? s / t : 0.0;
}

std::vector<double> lyapunov_accumulator::standard_errors() const {
    const std::size_t m = size();
    std::vector<double> se(m);
    std::vector<double> means;
    for (std::size_t k = 0; k < m; ++k) {
        means.clear();
        for (std::size_t b = 0; b < blocks_; ++b)
            if (block_time_[b] > 0.0) means.push_back(block_log_r_[b * m + k] / block_time_[b]);
        se[k] = block_standard_error(means);
    }
    return se;
}

double lyapunov_accumulator::sum_standard_error() const {
    const std::size_t m = size();
    std::vector<double> means;
    for (std::size_t b = 0; b < blocks_; ++b) {
        if (!(block_time_[b] > 0.0)) continue;
        double s = 0.0;
        for (std::size_t k = 0; k < m; ++k) s += block_log_r_[b * m + k];
        means.push_back(s / block_time_[b]);
    }
    return block_standard_error(means);
}

}  // namespace sparsechaos::analysis
