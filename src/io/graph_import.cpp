#include "sparsechaos/io/graph_import.hpp"

#include <hdf5.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <string>

#include "sonata_access.hpp"
#include "sparsechaos/io/edge_list.hpp"
#include "sparsechaos/io/exact_float_sum.hpp"
#include "sparsechaos/io/graph_file_error.hpp"
#include "sparsechaos/io/hdf5.hpp"
#include "sparsechaos/io/sonata_edges.hpp"
#include "sparsechaos/mpi_comm.hpp"

namespace sparsechaos::io {
namespace {

using network::id_range;

constexpr std::uint64_t no_error = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t general_error = no_error - 1;  // an error not tied to a row
constexpr std::uint64_t block_rows = std::uint64_t(1) << 20;

// The first error of this rank: the smallest row wins, so that every rank count reports the same.
struct first_error {
    std::uint64_t key = no_error;
    std::string message;
    void set(std::uint64_t k, std::string m) {
        if (k < key) key = k, message = std::move(m);
    }
};

// Every rank learns the first error of all ranks (smallest row, then lowest rank) and throws it.
void agree(const first_error& e, MPI_Comm comm) {
    std::uint64_t key = e.key, min_key = key;
    MPI_Allreduce(&key, &min_key, 1, MPI_UINT64_T, MPI_MIN, comm);
    if (min_key == no_error) return;
    const int rank = rank_of(comm), mine = key == min_key ? rank : INT_MAX;
    int owner = 0;
    MPI_Allreduce(&mine, &owner, 1, MPI_INT, MPI_MIN, comm);
    std::uint64_t length = e.message.size();
    MPI_Bcast(&length, 1, MPI_UINT64_T, owner, comm);
    std::string message = e.message;
    message.resize(length);
    MPI_Bcast(message.data(), int(length), MPI_CHAR, owner, comm);
    throw graph_file_error(message);
}

// A projection that takes some of a file's edges.
struct claimant {
    std::size_t projection;
    std::string pre_name, post_name;
    id_range pre, post;
    std::uint64_t source_offset, target_offset;
    bool weights, delays;  // read from the file
    bool source_in(std::int64_t s) const {
        return s >= 0 && std::uint64_t(s) >= source_offset && std::uint64_t(s) - source_offset < pre.size;
    }
    bool target_in(std::int64_t t) const {
        return t >= 0 && std::uint64_t(t) >= target_offset && std::uint64_t(t) - target_offset < post.size;
    }
    std::string ranges() const {
        return "projection[" + std::to_string(projection) + "] takes sources [" + std::to_string(source_offset) + ", " +
               std::to_string(source_offset + pre.size) + ") ('" + pre_name + "') and targets [" +
               std::to_string(target_offset) + ", " + std::to_string(target_offset + post.size) + ") ('" + post_name +
               "')";
    }
};

// One projection's statistics on this rank.
struct tally {
    std::uint64_t count = 0;
    exact_float_sum weight_sum;
    double weight_min = INFINITY, weight_max = -INFINITY;  // as written in the file
    double delay_min = INFINITY, delay_max = -INFINITY;
    double delay_float_min = INFINITY, delay_float_max = -INFINITY;  // as stored (float)
};

// Where a value of a row comes from, for messages: a dataset and row, or a file and line.
struct row_names {
    std::string file;
    std::string source, target, weight, delay;  // dataset paths (SONATA)
    const std::vector<std::uint64_t>* lines = nullptr;  // text: line of each row
    std::string at(const std::string& column, std::uint64_t row) const {
        if (lines) return file + ":" + std::to_string((*lines)[row]);
        return file + ": " + column + "[" + std::to_string(row) + "]";
    }
};

std::string number(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return buf;
}

struct reader {
    const network::layout& lay;
    bool delay_mode, keep;
    std::vector<claimant>& claimants;
    std::vector<std::vector<network::synapse_record>>& out;  // per projection
    std::vector<tally>& tallies;                             // per claimant
    first_error& error;
    std::uint64_t taken = 0;  // rows this rank owned (index mode checks that all were read)

