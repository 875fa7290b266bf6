#!/bin/bash
# p2.sh - pass-2 (parse + elaborate) wall time and peak memory of our stap,
# as ratios against Debian's systemtap 4.8 on the same machine in one run.
#
# usage: bench/p2.sh [options]
#   --stap PATH      our stap binary          (env STAP; default BUILD_DIR/stap/stap)
#   --build-dir DIR  our build tree           (env BUILD_DIR; default: current directory)
#   --ref PATH       reference stap           (env REF_STAP; default /usr/bin/stap)
#   --kver KVER      kernel release for -r    (env KVER; default 6.1.0-56-cloud-amd64)
#   --runs N         hyperfine timed runs     (env RUNS; default 10)
#   --mem-runs N     /usr/bin/time -v runs, median taken (env MEM_RUNS; default 5)
#   --ref-only       measure 4.8 alone (our columns show "-")
#   --keep DIR       keep workloads, hyperfine JSON and logs in DIR
#
# Our stap reads its tapsets from OUR_TAPSET (default: this repository's
# tapset/), passed as SYSTEMTAP_TAPSET; 4.8 uses its own installed library.
#
# Workloads: (a) a begin probe printing hello world and calling exit(); (b) 50 functions and 20 globals all
# used from a begin probe; (c) calls of the 100 tapset functions listed in
# bench/tapset_functions.txt, which both tapset libraries provide.
# Targets: time ratio (ours/4.8) <= 0.2, memory ratio <= 0.5.  The ratios
# are the result; medians are shown only to explain them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

build_dir=${BUILD_DIR:-$PWD}
ours=${STAP:-}
ref=${REF_STAP:-/usr/bin/stap}
kver=${KVER:-6.1.0-56-cloud-amd64}
runs=${RUNS:-10}
mem_runs=${MEM_RUNS:-5}
our_tapset=${OUR_TAPSET:-$repo/tapset}
ref_only=0
keep=""
time_target=0.2
mem_target=0.5

die() { echo "p2.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--stap) ours=$2; shift 2 ;;
	--build-dir) build_dir=$2; shift 2 ;;
	--ref) ref=$2; shift 2 ;;
	--kver) kver=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--mem-runs) mem_runs=$2; shift 2 ;;
	--ref-only) ref_only=1; shift ;;
	--keep) keep=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
done
[ -n "$ours" ] || ours=$build_dir/stap/stap
[ "$runs" -ge 2 ] 2>/dev/null || die "--runs must be at least 2"
[ "$mem_runs" -ge 1 ] 2>/dev/null || die "--mem-runs must be at least 1"

# --- prerequisites -----------------------------------------------------------

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_pkgs=()
dpkg -s systemtap >/dev/null 2>&1 || need_pkgs+=(systemtap)
dpkg -s "linux-headers-$kver" >/dev/null 2>&1 || need_pkgs+=("linux-headers-$kver")
command -v hyperfine >/dev/null 2>&1 || need_pkgs+=(hyperfine)
[ -x /usr/bin/time ] || need_pkgs+=(time)
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	echo "p2.sh: installing ${need_pkgs[*]}" >&2
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${need_pkgs[@]}" >&2
fi
[ -x "$ref" ] || die "reference stap '$ref' not found"
if [ $ref_only -eq 0 ]; then
	[ -x "$ours" ] || die "our stap '$ours' not found (set STAP, --stap or --build-dir; or use --ref-only)"
	[ -d "$our_tapset" ] || die "our tapset directory '$our_tapset' not found (set OUR_TAPSET)"
fi
[ -f "$here/tapset_functions.txt" ] || die "missing $here/tapset_functions.txt"

# --- workloads ---------------------------------------------------------------

if [ -n "$keep" ]; then
	mkdir -p "$keep"
	work=$(cd "$keep" && pwd)
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi

cat > "$work/a_begin.stp" <<'EOF'
probe begin { printf("hello world\n"); exit() }
EOF

