#pragma once
// Positions of neurons on a 2-D sheet (population_spec::positions), in µm, centred on the origin.
//   random  x, y uniform over the sheet, drawn from a stream keyed by (seed, neuron id): the same
//           on every rank, without storing them.
//   grid    columns × rows = size, columns = round(sqrt(size · width / height)); neuron k of the
//           population sits at the centre of cell (k mod columns, k div columns).
// Distances on a periodic sheet are those of the nearest image (a torus).
#include <cstdint>
#include <string>

#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::network {

struct point {
    double x = 0.0, y = 0.0;
};

class sheet_positions {
public:
    sheet_positions() = default;
    // `first_id`: global id of the population's first neuron (keys the random positions).
    sheet_positions(const positions_spec& spec, std::uint64_t size, std::uint64_t first_id, std::uint64_t seed);

    // Position of the population's neuron `k` (0 <= k < size).
    point at(std::uint64_t k) const;
    const positions_spec& spec() const { return spec_; }
    std::uint64_t size() const { return size_; }
    std::uint64_t columns() const { return columns_; }

    // Difference b − a per axis, wrapped to the nearest image on a periodic sheet.
    double dx(double a, double b) const { return wrap(b - a, spec_.width_um); }
    double dy(double a, double b) const { return wrap(b - a, spec_.height_um); }
    double distance(point a, point b) const;

    // The grid's column count for a population (0 if `size` fills no rectangle); a message
    // naming the nearest fitting sizes otherwise (for the config reader's error).
    static std::uint64_t grid_columns(const positions_spec& spec, std::uint64_t size);
    static std::string grid_mismatch(const positions_spec& spec, std::uint64_t size);

private:
    double wrap(double d, double length) const {
        if (!spec_.periodic) return d;
        if (d >= 0.5 * length) return d - length;
        if (d < -0.5 * length) return d + length;
        return d;
    }
    positions_spec spec_;
    std::uint64_t size_ = 0, first_ = 0, seed_ = 0, columns_ = 0, rows_ = 0;
};

}  // namespace sparsechaos::network
