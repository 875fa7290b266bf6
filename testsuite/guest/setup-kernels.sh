#!/bin/sh
# Prepares the guest kernels of the guest test tier (see README.md here).
# usage: setup-kernels.sh CACHEDIR
#
# For each target kernel release KVER:
#   - linux-headers-KVER is installed (the host builds modules against
#     /lib/modules/KVER/build),
#   - its image is in /boot and its modules in /lib/modules/KVER/kernel
#     (copied from the linux-image deb, downloaded once into CACHEDIR/debs
#     or GUEST_IMAGE_DEBS, when the package is not installed),
#   - CACHEDIR/vmlinuz-KVER holds a copy of its kernel image,
# and CACHEDIR/kernels.list names them, one per line.  A second run with
# everything in place touches no network and takes well under a second,
# apart from one apt-cache query to find the newest 6.12 kernel.
#
# Environment:
#   GUEST_KERNELS   space-separated KVERs to use instead of the defaults
#                   (6.1.0-56-cloud-amd64 and the newest 6.12.*+deb12-cloud-amd64)
#   GUEST_IMAGE_DEBS directory of linux-image-KVER_*.deb files to use before
#                   downloading (default CACHEDIR/debs)
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 CACHEDIR" >&2
  exit 2
fi
cache=$(realpath -m "$1")
mkdir -p "$cache"

log() { echo "setup-kernels: $*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) for: $*"
  fi
}

apt_updated=0
apt_update_once() {
  if [ $apt_updated -eq 0 ]; then
    log "apt-get update"
    as_root apt-get -o DPkg::Lock::Timeout=600 update -q >&2 || log "apt-get update failed; using the lists as they are"
    apt_updated=1
  fi
}

# Newest 6.12 cloud kernel of Debian 12 that apt knows about.  Without
# package lists (no `apt-get update` yet) apt-cache finds nothing; then the
# lists are fetched once, and as a last resort the newest installed headers
# are taken, so an offline machine that has them still works.
newest_612() {
  pat='^linux-headers-6\.12\..*\+deb12-cloud-amd64$'
  v=$(apt-cache search --names-only "$pat" 2>/dev/null | awk '{print $1}' | sed 's/^linux-headers-//' | sort -V | tail -n 1)
  if [ -z "$v" ]; then
    apt_update_once
    v=$(apt-cache search --names-only "$pat" 2>/dev/null | awk '{print $1}' | sed 's/^linux-headers-//' | sort -V | tail -n 1)
  fi
  if [ -z "$v" ]; then
    v=$(ls /lib/modules 2>/dev/null | grep -E '^6\.12\..*\+deb12-cloud-amd64$' | sort -V | tail -n 1 || :)
  fi
  [ -n "$v" ] || die "no 6.12.*+deb12-cloud-amd64 kernel known to apt"
  echo "$v"
}

ensure_headers() {
  kver=$1
  if [ -e "/lib/modules/$kver/build/Makefile" ]; then
    return 0
  fi
  log "installing linux-headers-$kver"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
        install -y -q --no-install-recommends "linux-headers-$kver" >&2; then
    apt_update_once
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
        install -y -q --no-install-recommends "linux-headers-$kver" >&2 \
      || die "cannot install linux-headers-$kver"
  fi
  [ -e "/lib/modules/$kver/build/Makefile" ] || die "linux-headers-$kver installed but /lib/modules/$kver/build is missing"
}

# The linux-image deb of KVER: a cached one in $debs, else downloaded once
# into it (the signed package, or the -unsigned one).
debs=${GUEST_IMAGE_DEBS:-$cache/debs}
image_deb() {
  kver=$1
  for d in "$debs"/linux-image-"$kver"_*.deb "$debs"/linux-image-"$kver"-unsigned_*.deb; do
    if [ -s "$d" ]; then echo "$d"; return 0; fi
  done
  mkdir -p "$debs"
  for pkg in "linux-image-$kver" "linux-image-$kver-unsigned"; do
    log "apt-get download $pkg"
    if (cd "$debs" && apt-get -q download "$pkg" >&2); then
      ls "$debs"/"$pkg"_*.deb | head -n 1
      return 0
    fi
    apt_update_once
    if (cd "$debs" && apt-get -q download "$pkg" >&2); then
      ls "$debs"/"$pkg"_*.deb | head -n 1
      return 0
    fi
  done
  die "cannot download linux-image-$kver (nor -unsigned)"
}

# Without its image installed, KVER's /boot files and /lib/modules/KVER
# (kernel/ and the modules.* lists) are copied in from the deb, so `stap -r
# KVER` finds the vmlinuz (its BTF) and the modules' BTF as on a machine
# where the package is installed.  dpkg is not told: installing the package
# later simply overwrites the same files.
ensure_image() {
  kver=$1
  if [ -r "/boot/vmlinuz-$kver" ] && [ -d "/lib/modules/$kver/kernel" ]; then
    return 0
  fi
  deb=$(image_deb "$kver")
  work=$(mktemp -d "$cache/extract-$kver.XXXXXX")
  dpkg-deb -x "$deb" "$work" || { rm -rf "$work"; die "cannot extract $deb"; }
  [ -r "$work/boot/vmlinuz-$kver" ] || { rm -rf "$work"; die "$deb has no boot/vmlinuz-$kver"; }
  as_root mkdir -p /boot "/lib/modules/$kver"
  as_root cp -a "$work/boot/." /boot/
  if [ -d "$work/lib/modules/$kver/kernel" ]; then
    as_root rm -rf "/lib/modules/$kver/kernel.tmp"
    as_root cp -a "$work/lib/modules/$kver/kernel" "/lib/modules/$kver/kernel.tmp"
    as_root rm -rf "/lib/modules/$kver/kernel"
    as_root mv "/lib/modules/$kver/kernel.tmp" "/lib/modules/$kver/kernel"
    for f in "$work/lib/modules/$kver"/modules.*; do
      [ -e "$f" ] && as_root cp -a "$f" "/lib/modules/$kver/"
    done
  fi
  rm -rf "$work"
  log "linux-image-$kver's /boot and /lib/modules/$kver/kernel installed from $(basename "$deb")"
}

ensure_vmlinuz() {
  kver=$1
  out=$cache/vmlinuz-$kver
  if [ -s "$out" ]; then
    return 0
  fi
  cp "/boot/vmlinuz-$kver" "$out.tmp"
  mv "$out.tmp" "$out"
  log "vmlinuz-$kver copied from /boot"
}

if [ -n "${GUEST_KERNELS:-}" ]; then
  kernels=$GUEST_KERNELS
else
  kernels="6.1.0-56-cloud-amd64 $(newest_612)"
fi

: > "$cache/kernels.list.tmp"
for k in $kernels; do
  ensure_headers "$k"
  ensure_image "$k"
  ensure_vmlinuz "$k"
  echo "$k" >> "$cache/kernels.list.tmp"
done
mv "$cache/kernels.list.tmp" "$cache/kernels.list"
log "kernels: $(tr '\n' ' ' < "$cache/kernels.list")(in $cache)"
