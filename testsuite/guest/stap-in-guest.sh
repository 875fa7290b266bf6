#!/bin/bash
# Runs one SystemTap script inside a Debian cloud kernel booted under QEMU, the way
# `stap SCRIPT` runs it on a machine whose own kernel can load modules: pass 4 builds
# the module on this host for the guest's kernel, the guest loads it with staprun, and
# the script's output and exit status come back here.
#
# usage: stap-in-guest.sh [-r KVER] [-c CMD] [STAP OPTIONS...] SCRIPT [ARGS...]
#   -r KVER  guest kernel (default: the first of the cache's kernels.list, 6.1.0-56-cloud-amd64)
#   -c CMD   run CMD in the guest while the script runs (staprun -c)
#   other options and script arguments go to stap
#
# Environment: STAP, STAPRUN, STAPIO (default: this build tree's, else the installed
# ones), GUEST_CACHE (kernels and initramfs; default $builddir/testsuite/guest-cache
# when run from a build tree, else ~/.cache/stap-guest), GUEST_TEST_TIMEOUT.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)

builddir=${STAP_TOP_BUILDDIR:-}
if [ -z "$builddir" ] && [ -x "$PWD/stap/stap" ]; then builddir=$PWD; fi
if [ -z "$builddir" ] && [ -x "$top/build/stap/stap" ]; then builddir=$top/build; fi
stap=${STAP:-${builddir:+$builddir/stap/stap}}
stap=${stap:-stap}
staprun=${STAPRUN:-${builddir:+$builddir/staprun/staprun}}
stapio=${STAPIO:-${builddir:+$builddir/stapio/stapio}}
[ -n "$staprun" ] && [ -x "$staprun" ] || staprun=$(command -v staprun)
[ -n "$stapio" ] && [ -x "$stapio" ] || stapio=/usr/lib/systemtap/stapio
cache=${GUEST_CACHE:-${builddir:+$builddir/testsuite/guest-cache}}
cache=${cache:-$HOME/.cache/stap-guest}

kver= cmd=
stap_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -r) kver=$2; shift 2 ;;
    -c) cmd=$2; shift 2 ;;
    *) # stap runs in a scratch folder: make file arguments absolute
       if [ -f "$1" ]; then stap_args+=("$(realpath "$1")"); else stap_args+=("$1"); fi
       shift ;;
  esac
done
[ ${#stap_args[@]} -gt 0 ] || { sed -n 2,15p "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

mkdir -p "$cache"
"$here/setup-kernels.sh" "$cache" > "$cache/setup.log" 2>&1 || { cat "$cache/setup.log" >&2; exit 1; }
[ -n "$kver" ] || kver=$(head -n 1 "$cache/kernels.list")
vmlinuz=$cache/vmlinuz-$kver
[ -f "$vmlinuz" ] || { echo "stap-in-guest: no kernel image for $kver in $cache" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/batch" "$work/out"

# The module is built for the guest's kernel, here, by pass 4.
if [ -z "${SYSTEMTAP_TAPSET:-}" ] && [ -n "$builddir" ]; then export SYSTEMTAP_TAPSET=$top/tapset; fi
if [ -z "${SYSTEMTAP_RUNTIME:-}" ] && [ -n "$builddir" ]; then export SYSTEMTAP_RUNTIME=$top/runtime; fi
(cd "$work/batch" && "$stap" -r "$kver" -p4 -m script "${stap_args[@]}") > "$work/p4.out" || exit 1

base=$cache/initrd-$(echo "$staprun $stapio" | md5sum | cut -c1-12).cpio.gz
if [ ! -f "$base" ] || [ "$staprun" -nt "$base" ] || [ "$stapio" -nt "$base" ]; then
  "$here/mkinitrd.sh" "$base" "$staprun" "$stapio" > /dev/null || exit 1
fi
run="staprun"
[ -n "$cmd" ] && run="$run -c '$cmd'"
run="$run script.ko; rc=\$?"
echo "$run; exit \$rc" > "$work/batch/script.run"
"$here/run-batch.sh" "$kver" "$vmlinuz" "$base" "$work/batch" "$work/out" 2> "$work/batch.log"
if [ ! -f "$work/out/script.rc" ]; then
  cat "$work/batch.log" >&2
  exit 1
fi
cat "$work/out/script.stdout"
cat "$work/out/script.stderr" >&2
verdict=$(sed -n '2,$p' "$work/out/script.verdict" 2>/dev/null)
[ -n "$verdict" ] && echo "stap-in-guest: $verdict" >&2
exit "$(cat "$work/out/script.rc")"
