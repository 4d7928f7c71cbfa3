#include "sparsechaos/io/hdf5.hpp"
#include "sparsechaos/mpi_comm.hpp"

#include <algorithm>
#include <cstring>

namespace sparsechaos::io::h5 {

namespace {

// The innermost HDF5 error message: it names the actual cause (errno text, missing object, ...)
// where the outer ones only repeat which API call failed.
herr_t innermost(unsigned n, const H5E_error2_t* e, void* out) {
    if (n == 0 && e->desc) *static_cast<std::string*>(out) = e->desc;
    return 0;
}

std::string hdf5_message() {
    std::string msg;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &msg);
    H5Eclear2(H5E_DEFAULT);
    return msg;
}

// Called before the first HDF5 call of any file: our exceptions replace HDF5's stderr dumps.
void silence_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

template <element T>
hid_t memory_type() {
    if constexpr (std::same_as<T, double>) return H5T_NATIVE_DOUBLE;
    else if constexpr (std::same_as<T, std::uint64_t>) return H5T_NATIVE_UINT64;
    else return H5T_NATIVE_INT64;
}

// Stored types are fixed (little-endian, 64 bit) so files do not depend on the writing machine.
template <element T>
hid_t file_type() {
    if constexpr (std::same_as<T, double>) return H5T_IEEE_F64LE;
    else if constexpr (std::same_as<T, std::uint64_t>) return H5T_STD_U64LE;
    else return H5T_STD_I64LE;
}

handle space_1d(hsize_t n, std::string_view path, hsize_t max = 0) {
    const hsize_t maxdims = max ? max : n;
    return {check(H5Screate_simple(1, &n, &maxdims), "create dataspace for", path), H5Sclose};
}

handle scalar_space(std::string_view path) {
    return {check(H5Screate(H5S_SCALAR), "create dataspace for", path), H5Sclose};
}

handle collective_transfer(std::string_view path) {
    handle xfer(check(H5Pcreate(H5P_DATASET_XFER), "create transfer properties for", path), H5Pclose);
    check(H5Pset_dxpl_mpio(xfer.get(), H5FD_MPIO_COLLECTIVE), "set collective transfer for", path);
    return xfer;
}

// Fixed-length UTF-8 string type of `size` bytes including the terminating null.
handle fixed_string_type(std::size_t size, std::string_view path) {
    handle t(check(H5Tcopy(H5T_C_S1), "create string type for", path), H5Tclose);
    check(H5Tset_size(t.get(), std::max<std::size_t>(size, 1)), "set string size for", path);
    check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "set string encoding for", path);
    check(H5Tset_strpad(t.get(), H5T_STR_NULLTERM), "set string padding for", path);
    return t;
}

handle variable_string_type(std::string_view path) {
    handle t(check(H5Tcopy(H5T_C_S1), "create string type for", path), H5Tclose);
    check(H5Tset_size(t.get(), H5T_VARIABLE), "set string size for", path);
    check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "set string encoding for", path);
    return t;
}

// Replicated data: rank 0 writes everything, the other ranks take part in the collective write
// with an empty selection.
void write_replicated(hid_t ds, hid_t mem_type, hid_t mem_space, const void* data, MPI_Comm comm,
                      std::string_view path) {
    handle file_space(check(H5Dget_space(ds), "get dataspace of", path), H5Sclose);
    if (rank_of(comm) != 0) {
        check(H5Sselect_none(file_space.get()), "select in", path);
        check(H5Sselect_none(mem_space), "select in", path);
    }
    handle xfer = collective_transfer(path);
    check(H5Dwrite(ds, mem_type, mem_space, file_space.get(), xfer.get(), data), "write dataset", path);
}

