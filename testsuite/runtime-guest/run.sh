#!/bin/sh
# Builds the hand-written runtime test modules against KVER's headers, the
# equivalent stap 4.8 modules (6.1 only: Debian's 4.8 runtime needs the
# task_work_cancel_func patch there), boots a QEMU guest with Debian's
# staprun/stapio 4.8 and runs guest.sh.  Output: the guest console; the
# comparison of ours vs ref is printed at the end by compare.sh.
# usage: run.sh KVER VMLINUZ BASE.cpio.gz [REFDIR]
#   REFDIR: holds ref_hello.ko ref_err.ko ref_big.ko built by
#           stap -R <patched 4.8 runtime> -r KVER -p4 -m ref_NAME NAME.stp
# env: RUNTIME (default: ../../runtime), QEMU_EXAMPLE (run-guest.sh dir)
set -e
KVER=$1; VMLINUZ=$2; BASE=$3; REFDIR=$4
HERE=$(dirname "$(realpath "$0")")
RUNTIME=${RUNTIME:-$(realpath "$HERE/../../runtime")}
QE=${QEMU_EXAMPLE:-/work/shared/reference/qemu-example}
B=$(mktemp -d); trap 'rm -rf "$B"' EXIT
cp "$HERE"/*_src.c "$HERE"/Kbuild "$B"/
nice make -s -C /lib/modules/$KVER/build M="$B" RUNTIME="$RUNTIME" modules 2>&1 | grep -v 'Skipping BTF' || true
for m in hello err big; do [ -e "$B/$m.ko" ] || { echo "build of $m.ko failed"; exit 1; }; done
REFS=""
if [ -n "$REFDIR" ]; then for m in hello err big; do [ -e "$REFDIR/ref_$m.ko" ] && REFS="$REFS $REFDIR/ref_$m.ko"; done; fi
SMP=${SMP:-2} TIMEOUT=${TIMEOUT:-400} "$QE/run-guest.sh" "$VMLINUZ" "$BASE" "$HERE/guest.sh" \
  "$B/hello.ko" "$B/err.ko" "$B/big.ko" $REFS | tee "$B/console.log" || true
"$HERE/compare.sh" "$B/console.log"