    const claimant* find(std::int64_t s, std::int64_t t) const {
        for (const auto& c : claimants)
            if (c.source_in(s) && c.target_in(t)) return &c;
        return nullptr;
    }
    bool any_target(std::int64_t t) const {
        for (const auto& c : claimants)
            if (c.target_in(t)) return true;
        return false;
    }
    // Whether a row with target t may be this rank's (some claimant maps t to a local neuron).
    bool maybe_local(std::int64_t t) const {
        for (const auto& c : claimants)
            if (c.target_in(t) && lay.local().contains(c.post.first + (std::uint64_t(t) - c.target_offset))) return true;
        return false;
    }
    // The message for an edge no projection takes. It depends on the target alone when the target
    // lies in no projection's range, so that a rank that read only the target column says the same.
    std::string no_claimant(const row_names& names, std::uint64_t row, std::int64_t s, std::int64_t t) const {
        auto all_ranges = [&] {
            std::string m;
            for (std::size_t k = 0; k < claimants.size(); ++k) m += (k ? "; " : "") + claimants[k].ranges();
            return m;
        };
        if (t < 0) return names.at(names.target, row) + " = " + std::to_string(t) + ": negative node id";
        if (!any_target(t))
            return names.at(names.target, row) + " = " + std::to_string(t) + ": node id out of range (" + all_ranges() + ")";
        if (s < 0) return names.at(names.source, row) + " = " + std::to_string(s) + ": negative node id";
        if (claimants.size() == 1)
            return names.at(names.source, row) + " = " + std::to_string(s) + ": node id out of range (" + all_ranges() + ")";
        return names.at(names.source, row) + " = " + std::to_string(s) + ": the edge " + std::to_string(s) + " -> " +
               std::to_string(t) + " lies in no projection reading these edges (" + all_ranges() + ")";
    }

    // One edge. validate_all: check its values even if another rank stores it (text files, which
    // every rank reads whole). Returns false after an error.
    bool take(const row_names& names, std::uint64_t row, std::int64_t s, std::int64_t t, double w, double d,
              bool validate_all) {
        const claimant* c = find(s, t);
        if (!c) {
            error.set(row, no_claimant(names, row, s, t));
            return false;
        }
        const std::uint64_t post = c->post.first + (std::uint64_t(t) - c->target_offset);
        const bool local = lay.local().contains(post);
        if (!local && !validate_all) return true;
        if (c->weights && !std::isfinite(w)) {
            error.set(row, names.at(names.weight, row) + ": weight is " + (std::isnan(w) ? "NaN" : "infinite"));
            return false;
        }
        if (c->delays) {
            std::string bad;
            if (std::isnan(d)) bad = "delay is NaN";
            else if (!std::isfinite(d)) bad = "delay is infinite";
            else if (d < 0) bad = "negative delay " + number(d) + " ms";
            else if (d == 0 && delay_mode)
                bad = "delay 0 ms in the delay mode (every delay must be > 0; to run without delays give the "
                      "projections delay_ms = 0)";
            if (!bad.empty()) {
                error.set(row, names.at(names.delay, row) + ": " + bad);
                return false;
            }
        }
        if (!local) return true;
        ++taken;
        auto& y = tallies[std::size_t(c - claimants.data())];
        ++y.count;
        const float wf = float(w), df = float(d);
        if (c->weights) {
            y.weight_sum.add(wf);
            y.weight_min = std::min(y.weight_min, w), y.weight_max = std::max(y.weight_max, w);
        }
        if (c->delays) {
            y.delay_min = std::min(y.delay_min, d), y.delay_max = std::max(y.delay_max, d);
            y.delay_float_min = std::min(y.delay_float_min, double(df));
            y.delay_float_max = std::max(y.delay_float_max, double(df));
        }
        if (keep)
            out[c->projection].push_back({c->pre.first + (std::uint64_t(s) - c->source_offset),
                                          std::uint32_t(post - lay.local().first), wf, df});
        return true;
    }
};

// ---- SONATA -----------------------------------------------------------------------------------

void read_rows(hid_t ds, hid_t mem_type, std::uint64_t start, std::uint64_t count, void* out, const std::string& path) {
    h5::handle file_space(h5::check(H5Dget_space(ds), "get dataspace of", path), H5Sclose);
    const hsize_t s = start, n = count;
    h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &s, nullptr, &n, nullptr), "select in", path);
    h5::handle mem(h5::check(H5Screate_simple(1, &n, nullptr), "create dataspace for", path), H5Sclose);
    h5::check(H5Dread(ds, mem_type, mem.get(), file_space.get(), H5P_DEFAULT, out), "read", path);
}