// Reads a string from an attribute or a dataset of string type, fixed or variable length.
template <class Read>
std::string read_string_value(hid_t stored_type, std::string_view path, Read&& read) {
    if (H5Tget_class(stored_type) != H5T_STRING) throw error("HDF5: '" + std::string(path) + "' is not a string");
    const htri_t variable = check(H5Tis_variable_str(stored_type), "inspect string type of", path);
    if (variable) {
        handle t = variable_string_type(path);
        char* p = nullptr;
        check(read(t.get(), &p), "read", path);
        std::string s = p ? p : "";
        H5free_memory(p);
        return s;
    }
    const std::size_t size = H5Tget_size(stored_type);
    handle t = fixed_string_type(size, path);
    std::string buf(size, '\0');
    check(read(t.get(), buf.data()), "read", path);
    buf.resize(std::strlen(buf.c_str()));
    return buf;
}

}  // namespace

hid_t check(hid_t status, std::string_view what, std::string_view path) {
    if (status >= 0) return status;
    std::string msg = "HDF5: cannot " + std::string(what) + " '" + std::string(path) + "'";
    if (const std::string detail = hdf5_message(); !detail.empty()) msg += ": " + detail;
    throw error(msg);
}

// ---- handle ---------------------------------------------------------------------------------

handle& handle::operator=(handle&& o) noexcept {
    if (this != &o) {
        (void)release();
        id_ = o.id_;
        close_ = o.close_;
        o.id_ = H5I_INVALID_HID;
    }
    return *this;
}

herr_t handle::release() noexcept {
    if (id_ < 0) return 0;
    const herr_t status = close_(id_);
    id_ = H5I_INVALID_HID;
    return status;
}

// ---- object: attributes ---------------------------------------------------------------------

std::string object::child_path(std::string_view name) const {
    std::string p = path_;
    if (p.back() != '/') p += '/';
    p += name;
    return p;
}

void object::close_checked(std::string_view what) { check(h_.release(), what, path_); }

namespace {
// A fresh attribute `name` on `obj` (an existing one is replaced), ready for H5Awrite.
handle new_attribute(hid_t obj, const std::string& name, hid_t type, const std::string& where) {
    if (check(H5Aexists(obj, name.c_str()), "inspect attribute", where) > 0)
        check(H5Adelete(obj, name.c_str()), "replace attribute", where);
    handle space = scalar_space(where);
    return {check(H5Acreate2(obj, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT), "create attribute",
                  where),
            H5Aclose};
}
}  // namespace

void object::set_attribute(std::string_view name, std::string_view value) {
    const std::string where = path_ + "@" + std::string(name);
    handle type = variable_string_type(where);
    handle a = new_attribute(id(), std::string(name), type.get(), where);
    const std::string text(value);
    const char* p = text.c_str();
    check(H5Awrite(a.get(), type.get(), &p), "write attribute", where);
    check(a.release(), "close attribute", where);
}

void object::set_attribute(std::string_view name, double value) {
    const std::string where = path_ + "@" + std::string(name);
    handle a = new_attribute(id(), std::string(name), H5T_IEEE_F64LE, where);
    check(H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value), "write attribute", where);
    check(a.release(), "close attribute", where);
}

void object::set_attribute(std::string_view name, std::int64_t value) {
    const std::string where = path_ + "@" + std::string(name);
    handle a = new_attribute(id(), std::string(name), H5T_STD_I64LE, where);
    check(H5Awrite(a.get(), H5T_NATIVE_INT64, &value), "write attribute", where);
    check(a.release(), "close attribute", where);
}

void object::set_enum_attribute(std::string_view name, const std::vector<std::string>& labels, int value) {
    const std::string where = path_ + "@" + std::string(name);
    if (value < 0 || std::size_t(value) >= labels.size() || labels.size() > 256)
        throw error("HDF5: enum value out of range for '" + where + "'");
    handle type(check(H5Tenum_create(H5T_STD_U8LE), "create enum type for", where), H5Tclose);
    for (std::size_t k = 0; k < labels.size(); ++k) {
        const std::uint8_t v = std::uint8_t(k);
        check(H5Tenum_insert(type.get(), labels[k].c_str(), &v), "define enum for", where);
    }
    handle a = new_attribute(id(), std::string(name), type.get(), where);
    const std::uint8_t v = std::uint8_t(value);
    check(H5Awrite(a.get(), type.get(), &v), "write attribute", where);
    check(a.release(), "close attribute", where);
}

