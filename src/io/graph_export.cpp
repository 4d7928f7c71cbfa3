#include "sparsechaos/io/graph_export.hpp"

#include <algorithm>
#include <cstring>

#include "sparsechaos/io/hdf5.hpp"
#include "sparsechaos/mpi_comm.hpp"
#include "sparsechaos/network/positions.hpp"

namespace sparsechaos::io {
namespace {

constexpr std::uint64_t piece_rows = std::uint64_t(1) << 22;  // rows per collective write

// This rank's part [start, start + count) of a dataset `rows` × `columns`, written collectively
// in pieces (every rank makes the same number of H5Dwrite calls; a rank with nothing left selects
// nothing). fill(first, n, buffer) produces local elements [first, first + n).
template <class T, class Fill>
void write_parts(hid_t ds, hid_t mem_type, std::uint64_t start, std::uint64_t count, int columns, MPI_Comm comm,
                 const std::string& path, Fill fill) {
    std::uint64_t pieces = (count + piece_rows - 1) / piece_rows;
    MPI_Allreduce(MPI_IN_PLACE, &pieces, 1, MPI_UINT64_T, MPI_MAX, comm);
    std::vector<T> buffer(std::size_t(std::min(count, piece_rows)) * std::size_t(columns) + 1);
    h5::handle xfer(h5::check(H5Pcreate(H5P_DATASET_XFER), "create transfer properties for", path), H5Pclose);
    h5::check(H5Pset_dxpl_mpio(xfer.get(), H5FD_MPIO_COLLECTIVE), "set collective transfer for", path);
    for (std::uint64_t p = 0; p < pieces; ++p) {
        const std::uint64_t first = std::min(count, p * piece_rows), n = std::min(piece_rows, count - first);
        h5::handle file_space(h5::check(H5Dget_space(ds), "get dataspace of", path), H5Sclose);
        const hsize_t s[2] = {start + first, 0}, c[2] = {std::max<hsize_t>(n, 1), hsize_t(columns)};
        h5::handle mem(h5::check(H5Screate_simple(columns == 1 ? 1 : 2, c, nullptr), "create dataspace for", path),
                       H5Sclose);
        if (n > 0) {
            const hsize_t cn[2] = {n, hsize_t(columns)};
            h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, s, nullptr, cn, nullptr), "select in", path);
            fill(first, n, buffer.data());
        } else {
            h5::check(H5Sselect_none(file_space.get()), "select in", path);
            h5::check(H5Sselect_none(mem.get()), "select in", path);
        }
        h5::check(H5Dwrite(ds, mem_type, mem.get(), file_space.get(), xfer.get(), buffer.data()), "write", path);
    }
}

h5::handle create_dataset(hid_t loc, const std::string& path, hid_t file_type, std::uint64_t rows, int columns) {
    const hsize_t dims[2] = {rows, hsize_t(columns)};
    h5::handle space(h5::check(H5Screate_simple(columns == 1 ? 1 : 2, dims, nullptr), "create dataspace for", path),
                     H5Sclose);
    return {h5::check(H5Dcreate2(loc, path.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                      "create dataset", path),
            H5Dclose};
}

h5::handle create_group(hid_t loc, const std::string& path) {
    return {h5::check(H5Gcreate2(loc, path.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "create group", path),
            H5Gclose};
}

void string_attribute(hid_t obj, const char* name, const std::string& value, const std::string& path) {
    h5::handle type(h5::check(H5Tcopy(H5T_C_S1), "create string type for", path), H5Tclose);
    h5::check(H5Tset_size(type.get(), H5T_VARIABLE), "set string size for", path);
    h5::check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set string encoding for", path);
    h5::handle space(h5::check(H5Screate(H5S_SCALAR), "create dataspace for", path), H5Sclose);
    h5::handle a(h5::check(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), "create attribute", path),
                 H5Aclose);
    const char* p = value.c_str();
    h5::check(H5Awrite(a.get(), type.get(), &p), "write attribute", path);
}

void uint32_attribute(hid_t obj, const char* name, const std::vector<std::uint32_t>& values, const std::string& path) {
    const hsize_t n = values.size();
    h5::handle space(h5::check(n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), "create dataspace for", path),
                     H5Sclose);
    h5::handle a(h5::check(H5Acreate2(obj, name, H5T_STD_U32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), "create attribute", path),
                 H5Aclose);
    h5::check(H5Awrite(a.get(), H5T_NATIVE_UINT32, values.data()), "write attribute", path);
}

