#include "sparsechaos/rate/model.hpp"
#include "sparsechaos/mpi_comm.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "sparsechaos/network/layout.hpp"
#include "sparsechaos/rate/streams.hpp"
#include "sparsechaos/rate/transfer.hpp"
#include "sparsechaos/petsc/error.hpp"

namespace sparsechaos::rate {
namespace {

std::int64_t local_rows_of(MPI_Comm comm, std::uint64_t n) {
    return std::int64_t(network::layout::block(n, rank_of(comm), size_of(comm)).size);
}

std::int64_t row_begin_of(MPI_Comm comm, std::uint64_t n) {
    return std::int64_t(network::layout::block(n, rank_of(comm), size_of(comm)).first);
}

// RK4 stage times (fractions of dt), the stage arguments' offsets and the weights of the
// stage derivatives (times dt/6).
constexpr double rk4_time[4] = {0.0, 0.5, 0.5, 1.0};
constexpr double rk4_next[3] = {0.5, 0.5, 1.0};  // a_{s+1} = h + rk4_next[s] dt k_s
constexpr double rk4_weight[4] = {1.0, 2.0, 2.0, 1.0};

// Scoped local arrays of a Vec / BV.
struct vec_array {
    Vec v;
    double* a = nullptr;
    explicit vec_array(Vec vec) : v(vec) { SC_PETSC_CHECK(VecGetArray(v, &a)); }
    ~vec_array() { VecRestoreArray(v, &a); }
};
struct vec_array_read {
    Vec v;
    const double* a = nullptr;
    explicit vec_array_read(Vec vec) : v(vec) { SC_PETSC_CHECK(VecGetArrayRead(v, &a)); }
    ~vec_array_read() { VecRestoreArrayRead(v, &a); }
};
struct bv_array {
    BV b;
    double* a = nullptr;
    explicit bv_array(BV bv) : b(bv) { SC_PETSC_CHECK(BVGetArray(b, &a)); }
    ~bv_array() { BVRestoreArray(b, &a); }
};

}  // namespace

rate_model::rate_model(MPI_Comm comm, const rate_network_spec& spec)
    : comm_(comm),
      spec_(spec),
      local_rows_(local_rows_of(comm, spec.coupling.size)),
      row_begin_(row_begin_of(comm, spec.coupling.size)),
      coupling_(comm, spec.coupling, local_rows_),
      input_(spec.input, spec.step_length(), std::uint64_t(row_begin_), local_rows_) {
    if (spec_.time == time_kind::continuous && spec_.integrator == integrator_kind::euler && !(spec_.dt > 0 && spec_.dt < 1))
        throw std::invalid_argument("rate model: the Euler map needs 0 < dt < 1 (its leak factor 1 - dt must stay positive)");
    if (spec_.time == time_kind::continuous && !(spec_.dt > 0)) throw std::invalid_argument("rate model: dt must be > 0");
    SC_PETSC_CHECK(MatCreateVecs(coupling_.mat(), x_.out(), y_.out()));
    const auto n = std::size_t(local_rows_);
    stage_arg_.resize(n);
    k_sum_.resize(n);
    input_values_.resize(n);
    d_.assign(std::size_t(stages()), std::vector<double>(n, 0.0));
    const int p = size_of(comm);
    for (int r = 0; r < p; ++r) {
        const auto b = network::layout::block(spec.coupling.size, r, p);
        block_rows_.push_back(int(b.size));
        block_first_.push_back(int(b.first));
    }
}

int rate_model::stages() const {
    return spec_.time == time_kind::continuous && spec_.integrator == integrator_kind::rk4 ? 4 : 1;
}

petsc::unique_vec rate_model::initial_state() const {
    petsc::unique_vec h;
    SC_PETSC_CHECK(VecDuplicate(x_, h.out()));
    vec_array a(h);
    for (std::int64_t l = 0; l < local_rows_; ++l) {
        auto rng = make_stream(spec_.coupling.seed, stream::initial_state, std::uint64_t(row_begin_ + l));
        a.a[l] = spec_.initial_std * standard_normal(rng);
    }
    return h;
}

void rate_model::coupled_input(const double* a) {
    {
        vec_array x(x_);
        for (std::int64_t l = 0; l < local_rows_; ++l) x.a[l] = phi(spec_.phi, a[l]);
    }
    SC_PETSC_CHECK(MatMult(coupling_.mat(), x_, y_));
}

void rate_model::step(Vec h, std::uint64_t step, bool keep_jacobian) {
    const transfer_function f = spec_.phi;
    const std::size_t n = std::size_t(local_rows_);
    if (spec_.time == time_kind::discrete) {
        SC_PETSC_CHECK(MatMult(coupling_.mat(), h, y_));
        input_.values(step, 0.0, input_values_.data());
        vec_array_read y(y_);
        vec_array hv(h);
        for (std::size_t l = 0; l < n; ++l) {
            const double a = y.a[l] + input_values_[l];
            if (keep_jacobian) d_[0][l] = phi_prime(f, a);
            hv.a[l] = phi(f, a);
        }
        return;
    }
    const double dt = spec_.dt;
    if (spec_.integrator == integrator_kind::euler) {
        {
            vec_array_read hv(h);
            coupled_input(hv.a);
            if (keep_jacobian)
                for (std::size_t l = 0; l < n; ++l) d_[0][l] = phi_prime(f, hv.a[l]);
        }
        input_.values(step, 0.0, input_values_.data());
        vec_array_read y(y_);
        vec_array hv(h);
        for (std::size_t l = 0; l < n; ++l) hv.a[l] = (1.0 - dt) * hv.a[l] + dt * (y.a[l] + input_values_[l]);
        return;
    }
    // RK4: a_1 = h; k_s = -a_s + J phi(a_s) + I; a_{s+1} = h + c dt k_s; k_sum = sum w_s k_s.
    {
        vec_array_read hv(h);
        for (std::size_t l = 0; l < n; ++l) stage_arg_[l] = hv.a[l];
    }
    for (int s = 0; s < 4; ++s) {
        coupled_input(stage_arg_.data());
        if (keep_jacobian)
            for (std::size_t l = 0; l < n; ++l) d_[std::size_t(s)][l] = phi_prime(f, stage_arg_[l]);
        input_.values(step, rk4_time[s], input_values_.data());
        vec_array_read y(y_);
        vec_array_read hv(h);
        for (std::size_t l = 0; l < n; ++l) {
            const double k = -stage_arg_[l] + y.a[l] + input_values_[l];
            k_sum_[l] = s == 0 ? k : k_sum_[l] + rk4_weight[s] * k;
            if (s < 3) stage_arg_[l] = hv.a[l] + rk4_next[s] * dt * k;
        }
    }
    vec_array hv(h);
    for (std::size_t l = 0; l < n; ++l) hv.a[l] += dt / 6.0 * k_sum_[l];
}

void rate_model::ensure_buffers(BV q, int count) {
    PetscInt columns = 0;
    SC_PETSC_CHECK(BVGetSizes(q, nullptr, nullptr, &columns));
    if (columns != buffer_columns_) buffers_.clear();
    buffer_columns_ = columns;
    while (int(buffers_.size()) < count) {
        petsc::unique_bv b;
        SC_PETSC_CHECK(BVDuplicate(q, b.out()));
        buffers_.push_back(std::move(b));
    }
}

void rate_model::jacobian_product(BV x, const std::vector<double>& d, BV w, BV y) {
    const std::size_t n = std::size_t(local_rows_), m = std::size_t(buffer_columns_);
    {
        bv_array xa(x), wa(w);
        // Local blocks are column-major with leading dimension = local rows (BVSVEC).
        for (std::size_t k = 0; k < m; ++k)
            for (std::size_t l = 0; l < n; ++l) wa.a[k * n + l] = d[l] * xa.a[k * n + l];
    }
    multiply(w, y);
}

void rate_model::multiply(BV x, BV y) {
    if (spec_.coupling.resolved_storage() == storage_kind::dense)
        multiply_dense(x, y);
    else
        SC_PETSC_CHECK(BVMatMult(x, coupling_.mat(), y));
}

void rate_model::multiply_dense(BV x, BV y) {
    const std::int64_t n = size();
    const PetscInt m = buffer_columns_;
    // Columns per block: the gathered rows take at most 2^24 doubles (128 MiB) per rank.
    const PetscInt block = PetscInt(std::max<std::int64_t>(1, std::min<std::int64_t>(m, (std::int64_t(1) << 24) / n)));
    const int p = int(block_rows_.size());
    std::vector<int> counts(static_cast<std::size_t>(p)), displs(static_cast<std::size_t>(p));
    Mat j_local = nullptr;  // this rank's rows of J, all N columns (borrowed, not destroyed)
    SC_PETSC_CHECK(MatDenseGetLocalMatrix(coupling_.mat(), &j_local));
    bv_array xa(x), ya(y);
    for (PetscInt k0 = 0; k0 < m; k0 += block) {
        const PetscInt c = std::min(block, m - k0);
        // Every rank's rows of columns [k0, k0 + c): rank blocks one after the other, each
        // column-major with leading dimension = that rank's rows ...
        staging_.resize(std::size_t(n) * std::size_t(c));
        gathered_.resize(std::size_t(n) * std::size_t(c));
        for (int r = 0; r < p; ++r) {
            counts[std::size_t(r)] = block_rows_[std::size_t(r)] * int(c);
            displs[std::size_t(r)] = block_first_[std::size_t(r)] * int(c);
        }
        MPI_Allgatherv(xa.a + std::size_t(k0) * std::size_t(local_rows_), int(local_rows_ * c), MPI_DOUBLE,
                       staging_.data(), counts.data(), displs.data(), MPI_DOUBLE, comm_);
        // ... rearranged into one N x c column-major matrix, global rows in order.
        for (int r = 0; r < p; ++r) {
            const std::size_t rows = std::size_t(block_rows_[std::size_t(r)]), first = std::size_t(block_first_[std::size_t(r)]);
            const double* src = staging_.data() + std::size_t(displs[std::size_t(r)]);
            for (PetscInt k = 0; k < c; ++k)
                std::copy_n(src + std::size_t(k) * rows, rows, gathered_.data() + std::size_t(k) * std::size_t(n) + first);
        }
        if (local_rows_ == 0) continue;
        // Y(:, k0:k0+c) = J_local G: a SeqDense product (BLAS dgemm) into Y's own storage.
        petsc::unique_mat g, yc;
        SC_PETSC_CHECK(MatCreateSeqDense(PETSC_COMM_SELF, PetscInt(n), c, gathered_.data(), g.out()));
        SC_PETSC_CHECK(MatCreateSeqDense(PETSC_COMM_SELF, PetscInt(local_rows_), c,
                                         ya.a + std::size_t(k0) * std::size_t(local_rows_), yc.out()));
        SC_PETSC_CHECK(MatProductCreateWithMat(j_local, g, nullptr, yc));
        SC_PETSC_CHECK(MatProductSetType(yc, MATPRODUCT_AB));
        SC_PETSC_CHECK(MatProductSetFromOptions(yc));
        SC_PETSC_CHECK(MatProductSymbolic(yc));
        SC_PETSC_CHECK(MatProductNumeric(yc));
    }
}

void rate_model::tangent_step(BV q) {
    const std::size_t n = std::size_t(local_rows_);
    const double dt = spec_.dt;
    if (spec_.time == time_kind::discrete) {
        // Q <- D (J Q).
        ensure_buffers(q, 1);
        BV jq = buffers_[0];
        multiply(q, jq);
        bv_array qa(q), ja(jq);
        const std::size_t m = std::size_t(buffer_columns_);
        for (std::size_t k = 0; k < m; ++k)
            for (std::size_t l = 0; l < n; ++l) qa.a[k * n + l] = d_[0][l] * ja.a[k * n + l];
        return;
    }
    if (spec_.integrator == integrator_kind::euler) {
        // Q <- (1 - dt) Q + dt J D Q.
        ensure_buffers(q, 2);
        BV w = buffers_[0], jdq = buffers_[1];
        jacobian_product(q, d_[0], w, jdq);
        bv_array qa(q), ya(jdq);
        const std::size_t total = n * std::size_t(buffer_columns_);
        for (std::size_t e = 0; e < total; ++e) qa.a[e] = (1.0 - dt) * qa.a[e] + dt * ya.a[e];
        return;
    }
    // RK4 through the stages, the same arithmetic as step() on the tangent vectors:
    // dk_s = -da_s + J D_s da_s, da_1 = Q, da_{s+1} = Q + c dt dk_s, Q <- Q + dt/6 sum w_s dk_s.
    ensure_buffers(q, 4);
    BV w = buffers_[0], x = buffers_[1], jdx = buffers_[2], ksum = buffers_[3];
    const std::size_t total = n * std::size_t(buffer_columns_);
    for (int s = 0; s < 4; ++s) {
        BV stage = s == 0 ? q : x;
        jacobian_product(stage, d_[std::size_t(s)], w, jdx);
        bv_array qa(q), xa(x), ya(jdx), ka(ksum);
        const double* arg = s == 0 ? qa.a : xa.a;
        for (std::size_t e = 0; e < total; ++e) {
            const double k = -arg[e] + ya.a[e];
            ka.a[e] = s == 0 ? k : ka.a[e] + rk4_weight[s] * k;
            if (s < 3) xa.a[e] = qa.a[e] + rk4_next[s] * dt * k;
        }
    }
    bv_array qa(q), ka(ksum);
    for (std::size_t e = 0; e < total; ++e) qa.a[e] += dt / 6.0 * ka.a[e];
}

void rate_model::tangent_step(Vec v) {
    const std::size_t n = std::size_t(local_rows_);
    const double dt = spec_.dt;
    // y_ = J diag(d) a for local values a.
    auto jd = [&](const double* a, const std::vector<double>& d) {
        {
            vec_array x(x_);
            for (std::size_t l = 0; l < n; ++l) x.a[l] = d[l] * a[l];
        }
        SC_PETSC_CHECK(MatMult(coupling_.mat(), x_, y_));
    };
    if (spec_.time == time_kind::discrete) {
        SC_PETSC_CHECK(MatMult(coupling_.mat(), v, y_));
        vec_array_read y(y_);
        vec_array va(v);
        for (std::size_t l = 0; l < n; ++l) va.a[l] = d_[0][l] * y.a[l];
        return;
    }
    if (spec_.integrator == integrator_kind::euler) {
        {
            vec_array_read va(v);
            jd(va.a, d_[0]);
        }
        vec_array_read y(y_);
        vec_array va(v);
        for (std::size_t l = 0; l < n; ++l) va.a[l] = (1.0 - dt) * va.a[l] + dt * y.a[l];
        return;
    }
    std::vector<double> arg(n), ksum(n);
    {
        vec_array_read va(v);
        for (std::size_t l = 0; l < n; ++l) arg[l] = va.a[l];
    }
    for (int s = 0; s < 4; ++s) {
        jd(arg.data(), d_[std::size_t(s)]);
        vec_array_read y(y_);
        vec_array_read va(v);
        for (std::size_t l = 0; l < n; ++l) {
            const double k = -arg[l] + y.a[l];
            ksum[l] = s == 0 ? k : ksum[l] + rk4_weight[s] * k;
            if (s < 3) arg[l] = va.a[l] + rk4_next[s] * dt * k;
        }
    }
    vec_array va(v);
    for (std::size_t l = 0; l < n; ++l) va.a[l] += dt / 6.0 * ksum[l];
}

void rate_model::population_means(Vec h, double& mean_phi, double& mean_h2) const {
    double local[2] = {0.0, 0.0}, global[2] = {0.0, 0.0};
    {
        vec_array_read hv(h);
        for (std::int64_t l = 0; l < local_rows_; ++l) {
            local[0] += phi(spec_.phi, hv.a[l]);
            local[1] += hv.a[l] * hv.a[l];
        }
    }
    MPI_Allreduce(local, global, 2, MPI_DOUBLE, MPI_SUM, comm_);
    mean_phi = global[0] / double(size());
    mean_h2 = global[1] / double(size());
}

}  // namespace sparsechaos::rate
