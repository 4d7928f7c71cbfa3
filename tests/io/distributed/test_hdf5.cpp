// The RAII layer over HDF5: round trips of every supported type, appends, error messages, and
// that every id is closed. Runs on 1, 2 and 3 ranks (tests/CMakeLists.txt, add_mpi_tests).
#include "sparsechaos/io/hdf5.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

namespace h5 = sparsechaos::io::h5;
namespace fs = std::filesystem;

namespace {

int mpi_rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}
int mpi_size() {
    int s = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
}

// A file name unique to the running test and the same on every rank.
std::string scratch_file() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const fs::path dir = fs::path(SPARSECHAOS_BINARY_DIR) / "test_io_scratch";
    if (mpi_rank() == 0) fs::create_directories(dir);
    MPI_Barrier(MPI_COMM_WORLD);
    return (dir / (std::string(info->test_suite_name()) + "." + info->name() + "." + std::to_string(mpi_size()) +
                   ".h5"))
        .string();
}

// Open HDF5 objects of any kind (files, groups, datasets, attributes, types, spaces, lists).
ssize_t open_ids() { return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL); }

template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const h5::error& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(hdf5, numeric_datasets_round_trip) {
    const std::string name = scratch_file();
    const std::vector<double> d = {0.5, -1.25, 1e300};
    const std::vector<std::uint64_t> u = {0, 1, std::uint64_t(1) << 63};
    const std::vector<std::int64_t> i = {-3, 0, std::int64_t(1) << 40};
    {
        auto f = h5::file::create(name, MPI_COMM_WORLD);
        auto g = f.create_group("g");
        g.write("d", d);
        g.write("u", u);
        g.write("i", i);
        g.write("empty", std::vector<double>{});
        g.write_scalar("pi", 3.25);
        g.write_scalar("n", std::uint64_t(7));
    }
    auto f = h5::file::open(name, MPI_COMM_WORLD);
    auto g = f.open_group("g");
    EXPECT_EQ(g.open_dataset("d").read<double>(), d);
    EXPECT_EQ(g.open_dataset("u").read<std::uint64_t>(), u);
    EXPECT_EQ(g.open_dataset("i").read<std::int64_t>(), i);
    EXPECT_EQ(g.open_dataset("empty").size(), 0u);
    EXPECT_EQ(g.open_dataset("pi").read<double>(), std::vector<double>{3.25});
    EXPECT_EQ(g.open_dataset("n").read<std::uint64_t>(), std::vector<std::uint64_t>{7});
    EXPECT_TRUE(f.contains("g"));
    EXPECT_TRUE(g.contains("d"));
    EXPECT_FALSE(g.contains("nope"));
}

TEST(hdf5, strings_round_trip) {
    const std::string name = scratch_file();
    const std::string text = "[network]\nname = \"µ-test\"\n";
    const std::vector<std::string> list = {"E", "", "inhibitory"};
    {
        auto f = h5::file::create(name, MPI_COMM_WORLD);
        f.write_string("text", text);
        f.write_string("empty", "");
        f.write_strings("list", list);
    }
    auto f = h5::file::open(name, MPI_COMM_WORLD);
    EXPECT_EQ(f.open_dataset("text").read_string(), text);
    EXPECT_EQ(f.open_dataset("empty").read_string(), "");
    EXPECT_EQ(f.open_dataset("list").read_strings(), list);
}

