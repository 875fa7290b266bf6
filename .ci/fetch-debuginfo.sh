#!/bin/sh
# Fetches the DWARF the DWARF-based tests need, without installing the 1.8 GB
# linux-image-KVER-dbg packages: only vmlinux and a few modules are extracted.
# usage: fetch-debuginfo.sh CACHEDIR [KVER...]
#
# For each KVER (default: the guest kernels, 6.1.0-56-cloud-amd64 and the newest
# 6.12.*+deb12-cloud-amd64 apt knows) this leaves
#   CACHEDIR/KVER/usr/lib/debug/boot/vmlinux-KVER
#   CACHEDIR/KVER/usr/lib/debug/lib/modules/KVER/kernel/.../MODULE.ko
# so SYSTEMTAP_DEBUGINFO_PATH=CACHEDIR/KVER/usr/lib/debug finds them.  A KVER
# already extracted is skipped (no network).  The deb is downloaded into
# CACHEDIR/debs and deleted afterwards unless KEEP_DEBS=1.
#
# Environment:
#   DEBUGINFO_DEBS     a directory that may already hold the -dbg debs (used
#                      instead of downloading)
#   DEBUGINFO_MODULES  module names to extract besides vmlinux (default:
#                      "isofs loop brd lockd"; brd for the module @var guest
#                      tests, lockd for a module with two statics of one name)
set -eu

if [ $# -lt 1 ] || [ -z "$1" ]; then
  echo "usage: $0 CACHEDIR [KVER...]" >&2
  exit 2
fi
cache=$(realpath -m "$1")
shift
mkdir -p "$cache"
modules=${DEBUGINFO_MODULES-isofs loop brd lockd}

log() { echo "fetch-debuginfo: $*" >&2; }
die() { log "error: $*"; exit 1; }

newest_612() {
  pat='^linux-image-6\.12\..*\+deb12-cloud-amd64-dbg$'
  v=$(apt-cache search --names-only "$pat" 2>/dev/null | awk '{print $1}' \
      | sed 's/^linux-image-//; s/-dbg$//' | sort -V | tail -n 1)
  if [ -z "$v" ]; then
    v=$(ls /lib/modules 2>/dev/null | grep -E '^6\.12\..*\+deb12-cloud-amd64$' | sort -V | tail -n 1 || :)
  fi
  [ -n "$v" ] || die "no 6.12.*+deb12-cloud-amd64 -dbg package known to apt (apt-get update?)"
  echo "$v"
}

fetch_one() {
  kver=$1
  dest=$cache/$kver
  # .complete names the modules extracted: a longer list extracts again.
  if [ -s "$dest/usr/lib/debug/boot/vmlinux-$kver" ] && [ -e "$dest/.complete" ] &&
     [ "$(cat "$dest/.complete")" = "$modules" ]; then
    log "$kver: already in $dest"
    return 0
  fi
  pkg=linux-image-$kver-dbg
  deb=
  if [ -n "${DEBUGINFO_DEBS:-}" ]; then
    deb=$(ls "$DEBUGINFO_DEBS/${pkg}"_*.deb 2>/dev/null | head -n 1 || :)
  fi
  downloaded=
  if [ -z "$deb" ]; then
    mkdir -p "$cache/debs"
    log "$kver: apt-get download $pkg"
    (cd "$cache/debs" && apt-get -q download "$pkg" >&2) || die "cannot download $pkg"
    deb=$(ls "$cache/debs/${pkg}"_*.deb | head -n 1)
    downloaded=1
  fi
  rm -rf "$dest"
  mkdir -p "$dest"
  # The deb's data is one compressed tar; reading it once, extract vmlinux and the
  # wanted modules by pattern (their directory under kernel/ varies).
  set -- "./usr/lib/debug/boot/vmlinux-$kver"
  for m in $modules; do
    set -- "$@" "./usr/lib/debug/lib/modules/$kver/kernel/*/$m.ko*"
  done
  log "$kver: extracting vmlinux and modules ($modules) from $(basename "$deb")"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dest" --wildcards "$@" \
    || die "$deb lacks some of: $*"
  [ -s "$dest/usr/lib/debug/boot/vmlinux-$kver" ] || die "$deb has no vmlinux-$kver"
  echo "$modules" > "$dest/.complete"
  if [ -n "$downloaded" ] && [ "${KEEP_DEBS:-0}" != 1 ]; then
    rm -f "$deb"
  fi
  log "$kver: $(du -sh "$dest" | cut -f1) in $dest"
}

if [ $# -gt 0 ]; then
  kernels=$*
else
  kernels="6.1.0-56-cloud-amd64 $(newest_612)"
fi
for k in $kernels; do
  fetch_one "$k"
done