// The first element of this rank's part and the total, from the parts' sizes in rank order.
std::pair<std::uint64_t, std::uint64_t> place(std::uint64_t n, MPI_Comm comm) {
    std::uint64_t before = 0, total = n;
    if (size_of(comm) > 1) {
        MPI_Exscan(&n, &before, 1, MPI_UINT64_T, MPI_SUM, comm);
        if (rank_of(comm) == 0) before = 0;  // MPI_Exscan leaves rank 0's result undefined
        MPI_Allreduce(&n, &total, 1, MPI_UINT64_T, MPI_SUM, comm);
    }
    return {before, total};
}

void write_projection(hid_t file, MPI_Comm comm, const network::network_spec& spec, const network::layout& lay,
                      const network::resolved_projection& proj, const network::projection_targets& t,
                      const std::string& name) {
    const auto pre = lay.population(proj.pre), post = lay.population(proj.post), local = lay.local();
    const std::uint64_t post_first = std::max(post.first, local.first), post_end = std::min(post.end(), local.end());
    const std::uint64_t local_posts = post_end > post_first ? post_end - post_first : 0;
    // Counting sort of this rank's synapses by target: per target its slots, filled in the order
    // of the sources (ascending), each row in its canonical order.
    std::vector<std::uint64_t> start(local_posts + 1, 0);
    std::vector<std::uint32_t> scratch;
    std::vector<float> wscratch;
    for (std::uint64_t j = pre.first; j < pre.end(); ++j)
        for (std::uint32_t i : t.targets_of(j, scratch)) ++start[local.first + i - post_first + 1];
    for (std::uint64_t k = 0; k < local_posts; ++k) start[k + 1] += start[k];
    const std::uint64_t n = start[local_posts];
    const bool weights = t.per_synapse_weights(), delays = proj.synapse_delays(), delayed = proj.delayed();
    std::vector<std::uint64_t> source(n);
    std::vector<float> weight(weights ? n : 0), delay(delays ? n : 0);
    {
        std::vector<std::uint64_t> fill(start.begin(), start.end() - 1);
        for (std::uint64_t j = pre.first; j < pre.end(); ++j) {
            const auto row = t.targets_of(j, scratch);
            const auto w = t.weights_of(j, row, wscratch);
            const float* d = delays ? t.row_with_delays(j).delays_ms : nullptr;
            for (std::size_t k = 0; k < row.size(); ++k) {
                const std::uint64_t at = fill[local.first + row[k] - post_first]++;
                source[at] = j - pre.first;
                if (weights) weight[at] = w[k];
                if (delays) delay[at] = d[k];
            }
        }
    }
    const auto [offset, total] = place(n, comm);
    std::uint64_t ranges = 0;  // targets with at least one edge
    for (std::uint64_t k = 0; k < local_posts; ++k) ranges += start[k + 1] > start[k];
    const auto [range_offset, range_total] = place(ranges, comm);

    const std::string base = "/edges/" + name;
    h5::handle group = create_group(file, base);
    string_attribute(group.get(), "source_population", spec.populations[proj.pre].name, base);
    string_attribute(group.get(), "target_population", spec.populations[proj.post].name, base);
    {
        h5::handle ds = create_dataset(file, base + "/source_node_id", H5T_STD_U64LE, total, 1);
        string_attribute(ds.get(), "node_population", spec.populations[proj.pre].name, base + "/source_node_id");
        write_parts<std::uint64_t>(ds.get(), H5T_NATIVE_UINT64, offset, n, 1, comm, base + "/source_node_id",
                                   [&](std::uint64_t first, std::uint64_t m, std::uint64_t* out) {
                                       std::copy_n(source.begin() + std::ptrdiff_t(first), m, out);
                                   });
    }
    {
        h5::handle ds = create_dataset(file, base + "/target_node_id", H5T_STD_U64LE, total, 1);
        string_attribute(ds.get(), "node_population", spec.populations[proj.post].name, base + "/target_node_id");
        write_parts<std::uint64_t>(ds.get(), H5T_NATIVE_UINT64, offset, n, 1, comm, base + "/target_node_id",
                                   [&](std::uint64_t first, std::uint64_t m, std::uint64_t* out) {
                                       // The target of slot s: the k with start[k] <= s < start[k + 1].
                                       std::uint64_t k = std::uint64_t(
                                           std::upper_bound(start.begin(), start.end(), first) - start.begin() - 1);
                                       for (std::uint64_t s = first; s < first + m; ++s) {
                                           while (start[k + 1] <= s) ++k;
                                           out[s - first] = post_first + k - post.first;
                                       }
                                   });
    }
    for (const char* column : {"edge_type_id", "edge_group_id"}) {
        h5::handle ds = create_dataset(file, base + "/" + column, H5T_STD_U32LE, total, 1);
        write_parts<std::uint32_t>(ds.get(), H5T_NATIVE_UINT32, offset, n, 1, comm, base + "/" + column,
                                   [](std::uint64_t, std::uint64_t m, std::uint32_t* out) { std::fill_n(out, m, 0u); });
    }
    {
        h5::handle ds = create_dataset(file, base + "/edge_group_index", H5T_STD_U64LE, total, 1);
        write_parts<std::uint64_t>(ds.get(), H5T_NATIVE_UINT64, offset, n, 1, comm, base + "/edge_group_index",
                                   [&](std::uint64_t first, std::uint64_t m, std::uint64_t* out) {
                                       for (std::uint64_t s = 0; s < m; ++s) out[s] = offset + first + s;
                                   });
    }
    h5::handle edge_group = create_group(file, base + "/0");
    {
        // One value per projection: the double itself; per synapse: the stored float.
        const std::string path = base + "/0/syn_weight";
        if (weights) {
            h5::handle ds = create_dataset(file, path, H5T_IEEE_F32LE, total, 1);
            write_parts<float>(ds.get(), H5T_NATIVE_FLOAT, offset, n, 1, comm, path,
                               [&](std::uint64_t first, std::uint64_t m, float* out) {
                                   std::copy_n(weight.begin() + std::ptrdiff_t(first), m, out);
                               });
        } else {
            h5::handle ds = create_dataset(file, path, H5T_IEEE_F64LE, total, 1);
            write_parts<double>(ds.get(), H5T_NATIVE_DOUBLE, offset, n, 1, comm, path,
                                [&](std::uint64_t, std::uint64_t m, double* out) { std::fill_n(out, m, proj.weight); });
        }
    }
    if (delayed) {
        const std::string path = base + "/0/delay";
        if (delays) {
            h5::handle ds = create_dataset(file, path, H5T_IEEE_F32LE, total, 1);
            write_parts<float>(ds.get(), H5T_NATIVE_FLOAT, offset, n, 1, comm, path,
                               [&](std::uint64_t first, std::uint64_t m, float* out) {
                                   std::copy_n(delay.begin() + std::ptrdiff_t(first), m, out);
                               });
            // The bound the run's exchange windows used (io/sonata_edges.hpp): read back, the
            // graph runs the same windows.
            h5::handle space(H5Screate(H5S_SCALAR), H5Sclose);
            h5::handle a(h5::check(H5Acreate2(ds.get(), "lower_bound_ms", H5T_IEEE_F64LE, space.get(), H5P_DEFAULT,
                                              H5P_DEFAULT),
                                   "create attribute", path),
                         H5Aclose);
            h5::check(H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &proj.delay_ms), "write attribute", path);
        } else {
            h5::handle ds = create_dataset(file, path, H5T_IEEE_F64LE, total, 1);
            write_parts<double>(ds.get(), H5T_NATIVE_DOUBLE, offset, n, 1, comm, path,
                                [&](std::uint64_t, std::uint64_t m, double* out) { std::fill_n(out, m, proj.delay_ms); });
        }
    }
    // The index: target node k of the post population -> its range (or [-1, -1]), range -> edges.
    h5::handle indices = create_group(file, base + "/indices");
    h5::handle t2s = create_group(file, base + "/indices/target_to_source");
    {
        const std::string path = base + "/indices/target_to_source/node_id_to_ranges";
        h5::handle ds = create_dataset(file, path, H5T_STD_I64LE, post.size, 2);
        std::vector<std::int64_t> range_of(local_posts);
        std::int64_t r = std::int64_t(range_offset);
        for (std::uint64_t k = 0; k < local_posts; ++k) range_of[k] = start[k + 1] > start[k] ? r++ : -1;
        write_parts<std::int64_t>(ds.get(), H5T_NATIVE_INT64, post_first - (local_posts ? post.first : post_first),
                                  local_posts, 2, comm, path, [&](std::uint64_t first, std::uint64_t m, std::int64_t* out) {
                                      for (std::uint64_t k = 0; k < m; ++k) {
                                          const std::int64_t v = range_of[first + k];
                                          out[2 * k] = v;
                                          out[2 * k + 1] = v < 0 ? -1 : v + 1;
                                      }
                                  });
    }
    {
        const std::string path = base + "/indices/target_to_source/range_to_edge_id";
        h5::handle ds = create_dataset(file, path, H5T_STD_I64LE, range_total, 2);
        std::vector<std::int64_t> bounds;
        bounds.reserve(2 * ranges);
        for (std::uint64_t k = 0; k < local_posts; ++k)
            if (start[k + 1] > start[k]) {
                bounds.push_back(std::int64_t(offset + start[k]));
                bounds.push_back(std::int64_t(offset + start[k + 1]));
            }
        write_parts<std::int64_t>(ds.get(), H5T_NATIVE_INT64, range_offset, ranges, 2, comm, path,
                                  [&](std::uint64_t first, std::uint64_t m, std::int64_t* out) {
                                      std::copy_n(bounds.begin() + std::ptrdiff_t(2 * first), 2 * m, out);
                                  });
    }
}

}  // namespace

