#!/bin/bash
# first_output.sh - time from `stap SCRIPT` to the script's first line of
# output, ours against Debian's systemtap 4.8, cold (empty module cache) and
# warm (module cached), as ratios ours/4.8.
#
# usage: bench/first_output.sh [options]
#   --stap PATH        our stap                 (env STAP; default BUILD_DIR/stap/stap)
#   --staprun PATH     our staprun              (env STAPRUN; default BUILD_DIR/staprun/staprun)
#   --stapio PATH      our stapio               (env STAPIO; default BUILD_DIR/stapio/stapio)
#   --build-dir DIR    our build tree           (env BUILD_DIR; default: current directory)
#   --ref PATH         reference stap           (env REF_STAP; default /usr/bin/stap)
#   --kver KVER        guest kernel             (env KVER; default 6.1.0-56-cloud-amd64)
#   --runs N           hyperfine runs, warm     (env RUNS; default 10)
#   --cold-runs N      cold rounds (env COLD_RUNS; default 7); a round builds every
#                      workload once per tool, tools in alternating order, timed
#                      by hyperfine, then once more with -v for the compile time
#   --guest-runs N     staprun runs per module in the guest, after one untimed
#                      run (env GUEST_RUNS; default 10)
#   --profile-secs N   seconds the -t timer.profile module runs in the guest
#                      (env PROFILE_SECS; default 5)
#   --profile-runs N   runs of it, medians taken (env PROFILE_RUNS; default 3)
#   --guest-cache DIR  kernel image, patched 4.8 runtime and both tools' SYSTEMTAP_DIR
#                      (env GUEST_CACHE; default BUILD_DIR/testsuite/guest-cache)
#   --keep DIR         keep workloads, modules, hyperfine JSON and guest logs in DIR
#
# Workloads: (a) `probe begin { printf("hello world\n"); exit() }`;
# (b) `probe timer.ms(100) { println("tick"); exit() }`, and (b') the same
#     with timer.ms(10).
#
# A kernel module loads only inside a QEMU guest here, so each measurement is
# split in two parts, each measured where it really runs:
#   host  = wall time of `stap -p4 -r KVER SCRIPT` (passes 1-4; the module cache
#           is used, so no -m), COLD with the tool's module cache emptied before
#           each run and its kernel feature-test cache (stapconf) kept, WARM with
#           the module already cached;
#   guest = time from starting `staprun MODULE` to the first full line on its
#           stdout (a pseudo-terminal, as for a user at a terminal), measured in
#           the guest by bench/firstline.c (static, CLOCK_MONOTONIC); all runs of
#           one tool set in ONE guest boot: our staprun/stapio with our modules,
#           Debian's with 4.8's.  The guest is QEMU TCG-emulated (no KVM), so its
#           absolute times are inflated several-fold against real hardware;
#   total = host median + guest median.
# "cold compile" is pass 4 alone on a cold run (the `Pass 4: compiled C ... in
# ...real ms` line of `stap -v`), to show how much of the cold time is kbuild.
# Before measuring, each tool builds a different script once (untimed) so its
# stapconf cache exists.  Targets on the total: cold ratio <= 0.5, warm <= 0.2.
#
# 4.8 builds with the patched runtime of testsuite/guest/stap48-runtime.sh
# (`-R`); it cannot build for 6.12 at all, so only 6.1 is compared.
#
# Second measurement: the handler cost of (c) `global n; probe timer.profile
# { n++ }` built with `stap -t`: each tool set's module runs for
# --profile-secs, --profile-runs times in the same guest boot, each run stopped
# with SIGINT; the timer.profile line of each probe hit report gives hits and
# cycles min/avg/max, and each is the median over the runs.  Target: ours
# avg cycles <= 4.8's (ratio <= 1.0).  Both tools' -t time from the probe's
# entry (context, locks and handler), so the spans compare.
#
# Exit status: 0 when every target is met, 1 when one is missed or on error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
guestdir=$repo/testsuite/guest

