// Graph files on the ranks this runs on (1, 2 and 3 under mpiexec): a rank's realized graph,
// written as SONATA edges and read back, gives the same rows, weights and delays bit for bit, for
// every rule and for procedural rows; bad files give one error naming file, dataset and row on
// every rank; text edge lists.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <mpi.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "sparsechaos/io/graph_export.hpp"
#include "sparsechaos/io/graph_file_error.hpp"
#include "sparsechaos/io/graph_import.hpp"
#include "sparsechaos/io/sonata_edges.hpp"
#include "sparsechaos/mpi_comm.hpp"
#include "sparsechaos/network/connectivity.hpp"

namespace sc = sparsechaos;
namespace net = sparsechaos::network;
namespace fs = std::filesystem;

namespace {

const MPI_Comm world = MPI_COMM_WORLD;

// A short file name unique to the running test and rank count, the same on every rank.
std::string scratch(const std::string& suffix = ".h5") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const fs::path dir = fs::path(SPARSECHAOS_BINARY_DIR) / "test_graph_scratch";
    if (sc::rank_of(world) == 0) fs::create_directories(dir);
    MPI_Barrier(world);
    return (dir / (std::string(info->name()) + "." + std::to_string(sc::size_of(world)) + suffix)).string();
}

net::population_spec population(const std::string& name, std::uint64_t size) {
    net::population_spec p;
    p.name = name;
    p.size = size;
    p.model = sc::models::lif{};
    p.drive.value = 0.5;
    return p;
}

net::projection_spec projection(const std::string& pre, const std::string& post, net::connection_rule rule) {
    net::projection_spec p;
    p.pre = pre;
    p.post = post;
    p.rule = rule;
    p.weight = -0.02;
    return p;
}

// Networks whose graphs exercise every rule, weight and delay law and storage mode.
std::vector<net::network_spec> networks() {
    std::vector<net::network_spec> out;
    {  // E/I: fixed in-degree with multapses, normal weights and delays; total number; Bernoulli
        net::network_spec s;
        s.populations = {population("E", 400), population("I", 150)};
        auto a = projection("E", "E", net::connection_rule::fixed_indegree);
        a.degree = 30, a.multapses = true, a.weight = 0.01;
        a.weights = net::weight_distribution::normal, a.weight_relative_sd = 0.3;
        a.delays = net::delay_distribution::normal, a.delay_ms = 1.5, a.delay_sd_ms = 0.75, a.delay_min_ms = 0.1;
        auto b = projection("E", "I", net::connection_rule::fixed_total_number);
        b.total_number = 5000, b.multapses = true, b.delay_ms = 0.5, b.delay_max_ms = 2.0;
        auto c = projection("I", "E", net::connection_rule::pairwise_bernoulli);
        c.probability = 0.1, c.weights = net::weight_distribution::lognormal, c.weight_relative_sd = 0.5;
        c.delay_ms = c.delay_max_ms = 0.8;
        auto d = projection("I", "I", net::connection_rule::fixed_outdegree);
        d.degree = 12, d.delay_ms = d.delay_max_ms = 0.8;
        s.projections = {a, b, c, d};
        s.simulation.seed = 5;
        out.push_back(s);
    }
    {  // Sheet and motifs, zero delay.
        net::network_spec s;
        s.populations = {population("S", 900), population("M", 300)};
        s.populations[0].positions = net::positions_spec{500.0, 500.0, true, net::position_layout::grid};
        auto a = projection("S", "S", net::connection_rule::distance_dependent);
        a.spatial = {net::distance_kernel::gaussian, 40.0, 0.5, {}};
        a.weights = net::weight_distribution::normal, a.weight_relative_sd = 0.1;
        auto b = projection("M", "M", net::connection_rule::sonet);
        b.probability = 0.05, b.sonet = {0.5, 0.2, 0.2, 0.1};
        s.projections = {a, b};
        out.push_back(s);
    }
    {  // Procedural rows with per-synapse weights, constant delay.
        net::network_spec s;
        s.populations = {population("P", 500)};
        s.populations[0].positions = net::positions_spec{300.0, 200.0, false, net::position_layout::random};
        auto a = projection("P", "P", net::connection_rule::distance_dependent);
        a.spatial = {net::distance_kernel::exponential, 30.0, 0.4, 100.0};
        a.weights = net::weight_distribution::lognormal, a.weight_relative_sd = 0.2, a.delay_ms = a.delay_max_ms = 1.25;
        auto b = projection("P", "P", net::connection_rule::fixed_outdegree);
        b.degree = 40, b.multapses = true, b.weights = net::weight_distribution::normal, b.weight_relative_sd = 0.5;
        b.delay_ms = b.delay_max_ms = 2.0;
        s.projections = {a, b};
        s.simulation.storage = net::connectivity_storage::procedural;
        out.push_back(s);
    }
    return out;
}

