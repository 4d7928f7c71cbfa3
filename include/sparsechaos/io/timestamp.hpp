#pragma once
// The current time as an ISO 8601 UTC timestamp, for /meta@created of every output file.
#include <ctime>
#include <string>

namespace sparsechaos::io {

inline std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace sparsechaos::io