void read_pairs(hid_t ds, std::uint64_t start, std::uint64_t count, std::int64_t* out, const std::string& path) {
    h5::handle file_space(h5::check(H5Dget_space(ds), "get dataspace of", path), H5Sclose);
    const hsize_t s[2] = {start, 0}, n[2] = {count, 2};
    h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, s, nullptr, n, nullptr), "select in", path);
    h5::handle mem(h5::check(H5Screate_simple(2, n, nullptr), "create dataspace for", path), H5Sclose);
    h5::check(H5Dread(ds, H5T_NATIVE_INT64, mem.get(), file_space.get(), H5P_DEFAULT, out), "read", path);
}

h5::handle open_dataset(hid_t file, const std::string& path) {
    return {h5::check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "open dataset", path), H5Dclose};
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> merged(std::vector<std::pair<std::uint64_t, std::uint64_t>> v) {
    std::sort(v.begin(), v.end());
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    for (const auto& r : v) {
        if (r.second <= r.first) continue;
        if (!out.empty() && r.first <= out.back().second)
            out.back().second = std::max(out.back().second, r.second);
        else
            out.push_back(r);
    }
    return out;
}

void read_sonata(const network::edge_file_spec& f, reader& rd, MPI_Comm comm, first_error& error) {
    const sonata_edge_info info = read_sonata_info(f.path, f.edge_population);  // throws alike on every rank
    bool weights = false, delays = false;
    for (const auto& c : rd.claimants) weights = weights || c.weights, delays = delays || c.delays;
    const std::string base = "/edges/" + info.population + "/";
    row_names names{f.path, base + "source_node_id", base + "target_node_id", base + info.group + "/syn_weight",
                    base + info.group + "/delay", nullptr};
    auto file = h5::file::open(f.path, comm);  // collective: every rank opens the same objects
    {
        const hid_t fid = file.id();
        h5::handle source = open_dataset(fid, names.source), target = open_dataset(fid, names.target);
        h5::handle weight = weights ? open_dataset(fid, names.weight) : h5::handle();
        h5::handle delay = delays ? open_dataset(fid, names.delay) : h5::handle();
        const bool group_index = sonata::link_exists(fid, base + "edge_group_index");
        h5::handle index_ds = group_index ? open_dataset(fid, base + "edge_group_index") : h5::handle();
        h5::handle node_ranges, range_edges;
        if (info.has_index) {
            node_ranges = open_dataset(fid, base + "indices/target_to_source/node_id_to_ranges");
            range_edges = open_dataset(fid, base + "indices/target_to_source/range_to_edge_id");
        }
        try {
            std::vector<std::int64_t> s(block_rows), t(block_rows), gi(group_index ? block_rows : 0);
            std::vector<double> w(weights ? block_rows : 0), d(delays ? block_rows : 0);
            // Rows [a, b) in blocks; scan = whether this rank reads every target (no index).
            auto process = [&](std::uint64_t a, std::uint64_t b, bool scan) {
                for (std::uint64_t first = a; first < b; first += block_rows) {
                    const std::uint64_t n = std::min(block_rows, b - first);
                    read_rows(target.get(), H5T_NATIVE_INT64, first, n, t.data(), names.target);
                    bool any = !scan;
                    if (scan)
                        for (std::uint64_t k = 0; k < n; ++k) {
                            if (!rd.any_target(t[k])) {
                                error.set(first + k, rd.no_claimant(names, first + k, 0, t[k]));
                                break;
                            }
                            any = any || rd.maybe_local(t[k]);
                        }
                    if (!any) continue;
                    read_rows(source.get(), H5T_NATIVE_INT64, first, n, s.data(), names.source);
                    if (weights) read_rows(weight.get(), H5T_NATIVE_DOUBLE, first, n, w.data(), names.weight);
                    if (delays) read_rows(delay.get(), H5T_NATIVE_DOUBLE, first, n, d.data(), names.delay);
                    if (group_index) read_rows(index_ds.get(), H5T_NATIVE_INT64, first, n, gi.data(), base + "edge_group_index");
                    for (std::uint64_t k = 0; k < n; ++k) {
                        if (scan && !rd.maybe_local(t[k])) continue;
                        if (group_index && gi[k] != std::int64_t(first + k)) {
                            error.set(first + k, names.at(base + "edge_group_index", first + k) + " = " +
                                                     std::to_string(gi[k]) + ": edge group rows other than the edge's "
                                                     "own row are not supported");
                            return;
                        }
                        if (!rd.take(names, first + k, s[k], t[k], weights ? w[k] : 0.0, delays ? d[k] : 0.0, false))
                            return;
                    }
                }
            };
            if (!info.has_index) {
                process(0, info.edges, true);
            } else {
                // The target nodes of this rank's neurons, per claimant, merged.
                std::vector<std::pair<std::uint64_t, std::uint64_t>> nodes;
                for (const auto& c : rd.claimants) {
                    const std::uint64_t lo = std::max(c.post.first, rd.lay.local().first);
                    const std::uint64_t hi = std::min(c.post.end(), rd.lay.local().end());
                    if (hi > lo)
                        nodes.push_back({c.target_offset + (lo - c.post.first), c.target_offset + (hi - c.post.first)});
                }
                const std::string ranges_path = base + "indices/target_to_source/node_id_to_ranges";
                const std::uint64_t index_rows = sonata::dataset_rows(fid, f.path, ranges_path, 2, true);
                const std::uint64_t range_rows =
                    sonata::dataset_rows(fid, f.path, base + "indices/target_to_source/range_to_edge_id", 2, true);
                std::vector<std::pair<std::uint64_t, std::uint64_t>> edges;
                std::vector<std::int64_t> pairs;
                for (const auto& [n0, n1_wanted] : merged(nodes)) {
                    const std::uint64_t n1 = std::min(n1_wanted, index_rows);  // nodes beyond the index have no edges
                    if (n1 <= n0) continue;
                    pairs.resize(2 * (n1 - n0));
                    read_pairs(node_ranges.get(), n0, n1 - n0, pairs.data(), ranges_path);
                    std::int64_t r_lo = INT64_MAX, r_hi = -1;
                    for (std::uint64_t k = 0; k < n1 - n0; ++k)
                        if (pairs[2 * k] >= 0 && pairs[2 * k + 1] > pairs[2 * k]) {
                            r_lo = std::min(r_lo, pairs[2 * k]);
                            r_hi = std::max(r_hi, pairs[2 * k + 1]);
                        }
                    if (r_hi < 0) continue;
                    if (std::uint64_t(r_hi) > range_rows) {
                        error.set(general_error, f.path + ": " + ranges_path + ": a range beyond the " +
                                                     std::to_string(range_rows) + " rows of range_to_edge_id");
                        return;
                    }
                    std::vector<std::int64_t> ranges(2 * std::uint64_t(r_hi - r_lo));
                    read_pairs(range_edges.get(), std::uint64_t(r_lo), std::uint64_t(r_hi - r_lo), ranges.data(),
                               base + "indices/target_to_source/range_to_edge_id");
                    for (std::uint64_t k = 0; k < n1 - n0; ++k)
                        for (std::int64_t r = pairs[2 * k]; r >= 0 && r < pairs[2 * k + 1]; ++r) {
                            const std::int64_t e0 = ranges[2 * (r - r_lo)], e1 = ranges[2 * (r - r_lo) + 1];
                            if (e0 < 0 || e1 < e0 || std::uint64_t(e1) > info.edges) {
                                error.set(general_error, f.path + ": " + base + "indices/target_to_source/range_to_edge_id[" +
                                                             std::to_string(r) + "]: edges outside [0, " +
                                                             std::to_string(info.edges) + ")");
                                return;
                            }
                            edges.push_back({std::uint64_t(e0), std::uint64_t(e1)});
                        }
                }
                for (const auto& [a, b] : merged(edges)) process(a, b, false);
            }
        } catch (const h5::error& e) {
            error.set(general_error, f.path + ": " + e.what());
        }
    }
    file.close();
}

}  // namespace

