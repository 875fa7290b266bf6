#!/bin/bash
# Build a real kernel module (stap -p4) from a script that calls every
# tapset function the runtime supports today (gen_build_calls.py leaves out
# symbols/stacks, regular expressions and target variables), once per
# kernel.  Fails on any translation or compile error.  Needs the kernels'
# build trees (/lib/modules/KVER/build), so it is not part of `make check`.
#
# usage: check_build.sh STAP [KVER...]
#   default kernels: 6.1.0-56-cloud-amd64 6.12.117+deb12-cloud-amd64
#   SYSTEMTAP_TAPSET / SYSTEMTAP_RUNTIME default to this source tree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
stap=${1:?usage: check_build.sh STAP [KVER...]}
shift
kvers=("$@")
[ ${#kvers[@]} -gt 0 ] || kvers=(6.1.0-56-cloud-amd64 6.12.117+deb12-cloud-amd64)
export SYSTEMTAP_TAPSET=${SYSTEMTAP_TAPSET:-$top/tapset}
export SYSTEMTAP_RUNTIME=${SYSTEMTAP_RUNTIME:-$top/runtime}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SYSTEMTAP_DIR=${SYSTEMTAP_DIR:-$work/sd}
python3 "$here/gen_build_calls.py" "$SYSTEMTAP_TAPSET" > "$work/build_all.stp" 2> "$work/count"
status=0
for kver in "${kvers[@]}"; do
	if [ ! -d "/lib/modules/$kver/build" ]; then
		echo "check_build: no build tree for $kver" >&2
		status=1
		continue
	fi
	# -g: the guru functions (set_kernel_*, panic ...) are built too.
	if (cd "$work" && "$stap" -r "$kver" -g -p4 -m tapset_build_all build_all.stp) \
		> "$work/out" 2> "$work/err"; then
		echo "check_build: $kver: built $(head -c 80 "$work/count" | sed 's/;.*//')"
	else
		grep -E 'error|Error|failed' "$work/err" | head -40 >&2
		echo "check_build: FAILED against $kver" >&2
		status=1
	fi
done
sed 's/^/check_build: /' "$work/count"
exit $status
