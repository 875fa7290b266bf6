#!/bin/sh
# Run the tier-1 pass 1/2 dejagnu suites (parseok, parseko, semok, semko, the
# -p1 round trip and the -l/-L listings) against a stap binary and print the
# summary.
#
#   run-pass12.sh [STAP] [runtest args...]
#
# STAP defaults to $STAP, else "stap" on PATH.  Results (systemtap.sum,
# systemtap.log, runtest.out) land in the current directory, so a build tree
# can call "$(srcdir)/run-pass12.sh $(builddir)/stap/stap".
# Environment honoured:
#   SYSTEMTAP_TAPSET   default: the source tree's tapset/ next to testsuite/
#   STAP_EXTRA_ARGS    extra stap words; if unset and the running kernel has no
#                      build tree, "-r RELEASE" of an installed one is used
#   STAP_FILTER_NOISE  1 drops distro-only noise lines (for Debian's stap)
#   STAP_TEST_TIMEOUT  seconds per stap run (default 10)
#   CHECK_ONLY         space separated script names or globs
#                      (e.g. "foo.stp semko/type_*")
# Exit status: 0 if there was no FAIL/UNRESOLVED/ERROR, else 1.

here=$(cd "$(dirname "$0")" && pwd)

if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    STAP=$1
    shift
fi
STAP=${STAP:-stap}
case $STAP in
    */*) STAP=$(cd "$(dirname "$STAP")" && pwd)/$(basename "$STAP") ;;
esac
export STAP

if [ -z "${SYSTEMTAP_TAPSET:-}" ] && [ -d "$here/../tapset" ]; then
    SYSTEMTAP_TAPSET=$(cd "$here/../tapset" && pwd)
fi
[ -n "${SYSTEMTAP_TAPSET:-}" ] && export SYSTEMTAP_TAPSET

if [ -z "${STAP_EXTRA_ARGS+set}" ] && [ ! -e "/lib/modules/$(uname -r)/build" ]; then
    for dir in /lib/modules/*/build; do
        if [ -e "$dir/.config" ]; then
            STAP_EXTRA_ARGS="-r $(basename "$(dirname "$dir")")"
            export STAP_EXTRA_ARGS
            break
        fi
    done
fi

if ! command -v runtest >/dev/null 2>&1; then
    echo "run-pass12.sh: runtest (dejagnu) not found" >&2
    exit 1
fi

sel12=systemtap.pass1-2/pass12.exp
selrt=systemtap.pass1-2/roundtrip.exp
sells=systemtap.pass1-2/listing.exp
if [ -n "${CHECK_ONLY:-}" ]; then
    # runtest ignores "=names" on a driver given with its directory, so name
    # the drivers bare and let runtest find them.
    sel12="pass12.exp=$CHECK_ONLY"
    selrt="roundtrip.exp=$CHECK_ONLY"
    sells="listing.exp=$CHECK_ONLY"
fi

echo "stap:             $STAP"
echo "SYSTEMTAP_TAPSET: ${SYSTEMTAP_TAPSET:-(unset)}"
echo "STAP_EXTRA_ARGS:  ${STAP_EXTRA_ARGS:-}"

rm -f systemtap.sum
runtest --tool systemtap --srcdir "$here" "$sel12" "$selrt" "$sells" "$@" >runtest.out 2>&1
rc=$?

if [ ! -s systemtap.sum ]; then
    cat runtest.out >&2
    exit 1
fi

grep -E '^(FAIL|XPASS|UNRESOLVED|ERROR|WARNING):' systemtap.sum
if grep -qE '^(FAIL|UNRESOLVED):' systemtap.sum; then
    echo "Reasons (details in systemtap.log):"
    sed -n 's/^\(FAIL\|UNRESOLVED\): //p' systemtap.sum | while IFS= read -r t; do
        grep -F "REASON: $t: " systemtap.log | sed 's/^REASON: /  /'
    done
fi
sed -n '/=== systemtap Summary ===/,$p' systemtap.sum

if grep -qE '^(FAIL|UNRESOLVED|ERROR):' systemtap.sum; then
    exit 1
fi
exit $rc