bool object::has_attribute(std::string_view name) const {
    return check(H5Aexists(id(), std::string(name).c_str()), "inspect attribute", path_ + "@" + std::string(name)) > 0;
}

namespace {
handle open_attribute(hid_t obj, std::string_view name, const std::string& where) {
    return {check(H5Aopen(obj, std::string(name).c_str(), H5P_DEFAULT), "open attribute", where), H5Aclose};
}
}  // namespace

std::string object::string_attribute(std::string_view name) const {
    const std::string where = path_ + "@" + std::string(name);
    handle a = open_attribute(id(), name, where);
    handle type(check(H5Aget_type(a.get()), "get type of", where), H5Tclose);
    return read_string_value(type.get(), where, [&](hid_t mem, void* buf) { return H5Aread(a.get(), mem, buf); });
}

double object::double_attribute(std::string_view name) const {
    const std::string where = path_ + "@" + std::string(name);
    handle a = open_attribute(id(), name, where);
    double v = 0.0;
    check(H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v), "read attribute", where);
    return v;
}

std::int64_t object::int_attribute(std::string_view name) const {
    const std::string where = path_ + "@" + std::string(name);
    handle a = open_attribute(id(), name, where);
    std::int64_t v = 0;
    check(H5Aread(a.get(), H5T_NATIVE_INT64, &v), "read attribute", where);
    return v;
}

// ---- location ---------------------------------------------------------------------------------