// The spec that reads every projection of `spec` back from `path` (as the config reader would
// set it up: file metadata from read_sonata_info).
net::network_spec read_back(const net::network_spec& spec, const std::string& path) {
    net::network_spec s = spec;
    s.simulation.storage = net::connectivity_storage::stored;
    for (std::size_t k = 0; k < s.projections.size(); ++k) {
        auto& p = s.projections[k];
        net::projection_spec q;
        q.pre = p.pre, q.post = p.post, q.rule = net::connection_rule::file;
        net::edge_file_spec f;
        f.path = path;
        f.edge_population = sc::io::edge_population_name(spec, k);
        const auto info = sc::io::read_sonata_info(path, f.edge_population);
        f.synapses = info.edges, f.has_weights = info.has_weights, f.has_delays = info.has_delays;
        q.file = f;
        p = q;
    }
    return s;
}

// The rows of every presynaptic neuron of one projection on this rank: targets, weights, delays.
struct rows {
    std::vector<std::uint32_t> targets;
    std::vector<float> weights, delays;
    std::vector<std::uint64_t> offsets;
};
rows rows_of(const net::projection_targets& t, const net::resolved_projection& p, const net::layout& lay) {
    rows r;
    std::vector<std::uint32_t> scratch;
    std::vector<float> ws;
    const auto pre = lay.population(p.pre);
    for (std::uint64_t j = pre.first; j < pre.end(); ++j) {
        const auto row = t.targets_of(j, scratch);
        const auto w = t.weights_of(j, row, ws);
        r.offsets.push_back(r.targets.size());
        r.targets.insert(r.targets.end(), row.begin(), row.end());
        r.weights.insert(r.weights.end(), w.begin(), w.end());
        if (t.stored() && p.synapse_delays()) {
            const auto d = t.row_with_delays(j);
            r.delays.insert(r.delays.end(), d.delays_ms, d.delays_ms + d.size);
        }
    }
    return r;
}

template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const sc::io::graph_file_error& e) {
        return e.what();
    }
    return "no error";
}

