#include "sparsechaos/network/positions.hpp"

#include <cmath>

#include "sparsechaos/network/random.hpp"

namespace sparsechaos::network {

std::uint64_t sheet_positions::grid_columns(const positions_spec& spec, std::uint64_t size) {
    if (size == 0 || !(spec.width_um > 0) || !(spec.height_um > 0)) return 0;
    const double c = std::round(std::sqrt(double(size) * spec.width_um / spec.height_um));
    const std::uint64_t columns = std::uint64_t(std::max(1.0, c));
    return size % columns == 0 ? columns : 0;
}

std::string sheet_positions::grid_mismatch(const positions_spec& spec, std::uint64_t size) {
    const double c = std::max(1.0, std::round(std::sqrt(double(size) * spec.width_um / spec.height_um)));
    const std::uint64_t columns = std::uint64_t(c);
    const std::uint64_t rows_down = size / columns, rows_up = rows_down + 1;
    return "a grid of " + std::to_string(columns) + " columns (round(sqrt(size * width / height))) needs a size that " +
           "is a multiple of " + std::to_string(columns) + ", e.g. " + std::to_string(columns * rows_down) + " or " +
           std::to_string(columns * rows_up) + "; got " + std::to_string(size);
}

sheet_positions::sheet_positions(const positions_spec& spec, std::uint64_t size, std::uint64_t first_id,
                                 std::uint64_t seed)
    : spec_(spec), size_(size), first_(first_id), seed_(seed) {
    if (spec.layout == position_layout::grid) {
        columns_ = grid_columns(spec, size);
        rows_ = columns_ ? size / columns_ : 0;
    }
}

point sheet_positions::at(std::uint64_t k) const {
    if (spec_.layout == position_layout::grid) {
        const std::uint64_t c = k % columns_, r = k / columns_;
        return {(double(c) + 0.5) * spec_.width_um / double(columns_) - 0.5 * spec_.width_um,
                (double(r) + 0.5) * spec_.height_um / double(rows_) - 0.5 * spec_.height_um};
    }
    random_stream rng(seed_, stream_purpose::positions, 0, first_ + k);
    const double u = rng.uniform(), v = rng.uniform();
    return {(u - 0.5) * spec_.width_um, (v - 0.5) * spec_.height_um};
}

double sheet_positions::distance(point a, point b) const {
    const double x = dx(a.x, b.x), y = dy(a.y, b.y);
    return std::sqrt(x * x + y * y);
}

}  // namespace sparsechaos::network
