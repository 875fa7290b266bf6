#!/bin/sh
# Builds the base initramfs of the guest test tier (see README.md here).
# usage: mkinitrd.sh OUT STAPRUN STAPIO
#
# Contents: static busybox (sh, dd, sleep, cat, kill, ... as applets), our
# /init and the batch runner (/guest/batch.sh), STAPRUN at /usr/bin/staprun
# and STAPIO at /usr/lib/systemtap/stapio (the path Debian's staprun execs),
# each with the shared libraries ldd lists.  When STAPIO is not Debian's own
# /usr/lib/systemtap/stapio, /etc/guest-env also exports SYSTEMTAP_STAPIO,
# so a staprun built with another default path still finds it.
# Each workloads/NAME.c here is compiled static (the guest has no C
# library) to /workloads/NAME: programs that tests run as their -c target.
# OUT is a gzip-compressed newc cpio, padded to 512 bytes so run-batch.sh
# can append an uncompressed archive to it.
#
# Environment: BUSYBOX (default /bin/busybox; must be static), GUEST_CC
# (default gcc; needs the static C library, libc6-dev on Debian).
set -eu

if [ $# -ne 3 ]; then
  echo "usage: $0 OUT STAPRUN STAPIO" >&2
  exit 2
fi
out=$(realpath -m "$1")
staprun=$2
stapio=$3
here=$(dirname "$(realpath "$0")")
busybox=${BUSYBOX:-/bin/busybox}

for f in "$staprun" "$stapio" "$busybox"; do
  if [ ! -x "$f" ] || [ -d "$f" ]; then
    echo "mkinitrd: error: $f is not an executable file" >&2
    exit 1
  fi
done
if ldd "$busybox" 2>/dev/null | grep -q '=>'; then
  echo "mkinitrd: error: $busybox is not static (install busybox-static)" >&2
  exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
for d in bin sbin usr/bin usr/sbin usr/lib/systemtap proc sys dev tmp run root etc guest tests workloads; do
  mkdir -p "$root/$d"
done
cp "$busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
cp "$here/batch.sh" "$root/guest/batch.sh"
chmod 755 "$root/init" "$root/guest/batch.sh"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
printf 'root:x:0:\nstapusr:x:156:\nstapsys:x:157:\nstapdev:x:158:\n' > "$root/etc/group"

# A program and the libraries it loads, at their host paths (the dynamic
# loader included, which ldd prints without "=>").
add_program() {
  src=$1
  dst=$2
  cp -L "$src" "$root$dst"
  chmod 755 "$root$dst"
  ldd "$src" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
    [ -e "$lib" ] || continue
    mkdir -p "$root$(dirname "$lib")"
    [ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
  done
}
# Workloads the tests run (workloads/NAME.c -> /workloads/NAME), static since
# the image has no C library; NAME_m32.c is built 32-bit, to drive the ia32
# system call entry (busybox is 64-bit).
for c in "$here"/workloads/*.c; do
  [ -f "$c" ] || continue
  w=$(basename "$c" .c)
  flags=
  case "$w" in *_m32) flags=-m32 ;; esac
  if ! ${GUEST_CC:-gcc} $flags -static -O1 -o "$root/workloads/$w" "$c"; then
    echo "mkinitrd: error: cannot compile $c (static${flags:+, $flags}; needs libc6-dev${flags:+ and gcc-multilib}: bash .ci/deps.sh guest)" >&2
    exit 1
  fi
done
add_program "$staprun" /usr/bin/staprun
add_program "$stapio" /usr/lib/systemtap/stapio

: > "$root/etc/guest-env"
if [ "$(realpath "$stapio")" != /usr/lib/systemtap/stapio ]; then
  echo 'export SYSTEMTAP_STAPIO=/usr/lib/systemtap/stapio' >> "$root/etc/guest-env"
fi

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
truncate -s %512 "$out.tmp"
mv "$out.tmp" "$out"