build_dir=${BUILD_DIR:-$PWD}
ours=${STAP:-}
our_staprun=${STAPRUN:-}
our_stapio=${STAPIO:-}
ref=${REF_STAP:-/usr/bin/stap}
ref_staprun=/usr/bin/staprun
ref_stapio=/usr/lib/systemtap/stapio
kver=${KVER:-6.1.0-56-cloud-amd64}
runs=${RUNS:-10}
cold_runs=${COLD_RUNS:-7}
guest_runs=${GUEST_RUNS:-10}
profile_secs=${PROFILE_SECS:-5}
profile_runs=${PROFILE_RUNS:-3}
cache=${GUEST_CACHE:-}
our_tapset=${OUR_TAPSET:-$repo/tapset}
our_runtime=${OUR_RUNTIME:-$repo/runtime}
keep=""
cold_target=0.5
warm_target=0.2
prof_target=1.0

die() { echo "first_output.sh: $*" >&2; exit 1; }
say() { echo "first_output.sh: $*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	--stap) ours=$2; shift 2 ;;
	--staprun) our_staprun=$2; shift 2 ;;
	--stapio) our_stapio=$2; shift 2 ;;
	--build-dir) build_dir=$2; shift 2 ;;
	--ref) ref=$2; shift 2 ;;
	--kver) kver=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--cold-runs) cold_runs=$2; shift 2 ;;
	--guest-runs) guest_runs=$2; shift 2 ;;
	--profile-secs) profile_secs=$2; shift 2 ;;
	--profile-runs) profile_runs=$2; shift 2 ;;
	--guest-cache) cache=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
done
build_dir=$(cd "$build_dir" && pwd)
[ -n "$ours" ] || ours=$build_dir/stap/stap
[ -n "$our_staprun" ] || our_staprun=$build_dir/staprun/staprun
[ -n "$our_stapio" ] || our_stapio=$build_dir/stapio/stapio
[ -n "$cache" ] || cache=$build_dir/testsuite/guest-cache
[ "$runs" -ge 2 ] 2>/dev/null || die "--runs must be at least 2"
[ "$cold_runs" -ge 1 ] 2>/dev/null || die "--cold-runs must be at least 1"
[ "$guest_runs" -ge 1 ] 2>/dev/null || die "--guest-runs must be at least 1"
[ "$profile_secs" -ge 1 ] 2>/dev/null || die "--profile-secs must be at least 1"
[ "$profile_runs" -ge 1 ] 2>/dev/null || die "--profile-runs must be at least 1"

# --- prerequisites -----------------------------------------------------------

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_pkgs=()
dpkg -s systemtap >/dev/null 2>&1 || need_pkgs+=(systemtap)
dpkg -s "linux-headers-$kver" >/dev/null 2>&1 || need_pkgs+=("linux-headers-$kver")
command -v hyperfine >/dev/null 2>&1 || need_pkgs+=(hyperfine)
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
command -v qemu-system-x86_64 >/dev/null 2>&1 || need_pkgs+=(qemu-system-x86)
command -v cpio >/dev/null 2>&1 || need_pkgs+=(cpio)
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || need_pkgs+=(busybox-static)
command -v gcc >/dev/null 2>&1 || need_pkgs+=(gcc)
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need_pkgs+=(libc6-dev)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	say "installing ${need_pkgs[*]}"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${need_pkgs[@]}" >&2
fi
for f in "$ref" "$ref_staprun" "$ref_stapio"; do
	[ -x "$f" ] || die "reference tool '$f' not found"
done
for f in "$ours" "$our_staprun" "$our_stapio"; do
	[ -x "$f" ] || die "our tool '$f' not found (set --build-dir, or --stap/--staprun/--stapio)"