# (b) 20 globals of mixed kinds and 50 functions that read and write them.
{
	for g in $(seq 0 19); do
		case $((g % 4)) in
		0) echo "global g$g" ;;		# long scalar
		1) echo "global s$g" ;;		# string scalar
		2) echo "global a${g}[100]" ;;	# long-indexed array
		3) echo "global st$g" ;;	# statistics
		esac
	done
	for f in $(seq 0 49); do
		g=$(( (f * 4) % 20 )); s=$(( (f * 4 + 1) % 20 ))
		a=$(( (f * 4 + 2) % 20 )); t=$(( (f * 4 + 3) % 20 ))
		if [ $((f % 2)) -eq 0 ]; then
			cat <<EOF
function f$f:long (x:long, y:long)
{
	g$g += x * $f
	a${a}[x % 7] = g$g + y
	st$t <<< x
	if (x > y)
		return x - y + $f
	return g$g % 13
}
EOF
		else
			cat <<EOF
function f$f:string (x:long, tag:string)
{
	s$s = sprintf("%s-%d-%d", tag, x, $f)
	a${a}[$f] = x
	st$t <<< $f
	return s$s
}
EOF
		fi
	done
	echo "probe begin {"
	echo "	total = 0"
	echo "	text = \"\""
	for f in $(seq 0 49); do
		if [ $((f % 2)) -eq 0 ]; then
			echo "	total += f$f($f, total)"
		else
			echo "	text .= f$f(total, \"t$f\")"
		fi
	done
	# The \\n are meant literally: they are escapes in the stap script.
	# shellcheck disable=SC2028
	for g in $(seq 0 19); do
		case $((g % 4)) in
		0) echo "	printf(\"%d\\n\", g$g)" ;;
		1) echo "	println(s$g)" ;;
		2) echo "	foreach (k in a$g) printf(\"%d %d\\n\", k, a${g}[k])" ;;
		3) echo "	if (@count(st$g)) printf(\"%d %d\\n\", @count(st$g), @sum(st$g))" ;;
		esac
	done
	echo "	println(total, text)"
	echo "}"
} > "$work/b_functions_globals.stp"

# (c) one call per tapset function, dummy arguments of the declared types.
python3 - "$here/tapset_functions.txt" > "$work/c_tapset100.stp" <<'EOF'
import re, sys
sig = re.compile(r'^(\w+):(\w+) \((.*)\)$')
calls = []
for line in open(sys.argv[1]):
    line = line.strip()
    if not line or line.startswith('#'):
        continue
    m = sig.match(line)
    if not m:
        sys.exit(f"bad line in tapset_functions.txt: {line}")
    name, ret, args = m.groups()
    vals = ['"x"' if a.split(':')[1].strip() == 'string' else '1'
            for a in args.split(',') if a.strip()]
    call = f'{name}({", ".join(vals)})'
    calls.append(f'\tprintln({call})' if ret in ('long', 'string') else f'\t{call}')
if len(calls) != 100:
    sys.exit(f"tapset_functions.txt lists {len(calls)} functions, expected 100")
print('probe begin {')
print('\n'.join(calls))
print('}')
EOF

workloads=(a_begin b_functions_globals c_tapset100)
labels=("(a) hello-world begin probe" "(b) 50 functions, 20 globals" "(c) 100 tapset functions")
expect_err=("" "" "")

# Command lines.  `env` keeps them runnable without a shell (hyperfine -N):
# our stap gets our tapset, 4.8 gets a clean environment for its own.
ours_cmd() { echo "env SYSTEMTAP_TAPSET=$our_tapset $ours -r $kver -p2 $work/$1.stp"; }
ref_cmd() { echo "env -u SYSTEMTAP_TAPSET $ref -r $kver -p2 $work/$1.stp"; }

# --- measurement -------------------------------------------------------------

# Run a command once and print its exit status; keep its stderr.
status_of() {
	local name=$1; shift
	local rc=0
	"$@" > /dev/null 2> "$work/$name.err" || rc=$?
	echo "$rc"
}

show_err() {
	grep -v -e 'symbol table missing' -e '^Tip:' "$work/$1.err" | head -5 >&2
}

