#include "sparsechaos/io/checkpoint_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "sparsechaos/mpi_comm.hpp"
#include "sparsechaos/version.hpp"

namespace sparsechaos::io {

namespace fs = std::filesystem;

std::uint64_t text_hash(const std::string& text) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
    return h;
}

std::string checkpoint_path(const std::string& output) { return output + ".ckpt"; }

std::string segment_path(const std::string& checkpoint, std::int64_t index) {
    char buf[32];
    std::snprintf(buf, sizeof buf, ".spikes.%06lld", static_cast<long long>(index));
    return checkpoint + buf;
}

void sync_path(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) throw checkpoint_error("cannot open '" + path + "' to sync it: " + std::strerror(errno));
    const int status = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (status != 0) throw checkpoint_error("cannot sync '" + path + "': " + std::strerror(err));
}

namespace {

std::string directory_of(const std::string& path) {
    const fs::path dir = fs::path(path).parent_path();
    return dir.empty() ? std::string(".") : dir.string();
}

// A short name in the target's directory (the MPI-IO layer fails on long base names), the same
// on every rank: rank 0's pid.
std::string temporary_for(const std::string& target, MPI_Comm comm) {
    long pid = rank_of(comm) == 0 ? long(::getpid()) : 0;
    MPI_Bcast(&pid, 1, MPI_LONG, 0, comm);
    char name[64];
    std::snprintf(name, sizeof name, ".ckpt.%016llx.%ld.tmp", static_cast<unsigned long long>(text_hash(target)), pid);
    return (fs::path(directory_of(target)) / name).string();
}

// The first line in which two texts differ, for the message of a refused checkpoint.
std::string first_difference(const std::string& a, const std::string& b) {
    std::istringstream sa(a), sb(b);
    std::string la, lb;
    for (int line = 1;; ++line) {
        const bool ga = bool(std::getline(sa, la)), gb = bool(std::getline(sb, lb));
        if (!ga && !gb) return "the same text";
        if (!ga) la = "(end)";
        if (!gb) lb = "(end)";
        if (la != lb) return "line " + std::to_string(line) + ": checkpoint has '" + la + "', this run '" + lb + "'";
    }
}

}  // namespace

checkpoint_writer::checkpoint_writer(const std::string& target, MPI_Comm comm)
    : target_(target), temporary_(temporary_for(target, comm)), comm_(comm) {
    try {
        file_ = h5::file::create(temporary_, comm);
    } catch (const h5::error& e) {
        throw checkpoint_error("cannot create checkpoint '" + temporary_ + "': " + e.what());
    }
}

checkpoint_writer::~checkpoint_writer() {
    if (committed_) return;
    file_ = h5::file{};
    MPI_Barrier(comm_);
    if (rank_of(comm_) == 0) {
        std::error_code ec;
        fs::remove(temporary_, ec);
    }
}

void checkpoint_writer::commit(const checkpoint_header& h) {
    file_.set_attribute("format", checkpoint_format);
    file_.set_attribute("sparsechaos_version", sparsechaos::version);
    file_.set_attribute("kind", h.kind);
    file_.set_attribute("config_hash", std::to_string(text_hash(h.config_text)));
    file_.set_attribute("time_ms", h.time_ms);
    file_.set_attribute("ranks", h.ranks);
    file_.set_attribute("sequence", h.sequence);
    file_.write_string("config", h.config_text).close();
    // Written last: a file without it was never completed.
    file_.set_attribute("complete", std::int64_t(1));
    file_.flush();
    file_.close();
    // Rank 0 makes it durable and moves it in place once every rank has closed it.
    MPI_Barrier(comm_);
    std::string failure;
    if (rank_of(comm_) == 0) {
        try {
            sync_path(temporary_);
            if (std::rename(temporary_.c_str(), target_.c_str()) != 0)
                throw checkpoint_error("cannot move '" + temporary_ + "' to '" + target_ + "': " + std::strerror(errno));
            sync_path(directory_of(target_));
        } catch (const checkpoint_error& e) {
            failure = e.what();
        }
    }
    int failed = failure.empty() ? 0 : 1;
    MPI_Bcast(&failed, 1, MPI_INT, 0, comm_);
    if (failed) throw checkpoint_error(rank_of(comm_) == 0 ? failure : "writing the checkpoint failed on rank 0");
    committed_ = true;
}

h5::file open_checkpoint(const std::string& path, MPI_Comm comm, const std::string& kind,
                         const std::string& config_text, checkpoint_header& header) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw checkpoint_error("no checkpoint '" + path + "' to resume from");
    h5::file f;
    try {
        f = h5::file::open(path, comm);
    } catch (const h5::error& e) {
        throw checkpoint_error("checkpoint '" + path + "' cannot be read (truncated or not a checkpoint): " + e.what());
    }
    auto refuse = [&](const std::string& why) { throw checkpoint_error("checkpoint '" + path + "': " + why); };
    if (!f.has_attribute("complete") || !f.has_attribute("format")) refuse("incomplete, or not a sparsechaos checkpoint");
    const std::int64_t format = f.int_attribute("format");
    if (format != checkpoint_format)
        refuse("written in state format " + std::to_string(format) + " by sparsechaos " +
               f.string_attribute("sparsechaos_version") + "; this sparsechaos " + sparsechaos::version +
               " reads format " + std::to_string(checkpoint_format));
    header.kind = f.string_attribute("kind");
    if (header.kind != kind) refuse("belongs to a " + header.kind + " run, this is a " + kind + " run");
    header.config_text = f.open_dataset("config").read_string();
    if (f.string_attribute("config_hash") != std::to_string(text_hash(header.config_text)))
        refuse("its configuration does not match its own fingerprint (corrupted)");
    if (header.config_text != config_text)
        refuse("written for another configuration (after --set): " + first_difference(header.config_text, config_text));
    header.time_ms = f.double_attribute("time_ms");
    header.ranks = f.int_attribute("ranks");
    header.sequence = f.int_attribute("sequence");
    return f;
}

}  // namespace sparsechaos::io
