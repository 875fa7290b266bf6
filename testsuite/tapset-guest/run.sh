#!/bin/sh
# Builds rtapi.stp with our stap for KVER, runs it in a QEMU guest under
# Debian's staprun/stapio 4.8 and checks the output against expected.txt
# (one extended regex per line, each matching the whole corresponding
# line of the guest's report).  Exit status 0 only when every line matches.
# compat.stp runs too; with RT48 (a Debian stap 4.8 runtime that builds
# for KVER, e.g. one patched as in qemu-example/setup.sh) it is also built
# with /usr/bin/stap and both outputs must be identical.
# usage: run.sh STAP KVER VMLINUZ BASE.cpio.gz [RT48]
# env: SYSTEMTAP_TAPSET / SYSTEMTAP_RUNTIME (default: this tree),
#      QEMU_EXAMPLE (run-guest.sh dir), KEEP=DIR to keep the console log
set -e
STAP=$1; KVER=$2; VMLINUZ=$3; BASE=$4; RT48=$5
[ -n "$BASE" ] || { echo "usage: run.sh STAP KVER VMLINUZ BASE.cpio.gz" >&2; exit 2; }
HERE=$(dirname "$(realpath "$0")")
TOP=$(realpath "$HERE/../..")
QE=${QEMU_EXAMPLE:-/work/shared/reference/qemu-example}
export SYSTEMTAP_TAPSET=${SYSTEMTAP_TAPSET:-$TOP/tapset}
export SYSTEMTAP_RUNTIME=${SYSTEMTAP_RUNTIME:-$TOP/runtime}
B=$(mktemp -d); trap 'rm -rf "$B"' EXIT
export SYSTEMTAP_DIR=${SYSTEMTAP_DIR:-$B/sd}
for m in rtapi compat; do
	(cd "$B" && nice "$STAP" -r "$KVER" -g -p4 -m $m "$HERE/$m.stp") || { echo "build of $m failed"; exit 1; }
done
REF=""
if [ -n "$RT48" ]; then
	(cd "$B" && env -u SYSTEMTAP_TAPSET -u SYSTEMTAP_RUNTIME SYSTEMTAP_DIR="$B/sd48" nice /usr/bin/stap -R "$RT48" \
		-r "$KVER" -g -p4 -m ref_compat "$HERE/compat.stp" 2>/dev/null) || { echo "stap 4.8 build failed"; exit 1; }
	REF="$B/ref_compat.ko"
fi
SMP=${SMP:-2} TIMEOUT=${TIMEOUT:-300} "$QE/run-guest.sh" "$VMLINUZ" "$BASE" "$HERE/guest.sh" \
  "$B/rtapi.ko" "$B/compat.ko" $REF > "$B/console.log" 2>&1 || true
[ -z "$KEEP" ] || cp "$B/console.log" "$KEEP/console-$KVER.log"
tr -d '\r' < "$B/console.log" > "$B/console"
sed -n '/^@@BEGIN rtapi/,/^@@END rtapi/p; /^@@BEGIN ftrace/,/^@@END dmesg/p' "$B/console" > "$B/report"
sed -n '/^@@BEGIN compat/,/^@@END compat/p' "$B/console" | sed '1s/ rc=.*//; $d' > "$B/ours"
sed -n '/^@@BEGIN ref_compat/,/^@@END ref_compat/p' "$B/console" | sed '1s/ rc=.*//; $d; s/^@@BEGIN ref_/@@BEGIN /' > "$B/ref"
cat "$B/report"
cat "$B/ours"
status=0
if [ -n "$RT48" ]; then
	if [ -s "$B/ref" ] && diff "$B/ref" "$B/ours"; then
		echo "tapset-guest: compat.stp output identical to stap 4.8's"
	else
		echo "tapset-guest: compat.stp output differs from stap 4.8's (diff ref ours above)"
		status=1
	fi
fi
python3 - "$HERE/expected.txt" "$B/report" <<'PY' || status=1
import re, sys
want = [l.rstrip('\n') for l in open(sys.argv[1]) if not l.startswith('##')]
got = [l.rstrip('\n') for l in open(sys.argv[2])]
bad = 0
for i in range(max(len(want), len(got))):
    w = want[i] if i < len(want) else '<nothing>'
    g = got[i] if i < len(got) else '<nothing>'
    if i >= len(want) or i >= len(got) or not re.fullmatch(w, g):
        print(f'MISMATCH line {i + 1}:\n  want /{w}/\n  got  {g}')
        bad += 1
print('tapset-guest:', 'FAILED' if bad else 'ok', f'({len(got)} lines)')
sys.exit(1 if bad else 0)
PY
exit $status