# Median of hyperfine's timed runs, in ms.
time_ms() {
	local name=$1 cmd=$2
	hyperfine -N -i --warmup 2 --runs "$runs" --export-json "$work/$name.json" \
		"$cmd" > "$work/$name.hyperfine" 2>&1 || return 1
	python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' \
		"$work/$name.json"
}

# Median peak RSS over mem_runs runs, in KB.
rss_kb() {
	local name=$1; shift
	local i vals=()
	for i in $(seq 1 "$mem_runs"); do
		/usr/bin/time -v "$@" > /dev/null 2> "$work/$name.time.$i" || true
			vals+=("$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/$name.time.$i")")
	done
	printf '%s\n' "${vals[@]}" | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : int((v[NR/2]+v[NR/2+1])/2)}'
}

ratio() { python3 -c 'import sys; a,b=sys.argv[1:3]; print("-" if "-" in (a,b) or float(b)==0 else "%.3f" % (float(a)/float(b)))' "$1" "$2"; }
verdict() { python3 -c 'import sys; r,t=sys.argv[1:3]; print("n/a" if r=="-" else ("pass" if float(r)<=float(t) else "FAIL"))' "$1" "$2"; }

echo "p2.sh: ours=$ours ref=$ref kver=$kver runs=$runs mem-runs=$mem_runs" >&2
rows=()
failed=0
for i in "${!workloads[@]}"; do
	w=${workloads[$i]}
	echo "p2.sh: workload ${labels[$i]}" >&2
	rcmd=$(ref_cmd "$w")
	# shellcheck disable=SC2086
	ref_rc=$(status_of "ref_$w" $rcmd)
	if [ "$ref_rc" -ne 0 ] && { [ -z "${expect_err[$i]}" ] ||
			! grep -q "${expect_err[$i]}" "$work/ref_$w.err"; }; then
		show_err "ref_$w"
		die "the reference stap fails on workload $w (exit $ref_rc)"
	fi
	ref_ms=$(time_ms "ref_$w" "$rcmd") || die "hyperfine failed for $rcmd"
	# shellcheck disable=SC2086
	ref_kb=$(rss_kb "ref_$w" $rcmd) || die "/usr/bin/time failed for $rcmd"
	our_ms=- our_kb=- note=""
	if [ $ref_only -eq 0 ]; then
		ocmd=$(ours_cmd "$w")
		# shellcheck disable=SC2086
		our_rc=$(status_of "ours_$w" $ocmd)
		if [ "$our_rc" -ne "$ref_rc" ]; then
			echo "p2.sh: ours exits $our_rc where 4.8 exits $ref_rc on $w:" >&2
			show_err "ours_$w"
			note=" (ours exits $our_rc, 4.8 $ref_rc)"
			failed=1
		fi
		if [ "$our_rc" -le 1 ]; then	# 1 = a diagnosed error; >1 = crash
			our_ms=$(time_ms "ours_$w" "$ocmd") || our_ms=-
			# shellcheck disable=SC2086
			our_kb=$(rss_kb "ours_$w" $ocmd) || our_kb=-
		fi
	fi
	tr=$(ratio "$our_ms" "$ref_ms")
	mr=$(ratio "$our_kb" "$ref_kb")
	tv=$(verdict "$tr" "$time_target")
	mv=$(verdict "$mr" "$mem_target")
	[ "$tv" = FAIL ] || [ "$mv" = FAIL ] && failed=1
	rows+=("| ${labels[$i]}$note | $our_ms | $ref_ms | $tr $tv | $our_kb | $ref_kb | $mr $mv |")
done

echo
echo "stap -p2 -r $kver, ours vs systemtap $("$ref" -V 2>&1 | sed -n 's/.*(version \([^/]*\).*/\1/p;q')" \
     "(medians: $runs hyperfine runs after 2 warmups; peak RSS over $mem_runs runs)"
echo
echo "| workload | ours ms | 4.8 ms | time ratio (target <= $time_target) | ours KB | 4.8 KB | mem ratio (target <= $mem_target) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
[ -n "$keep" ] && echo && echo "workloads, hyperfine JSON and logs kept in $work"
if [ $ref_only -eq 1 ]; then
	exit 0
fi
exit $failed
