#include "sparsechaos/io/sonata_edges.hpp"

#include <hdf5.h>

#include <filesystem>

#include "sparsechaos/io/graph_file_error.hpp"
#include "sparsechaos/io/hdf5.hpp"
#include "sonata_access.hpp"

namespace sparsechaos::io {

namespace sonata {

std::string attribute_string(hid_t obj, const char* name) {
    if (H5Aexists(obj, name) <= 0) return {};
    h5::handle a(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    if (!a.valid()) return {};
    h5::handle type(H5Aget_type(a.get()), H5Tclose);
    if (!type.valid() || H5Tget_class(type.get()) != H5T_STRING) return {};
    if (H5Tis_variable_str(type.get()) > 0) {
        h5::handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(mem.get(), H5T_VARIABLE);
        H5Tset_cset(mem.get(), H5Tget_cset(type.get()));  // HDF5 does not convert between encodings
        char* p = nullptr;
        if (H5Aread(a.get(), mem.get(), &p) < 0) return {};
        std::string s = p ? p : "";
        H5free_memory(p);
        return s;
    }
    const std::size_t size = H5Tget_size(type.get());
    h5::handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), size);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    std::string buf(size, '\0');
    if (H5Aread(a.get(), mem.get(), buf.data()) < 0) return {};
    buf.resize(std::strlen(buf.c_str()));
    return buf;
}

bool link_exists(hid_t loc, const std::string& path) {
    // Each component must exist before the next is asked for.
    std::size_t pos = 0;
    while (pos <= path.size()) {
        const std::size_t slash = path.find('/', pos);
        const std::string prefix = path.substr(0, slash == std::string::npos ? path.size() : slash);
        if (!prefix.empty() && H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
        if (slash == std::string::npos) break;
        pos = slash + 1;
    }
    return true;
}

std::vector<std::string> child_groups(hid_t group) {
    std::vector<std::string> names;
    H5G_info_t info;
    if (H5Gget_info(group, &info) < 0) return names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t n = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (n < 0) continue;
        std::string name(std::size_t(n) + 1, '\0');
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
        name.resize(std::size_t(n));
        H5O_info_t oinfo;
        if (H5Oget_info_by_name(group, name.c_str(), &oinfo, H5P_DEFAULT) >= 0 && oinfo.type == H5O_TYPE_GROUP)
            names.push_back(name);
    }
    return names;
}

std::uint64_t dataset_rows(hid_t file, const std::string& file_name, const std::string& path, int rank,
                           bool numeric) {
    h5::handle ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.valid()) throw graph_file_error(file_name + ": " + path + ": cannot open the dataset");
    h5::handle space(H5Dget_space(ds.get()), H5Sclose);
    const int dims = H5Sget_simple_extent_ndims(space.get());
    if (dims != rank)
        throw graph_file_error(file_name + ": " + path + ": expected a " + std::to_string(rank) + "-D dataset, got " +
                               std::to_string(dims) + "-D");
    hsize_t size[2] = {0, 0};
    H5Sget_simple_extent_dims(space.get(), size, nullptr);
    if (rank == 2 && size[1] != 2)
        throw graph_file_error(file_name + ": " + path + ": expected 2 columns, got " + std::to_string(size[1]));
    if (numeric) {
        h5::handle type(H5Dget_type(ds.get()), H5Tclose);
        const H5T_class_t c = H5Tget_class(type.get());
        if (c != H5T_INTEGER && c != H5T_FLOAT)
            throw graph_file_error(file_name + ": " + path + ": expected numbers, got another type");
    }
    return size[0];
}

}  // namespace sonata

std::vector<std::string> sonata_edge_populations(const std::string& path) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    h5::handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.valid() || H5Lexists(f.get(), "edges", H5P_DEFAULT) <= 0) return {};
    h5::handle g(H5Gopen2(f.get(), "edges", H5P_DEFAULT), H5Gclose);
    return g.valid() ? sonata::child_groups(g.get()) : std::vector<std::string>{};
}

