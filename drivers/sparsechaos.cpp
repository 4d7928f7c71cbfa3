// Placeholder until the command line lands.
#include <cstdio>
#include "sparsechaos/version.hpp"
int main() { std::printf("sparsechaos %s\n", sparsechaos::version); }
