// The memory floor under the engine's cost per spike: a spike kicks K random targets, and each
// kick reads and writes its target's 8-byte cell. This driver does only that (all K cells
// prefetched before the first kick, as the engine does) for cells of N neurons, so that the
// engine's cost at each N can be compared with what the memory hierarchy alone charges for the
// same accesses (docs/benchmarks.md, "The memory floor"). Targets come from a counter hash, or
// with --stored-rows from a stored table of N rows of K targets, one random row per spike and the
// next row prefetched one spike ahead (the engine's synapse reads).
#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdio>
#include <vector>

#include "cpu_time.hpp"
#include "sparsechaos/huge_pages.hpp"

namespace {

using sparsechaos::bench::cpu_seconds;

// A well-mixed 64-bit hash of a counter (splitmix64's finalizer).
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint32_t uniform_below(std::uint64_t n, std::uint64_t counter) {
    return std::uint32_t((mix(counter) >> 32) * n >> 32);
}

// µs per spike of spikes first..end-1, k kicks each, into the cells; targets from `rows` (n rows
// of k) if it is not empty.
double kick_floor(sparsechaos::huge_page_vector<double>& cells, const sparsechaos::huge_page_vector<std::uint32_t>& rows,
                  unsigned k, std::uint64_t first, std::uint64_t end) {
    const std::uint64_t n = cells.size();
    std::vector<std::uint32_t> hashed(k);
    double sum = 0.0;
    const double t0 = cpu_seconds();
    for (std::uint64_t s = first; s < end; ++s) {
        const std::uint32_t* targets = hashed.data();
        if (rows.empty()) {
            for (unsigned j = 0; j < k; ++j) hashed[j] = uniform_below(n, s * k + j);
        } else {
            targets = rows.data() + std::size_t(uniform_below(n, ~s)) * k;
        }
        for (unsigned j = 0; j < k; ++j) __builtin_prefetch(&cells[targets[j]], 1);
        const double c = 1e-9 * double(s & 7);
        for (unsigned j = 0; j < k; ++j) cells[targets[j]] += c;
        if (!rows.empty()) {
            const std::uint32_t* next = rows.data() + std::size_t(uniform_below(n, ~(s + 1))) * k;
            for (unsigned j = 0; j < k; j += 16) __builtin_prefetch(next + j, 0, 0);
        }
    }
    const double cpu = cpu_seconds() - t0;
    for (std::uint64_t i = 0; i < n; i += 4096) sum += cells[i];
    if (sum == -1.0) std::puts("");  // keep the kicks observable
    return 1e6 * cpu / double(end - first);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"sparsechaos memory floor: µs per spike for K random read-modify-writes into N cells"};
    std::vector<std::uint64_t> sizes{1000, 10000, 100000, 1000000, 10000000};
    unsigned k = 100;
    std::uint64_t spikes = 2000000;
    bool stored_rows = false;
    app.add_option("--sizes", sizes, "numbers of cells N")->delimiter(',')->check(CLI::Range(1.0, 4294967295.0));
    app.add_option("-k,--kicks", k, "kicks per spike K")->check(CLI::Range(1, 100000));
    app.add_option("--spikes", spikes, "spikes per size")->check(CLI::Range(10.0, 1e12));
    app.add_flag("--stored-rows", stored_rows, "targets from a stored table of N x K (one random row per spike)");
    CLI11_PARSE(app, argc, argv);
    for (std::uint64_t n : sizes) {
        sparsechaos::huge_page_vector<double> cells(n, 1.0);
        sparsechaos::huge_page_vector<std::uint32_t> rows(stored_rows ? n * k : 0);
        for (std::size_t e = 0; e < rows.size(); ++e) rows[e] = uniform_below(n, e + (std::uint64_t(1) << 62));
        kick_floor(cells, rows, k, 0, spikes / 10);  // warm-up: caches filled with what they would hold
        const double us = kick_floor(cells, rows, k, spikes / 10, spikes / 10 + spikes);
        std::printf("N=%-10lu K=%-4u %7.3f us/spike  %6.2f ns/kick  cells %8.1f MiB\n", (unsigned long)n, k, us,
                    1e3 * us / k, double(n) * sizeof(double) / (1 << 20));
    }
}