done
[ -d "$our_tapset" ] || die "our tapset directory '$our_tapset' not found (set OUR_TAPSET)"
[ -d "$our_runtime" ] || die "our runtime directory '$our_runtime' not found (set OUR_RUNTIME)"

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
GUEST_KERNELS=$kver "$guestdir/setup-kernels.sh" "$cache" > "$cache/setup.log" 2>&1 ||
	{ cat "$cache/setup.log" >&2; die "setup-kernels.sh failed"; }
vmlinuz=$cache/vmlinuz-$kver
ref_runtime=$("$guestdir/stap48-runtime.sh" "$cache") || die "stap48-runtime.sh failed"
# Kept between runs: the feature-test caches are the expensive, once-only part.
sd_ours=$cache/bench-systemtap-dir/ours
sd_ref=$cache/bench-systemtap-dir/ref
mkdir -p "$sd_ours" "$sd_ref"

if [ -n "$keep" ]; then
	mkdir -p "$keep"
	work=$(cd "$keep" && pwd)
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi

# --- workloads ---------------------------------------------------------------

cat > "$work/a_begin.stp" <<'EOF'
probe begin { printf("hello world\n"); exit() }
EOF
cat > "$work/b_timer.stp" <<'EOF'
probe timer.ms(100) { println("tick"); exit() }
EOF
cat > "$work/b10_timer.stp" <<'EOF'
probe timer.ms(10) { println("tick"); exit() }
EOF
cat > "$work/c_profile.stp" <<'EOF'
global n; probe timer.profile { n++ }
EOF
# Built once per tool before measuring, so the stapconf cache exists.
cat > "$work/prep.stp" <<'EOF'
probe begin { printf("prep %d\n", 1); exit() }
EOF
# (b') is (b) with a shorter wait: the timer's period is in both tools' totals, and on
# an idle host 100 ms alone is more than 0.2 of 4.8's warm total.
workloads=(a_begin b_timer b10_timer)
labels=("(a) begin probe, one line" "(b) timer.ms(100), one line" "(b') timer.ms(10), one line")
expect=("hello world" "tick" "tick")

tools=(ours ref)
# Command lines, runnable without a shell (hyperfine -N).
stap_cmd() {	# TOOL SCRIPT [EXTRA...]
	local tool=$1 script=$2; shift 2
	if [ "$tool" = ours ]; then
		echo "env SYSTEMTAP_DIR=$sd_ours SYSTEMTAP_TAPSET=$our_tapset SYSTEMTAP_RUNTIME=$our_runtime" \
			"$ours $* -r $kver -p4 $script"
	else
		echo "env -u SYSTEMTAP_TAPSET -u SYSTEMTAP_RUNTIME SYSTEMTAP_DIR=$sd_ref" \
			"$ref -R $ref_runtime $* -r $kver -p4 $script"
	fi
}
# Empties the tool's module cache: both name their cached modules, C files and
# logs stap_*; the stapconf headers (ours: cache/stapconf/, 4.8: cache/XX/stapconf_*) stay.
clear_cmd() { echo "find $([ "$1" = ours ] && echo "$sd_ours" || echo "$sd_ref")/cache -name 'stap_*' -delete"; }
clear_cache() { find "$([ "$1" = ours ] && echo "$sd_ours" || echo "$sd_ref")/cache" -name 'stap_*' -delete; }

# --- host part ---------------------------------------------------------------