// A small SONATA file written serially by rank 0 (raw HDF5): `edges` rows, with the columns given.
struct raw_edges {
    std::vector<std::int64_t> source, target;
    std::vector<double> weight, delay;
    bool with_target = true;
};
void write_raw(const std::string& path, const raw_edges& e) {
    if (sc::rank_of(world) == 0) {
        const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        H5Gclose(H5Gcreate2(f, "/edges", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        H5Gclose(H5Gcreate2(f, "/edges/net", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        auto column = [&](const char* name, hid_t file_type, hid_t mem_type, const void* data, hsize_t n) {
            const hid_t space = H5Screate_simple(1, &n, nullptr);
            const hid_t ds = H5Dcreate2(f, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
            H5Dclose(ds);
            H5Sclose(space);
        };
        column("/edges/net/source_node_id", H5T_STD_I64LE, H5T_NATIVE_INT64, e.source.data(), e.source.size());
        if (e.with_target)
            column("/edges/net/target_node_id", H5T_STD_I64LE, H5T_NATIVE_INT64, e.target.data(), e.target.size());
        if (!e.weight.empty() || !e.delay.empty()) H5Gclose(H5Gcreate2(f, "/edges/net/0", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        if (!e.weight.empty()) column("/edges/net/0/syn_weight", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, e.weight.data(), e.weight.size());
        if (!e.delay.empty()) column("/edges/net/0/delay", H5T_IEEE_F32LE, H5T_NATIVE_DOUBLE, e.delay.data(), e.delay.size());
        H5Fclose(f);
    }
    MPI_Barrier(world);
}

// One population "A" of 100 neurons reading /edges/net of `path`.
net::network_spec reader_of(const std::string& path, bool delays_given = false) {
    net::network_spec s;
    s.populations = {population("A", 100)};
    auto p = projection("A", "A", net::connection_rule::file);
    p.weight.reset();
    net::edge_file_spec f;
    f.path = path;
    const auto info = sc::io::read_sonata_info(path, "");
    f.edge_population = info.population;
    f.synapses = info.edges, f.has_weights = info.has_weights, f.has_delays = info.has_delays;
    p.file = f;
    if (!info.has_weights) p.weight = -0.1;
    if (delays_given) p.delay_given = true;
    s.projections = {p};
    return s;
}

void import_on_this_rank(const net::network_spec& s) {
    const net::layout lay(s, sc::rank_of(world), sc::size_of(world));
    auto projs = net::resolve_projections(s, lay);
    sc::io::build_projections(s, lay, projs, world, net::synapse_weight_use::per_synapse);
}

}  // namespace

TEST(graph_files, export_and_import_give_the_same_rows) {
    int case_index = 0;
    for (const auto& spec : networks()) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, ".%d.h5", case_index++);
        const std::string path = scratch(suffix);
        const net::layout lay(spec, sc::rank_of(world), sc::size_of(world));
        const auto projs = net::resolve_projections(spec, lay);
        std::vector<net::projection_targets> original;
        for (const auto& p : projs) original.emplace_back(spec, lay, p, net::synapse_weight_use::per_synapse);
        sc::io::write_graph(path, world, spec, lay, projs, original);

        const auto back = read_back(spec, path);
        auto back_projs = net::resolve_projections(back, lay);
        const auto imported = sc::io::build_projections(back, lay, back_projs, world, net::synapse_weight_use::per_synapse);
        std::uint64_t total = 0;
        for (std::size_t k = 0; k < projs.size(); ++k) {
            const auto a = rows_of(original[k], projs[k], lay), b = rows_of(imported[k], back_projs[k], lay);
            EXPECT_EQ(a.offsets, b.offsets) << "case " << case_index - 1 << " projection " << k;
            EXPECT_EQ(a.targets, b.targets) << "case " << case_index - 1 << " projection " << k;
            EXPECT_EQ(a.weights, b.weights) << "case " << case_index - 1 << " projection " << k;
            EXPECT_EQ(a.delays, b.delays) << "case " << case_index - 1 << " projection " << k;
            // One weight or delay per projection comes back as the same double.
            if (!projs[k].synapse_weights()) {
                EXPECT_EQ(back_projs[k].weight, projs[k].weight) << k;
            }
            EXPECT_EQ(back_projs[k].synapse_weights(), projs[k].synapse_weights()) << k;
            EXPECT_EQ(back_projs[k].synapse_delays(), projs[k].synapse_delays()) << k;
            if (!projs[k].synapse_delays()) {
                EXPECT_EQ(back_projs[k].delay_ms, projs[k].delay_ms) << k;
            }
            EXPECT_EQ(back_projs[k].delayed(), projs[k].delayed()) << k;
            total += a.targets.size();
            // The mean in-degree is the realized one, the same on every rank count.
            double k_sum = 0;
            std::uint64_t mine = a.targets.size(), all = 0;
            MPI_Allreduce(&mine, &all, 1, MPI_UINT64_T, MPI_SUM, world);
            k_sum = double(all) / double(lay.population(projs[k].post).size);
            EXPECT_EQ(back_projs[k].mean_indegree, k_sum) << k;
        }
        std::uint64_t everything = 0;
        MPI_Allreduce(&total, &everything, 1, MPI_UINT64_T, MPI_SUM, world);
        EXPECT_GT(everything, 10000u);
        // The file is SONATA: ids within node populations, the attributes that name them.
        const auto info = sc::io::read_sonata_info(path, sc::io::edge_population_name(spec, 0));
        EXPECT_EQ(info.source_nodes, spec.projections[0].pre);
        EXPECT_TRUE(info.has_index);
        // Positions under /nodes/<population>/0/{x, y}, as the network drew them.
        for (std::size_t p = 0; p < spec.populations.size(); ++p) {
            if (!spec.populations[p].positions) continue;
            const auto pos = net::population_positions(spec, lay, p);
            const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
            std::vector<double> x(spec.populations[p].size), y(x.size());
            const std::string base = "/nodes/" + spec.populations[p].name + "/0/";
            for (auto [name, out] : {std::pair{"x", &x}, std::pair{"y", &y}}) {
                const hid_t ds = H5Dopen2(f, (base + name).c_str(), H5P_DEFAULT);
                ASSERT_GE(ds, 0) << base << name;
                H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out->data());
                H5Dclose(ds);
            }
            H5Fclose(f);
            for (std::uint64_t k = 0; k < x.size(); ++k) {
                ASSERT_EQ(x[k], pos.at(k).x) << k;
                ASSERT_EQ(y[k], pos.at(k).y) << k;
            }
        }
    }
}

TEST(graph_files, mean_weight_of_a_file_is_the_same_bits_on_any_rank_count) {
    // The mean of per-synapse weights (the balance condition's J) is summed exactly: the value
    // equals a serial long-double-free reference computed from the file in one pass on rank 0.
    const auto spec = networks()[0];
    const std::string path = scratch();
    const net::layout lay(spec, sc::rank_of(world), sc::size_of(world));
    const auto projs = net::resolve_projections(spec, lay);
    std::vector<net::projection_targets> original;
    for (const auto& p : projs) original.emplace_back(spec, lay, p, net::synapse_weight_use::per_synapse);
    sc::io::write_graph(path, world, spec, lay, projs, original);
    const auto back = read_back(spec, path);
    const auto read = sc::io::read_edge_files(back, lay, net::resolve_projections(back, lay), world, false);
    ASSERT_TRUE(read.summaries[0].has_value());
    // Serial reference on every rank: read the whole dataset, sum the floats exactly.
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t ds = H5Dopen2(f, ("/edges/" + sc::io::edge_population_name(spec, 0) + "/0/syn_weight").c_str(), H5P_DEFAULT);
    const hid_t space = H5Dget_space(ds);
    std::vector<float> w(std::size_t(H5Sget_simple_extent_npoints(space)));
    H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, w.data());
    H5Sclose(space), H5Dclose(ds), H5Fclose(f);
    // Exact: doubles hold the sum of these floats exactly (their exponents span < 2^10).
    long double sum = 0;
    for (float x : w) sum += x;
    EXPECT_EQ(read.summaries[0]->weight_mean, double(sum / (long double)w.size()));
    EXPECT_EQ(read.summaries[0]->synapses, w.size());
    EXPECT_FALSE(read.summaries[0]->constant_weight.has_value());
}

TEST(graph_files, missing_dataset) {
    const std::string path = scratch();
    write_raw(path, {{0, 1, 2}, {}, {}, {}, false});
    const std::string m = error_of([&] { reader_of(path); });
    EXPECT_NE(m.find(path + ": /edges/net/target_node_id: missing"), std::string::npos) << m;
}

TEST(graph_files, id_out_of_range) {
    const std::string path = scratch();
    raw_edges e;
    for (int k = 0; k < 20; ++k) e.source.push_back(k), e.target.push_back((k * 7) % 100);
    e.target[13] = 100;  // one past the 100 neurons
    e.source[17] = -4;
    write_raw(path, e);
    const std::string m = error_of([&] { import_on_this_rank(reader_of(path)); });
    EXPECT_NE(m.find(path + ": /edges/net/target_node_id[13] = 100: node id out of range"), std::string::npos) << m;
}

TEST(graph_files, negative_delay_and_nan_weight) {
    const std::string path = scratch();
    raw_edges e;
    for (int k = 0; k < 30; ++k) {
        e.source.push_back(k), e.target.push_back(99 - k);
        e.weight.push_back(0.01 * k - 0.1), e.delay.push_back(1.0 + 0.1 * k);
    }
    e.delay[9] = -0.5;
    e.weight[21] = NAN;
    write_raw(path, e);
    std::string m = error_of([&] { import_on_this_rank(reader_of(path)); });
    EXPECT_NE(m.find(path + ": /edges/net/0/delay[9]: negative delay -0.5 ms"), std::string::npos) << m;
    // With the delays given by the config, the file's are not read: the NaN weight is next.
    m = error_of([&] {
        auto s = reader_of(path, true);
        s.projections[0].delay_ms = s.projections[0].delay_max_ms = 1.0;
        import_on_this_rank(s);
    });
    EXPECT_NE(m.find(path + ": /edges/net/0/syn_weight[21]: weight is NaN"), std::string::npos) << m;
}

TEST(graph_files, bad_value_found_through_the_index) {
    // An exported file (with its index) whose weight in some row is made NaN: the rank that owns
    // the row finds it, every rank reports it.
    net::network_spec s;
    s.populations = {population("A", 100)};
    auto p = projection("A", "A", net::connection_rule::fixed_indegree);
    p.degree = 10, p.weights = net::weight_distribution::normal, p.weight_relative_sd = 0.1;
    s.projections = {p};
    const std::string path = scratch();
    const net::layout lay(s, sc::rank_of(world), sc::size_of(world));
    const auto projs = net::resolve_projections(s, lay);
    std::vector<net::projection_targets> t;
    t.emplace_back(s, lay, projs[0], net::synapse_weight_use::per_synapse);
    sc::io::write_graph(path, world, s, lay, projs, t);
    if (sc::rank_of(world) == 0) {
        const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        const hid_t ds = H5Dopen2(f, "/edges/A_to_A/0/syn_weight", H5P_DEFAULT);
        const hid_t space = H5Dget_space(ds);
        const hsize_t row = 987, one = 1;
        H5Sselect_hyperslab(space, H5S_SELECT_SET, &row, nullptr, &one, nullptr);
        const hid_t mem = H5Screate_simple(1, &one, nullptr);
        const float nan = NAN;
        H5Dwrite(ds, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, &nan);
        H5Sclose(mem), H5Sclose(space), H5Dclose(ds), H5Fclose(f);
    }
    MPI_Barrier(world);
    const std::string m = error_of([&] { import_on_this_rank(read_back(s, path)); });
    EXPECT_NE(m.find(path + ": /edges/A_to_A/0/syn_weight[987]: weight is NaN"), std::string::npos) << m;
}

TEST(graph_files, text_edge_lists) {
    const std::string path = scratch(".txt");
    if (sc::rank_of(world) == 0) {
        std::ofstream out(path);
        out << "# pre post weight delay\n";
        for (int k = 0; k < 300; ++k) out << (k * 13) % 100 << " " << (k * 7 + 3) % 100 << " " << -0.001 * (k % 17 + 1)
                                          << " " << 0.5 + 0.01 * (k % 11) << "\n";
    }
    MPI_Barrier(world);
    net::network_spec s;
    s.populations = {population("A", 60), population("B", 40)};
    // Four projections share the file's id space 0..99 (the default offsets are the populations'
    // first global ids).
    for (auto [pre, post] : {std::pair{"A", "A"}, std::pair{"A", "B"}, std::pair{"B", "A"}, std::pair{"B", "B"}}) {
        auto p = projection(pre, post, net::connection_rule::file);
        p.weight.reset();
        net::edge_file_spec f;
        f.path = path, f.format = net::edge_file_format::text, f.has_weights = f.has_delays = true;
        f.source_offset = std::string(pre) == "A" ? 0 : 60;
        f.target_offset = std::string(post) == "A" ? 0 : 60;
        p.file = f;
        s.projections.push_back(p);
    }
    const net::layout lay(s, sc::rank_of(world), sc::size_of(world));
    auto projs = net::resolve_projections(s, lay);
    const auto t = sc::io::build_projections(s, lay, projs, world, net::synapse_weight_use::per_synapse);
    // Every line is one synapse of exactly one projection, with its weight and delay as floats.
    std::uint64_t mine = 0;
    std::vector<std::uint32_t> scratch_targets;
    std::vector<float> ws;
    for (std::size_t k = 0; k < 4; ++k) {
        const auto pre = lay.population(projs[k].pre);
        for (std::uint64_t j = pre.first; j < pre.end(); ++j) {
            const auto row = t[k].targets_of(j, scratch_targets);
            const auto w = t[k].weights_of(j, row, ws);
            const auto d = t[k].row_with_delays(j);
            for (std::size_t i = 0; i < row.size(); ++i) {
                ++mine;
                const std::uint64_t post = lay.local().first + row[i];
                bool found = false;
                for (int line = 0; line < 300 && !found; ++line)
                    found = std::uint64_t((line * 13) % 100) == j && std::uint64_t((line * 7 + 3) % 100) == post &&
                            w[i] == float(-0.001 * (line % 17 + 1)) && d.delays_ms[i] == float(0.5 + 0.01 * (line % 11));
                EXPECT_TRUE(found) << j << " -> " << post;
            }
        }
    }
    std::uint64_t all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_UINT64_T, MPI_SUM, world);
    EXPECT_EQ(all, 300u);
    // A malformed line names file and line.
    const std::string bad = scratch(".bad.txt");
    if (sc::rank_of(world) == 0) std::ofstream(bad) << "0 1 -0.1\n2 3 nan\n";
    MPI_Barrier(world);
    s.projections.resize(1);
    s.projections[0].file->path = bad;
    s.projections[0].file->has_delays = false;
    const std::string m = error_of([&] {
        auto p = net::resolve_projections(s, lay);
        sc::io::build_projections(s, lay, p, world, net::synapse_weight_use::per_synapse);
    });
    EXPECT_NE(m.find(bad + ":2: column 3 (weight): nan"), std::string::npos) << m;
}