TEST(hdf5, attributes_round_trip_and_replace) {
    const std::string name = scratch_file();
    {
        auto f = h5::file::create(name, MPI_COMM_WORLD);
        f.set_attribute("version", "0.1.0");
        auto g = f.create_group("spikes");
        g.set_attribute("sorting", "none");
        g.set_attribute("sorting", "by_time");  // replaces
        g.set_attribute("rate", 12.5);
        g.set_attribute("count", std::int64_t(-42));
        g.set_attribute("ranks", 3);  // any integer type is stored as int64
        g.set_enum_attribute("order", {"none", "by_id", "by_time"}, 2);
    }
    auto f = h5::file::open(name, MPI_COMM_WORLD);
    EXPECT_EQ(f.string_attribute("version"), "0.1.0");
    auto g = f.open_group("spikes");
    EXPECT_EQ(g.string_attribute("sorting"), "by_time");
    EXPECT_DOUBLE_EQ(g.double_attribute("rate"), 12.5);
    EXPECT_EQ(g.int_attribute("count"), -42);
    EXPECT_EQ(g.int_attribute("ranks"), 3);
    EXPECT_TRUE(g.has_attribute("order"));
    EXPECT_FALSE(g.has_attribute("missing"));
    // The enum is a real HDF5 enum whose value 2 is labelled by_time.
    hid_t a = H5Aopen(g.id(), "order", H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    EXPECT_EQ(H5Tget_class(t), H5T_ENUM);
    std::uint8_t v = 0;
    ASSERT_GE(H5Aread(a, t, &v), 0);
    char label[16] = {};
    ASSERT_GE(H5Tenum_nameof(t, &v, label, sizeof label), 0);
    EXPECT_STREQ(label, "by_time");
    H5Tclose(t);
    H5Aclose(a);
}

TEST(hdf5, extendable_append_in_rank_order) {
    const std::string name = scratch_file();
    const int rank = mpi_rank(), size = mpi_size();
    // Appends of different sizes: smaller than, equal to and larger than a chunk, and empty.
    const std::vector<std::size_t> batches = {3, 0, 4, 9, 1};
    std::vector<std::uint64_t> expected;
    {
        auto f = h5::file::create(name, MPI_COMM_WORLD);
        auto ds = f.create_extendable<std::uint64_t>("ids", 4);
        std::uint64_t next = 0;
        for (std::size_t b : batches) {
            std::vector<std::uint64_t> mine;
            for (int r = 0; r < size; ++r) {
                // Rank r contributes b + r values; value = 1000 r + running index.
                for (std::size_t k = 0; k < b + std::size_t(r); ++k) {
                    expected.push_back(1000 * std::uint64_t(r) + next + k);
                    if (r == rank) mine.push_back(1000 * std::uint64_t(r) + next + k);
                }
            }
            const std::uint64_t before = expected.size();
            const std::uint64_t at = ds.append(mine);
            EXPECT_EQ(ds.size(), before);
            if (!mine.empty()) {
                EXPECT_EQ(expected[at], mine.front());
            }
            next += 100;
        }
        ds.close();
        f.close();
    }
    auto f = h5::file::open(name, MPI_COMM_WORLD);
    EXPECT_EQ(f.open_dataset("ids").read<std::uint64_t>(), expected);
}

TEST(hdf5, appended_doubles_survive_flush_and_reopen) {
    const std::string name = scratch_file();
    std::vector<double> all;
    {
        auto f = h5::file::create(name, MPI_COMM_WORLD);
        auto ds = f.create_extendable<double>("t", 1024);
        for (int b = 0; b < 5; ++b) {
            std::vector<double> part(mpi_rank() == 0 ? 700 : 0);
            std::iota(part.begin(), part.end(), 700.0 * b);
            ds.append(part);
            f.flush();
        }
    }
    all.resize(3500);
    std::iota(all.begin(), all.end(), 0.0);
    auto f = h5::file::open(name, MPI_COMM_WORLD);
    EXPECT_EQ(f.open_dataset("t").read<double>(), all);
}

TEST(hdf5, every_id_is_closed) {
    const std::string name = scratch_file();
    const ssize_t before = open_ids();
    {
        auto f = h5::file::create(name, MPI_COMM_WORLD);
        auto g = f.create_group("a");
        auto ds = g.create_extendable<double>("x", 8);
        ds.append(std::vector<double>{1, 2, 3});
        g.set_attribute("k", 1.0);
        h5::group moved = std::move(g);  // moved-from objects own nothing
        auto again = moved.open_dataset("x");
        EXPECT_GT(open_ids(), before);
    }
    EXPECT_EQ(open_ids(), before);
    {
        auto f = h5::file::open(name, MPI_COMM_WORLD);
        (void)error_of([&] { f.open_dataset("missing"); });
    }
    EXPECT_EQ(open_ids(), before);
}

TEST(hdf5, errors_name_the_path_and_hdf5_stays_quiet) {
    const std::string name = scratch_file();
    ::testing::internal::CaptureStderr();
    const std::string missing_file = error_of([] { h5::file::open("/nonexistent-dir/x.h5", MPI_COMM_WORLD); });
    const std::string bad_dir = error_of([] { h5::file::create("/nonexistent-dir/x.h5", MPI_COMM_WORLD); });
    auto f = h5::file::create(name, MPI_COMM_WORLD);
    auto g = f.create_group("spikes");
    const std::string twice = error_of([&] { f.create_group("spikes"); });
    const std::string no_dataset = error_of([&] { g.open_dataset("timestamps"); });
    const std::string no_attribute = error_of([&] { (void)g.double_attribute("rate"); });
    const std::string hdf5_output = ::testing::internal::GetCapturedStderr();

    EXPECT_NE(missing_file.find("/nonexistent-dir/x.h5"), std::string::npos) << missing_file;
    EXPECT_NE(bad_dir.find("cannot create file '/nonexistent-dir/x.h5'"), std::string::npos) << bad_dir;
    EXPECT_NE(twice.find("cannot create group '/spikes'"), std::string::npos) << twice;
    EXPECT_NE(no_dataset.find("cannot open dataset '/spikes/timestamps'"), std::string::npos) << no_dataset;
    EXPECT_NE(no_attribute.find("/spikes@rate"), std::string::npos) << no_attribute;
    EXPECT_EQ(hdf5_output, "");
}