median() { python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print("%.1f" % statistics.median(v) if v else "-")' "$@"; }
json_median_ms() {
	python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$1"
}

cd "$work"
for t in "${tools[@]}"; do
	say "$t: preparing the stapconf cache (untimed build of prep.stp)"
	pcmd=$(stap_cmd "$t" "$work/prep.stp")
	# shellcheck disable=SC2086
	$pcmd > "$work/$t.prep.out" 2> "$work/$t.prep.err" ||
		{ tail -20 "$work/$t.prep.err" >&2; die "$t: stap -p4 prep.stp failed"; }
done

# Cold runs take seconds each and the machine's load drifts over minutes, so
# they are interleaved: each round runs every workload once per tool, the
# tools in alternating order, each run timed by hyperfine (one run, after
# --prepare empties the module cache) and then once more with -v for the
# pass-4 line.  Medians are over all rounds.
pass4_ms() { sed -n 's/^Pass 4: compiled C into .* in [0-9]*usr\/[0-9]*sys\/\([0-9]*\)real ms\.$/\1/p' "$1"; }
merged_median_ms() {	# JSON... : median of the times of all runs in the files
	python3 -c 'import json,statistics,sys; t=[x for f in sys.argv[1:] for x in json.load(open(f))["results"][0]["times"]]; print("%.1f" % (statistics.median(t) * 1000))' "$@"
}

declare -A host_cold host_warm compile module cold_vals
for t in "${tools[@]}"; do
	for w in "${workloads[@]}"; do
		# A first, checked build: a failure here is a bug to show, not a time.
		cmd=$(stap_cmd "$t" "$work/$w.stp")
		clear_cache "$t"
		# shellcheck disable=SC2086
		$cmd > "$work/$t.$w.p4.out" 2> "$work/$t.$w.p4.err" ||
			{ tail -20 "$work/$t.$w.p4.err" >&2; die "$t: stap -p4 $w.stp failed"; }
		cold_vals[$t.$w]=""
	done
done
for r in $(seq 1 "$cold_runs"); do
	if [ $((r % 2)) -eq 1 ]; then order=(ours ref); else order=(ref ours); fi
	say "host cold, round $r of $cold_runs (${order[*]})"
	for w in "${workloads[@]}"; do
		for t in "${order[@]}"; do
			cmd=$(stap_cmd "$t" "$work/$w.stp")
			hyperfine -N --runs 1 --prepare "$(clear_cmd "$t")" \
				--export-json "$work/$t.$w.cold.$r.json" "$cmd" > "$work/$t.$w.cold.$r.hyperfine" 2>&1 ||
				die "hyperfine failed for $cmd (see $work/$t.$w.cold.$r.hyperfine)"
			vcmd=$(stap_cmd "$t" "$work/$w.stp" -v)
			clear_cache "$t"
			# shellcheck disable=SC2086
			$vcmd > /dev/null 2> "$work/$t.$w.v.$r.err" || die "$t: stap -v -p4 $w.stp failed"
			v=$(pass4_ms "$work/$t.$w.v.$r.err")
			[ -n "$v" ] || die "$t: no 'Pass 4: compiled C' line in $work/$t.$w.v.$r.err"
			cold_vals[$t.$w]+=" $v"
		done
	done
done
for t in "${tools[@]}"; do
	for w in "${workloads[@]}"; do
		host_cold[$t.$w]=$(merged_median_ms "$work/$t.$w".cold.*.json)
		# shellcheck disable=SC2086
		compile[$t.$w]=$(median ${cold_vals[$t.$w]})

		cmd=$(stap_cmd "$t" "$work/$w.stp")
		say "$t $w: host warm ($runs runs)"
		hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/$t.$w.warm.json" "$cmd" \
			> "$work/$t.$w.warm.hyperfine" 2>&1 ||
			die "hyperfine failed for $cmd (see $work/$t.$w.warm.hyperfine)"
		host_warm[$t.$w]=$(json_median_ms "$work/$t.$w.warm.json")
		# The module the warm run used, for the guest.
		# shellcheck disable=SC2086
		m=$($cmd 2>/dev/null | tail -n 1)
		case $m in /*) ;; *) m=$work/$m ;; esac
		[ -f "$m" ] || die "$t: stap -p4 $w.stp printed '$m', not a module"
		# A copy, safe from later cache clearing.
		mkdir -p "$work/modules.$t"
		cp "$m" "$work/modules.$t/"
		module[$t.$w]=$work/modules.$t/$(basename "$m")
	done
done

# The -t module of the handler-cost measurement (built warm or cold, untimed).
declare -A prof_module
for t in "${tools[@]}"; do
	cmd=$(stap_cmd "$t" "$work/c_profile.stp" -t)
	# shellcheck disable=SC2086
	m=$($cmd 2> "$work/$t.c_profile.p4.err" | tail -n 1) ||
		{ tail -20 "$work/$t.c_profile.p4.err" >&2; die "$t: stap -t -p4 c_profile.stp failed"; }
	case $m in /*) ;; *) m=$work/$m ;; esac
	[ -f "$m" ] || die "$t: stap -t -p4 c_profile.stp printed '$m', not a module"
	mkdir -p "$work/modules.$t"
	cp "$m" "$work/modules.$t/"
	prof_module[$t]=$work/modules.$t/$(basename "$m")
done

# --- guest part --------------------------------------------------------------

gcc -static -O2 -o "$work/firstline" "$here/firstline.c" || die "cannot build firstline.c statically"

declare -A guest_ms guest_exit_ms prof_hits prof_min prof_avg prof_max prof_skipped
for t in "${tools[@]}"; do
	if [ "$t" = ours ]; then sr=$our_staprun sio=$our_stapio; else sr=$ref_staprun sio=$ref_stapio; fi
	say "$t: one guest boot, $guest_runs timed staprun runs per module (+1 untimed), then -t for ${profile_secs}s"
	gw=$work/guest.$t
	rm -rf "$gw"
	mkdir -p "$gw/extra/bench" "$gw/batch" "$gw/out"
	"$guestdir/mkinitrd.sh" "$gw/base.cpio.gz" "$sr" "$sio" || die "mkinitrd.sh failed"
	# The helper and the modules go in a second archive appended to the base one
	# (the kernel unpacks concatenated archives), under their own names: staprun
	# finds /proc/systemtap/NAME by the file name, which must match the module's.
	cp "$work/firstline" "$gw/extra/bench/"
	: > "$gw/batch/order"
	for w in "${workloads[@]}"; do
		m=${module[$t.$w]}
		cp "$m" "$gw/extra/bench/"
		# The first run warms the guest's page cache and is dropped by the parser.
		cat > "$gw/batch/$w.run" <<EOF
i=0
while [ \$i -le $guest_runs ]; do
	/bench/firstline staprun /bench/$(basename "$m")
	i=\$((i + 1))
done
EOF
		echo $(( (guest_runs + 1) * 15 + 30 )) > "$gw/batch/$w.timeout"
		echo "$w" >> "$gw/batch/order"
	done
	# The -t module runs for a fixed time, then SIGINT stops it as ^C would:
	# the end of the session prints the probe hit report.
	m=${prof_module[$t]}
	cp "$m" "$gw/extra/bench/"
	cat > "$gw/batch/c_profile.run" <<EOF
i=1
while [ \$i -le $profile_runs ]; do
	echo "@@RUN \$i"
	staprun /bench/$(basename "$m") &
	pid=\$!
	sleep $profile_secs
	kill -INT \$pid
	wait \$pid
	rc=\$?
	[ \$rc -eq 0 ] || echo "@@RC \$rc"
	i=\$((i + 1))
done
EOF
	echo $(( (profile_secs + 20) * profile_runs + 30 )) > "$gw/batch/c_profile.timeout"
	echo c_profile >> "$gw/batch/order"
	truncate -s %512 "$gw/base.cpio.gz"
	(cd "$gw/extra" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >> "$gw/base.cpio.gz"
	GUEST_MAX_BOOTS=1 "$guestdir/run-batch.sh" "$kver" "$vmlinuz" "$gw/base.cpio.gz" "$gw/batch" "$gw/out" \
		2> "$gw/run-batch.log" || { cat "$gw/run-batch.log" >&2; say "$t: guest verdict not clean"; }
	for i in "${!workloads[@]}"; do
		w=${workloads[$i]}
		verdict=$(cat "$gw/out/$w.verdict" 2>/dev/null || echo "FAIL no result")
		[ "$(head -n 1 <<< "$verdict")" = PASS ] || die "$t $w: guest run failed: $verdict (see $gw/out)"
		# FL <first us> <exit us> <rc> <mode> <line>; the first record is the untimed run.
		read -r g e < <(python3 - "$gw/out/$w.stdout" "${expect[$i]}" "$guest_runs" <<'PYEOF'
import statistics, sys
path, want, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
recs = [l.rstrip("\n").split(" ", 5) for l in open(path) if l.startswith("FL ")]
if len(recs) != n + 1:
    sys.exit(f"{path}: {len(recs)} runs recorded, expected {n + 1}")
for r in recs:
    if r[3] != "0" or r[5] != want or int(r[1]) < 0:
        sys.exit(f"{path}: bad run {' '.join(r)!r} (want exit 0 and first line {want!r})")
recs = recs[1:]
print("%.1f %.1f" % (statistics.median(int(r[1]) for r in recs) / 1000,
                     statistics.median(int(r[2]) for r in recs) / 1000))
PYEOF
		) || die "$t $w: guest output not as expected (see $gw/out/$w.stdout, $w.stderr)"
		guest_ms[$t.$w]=$g
		guest_exit_ms[$t.$w]=$e
	done
	verdict=$(cat "$gw/out/c_profile.verdict" 2>/dev/null || echo "FAIL no result")
	[ "$(head -n 1 <<< "$verdict")" = PASS ] || die "$t c_profile: guest run failed: $verdict (see $gw/out)"
	# Per run, the timer.profile line of the report: "PP, (LOCATION), hits: N,
	# cycles: AminBavgCmax, variance: V, from: ..., index: I", where PP is what
	# timer.profile became (in both tools a perf probe); medians over the runs.
	read -r hits cmin cavg cmax skipped < <(python3 - "$gw/out/c_profile.stdout" \
		"$gw/out/c_profile.stderr" "$profile_runs" <<'PYEOF'
import re, statistics, sys
out, err, n = open(sys.argv[1]).read(), open(sys.argv[2]).read(), int(sys.argv[3])
if "@@RC " in out:
    sys.exit(f"{sys.argv[1]}: a run did not exit 0")
line = re.compile(r", hits: (\d+), cycles: (\d+)min/(\d+)avg/(\d+)max, .*from: .*timer\.profile")
recs = [tuple(map(int, m.groups())) for m in map(line.search, out.splitlines()) if m]
if len(recs) != n:
    sys.exit(f"{sys.argv[1]}: {len(recs)} timer.profile report lines, expected {n}")
skipped = sum(int(x) for x in re.findall(r"skipped probes: (\d+)", err))
print(*("%.0f" % statistics.median(r[i] for r in recs) for i in range(4)), skipped)
PYEOF
	) || die "$t c_profile: no usable -t report (see $gw/out/c_profile.stdout, .stderr)"
	prof_hits[$t]=$hits prof_min[$t]=$cmin prof_avg[$t]=$cavg prof_max[$t]=$cmax prof_skipped[$t]=$skipped
done

# --- report ------------------------------------------------------------------

ratio() { python3 -c 'import sys; a,b=sys.argv[1:3]; print("-" if "-" in (a,b) or float(b)==0 else "%.3f" % (float(a)/float(b)))' "$1" "$2"; }
verdict() { python3 -c 'import sys; r,t=sys.argv[1:3]; print("n/a" if r=="-" else ("pass" if float(r)<=float(t) else "FAIL"))' "$1" "$2"; }
add() { python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) + float(sys.argv[2])))' "$1" "$2"; }

rows=()
failed=0
row() {	# LABEL WHAT OURS REF [TARGET]
	local r v=""
	r=$(ratio "$3" "$4")
	if [ -n "${5:-}" ]; then
		v=$(verdict "$r" "$5")
		[ "$v" = FAIL ] && failed=1
		v=" $v (<= $5)"
	fi
	rows+=("| $1 | $2 | $3 | $4 | $r$v |")
}
for i in "${!workloads[@]}"; do
	w=${workloads[$i]}
	l=${labels[$i]}
	row "$l" "host: stap -p4, cold" "${host_cold[ours.$w]}" "${host_cold[ref.$w]}"
	row "" "&nbsp;&nbsp;of which pass 4 compile (-v)" "${compile[ours.$w]}" "${compile[ref.$w]}"
	row "" "host: stap -p4, warm" "${host_warm[ours.$w]}" "${host_warm[ref.$w]}"
	row "" "guest: staprun to first line (TCG)" "${guest_ms[ours.$w]}" "${guest_ms[ref.$w]}"
	row "" "&nbsp;&nbsp;(guest: staprun to exit)" "${guest_exit_ms[ours.$w]}" "${guest_exit_ms[ref.$w]}"
	row "" "**total, cold**" "$(add "${host_cold[ours.$w]}" "${guest_ms[ours.$w]}")" \
		"$(add "${host_cold[ref.$w]}" "${guest_ms[ref.$w]}")" "$cold_target"
	row "" "**total, warm**" "$(add "${host_warm[ours.$w]}" "${guest_ms[ours.$w]}")" \
		"$(add "${host_warm[ref.$w]}" "${guest_ms[ref.$w]}")" "$warm_target"
done

refver=$("$ref" -V 2>&1 | sed -n 's/.*(version \([^/]*\).*/\1/p;q')
echo
echo "Time to first output line, ours vs systemtap $refver, kernel $kver (ms, medians)"
echo "host: $cold_runs cold / $runs warm hyperfine runs of stap -p4; guest: $guest_runs staprun runs per module,"
echo "one QEMU boot per tool set, TCG-emulated (no KVM: guest times are inflated, not native);"
echo "total = host + guest medians. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| workload | measure | ours ms | 4.8 ms | ratio ours/4.8 |"
echo "|---|---|---:|---:|---:|"
printf '%s\n' "${rows[@]}"

prof_rows=()
prow() {	# WHAT OURS REF [TARGET]
	local r v=""
	r=$(ratio "$2" "$3")
	if [ -n "${4:-}" ]; then
		v=$(verdict "$r" "$4")
		[ "$v" = FAIL ] && failed=1
		v=" $v (<= $4)"
	fi
	prof_rows+=("| $1 | $2 | $3 | $r$v |")
}
prow "skipped probes, all runs" "${prof_skipped[ours]}" "${prof_skipped[ref]}"
prow "hits in ${profile_secs} s (2 CPUs)" "${prof_hits[ours]}" "${prof_hits[ref]}"
prow "cycles min" "${prof_min[ours]}" "${prof_min[ref]}"
prow "**cycles avg**" "${prof_avg[ours]}" "${prof_avg[ref]}" "$prof_target"
prow "cycles max" "${prof_max[ours]}" "${prof_max[ref]}"
echo
echo "Handler cost of 'global n; probe timer.profile { n++ }' as reported by stap -t"
echo "(medians of $profile_runs runs of ${profile_secs} s per tool set, in the same guest boots, each stopped by SIGINT;"
echo "guest cycles under TCG follow the host's clock, so host load shows in them)."
echo "Both tools time from the probe's entry (context fetched and reset, locks taken) to the"
echo "handler's end. An average is sensitive to rare long stalls of a virtual CPU under TCG:"
echo "compare min and max too."
echo
echo "| measure | ours | 4.8 | ratio ours/4.8 |"
echo "|---|---:|---:|---:|"
printf '%s\n' "${prof_rows[@]}"
[ -n "$keep" ] && echo && echo "workloads, modules, hyperfine JSON and guest logs kept in $work"
exit $failed
