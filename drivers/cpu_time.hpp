#pragma once
// CPU time of this process (s): unlike wall time, not inflated when other work shares the cores.
// The benchmark drivers time with it.
#include <ctime>

namespace sparsechaos::bench {

inline double cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

}  // namespace sparsechaos::bench
