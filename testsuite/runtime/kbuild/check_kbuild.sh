#!/bin/sh
# Compiles runtime/stp_*.c as a kernel module against each given kernel's
# build tree (default: every /lib/modules/*/build), warnings as errors and a
# 256-byte frame limit.  usage: check_kbuild.sh [KVER...]
# With RTLIB_KO_DIR set, the module built for the last KVER is copied there.
set -e
here=$(cd "$(dirname "$0")" && pwd)
runtime=$(cd "$here/../../../runtime" && pwd)
[ $# -gt 0 ] || set -- $(ls /lib/modules 2>/dev/null)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/rtlib_check.c" "$work/"
printf 'obj-m := rtlib_check.o\nccflags-y := -I%s -Werror -Wmissing-prototypes -Wframe-larger-than=256\n' \
  "$runtime" > "$work/Kbuild"
rc=0
for k in "$@"; do
  if [ ! -d "/lib/modules/$k/build" ]; then
    echo "SKIP $k: no /lib/modules/$k/build"
    continue
  fi
  if make -s -C "/lib/modules/$k/build" M="$work" clean >/dev/null 2>&1 &&
     make -s -C "/lib/modules/$k/build" M="$work" modules 2>&1 | grep -v 'Skipping BTF'; [ -f "$work/rtlib_check.ko" ]; then
    echo "PASS $k"
    [ -z "$RTLIB_KO_DIR" ] || cp "$work/rtlib_check.ko" "$RTLIB_KO_DIR/"
  else
    echo "FAIL $k"
    rc=1
  fi
done
exit $rc
