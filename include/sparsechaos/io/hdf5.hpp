#pragma once
// A small RAII layer over the HDF5 C API (the parallel build: files go through the MPI-IO driver).
//
// Ownership: every object holds exactly one HDF5 id and closes it exactly once (objects move, they
// do not copy). Errors: every negative HDF5 return becomes an h5::error naming the operation and
// the object's path inside the file; HDF5's own printing of error stacks is switched off, the
// innermost HDF5 message is appended to ours instead.
//
// MPI: files are always opened with the MPI-IO driver on a communicator, also on one rank, so the
// same code runs distributed. Parallel HDF5 rules apply (see docs/output.md):
//   * metadata calls are collective: every rank of the file's communicator calls every create,
//     open, extend, attribute write and close, in the same order and with the same arguments;
//   * data calls say below what each rank contributes (replicated values vs. per-rank parts).
// The communicator is borrowed, not duplicated: it must outlive the file.
#include <hdf5.h>
#include <mpi.h>

#include <concepts>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sparsechaos::io::h5 {

struct error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Element types of numeric datasets and attributes (stored little-endian, 64 bits).
template <class T>
concept element = std::same_as<T, double> || std::same_as<T, std::uint64_t> || std::same_as<T, std::int64_t>;

// Throws h5::error("<what> '<path>': <innermost HDF5 message>") if status < 0; returns status.
hid_t check(hid_t status, std::string_view what, std::string_view path);

// Owns one HDF5 id together with the function that closes it.
class handle {
public:
    using closer = herr_t (*)(hid_t);
    handle() = default;
    handle(hid_t id, closer close) : id_(id), close_(close) {}
    handle(handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
    handle& operator=(handle&& o) noexcept;
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    ~handle() { (void)release(); }

    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }
    // Closes now; returns the HDF5 status (destructors ignore it, explicit closes check it).
    herr_t release() noexcept;

private:
    hid_t id_ = H5I_INVALID_HID;
    closer close_ = nullptr;
};

class group;
class dataset;

// Anything that carries attributes: file (root group), group, dataset.
class object {
public:
    hid_t id() const { return h_.get(); }
    bool valid() const { return h_.valid(); }
    const std::string& path() const { return path_; }  // path inside the file, "/" for the root
    MPI_Comm comm() const { return comm_; }

    // Collective; replaces an existing attribute of the same name. Strings are UTF-8,
    // variable length (h5py reads them as str).
    void set_attribute(std::string_view name, std::string_view value);
    void set_attribute(std::string_view name, const char* value) { set_attribute(name, std::string_view(value)); }
    void set_attribute(std::string_view name, double value);
    void set_attribute(std::string_view name, std::int64_t value);
    template <std::integral I>
    void set_attribute(std::string_view name, I value) {
        set_attribute(name, static_cast<std::int64_t>(value));
    }
    // HDF5 enum attribute with an 8-bit base type: labels[k] has value k (SONATA's `sorting`).
    void set_enum_attribute(std::string_view name, const std::vector<std::string>& labels, int value);

    bool has_attribute(std::string_view name) const;
    std::string string_attribute(std::string_view name) const;
    double double_attribute(std::string_view name) const;
    std::int64_t int_attribute(std::string_view name) const;

protected:
    object() = default;
    object(handle h, std::string path, MPI_Comm comm) : h_(std::move(h)), path_(std::move(path)), comm_(comm) {}
    std::string child_path(std::string_view name) const;
    // Collective close that reports failure (HDF5 may write metadata while closing).
    void close_checked(std::string_view what);

    handle h_;
    std::string path_;
    MPI_Comm comm_ = MPI_COMM_NULL;
};

// A place that holds links: the file's root group or a group.
class location : public object {
public:
    group create_group(std::string_view name);
    group open_group(std::string_view name) const;
    dataset open_dataset(std::string_view name) const;
    bool contains(std::string_view name) const;  // a direct child link of this name exists

    // Fixed-size datasets. The data is replicated: every rank passes the same values and rank 0
    // writes them.
    template <element T>
    dataset write(std::string_view name, std::span<const T> values);
    template <element T>
    dataset write(std::string_view name, const std::vector<T>& values);
    template <element T>
    dataset write_scalar(std::string_view name, T value);
    // Strings are stored with a fixed length (parallel HDF5 cannot write variable-length data),
    // UTF-8, null-terminated: h5py reads them as bytes, or as str through Dataset.asstr().
    dataset write_string(std::string_view name, std::string_view text);  // scalar dataset
    dataset write_strings(std::string_view name, const std::vector<std::string>& texts);

    // An empty 1-D dataset with unlimited maximum size, chunked by `chunk` elements, that grows
    // with dataset::append.
    template <element T>
    dataset create_extendable(std::string_view name, std::uint64_t chunk);

protected:
    location() = default;
    location(handle h, std::string path, MPI_Comm comm) : object(std::move(h), std::move(path), comm) {}
};

class group : public location {
public:
    group() = default;
    void close() { close_checked("close group"); }

private:
    friend class location;
    group(handle h, std::string path, MPI_Comm comm) : location(std::move(h), std::move(path), comm) {}
};

class dataset : public object {
public:
    dataset() = default;
    std::uint64_t size() const;  // elements (1 for a scalar dataset)

    // Collective: every rank passes its own part (possibly empty); the parts are appended in rank
    // order. Returns the index of this rank's first element in the dataset.
    template <element T>
    std::uint64_t append(std::span<const T> part);
    template <element T>
    std::uint64_t append(const std::vector<T>& part) {
        return append(std::span<const T>(part));
    }

    // Whole-dataset reads (independent; any rank).
    template <element T>
    std::vector<T> read() const;
    // Elements [first, first + count) of a 1-D dataset (independent; any rank); an error names
    // the dataset when the range lies beyond its end.
    template <element T>
    std::vector<T> read_range(std::uint64_t first, std::uint64_t count) const;
    std::string read_string() const;                // scalar string dataset
    std::vector<std::string> read_strings() const;  // 1-D string dataset

    void close() { close_checked("close dataset"); }

private:
    friend class location;
    dataset(handle h, std::string path, MPI_Comm comm) : object(std::move(h), std::move(path), comm) {}
};

template <element T>
dataset location::write(std::string_view name, const std::vector<T>& values) {
    return write(name, std::span<const T>(values));
}

class file : public location {
public:
    file() = default;

    // Collective over comm. create truncates an existing file.
    static file create(const std::string& filename, MPI_Comm comm);
    static file open(const std::string& filename, MPI_Comm comm, bool writable = false);

    const std::string& filename() const { return filename_; }
    // Collective: push everything written so far to the file (a crash after this keeps it).
    void flush();
    // Collective: close, reporting errors (data may still be written while closing). Every group
    // and dataset of the file must be closed first.
    void close();

private:
    file(handle h, std::string filename, MPI_Comm comm) : location(std::move(h), "/", comm), filename_(std::move(filename)) {}
    std::string filename_;
};

}  // namespace sparsechaos::io::h5
