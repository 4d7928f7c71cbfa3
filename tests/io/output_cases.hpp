#pragma once
// Shared pieces of the output tests (tests/io/test_spike_writer.cpp on one process,
// tests/io/distributed/test_output_ranks.cpp on 1, 2 and 3 ranks).
#include <gtest/gtest.h>
#include <mpi.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sparsechaos/engine/observer.hpp"
#include "sparsechaos/network/spec.hpp"

namespace output_cases {

namespace fs = std::filesystem;
namespace net = sparsechaos::network;


inline fs::path scratch_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    // Per test and rank count: the runs on 1, 2 and 3 ranks may run side by side.
    const fs::path dir = fs::path(SPARSECHAOS_BINARY_DIR) / "test_io_scratch" /
                         (std::string(info->test_suite_name()) + "." + info->name() + "." + std::to_string(size));
    if (rank == 0) {
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    return dir;
}

inline std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Two LIF populations E (30 neurons) and I (10), no projections: enough for the layout.
inline net::network_spec two_populations() {
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
inline std::vector<sparsechaos::engine::spike> synthetic_spikes(std::size_t n) {
    std::vector<sparsechaos::engine::spike> s;
    for (std::size_t k = 0; k < n; ++k) s.push_back({0.25 * double(k), std::uint64_t(k * 7 % 40)});
    return s;
}

}  // namespace output_cases
