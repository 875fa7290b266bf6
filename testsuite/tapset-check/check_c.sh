#!/bin/bash
# Compile every embedded-C body of the tapsets against a kernel's headers,
# with runtime_api_decls.h standing in for the runtime.  Catches C syntax
# errors, wrong kernel APIs and contract drift long before pass 4 exists.
#
# usage: check_c.sh [KVER]    (default: 6.1.0-56-cloud-amd64)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kver=${1:-6.1.0-56-cloud-amd64}
build=/lib/modules/$kver/build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/check_c.py" "$here/../../tapset" > "$work/tapcheck.c" 2> "$work/count"
cp "$here/runtime_api_decls.h" "$work/"
cat > "$work/Makefile" <<'MK'
obj-m := tapcheck.o
ccflags-y := -I$(src) -Wall -Werror -Wno-unused-label -Wno-missing-prototypes
MK
if ! make -s -C "$build" M="$work" KBUILD_MODPOST_WARN=1 modules > "$work/log" 2>&1; then
	cat "$work/log"
	echo "check_c: FAILED against $kver" >&2
	exit 1
fi
# Module.symvers complaints about the declared-only runtime symbols are expected.
grep -v -e "undefined!" -e "modpost" -e "Skipping BTF" "$work/log" || true
echo "check_c: $(cat "$work/count") compile against $kver"
