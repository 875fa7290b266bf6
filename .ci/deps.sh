#!/usr/bin/env bash
# Installs what building and testing this project needs on Debian 12.
# Usage: bash .ci/deps.sh [bench]
#   bench  also installs Debian's systemtap, the reference bench/ compares with.
# Does nothing (and needs no network) when everything is already installed.
set -euo pipefail

packages=(
  # build
  g++ make autoconf automake pkg-config git libdw-dev libelf-dev
  # tests: gtest unit tests, dejagnu suites
  libgtest-dev dejagnu expect python3
  # fuzzer build: clang 14 cannot compile libstdc++ 12's C++20 <ranges>, 16 can
  clang-16 libclang-rt-16-dev
  # benchmarks
  hyperfine time
)
if [ "${1:-}" = bench ]; then
  packages+=(systemtap)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=sudo
  else
    echo "deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "deps: installing ${missing[*]}"
$sudo apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