edge_files_read read_edge_files(const network::network_spec& spec, const network::layout& lay,
                                const std::vector<network::resolved_projection>& projections, MPI_Comm comm, bool keep) {
    const std::size_t n = spec.projections.size();
    edge_files_read result;
    result.synapses.resize(n);
    result.summaries.resize(n);
    bool delay_mode = false;
    for (const auto& p : projections) delay_mode = delay_mode || p.delayed();
    std::vector<bool> done(n, false);
    for (std::size_t k = 0; k < n; ++k) {
        const auto& ps = spec.projections[k];
        if (ps.rule != network::connection_rule::file || done[k]) continue;
        const auto& f = *ps.file;
        // Every projection reading the same edges of the same file.
        std::vector<claimant> claimants;
        for (std::size_t m = k; m < n; ++m) {
            const auto& o = spec.projections[m];
            if (o.rule != network::connection_rule::file || o.file->path != f.path ||
                o.file->edge_population != f.edge_population)
                continue;
            done[m] = true;
            const auto& r = projections[m];
            claimants.push_back({m, o.pre, o.post, lay.population(r.pre), lay.population(r.post), o.file->source_offset,
                                 o.file->target_offset, r.file_weights, r.file_delays});
        }
        std::vector<tally> tallies(claimants.size());
        first_error error;
        reader rd{lay, delay_mode, keep, claimants, result.synapses, tallies, error};
        if (f.format == network::edge_file_format::sonata) {
            read_sonata(f, rd, comm, error);
            // Index mode: every edge must have been read by the rank of its target.
            std::uint64_t taken = rd.taken, total = 0;
            MPI_Allreduce(&taken, &total, 1, MPI_UINT64_T, MPI_SUM, comm);
            std::uint64_t worst = error.key;
            MPI_Allreduce(MPI_IN_PLACE, &worst, 1, MPI_UINT64_T, MPI_MIN, comm);
            const sonata_edge_info info = read_sonata_info(f.path, f.edge_population);
            if (worst == no_error && total != info.edges) {
                // Some edge's target lies in no projection's range: find the first (every rank
                // scans the same rows, so all agree).
                std::vector<claimant> cs = claimants;
                first_error scan_error;
                std::vector<tally> scratch(cs.size());
                std::vector<std::vector<network::synapse_record>> none(n);
                reader scan{lay, delay_mode, false, cs, none, scratch, scan_error};
                const std::string target = "/edges/" + info.population + "/target_node_id";
                auto file = h5::file::open(f.path, comm);
                {
                    h5::handle t = open_dataset(file.id(), target);
                    std::vector<std::int64_t> buf(block_rows);
                    row_names names{f.path, "/edges/" + info.population + "/source_node_id", target, "", "", nullptr};
                    for (std::uint64_t first = 0; first < info.edges && scan_error.key == no_error; first += block_rows) {
                        const std::uint64_t m = std::min(block_rows, info.edges - first);
                        read_rows(t.get(), H5T_NATIVE_INT64, first, m, buf.data(), target);
                        for (std::uint64_t j = 0; j < m; ++j)
                            if (!scan.any_target(buf[j])) {
                                scan_error.set(first + j, scan.no_claimant(names, first + j, 0, buf[j]));
                                break;
                            }
                    }
                }
                file.close();
                if (scan_error.key == no_error)
                    scan_error.set(general_error, f.path + ": /edges/" + info.population + "/indices/target_to_source: "
                                                  "the index covers " + std::to_string(total) + " of the " +
                                                  std::to_string(info.edges) + " edges");
                error = scan_error;
            }
        } else {
            const edge_list list = read_edge_list(f.path);  // the same on every rank: throws alike
            row_names names{f.path, "", "", "", "", &list.line};
            for (auto& c : claimants) {
                if (c.weights && list.columns < 3)
                    throw graph_file_error(f.path + ": no weight column (projection[" + std::to_string(c.projection) +
                                           "] needs 'weight' in the config)");
                if (c.delays && list.columns < 4) c.delays = false;
            }
            for (std::uint64_t e = 0; e < list.pre.size(); ++e)
                if (!rd.take(names, e, std::int64_t(list.pre[e]), std::int64_t(list.post[e]),
                             list.columns >= 3 ? list.weight[e] : 0.0, list.columns >= 4 ? list.delay_ms[e] : 0.0, true))
                    break;
        }
        agree(error, comm);
        // The whole file's statistics of each claimant, the same bits on every rank.
        for (std::size_t c = 0; c < claimants.size(); ++c) {
            tally& y = tallies[c];
            network::file_summary s;
            MPI_Allreduce(&y.count, &s.synapses, 1, MPI_UINT64_T, MPI_SUM, comm);
            double mins[3] = {y.weight_min, y.delay_min, y.delay_float_min};
            double maxs[3] = {y.weight_max, y.delay_max, y.delay_float_max};
            MPI_Allreduce(MPI_IN_PLACE, mins, 3, MPI_DOUBLE, MPI_MIN, comm);
            MPI_Allreduce(MPI_IN_PLACE, maxs, 3, MPI_DOUBLE, MPI_MAX, comm);
            const int ranks = size_of(comm);
            std::vector<std::uint64_t> limbs(std::size_t(ranks) * exact_float_sum::limbs);
            MPI_Allgather(y.weight_sum.limb_values().data(), exact_float_sum::limbs, MPI_UINT64_T, limbs.data(),
                          exact_float_sum::limbs, MPI_UINT64_T, comm);
            exact_float_sum sum;
            for (int r = 0; r < ranks; ++r) sum.add(exact_float_sum::from_limbs(&limbs[std::size_t(r) * exact_float_sum::limbs]));
            if (claimants[c].weights && s.synapses) {
                s.weight_min = mins[0], s.weight_max = maxs[0];
                if (mins[0] == maxs[0]) s.constant_weight = mins[0];
                s.weight_mean = sum.value() / double(s.synapses);
            }
            if (claimants[c].delays && s.synapses) {
                if (mins[1] == maxs[1]) s.constant_delay_ms = mins[1];
                s.delay_min_ms = mins[2], s.delay_max_ms = maxs[2];
                if (f.format == network::edge_file_format::sonata)
                    s.delay_lower_bound_ms = read_sonata_info(f.path, f.edge_population).delay_lower_bound_ms;
            }
            result.summaries[claimants[c].projection] = s;
        }
    }
    return result;
}

std::vector<network::projection_targets> build_projections(const network::network_spec& spec,
                                                           const network::layout& lay,
                                                           std::vector<network::resolved_projection>& projections,
                                                           MPI_Comm comm, network::synapse_weight_use use) {
    return network::build_targets(spec, lay, projections, read_edge_files(spec, lay, projections, comm, true), use);
}

}  // namespace sparsechaos::io
