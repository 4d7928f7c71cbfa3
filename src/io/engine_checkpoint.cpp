#include "sparsechaos/io/engine_checkpoint.hpp"

#include <cmath>
#include <limits>

namespace sparsechaos::io {
namespace {

template <class T>
void append(h5::group& g, const char* name, const std::vector<T>& part) {
    h5::dataset d = g.create_extendable<T>(name, 1 << 16);
    d.append(part);
    d.close();
}

}  // namespace

void write_engine_state(h5::location& at, const engine::portable_state& s, bool inputs) {
    h5::group g = at.create_group("engine");
    append(g, "cells", s.cells);
    if (inputs) {
        append(g, "input_next", s.input_next);
        append(g, "input_drawn", s.input_drawn);
    }
    std::vector<std::uint64_t> source, projection;
    std::vector<double> emitted, arrival;
    for (const auto& f : s.flights) {
        source.push_back(f.source);
        projection.push_back(f.projection);
        emitted.push_back(f.emitted);
        arrival.push_back(f.arrival);
    }
    append(g, "flight_source", source);
    append(g, "flight_projection", projection);
    append(g, "flight_emitted", emitted);
    append(g, "flight_arrival", arrival);
    g.write_scalar("now", s.now).close();
    g.write_scalar("origin_ms", s.origin_ms).close();
    g.write_scalar("same_instant", s.same_instant).close();
    g.write_scalar("windows_done", s.windows_done).close();
    g.write_scalar("network_spikes", s.network_spikes).close();
    g.write_scalar("bucket_width_ms", s.bucket_width_ms).close();
    g.write_scalar("hold_window_ms", s.hold_window_ms).close();
    g.close();
}

engine::portable_state read_engine_state(const h5::location& at, const network::layout& layout) {
    const h5::group g = at.open_group("engine");
    const auto& local = layout.local();
    engine::portable_state s;
    auto block = [&](const char* name, auto tag) {
        using T = decltype(tag);
        h5::dataset d = g.open_dataset(name);
        if (d.size() != layout.total())
            throw h5::error("HDF5: '" + d.path() + "' has " + std::to_string(d.size()) + " values for " +
                            std::to_string(layout.total()) + " neurons");
        return d.template read_range<T>(local.first, local.size);
    };
    s.cells = block("cells", double{});
    if (g.contains("input_next")) {
        s.input_next = block("input_next", double{});
        s.input_drawn = block("input_drawn", std::uint64_t{});
    } else {
        s.input_next.assign(local.size, std::numeric_limits<double>::quiet_NaN());
        s.input_drawn.assign(local.size, 0);
    }
    const auto source = g.open_dataset("flight_source").read<std::uint64_t>();
    const auto projection = g.open_dataset("flight_projection").read<std::uint64_t>();
    const auto emitted = g.open_dataset("flight_emitted").read<double>();
    const auto arrival = g.open_dataset("flight_arrival").read<double>();
    if (projection.size() != source.size() || emitted.size() != source.size() || arrival.size() != source.size())
        throw h5::error("HDF5: '" + g.path() + "': the flight datasets differ in length");
    for (std::size_t k = 0; k < source.size(); ++k) s.flights.push_back({source[k], projection[k], emitted[k], arrival[k]});
    auto scalar = [&](const char* name, auto tag) {
        using T = decltype(tag);
        return g.open_dataset(name).template read<T>().at(0);
    };
    s.now = scalar("now", double{});
    s.origin_ms = scalar("origin_ms", double{});
    s.same_instant = scalar("same_instant", std::uint64_t{});
    s.windows_done = scalar("windows_done", std::uint64_t{});
    s.network_spikes = scalar("network_spikes", std::uint64_t{});
    s.bucket_width_ms = scalar("bucket_width_ms", double{});
    s.hold_window_ms = scalar("hold_window_ms", double{});
    return s;
}

}  // namespace sparsechaos::io
