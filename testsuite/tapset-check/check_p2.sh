#!/bin/bash
# Check that every tapset function and alias resolves and type-checks under
# a reference translator (Debian's stap 4.8 by default) using ONLY our
# tapset directory.  Guru functions are included, hence -g.
#
# usage: check_p2.sh [STAP] [KVER]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
stap=${1:-/usr/bin/stap}
kver=${2:-6.1.0-56-cloud-amd64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/gen_calls.py" "$here/../../tapset" > "$work/all.stp" 2> "$work/count"
if ! SYSTEMTAP_TAPSET="$here/../../tapset" "$stap" -r "$kver" -g -p2 "$work/all.stp" a b \
	> "$work/out" 2> "$work/err"; then
	grep -v -e 'symbol table missing' -e '^Tip:' "$work/err" >&2
	echo "check_p2: FAILED" >&2
	exit 1
fi
grep -v -e 'symbol table missing' -e '^Tip:' "$work/err" >&2 || true
echo "check_p2: $(cat "$work/count"), all resolve under $stap"
