#pragma once
// Small HDF5 helpers shared by the SONATA edge reader and writer (private to src/io).
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace sparsechaos::io::sonata {

// A string attribute (fixed or variable length) of an object; "" when absent or not a string.
std::string attribute_string(hid_t obj, const char* name);
// Whether every component of a relative or absolute path exists.
bool link_exists(hid_t loc, const std::string& path);
// The names of the groups directly below `group`.
std::vector<std::string> child_groups(hid_t group);
// Rows of a dataset of `rank` dimensions (2: N x 2); graph_file_error naming it otherwise, or when
// `numeric` and its type is not a number.
std::uint64_t dataset_rows(hid_t file, const std::string& file_name, const std::string& path, int rank, bool numeric);

}  // namespace sparsechaos::io::sonata
