// The HDF5 layer always uses the MPI-IO driver, so test_io runs inside MPI_Init / MPI_Finalize
// (also when started without mpirun, as a singleton).
#include <gtest/gtest.h>
#include <mpi.h>

namespace {

class mpi_environment : public ::testing::Environment {
public:
    void SetUp() override {
        int initialized = 0;
        MPI_Initialized(&initialized);
        if (!initialized) {
            MPI_Init(nullptr, nullptr);
            owned_ = true;
        }
    }
    void TearDown() override {
        if (owned_) MPI_Finalize();
    }

private:
    bool owned_ = false;
};

[[maybe_unused]] auto* const registered = ::testing::AddGlobalTestEnvironment(new mpi_environment);

}  // namespace