group location::create_group(std::string_view name) {
    const std::string p = child_path(name);
    hid_t g = check(H5Gcreate2(id(), std::string(name).c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                    "create group", p);
    return group(handle(g, H5Gclose), p, comm_);
}

group location::open_group(std::string_view name) const {
    const std::string p = child_path(name);
    hid_t g = check(H5Gopen2(id(), std::string(name).c_str(), H5P_DEFAULT), "open group", p);
    return group(handle(g, H5Gclose), p, comm_);
}

dataset location::open_dataset(std::string_view name) const {
    const std::string p = child_path(name);
    hid_t d = check(H5Dopen2(id(), std::string(name).c_str(), H5P_DEFAULT), "open dataset", p);
    return dataset(handle(d, H5Dclose), p, comm_);
}

bool location::contains(std::string_view name) const {
    return check(H5Lexists(id(), std::string(name).c_str(), H5P_DEFAULT), "look up", child_path(name)) > 0;
}

template <element T>
dataset location::write(std::string_view name, std::span<const T> values) {
    const std::string p = child_path(name);
    handle space = space_1d(values.size(), p);
    dataset ds(handle(check(H5Dcreate2(id(), std::string(name).c_str(), file_type<T>(), space.get(), H5P_DEFAULT,
                                       H5P_DEFAULT, H5P_DEFAULT),
                            "create dataset", p),
                      H5Dclose),
               p, comm_);
    if (!values.empty()) write_replicated(ds.id(), memory_type<T>(), space.get(), values.data(), comm_, p);
    return ds;
}

template <element T>
dataset location::write_scalar(std::string_view name, T value) {
    const std::string p = child_path(name);
    handle space = scalar_space(p);
    dataset ds(handle(check(H5Dcreate2(id(), std::string(name).c_str(), file_type<T>(), space.get(), H5P_DEFAULT,
                                       H5P_DEFAULT, H5P_DEFAULT),
                            "create dataset", p),
                      H5Dclose),
               p, comm_);
    write_replicated(ds.id(), memory_type<T>(), space.get(), &value, comm_, p);
    return ds;
}

dataset location::write_string(std::string_view name, std::string_view text) {
    const std::string p = child_path(name);
    handle type = fixed_string_type(text.size() + 1, p);
    handle space = scalar_space(p);
    dataset ds(handle(check(H5Dcreate2(id(), std::string(name).c_str(), type.get(), space.get(), H5P_DEFAULT,
                                       H5P_DEFAULT, H5P_DEFAULT),
                            "create dataset", p),
                      H5Dclose),
               p, comm_);
    const std::string buf(text);  // null-terminated
    write_replicated(ds.id(), type.get(), space.get(), buf.c_str(), comm_, p);
    return ds;
}

dataset location::write_strings(std::string_view name, const std::vector<std::string>& texts) {
    const std::string p = child_path(name);
    std::size_t width = 1;
    for (const auto& t : texts) width = std::max(width, t.size() + 1);
    handle type = fixed_string_type(width, p);
    handle space = space_1d(texts.size(), p);
    dataset ds(handle(check(H5Dcreate2(id(), std::string(name).c_str(), type.get(), space.get(), H5P_DEFAULT,
                                       H5P_DEFAULT, H5P_DEFAULT),
                            "create dataset", p),
                      H5Dclose),
               p, comm_);
    if (!texts.empty()) {
        std::vector<char> buf(texts.size() * width, '\0');
        for (std::size_t k = 0; k < texts.size(); ++k) std::memcpy(&buf[k * width], texts[k].data(), texts[k].size());
        write_replicated(ds.id(), type.get(), space.get(), buf.data(), comm_, p);
    }
    return ds;
}

template <element T>
dataset location::create_extendable(std::string_view name, std::uint64_t chunk) {
    const std::string p = child_path(name);
    if (chunk == 0) throw error("HDF5: chunk size 0 for '" + p + "'");
    handle space = space_1d(0, p, H5S_UNLIMITED);
    handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "create properties for", p), H5Pclose);
    const hsize_t c = chunk;
    check(H5Pset_chunk(dcpl.get(), 1, &c), "set chunk size of", p);
    // Every element gets written by append: filling new chunks first would write them twice.
    check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "set fill time of", p);
    hid_t d = check(
        H5Dcreate2(id(), std::string(name).c_str(), file_type<T>(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
        "create dataset", p);
    return dataset(handle(d, H5Dclose), p, comm_);
}

// ---- dataset ----------------------------------------------------------------------------------

std::uint64_t dataset::size() const {
    handle space(check(H5Dget_space(id()), "get dataspace of", path_), H5Sclose);
    return std::uint64_t(check(H5Sget_simple_extent_npoints(space.get()), "get size of", path_));
}

template <element T>
std::uint64_t dataset::append(std::span<const T> part) {
    // Position of this rank's part: the sizes of all parts before it, and the total, from the
    // same counts on every rank (every rank must extend the dataset to the same size).
    const std::uint64_t n = part.size();
    std::uint64_t before = 0, total = n;
    int ranks = 1;
    MPI_Comm_size(comm_, &ranks);
    if (ranks > 1) {
        MPI_Exscan(&n, &before, 1, MPI_UINT64_T, MPI_SUM, comm_);
        if (rank_of(comm_) == 0) before = 0;  // MPI_Exscan leaves rank 0's result undefined
        MPI_Allreduce(&n, &total, 1, MPI_UINT64_T, MPI_SUM, comm_);
    }
    const std::uint64_t old = size();
    if (total == 0) return old;

    const hsize_t new_size = old + total;
    check(H5Dset_extent(id(), &new_size), "extend dataset", path_);
    handle file_space(check(H5Dget_space(id()), "get dataspace of", path_), H5Sclose);
    const hsize_t start = old + before, count = n, mem_count = std::max<hsize_t>(n, 1);
    handle mem_space = space_1d(mem_count, path_);
    if (n > 0) {
        check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr), "select in",
              path_);
    } else {
        check(H5Sselect_none(file_space.get()), "select in", path_);
        check(H5Sselect_none(mem_space.get()), "select in", path_);
    }
    static const T nothing{};  // a valid buffer address for an empty part
    handle xfer = collective_transfer(path_);
    check(H5Dwrite(id(), memory_type<T>(), mem_space.get(), file_space.get(), xfer.get(), n ? part.data() : &nothing),
          "append to dataset", path_);
    return old + before;
}

