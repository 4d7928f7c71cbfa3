#pragma once
// Frozen external Poisson input of this rank's neurons (config: population.poisson).
//
// Neuron i of a population with input rate ν receives kicks at t_1 < t_2 < ...; the k-th interval
// t_k − t_{k−1} = −ln(u_k)/ν with u_k draw number k of the counter-based stream keyed by
// (seed, poisson_input, i). An input train is therefore a pure function of the configuration and
// the neuron's global id: the same on any number of ranks and in any event order.
#include <cstdint>
#include <limits>
#include <vector>

#include "sparsechaos/engine/event_heap.hpp"
#include "sparsechaos/network/layout.hpp"
#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::engine {

class poisson_input {
public:
    poisson_input() = default;
    // Inputs of the local neurons; `local_ranges` are the populations' ranges in local indices.
    poisson_input(const network::network_spec& spec, const network::layout& layout,
                  const std::vector<network::id_range>& local_ranges);

    bool empty() const { return heap_.empty(); }
    // Some input is excitatory: it may make a neuron fire at the input's time.
    bool can_fire() const { return can_fire_; }

    // The next input of this rank: local time (+inf if none), local neuron and kick.
    double next_time() const { return heap_.empty() ? std::numeric_limits<double>::infinity() : heap_.top().time; }
    std::uint32_t next_neuron() const { return neuron_[heap_.top().id]; }
    double next_weight() const { return weight_[population_[heap_.top().id]]; }
    // The next input has been applied: draw the one after it.
    void advance();

    // Local time moved by dt (the engine shifted its origin).
    void shift_origin(double dt);
    std::uint64_t inputs() const { return inputs_; }  // applied so far
    // Per local neuron (`n_local` of them): the local time of its next input and the number of
    // inputs drawn so far; NaN and 0 for neurons without input (checkpoints).
    void export_state(std::size_t n_local, std::vector<double>& next, std::vector<std::uint64_t>& drawn) const;
    // The inverse: every neuron with input takes its next time and count from the arrays.
    void import_state(const std::vector<double>& next, const std::vector<std::uint64_t>& drawn);
    std::size_t memory_bytes() const;

private:
    double interval_ms(std::uint32_t member, std::uint64_t k) const;

    std::uint64_t seed_ = 0;
    event_heap<4> heap_;                  // next input time per member
    std::vector<std::uint32_t> neuron_;   // member -> local neuron index
    std::vector<std::uint64_t> global_;   // member -> global id (the stream key)
    std::vector<std::uint32_t> count_;    // member -> inputs drawn so far
    std::vector<std::uint8_t> population_;  // member -> index into rate_/weight_
    std::vector<double> rate_per_ms_, weight_;
    bool can_fire_ = false;
    std::uint64_t inputs_ = 0;
};

}  // namespace sparsechaos::engine
