#pragma once
// Running Lyapunov exponents from the R factors of successive reorthonormalizations.
//
// Over one interval of duration dt between two QR steps, column k of the orthonormal system
// is stretched by |R_kk|; the exponents are the time averages
//   lambda_k = sum_intervals ln|R_kk| / sum_intervals dt   (1/s).
// Their standard errors come from block averages: the planned measuring time T is cut into B
// equal blocks, each interval is counted in the block that holds its midpoint, and
//   SE_k = sd(block means of lambda_k) / sqrt(B')   (sample sd, B' = number of nonempty blocks).
// Blocks must be long compared to the correlation time of the local exponents for SE to be
// honest; the default B = 10 follows common practice for chaotic networks.
// Pure bookkeeping, no MPI: on every rank, feed it the replicated ln|R_kk| and the same times.
#include <cstddef>
#include <span>
#include <vector>

namespace sparsechaos::analysis {

// sd(block_means) / sqrt(block count), with the sample (n - 1) sd; NaN for fewer than 2 blocks.
double block_standard_error(std::span<const double> block_means);

struct accumulator_options {
    std::size_t blocks = 10;      // for the standard errors
    std::size_t local_count = 3;  // exponents whose local (per-interval) values are recorded
};

class lyapunov_accumulator {
public:
    // exponents = m, the number of columns; measuring_time = T (s) > 0. Intervals beyond T are
    // counted in the last block.
    lyapunov_accumulator(std::size_t exponents, double measuring_time, accumulator_options options = {});

    // One interval: ln|R_kk| for k < m and its duration (s, > 0). Throws std::invalid_argument on
    // a wrong length, a non-finite ln|R_kk| (a collapsed column: orthonormalize more often) or
    // a non-positive duration.
    void add_interval(std::span<const double> log_r, double duration);

    std::size_t size() const { return totals_.size(); }
    std::size_t intervals() const { return times_.size(); }
    double elapsed() const { return elapsed_.value(); }

    // Current estimates, in the order of the columns (1/s); zeros before the first interval.
    std::vector<double> exponents() const;
    std::vector<double> standard_errors() const;
    double sum() const;  // sum of all m exponents: the phase-space contraction rate of the m-volume
    double sum_standard_error() const;

    // Time series, one entry per interval.
    std::span<const double> times() const { return times_; }                    // end of interval, s
    std::span<const double> lambda1_running() const { return lambda1_running_; }  // convergence of lambda_1
    std::span<const double> sum_running() const { return sum_running_; }         // convergence of the sum
    // Local exponents ln|R_kk| / dt of the first local_count() columns, row-major
    // (interval, k); and of the sum over all m columns.
    std::span<const double> local_exponents() const { return local_; }
    std::span<const double> local_sum() const { return local_sum_; }
    std::size_t local_count() const { return local_count_; }

private:
    // Neumaier's compensated sum: hundreds of thousands of intervals, and the sum of exponents is
    // checked against an exact identity to 1e-8 relative.
    struct compensated {
        double sum = 0.0, c = 0.0;
        void add(double x);
        double value() const { return sum + c; }
    };
    std::size_t block_of(double midpoint) const;

    double measuring_time_;
    std::size_t blocks_, local_count_;
    std::vector<compensated> totals_;
    compensated elapsed_;
    std::vector<double> block_log_r_;  // blocks x m, row-major
    std::vector<double> block_time_;
    std::vector<double> times_, lambda1_running_, sum_running_, local_, local_sum_;
};

}  // namespace sparsechaos::analysis