template <element T>
std::vector<T> dataset::read() const {
    std::vector<T> out(size());
    if (!out.empty())
        check(H5Dread(id(), memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read dataset", path_);
    return out;
}

template <element T>
std::vector<T> dataset::read_range(std::uint64_t first, std::uint64_t count) const {
    const std::uint64_t n = size();
    if (first > n || count > n - first)
        throw error("HDF5: '" + path_ + "' has " + std::to_string(n) + " elements, not [" + std::to_string(first) +
                    ", " + std::to_string(first + count) + ")");
    std::vector<T> out(count);
    if (count == 0) return out;
    handle file_space(check(H5Dget_space(id()), "get dataspace of", path_), H5Sclose);
    const hsize_t start = first, c = count;
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &c, nullptr), "select in", path_);
    handle mem_space = space_1d(c, path_);
    check(H5Dread(id(), memory_type<T>(), mem_space.get(), file_space.get(), H5P_DEFAULT, out.data()), "read dataset",
          path_);
    return out;
}

std::string dataset::read_string() const {
    handle type(check(H5Dget_type(id()), "get type of", path_), H5Tclose);
    return read_string_value(type.get(), path_,
                             [&](hid_t mem, void* buf) { return H5Dread(id(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf); });
}

std::vector<std::string> dataset::read_strings() const {
    handle type(check(H5Dget_type(id()), "get type of", path_), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) != 0)
        throw error("HDF5: '" + path_ + "' is not a fixed-length string dataset");
    const std::size_t width = H5Tget_size(type.get());
    const std::uint64_t n = size();
    std::vector<char> buf(n * width + 1, '\0');
    if (n) check(H5Dread(id(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "read dataset", path_);
    std::vector<std::string> out;
    for (std::uint64_t k = 0; k < n; ++k) out.emplace_back(&buf[k * width], strnlen(&buf[k * width], width));
    return out;
}

// ---- file -------------------------------------------------------------------------------------

namespace {
handle mpio_access(MPI_Comm comm, const std::string& filename) {
    handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "create access properties for", filename), H5Pclose);
    check(H5Pset_fapl_mpio(fapl.get(), comm, MPI_INFO_NULL), "use MPI-IO for", filename);
    // Metadata written by one rank on behalf of all, instead of many small independent writes.
    check(H5Pset_coll_metadata_write(fapl.get(), true), "set collective metadata for", filename);
    return fapl;
}
}  // namespace

file file::create(const std::string& filename, MPI_Comm comm) {
    silence_hdf5();
    handle fapl = mpio_access(comm, filename);
    hid_t f = check(H5Fcreate(filename.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), "create file", filename);
    return file(handle(f, H5Fclose), filename, comm);
}

file file::open(const std::string& filename, MPI_Comm comm, bool writable) {
    silence_hdf5();
    handle fapl = mpio_access(comm, filename);
    hid_t f = check(H5Fopen(filename.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl.get()), "open file",
                    filename);
    return file(handle(f, H5Fclose), filename, comm);
}

void file::flush() { check(H5Fflush(id(), H5F_SCOPE_GLOBAL), "flush file", filename_); }

void file::close() { check(h_.release(), "close file", filename_); }

// The element types of the layer.
#define SPARSECHAOS_H5_INSTANTIATE(T)                                                   \
    template dataset location::write<T>(std::string_view, std::span<const T>);          \
    template dataset location::write_scalar<T>(std::string_view, T);                    \
    template dataset location::create_extendable<T>(std::string_view, std::uint64_t);   \
    template std::uint64_t dataset::append<T>(std::span<const T>);                      \
    template std::vector<T> dataset::read<T>() const;                                  \
    template std::vector<T> dataset::read_range<T>(std::uint64_t, std::uint64_t) const;
SPARSECHAOS_H5_INSTANTIATE(double)
SPARSECHAOS_H5_INSTANTIATE(std::uint64_t)
SPARSECHAOS_H5_INSTANTIATE(std::int64_t)
#undef SPARSECHAOS_H5_INSTANTIATE

}  // namespace sparsechaos::io::h5
