#!/usr/bin/env bash
# Installs what building and testing this project needs on Debian 12.
# Usage: bash .ci/deps.sh [bench] [guest] [reference] [debuginfo]
#   bench      also installs Debian's systemtap, the reference bench/ compares with.
#   guest      also installs what `make check-guest` needs: QEMU, static busybox,
#              cpio, gcc-multilib (32-bit workloads) and the headers of the guest kernels (6.1.0-56 and the newest
#              6.12 cloud kernel; testsuite/guest/setup-kernels.sh fetches images).
#   reference  Debian's systemtap too, for `make check-guest-ref`.
#   debuginfo  also fetches the guest kernels' DWARF (vmlinux and a few modules
#              out of the linux-image-KVER-dbg debs, ~0.9 GB, about a minute)
#              into $DEBUGINFO_CACHE (default build/debuginfo-cache), where the
#              unit tests and the build tree's stap look; see .ci/fetch-debuginfo.sh.
# Does nothing (and needs no network) when everything is already installed.
set -euo pipefail

packages=(
  # build
  g++ make autoconf automake pkg-config git libdw-dev libelf-dev
  # BTF from compressed kernel images and modules (zstd, lz4, xz, gzip)
  libzstd-dev liblz4-dev liblzma-dev zlib1g-dev
  # tests: gtest unit tests, dejagnu suites
  libgtest-dev dejagnu expect python3
  # fuzzer build: clang 14 cannot compile libstdc++ 12's C++20 <ranges>, 16 can
  clang-16 libclang-rt-16-dev
  # benchmarks
  hyperfine time
)
# The newest 6.12 cloud kernel headers apt knows about (the lists are
# fetched first when apt knows none).
newest_612_headers() {
  local pat='^linux-headers-6\.12\..*\+deb12-cloud-amd64$' v
  v=$(apt-cache search --names-only "$pat" 2>/dev/null | awk '{print $1}' | sort -V | tail -n 1)
  if [ -z "$v" ]; then
    ${sudo:-} apt-get update -q >&2 || true
    v=$(apt-cache search --names-only "$pat" 2>/dev/null | awk '{print $1}' | sort -V | tail -n 1)
  fi
  echo "$v"
}
guest_packages() {
  local h
  # libc6-dev and gcc-multilib: the static 64- and 32-bit C libraries the guest
  # workloads (testsuite/guest/workloads) link.
  packages+=(qemu-system-x86 busybox-static cpio dejagnu libc6-dev gcc-multilib linux-headers-6.1.0-56-cloud-amd64)
  h=$(newest_612_headers)
  if [ -n "$h" ]; then
    packages+=("$h")
  else
    echo "deps: no 6.12 cloud kernel headers known to apt" >&2
  fi
}

sudo=
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
  sudo=sudo
fi
fetch_debuginfo=0
for arg in "$@"; do
  case $arg in
    bench|reference) packages+=(systemtap) ;;
    guest) guest_packages ;;
    debuginfo) fetch_debuginfo=1 ;;
    *) echo "deps: unknown argument '$arg' (expected bench, guest, reference or debuginfo)" >&2; exit 2 ;;
  esac
done
# After the packages (it needs apt's lists and dpkg-deb); the cache makes a
# second run free.
debuginfo() {
  if [ "$fetch_debuginfo" = 1 ]; then
    sh "$(dirname "$0")/fetch-debuginfo.sh" "${DEBUGINFO_CACHE:-build/debuginfo-cache}"
  fi
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages already installed"
  debuginfo
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if [ -z "$sudo" ]; then
    echo "deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "deps: installing ${missing[*]}"
$sudo apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
debuginfo
