#include "sparsechaos/engine/poisson_input.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <stdexcept>

#include "sparsechaos/network/random.hpp"

namespace sparsechaos::engine {

poisson_input::poisson_input(const network::network_spec& spec, const network::layout& layout,
                             const std::vector<network::id_range>& local_ranges)
    : seed_(spec.simulation.seed) {
    std::vector<double> first_times;
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto& in = spec.populations[p].poisson;
        if (!in) continue;
        if (rate_per_ms_.size() == 255) throw std::invalid_argument("more than 255 populations with Poisson input");
        const auto slot = std::uint8_t(rate_per_ms_.size());
        rate_per_ms_.push_back(in->rate_hz * 1e-3);
        weight_.push_back(in->weight);
        can_fire_ = can_fire_ || (in->weight > 0.0 && local_ranges[p].size > 0);
        for (std::uint64_t i = local_ranges[p].first; i < local_ranges[p].end(); ++i) {
            neuron_.push_back(std::uint32_t(i));
            global_.push_back(layout.local().first + i);
            count_.push_back(1);
            population_.push_back(slot);
            first_times.push_back(interval_ms(std::uint32_t(neuron_.size() - 1), 0));
        }
    }
    heap_.assign(first_times);
}

double poisson_input::interval_ms(std::uint32_t member, std::uint64_t k) const {
    network::random_stream rng(seed_, network::stream_purpose::poisson_input, 0, global_[member]);
    rng.seek(k);
    return -std::log(rng.uniform_pos()) / rate_per_ms_[population_[member]];
}

void poisson_input::advance() {
    const std::uint32_t m = heap_.top().id;
    const std::uint32_t k = count_[m]++;
    if (count_[m] == 0) throw std::runtime_error("more than 2^32 Poisson inputs to one neuron");
    heap_.replace_top(heap_.top().time + interval_ms(m, k));
    ++inputs_;
}

void poisson_input::shift_origin(double dt) {
    std::vector<double> times(neuron_.size());
    for (std::uint32_t m = 0; m < times.size(); ++m) times[m] = heap_.time_of(m) - dt;
    heap_.assign(times);
}

void poisson_input::export_state(std::size_t n_local, std::vector<double>& next,
                                 std::vector<std::uint64_t>& drawn) const {
    next.assign(n_local, std::numeric_limits<double>::quiet_NaN());
    drawn.assign(n_local, 0);
    for (std::uint32_t m = 0; m < neuron_.size(); ++m) {
        next[neuron_[m]] = heap_.time_of(m);
        drawn[neuron_[m]] = count_[m];
    }
}

void poisson_input::import_state(const std::vector<double>& next, const std::vector<std::uint64_t>& drawn) {
    // Members are in local-neuron order, so the rebuilt heap breaks ties exactly as before.
    std::vector<double> times(neuron_.size());
    for (std::uint32_t m = 0; m < neuron_.size(); ++m) {
        const std::uint32_t i = neuron_[m];
        if (i >= next.size() || !(drawn[i] >= 1 && drawn[i] <= std::numeric_limits<std::uint32_t>::max()))
            throw std::invalid_argument("Poisson input state: no count for local neuron " + std::to_string(i));
        times[m] = next[i];
        count_[m] = std::uint32_t(drawn[i]);
    }
    heap_.assign(times);
}

std::size_t poisson_input::memory_bytes() const {
    return heap_.memory_bytes() + neuron_.capacity() * 4 + global_.capacity() * 8 + count_.capacity() * 4 +
           population_.capacity();
}

}  // namespace sparsechaos::engine
