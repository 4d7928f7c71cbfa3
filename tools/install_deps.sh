#!/usr/bin/env bash
# Installs everything sparsechaos needs to build, test and plot on Debian 12 (bookworm).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates \
  openmpi-bin libopenmpi-dev libboost-mpi-dev \
  petsc-dev slepc-dev libopenblas-dev \
  libhdf5-openmpi-dev \
  libgtest-dev libtomlplusplus-dev libcli11-dev librandom123-dev libsleef-dev libfmt-dev \
  python3 python3-h5py python3-matplotlib python3-numpy \
  > /dev/null
echo "sparsechaos: dependencies installed"