std::string edge_population_name(const network::network_spec& spec, std::size_t k) {
    auto base = [&](std::size_t m) { return spec.projections[m].pre + "_to_" + spec.projections[m].post; };
    for (std::size_t m = 0; m < k; ++m)
        if (base(m) == base(k)) return base(k) + "_" + std::to_string(k);
    return base(k);
}

void write_nodes(hid_t file, MPI_Comm comm, const network::network_spec& spec, const network::layout& lay) {
    const auto local = lay.local();
    if (!(H5Lexists(file, "nodes", H5P_DEFAULT) > 0)) create_group(file, "/nodes");
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto& pop = spec.populations[p];
        const auto range = lay.population(p);
        const std::uint64_t first = std::max(range.first, local.first), end = std::min(range.end(), local.end());
        const std::uint64_t n = end > first ? end - first : 0, offset = n ? first - range.first : 0;
        const std::string base = "/nodes/" + pop.name;
        h5::handle g = create_group(file, base);
        auto zeros = [&](const char* column) {
            h5::handle ds = create_dataset(file, base + "/" + column, H5T_STD_U32LE, range.size, 1);
            write_parts<std::uint32_t>(ds.get(), H5T_NATIVE_UINT32, offset, n, 1, comm, base + "/" + column,
                                       [](std::uint64_t, std::uint64_t m, std::uint32_t* out) { std::fill_n(out, m, 0u); });
        };
        auto ids = [&](const char* column) {
            h5::handle ds = create_dataset(file, base + "/" + column, H5T_STD_U64LE, range.size, 1);
            write_parts<std::uint64_t>(ds.get(), H5T_NATIVE_UINT64, offset, n, 1, comm, base + "/" + column,
                                       [&](std::uint64_t f, std::uint64_t m, std::uint64_t* out) {
                                           for (std::uint64_t k = 0; k < m; ++k) out[k] = offset + f + k;
                                       });
        };
        zeros("node_type_id");
        zeros("node_group_id");
        ids("node_id");
        ids("node_group_index");
        h5::handle group0 = create_group(file, base + "/0");
        if (pop.positions) {
            const network::sheet_positions pos(*pop.positions, pop.size, range.first, spec.simulation.seed);
            for (int axis = 0; axis < 2; ++axis) {
                const std::string path = base + (axis ? "/0/y" : "/0/x");
                h5::handle ds = create_dataset(file, path, H5T_IEEE_F64LE, range.size, 1);
                write_parts<double>(ds.get(), H5T_NATIVE_DOUBLE, offset, n, 1, comm, path,
                                    [&](std::uint64_t f, std::uint64_t m, double* out) {
                                        for (std::uint64_t k = 0; k < m; ++k) {
                                            const auto q = pos.at(offset + f + k);
                                            out[k] = axis ? q.y : q.x;
                                        }
                                    });
            }
        }
    }
}

void write_graph(const std::string& path, MPI_Comm comm, const network::network_spec& spec, const network::layout& lay,
                 const std::vector<network::resolved_projection>& projections,
                 const std::vector<network::projection_targets>& targets) {
    auto file = h5::file::create(path, comm);
    {
        const hid_t f = file.id();
        uint32_attribute(f, "magic", {0x0A7Au}, "/");
        uint32_attribute(f, "version", {0u, 1u}, "/");
        create_group(f, "/edges");
        for (std::size_t k = 0; k < projections.size(); ++k)
            write_projection(f, comm, spec, lay, projections[k], targets[k], edge_population_name(spec, k));
        write_nodes(f, comm, spec, lay);
    }
    file.close();
}

}  // namespace sparsechaos::io