sonata_edge_info read_sonata_info(const std::string& path, const std::string& edge_population) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw graph_file_error(path + ": no such file");
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    if (H5Fis_hdf5(path.c_str()) <= 0) throw graph_file_error(path + ": not an HDF5 file");
    h5::handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.valid()) throw graph_file_error(path + ": cannot open the HDF5 file");
    if (H5Lexists(f.get(), "edges", H5P_DEFAULT) <= 0) throw graph_file_error(path + ": /edges: missing (not a SONATA edges file)");
    const auto populations = sonata_edge_populations(path);
    sonata_edge_info info;
    auto list = [&] {
        std::string s;
        for (const auto& p : populations) s += (s.empty() ? "'" : ", '") + p + "'";
        return s.empty() ? std::string("none") : s;
    };
    if (edge_population.empty()) {
        if (populations.size() != 1)
            throw graph_file_error(path + ": /edges holds " + std::to_string(populations.size()) +
                                   " edge populations (" + list() + "): name one with the projection's 'edges' key");
        info.population = populations[0];
    } else {
        if (std::find(populations.begin(), populations.end(), edge_population) == populations.end())
            throw graph_file_error(path + ": /edges/" + edge_population + ": no such edge population (the file has " +
                                   list() + ")");
        info.population = edge_population;
    }
    const std::string base = "/edges/" + info.population + "/";
    for (const char* required : {"source_node_id", "target_node_id"})
        if (!sonata::link_exists(f.get(), base + required))
            throw graph_file_error(path + ": " + base + required + ": missing (an edge population needs source_node_id "
                                   "and target_node_id)");
    info.edges = sonata::dataset_rows(f.get(), path, base + "source_node_id", 1, true);
    const std::uint64_t targets = sonata::dataset_rows(f.get(), path, base + "target_node_id", 1, true);
    if (targets != info.edges)
        throw graph_file_error(path + ": " + base + "target_node_id: " + std::to_string(targets) + " rows, but " +
                               base + "source_node_id has " + std::to_string(info.edges));
    {
        h5::handle s(H5Dopen2(f.get(), (base + "source_node_id").c_str(), H5P_DEFAULT), H5Dclose);
        h5::handle t(H5Dopen2(f.get(), (base + "target_node_id").c_str(), H5P_DEFAULT), H5Dclose);
        info.source_nodes = sonata::attribute_string(s.get(), "node_population");
        info.target_nodes = sonata::attribute_string(t.get(), "node_population");
        h5::handle g(H5Gopen2(f.get(), base.c_str(), H5P_DEFAULT), H5Gclose);
        if (info.source_nodes.empty()) info.source_nodes = sonata::attribute_string(g.get(), "source_population");
        if (info.target_nodes.empty()) info.target_nodes = sonata::attribute_string(g.get(), "target_population");
        std::vector<std::string> groups;
        for (const auto& name : sonata::child_groups(g.get()))
            if (name != "indices") groups.push_back(name);
        if (groups.size() > 1)
            throw graph_file_error(path + ": " + base + ": " + std::to_string(groups.size()) +
                                   " edge groups; sparsechaos reads edge populations with one group");
        if (!groups.empty()) info.group = groups[0];
    }
    if (!info.group.empty()) {
        for (auto [name, flag] : {std::pair{"syn_weight", &info.has_weights}, std::pair{"delay", &info.has_delays}}) {
            const std::string d = base + info.group + "/" + name;
            if (!sonata::link_exists(f.get(), d)) continue;
            const std::uint64_t rows = sonata::dataset_rows(f.get(), path, d, 1, true);
            if (rows != info.edges)
                throw graph_file_error(path + ": " + d + ": " + std::to_string(rows) + " rows for " +
                                       std::to_string(info.edges) + " edges (one edge group must hold every edge)");
            *flag = true;
        }
        const std::string d = base + info.group + "/delay";
        if (info.has_delays) {
            h5::handle ds(H5Dopen2(f.get(), d.c_str(), H5P_DEFAULT), H5Dclose);
            if (H5Aexists(ds.get(), "lower_bound_ms") > 0) {
                h5::handle a(H5Aopen(ds.get(), "lower_bound_ms", H5P_DEFAULT), H5Aclose);
                double bound = 0.0;
                if (H5Aread(a.get(), H5T_NATIVE_DOUBLE, &bound) < 0 || !(bound > 0.0))
                    throw graph_file_error(path + ": " + d + "@lower_bound_ms: not a positive number");
                info.delay_lower_bound_ms = bound;
            }
        }
    }
    const std::string index = base + "indices/target_to_source/";
    if (sonata::link_exists(f.get(), index + "node_id_to_ranges") && sonata::link_exists(f.get(), index + "range_to_edge_id")) {
        sonata::dataset_rows(f.get(), path, index + "node_id_to_ranges", 2, true);
        sonata::dataset_rows(f.get(), path, index + "range_to_edge_id", 2, true);
        info.has_index = true;
    }
    return info;
}

}  // namespace sparsechaos::io
