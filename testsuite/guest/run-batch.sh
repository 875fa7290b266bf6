#!/bin/bash
# Boots one guest that runs every test of a batch in order (see README.md).
# usage: run-batch.sh KVER VMLINUZ BASE BATCHDIR OUTDIR
#
# BATCHDIR holds the tests: NAME.run (a shell snippet run in the guest as
# `sh NAME.run` from the folder holding the batch's files), NAME.ko (the
# module it loads; optional), NAME.timeout (seconds; optional, default
# $GUEST_TEST_TIMEOUT).  Tests run in the order of BATCHDIR/order (one NAME
# per line) if present, else sorted by name.  BASE comes from mkinitrd.sh.
#
# For each test OUTDIR gets NAME.stdout, NAME.stderr, NAME.rc (exit status
# of the snippet), NAME.dmesg (kernel log during the test) and NAME.verdict:
# "PASS", or "FAIL" followed by one reason per line.  The verdict covers the
# guest's health only -- timeout, kernel BUG/WARNING/Oops/general
# protection/Call Trace lines, a module left loaded, a /proc/systemtap entry
# left behind, the guest dying; comparing output is the caller's job.
#
# A guest that dies or hangs during a test (panic, oops=panic, the host's
# watchdog) fails that test; the tests after it run in a fresh boot, up to
# GUEST_MAX_BOOTS boots per call, after which the rest fail as not run.
# Exit status: 0 all verdicts PASS, 1 some FAIL, 2 bad usage.
#
# Environment:
#   GUEST_TEST_TIMEOUT  per-test seconds in the guest (default 60)
#   GUEST_BOOT_TIMEOUT  seconds until the guest must have booted (default 120)
#   GUEST_MAX_BOOTS     boots per call, for reruns after crashes (default 4)
#   GUEST_SMP, GUEST_MEM  guest CPUs and memory (default 2, 1G)
#   GUEST_ACCEL         kvm or tcg (default: kvm only with vmx/svm and /dev/kvm)
#   GUEST_APPEND        extra kernel command line
#   GUEST_QEMU_ARGS     extra QEMU options, split on spaces (e.g. "-icount shift=0")
#   GUEST_CONSOLE=1     copy each boot's console log to stderr afterwards
# OUTDIR also keeps console.N.log (kernel console of boot N), data.N.log
# (the raw result channel) and times ("NAME SECONDS" per finished test).
set -u

usage() { echo "usage: $0 KVER VMLINUZ BASE BATCHDIR OUTDIR" >&2; exit 2; }
[ $# -eq 5 ] || usage
kver=$1
vmlinuz=$2
base=$3
batch=$4
out=$5
log() { echo "run-batch[$kver]: $*" >&2; }
for f in "$vmlinuz" "$base"; do
  [ -f "$f" ] || { log "error: $f: no such file"; exit 2; }
done
[ -d "$batch" ] || { log "error: $batch: no such folder"; exit 2; }
mkdir -p "$out" || exit 2
command -v qemu-system-x86_64 > /dev/null || { log "error: qemu-system-x86_64 not found (install qemu-system-x86)"; exit 2; }

test_timeout=${GUEST_TEST_TIMEOUT:-60}
boot_timeout=${GUEST_BOOT_TIMEOUT:-120}
max_boots=${GUEST_MAX_BOOTS:-4}
smp=${GUEST_SMP:-2}
mem=${GUEST_MEM:-1G}
accel=${GUEST_ACCEL:-}
if [ -z "$accel" ]; then
  if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then accel=kvm; else accel=tcg; fi
fi
if [ "$accel" = kvm ]; then accel_args=(-enable-kvm -cpu host); else accel_args=(-accel tcg -cpu max); fi

# The tests, in order.
names=()
if [ -f "$batch/order" ]; then
  while read -r n; do [ -n "$n" ] && names+=("$n"); done < "$batch/order"
else
  while read -r f; do names+=("$(basename "$f" .run)"); done < <(ls "$batch"/*.run 2> /dev/null | LC_ALL=C sort)
fi
[ ${#names[@]} -gt 0 ] || { log "error: no NAME.run in $batch"; exit 2; }
declare -A tmo
for n in "${names[@]}"; do
  if ! [[ $n =~ ^[A-Za-z0-9_.+-]+$ ]]; then log "error: bad test name '$n'"; exit 2; fi
  [ -f "$batch/$n.run" ] || { log "error: $batch/$n.run: no such file"; exit 2; }
  t=$test_timeout
  if [ -f "$batch/$n.timeout" ]; then t=$(tr -dc 0-9 < "$batch/$n.timeout"); fi
  tmo[$n]=${t:-$test_timeout}
  rm -f "$out/$n".{stdout,stderr,rc,dmesg,verdict}
done
rm -f "$out"/console.*.log "$out"/data.*.log "$out/times"

work=$(mktemp -d)
qpid=
cleanup() {
  [ -n "$qpid" ] && kill "$qpid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail_test() {  # NAME REASON... : a test with no result from the guest
  local n=$1; shift
  : > "$out/$n.stdout"; : > "$out/$n.stderr"; echo "-" > "$out/$n.rc"
  [ -f "$out/$n.dmesg" ] || : > "$out/$n.dmesg"
  { echo FAIL; printf '%s\n' "$@"; } > "$out/$n.verdict"
}

# Kernel log lines that fail a test whatever its output.
bad_kernel_re='BUG:|WARNING:|Oops|general protection|Call Trace|Kernel panic|kernel BUG'

# Turns a boot's data log into result files for the tests it finished.
# Prints the names of finished tests, then "CRASHED NAME" for a test that
# started but did not end, then "DONE" if the batch ran to its end.
collect() {
  local data=$1 dir=$2
  tr -d '\r' < "$data" | awk -v dir="$dir" '
    /^@@GT-FILE / { file = dir "/" $2 "." $3 ".b64"; printf "" > file; inside = 1; next }
    /^@@GT-EOF /  { close(file); inside = 0; next }
    inside        { print >> file; next }
    /^@@GT-START / { started = $2; next }
    /^@@GT-END /  { if ($2 == started) { print $2; started = "" } next }
    /^@@GT-DONE/  { done = 1 }
    END { if (started != "") print "CRASHED " started; if (done) print "DONE" }'
}

pending=("${names[@]}")
boot=0
total_start=$SECONDS
while [ ${#pending[@]} -gt 0 ]; do
  boot=$((boot + 1))
  if [ $boot -gt "$max_boots" ]; then
    for n in "${pending[@]}"; do fail_test "$n" "not run: the guest already died $max_boots times in this batch"; done
    break
  fi
  # The boot's initramfs: BASE plus an uncompressed archive with the tests.
  stage=$work/stage.$boot
  mkdir -p "$stage/tests"
  : > "$stage/tests/list"
  for n in "${pending[@]}"; do
    cp "$batch/$n.run" "$stage/tests/"
    [ -f "$batch/$n.ko" ] && cp "$batch/$n.ko" "$stage/tests/"
    echo "$n ${tmo[$n]}" >> "$stage/tests/list"
  done
  # Kernel modules the tests load themselves, decompressed into /kmod/: the
  # RAM-disk driver, so tests have a block device to drive (the guest has no
  # disk), and the watchdog core with softdog, a module pair whose tracepoints
  # (watchdog:*) a shell can fire by opening /dev/watchdog.
  for m in drivers/block/brd drivers/watchdog/watchdog drivers/watchdog/softdog; do
    for k in "/lib/modules/$kver/kernel/$m.ko"*; do
      [ -f "$k" ] || continue
      mkdir -p "$stage/kmod"
      dst=$stage/kmod/${m##*/}.ko
      case $k in
        *.xz) xz -dc "$k" > "$dst" ;;
        *.zst) zstd -qdc "$k" > "$dst" ;;
        *) cp "$k" "$dst" ;;
      esac
    done
  done
  printf '#!/bin/sh\nexec sh /guest/batch.sh\n' > "$stage/run.sh"
  chmod 755 "$stage/run.sh"
  initrd=$work/initrd.$boot
  cp "$base" "$initrd"
  truncate -s %512 "$initrd"
  (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >> "$initrd"

  console=$out/console.$boot.log
  data=$out/data.$boot.log
  : > "$console"; : > "$data"
  boot_start=$SECONDS
  # shellcheck disable=SC2086 # GUEST_QEMU_ARGS is a list of words
  qemu-system-x86_64 "${accel_args[@]}" -m "$mem" -smp "$smp" \
    -display none -monitor none -no-reboot -nic none \
    -serial "file:$console" -serial "file:$data" \
    -kernel "$vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0 panic=-1 oops=panic quiet loglevel=4 ${GUEST_APPEND:-}" \
    ${GUEST_QEMU_ARGS:-} < /dev/null > "$work/qemu.out" 2>&1 &
  qpid=$!

  # Watchdog: each phase (boot, one test, between tests) has a deadline;
  # past it the guest is taken as hung and QEMU is killed.
  last=
  since=$SECONDS
  killed=
  while kill -0 "$qpid" 2> /dev/null; do
    sleep 0.3
    m=$(grep -a '^@@GT-' "$data" | tail -n 1 | tr -d '\r')
    if [ "$m" != "$last" ]; then last=$m; since=$SECONDS; fi
    case $last in
      '') limit=$boot_timeout ;;
      '@@GT-START '*) cur=${last#@@GT-START }; cur=${cur%% *}; limit=$(( ${tmo[$cur]:-$test_timeout} + 30 )) ;;
      *) limit=60 ;;
    esac
    if [ $((SECONDS - since)) -gt "$limit" ]; then
      killed="the host killed the guest: no progress for ${limit}s"
      kill "$qpid" 2> /dev/null
      break
    fi
  done
  wait "$qpid" 2> /dev/null
  qrc=$?
  qpid=
  wall=$((SECONDS - boot_start))

  results=$work/results.$boot
  mkdir -p "$results"
  mapfile -t got < <(collect "$data" "$results")
  up=$(grep -a '^@@GT-BOOT ' "$data" | head -n 1 | tr -d '\r' | awk '{print $3}')
  # Guest seconds per test (START to END, results sent), for finding slow tests.
  tr -d '\r' < "$data" | awk '/^@@GT-START / { t[$2] = $3 } /^@@GT-END / && ($2 in t) { printf "%s %.2f\n", $2, $3 - t[$2] }' >> "$out/times"
  [ "${GUEST_CONSOLE:-0}" = 1 ] && cat "$console" >&2

  crashed=
  done_all=
  declare -A finished=()
  for g in "${got[@]}"; do
    case $g in
      'CRASHED '*) crashed=${g#CRASHED } ;;
      DONE) done_all=1 ;;
      *) finished[$g]=1 ;;
    esac
  done
  for n in "${!finished[@]}"; do
    for k in stdout stderr rc dmesg why; do
      base64 -d < "$results/$n.$k.b64" > "$out/$n.$k" 2> /dev/null || : > "$out/$n.$k"
    done
    reasons=()
    while IFS= read -r l; do [ -n "$l" ] && reasons+=("$l"); done < "$out/$n.why"
    while IFS= read -r l; do reasons+=("kernel log: $l"); done < <(grep -aE "$bad_kernel_re" "$out/$n.dmesg" | head -n 5)
    rm -f "$out/$n.why"
    if [ ${#reasons[@]} -eq 0 ]; then echo PASS > "$out/$n.verdict"; else { echo FAIL; printf '%s\n' "${reasons[@]}"; } > "$out/$n.verdict"; fi
  done
  log "boot $boot: ${#finished[@]} of ${#pending[@]} tests in ${wall}s (guest userspace at ${up:-?}s uptime, qemu rc $qrc)"

  next=()
  if [ -z "$up" ]; then
    for n in "${pending[@]}"; do
      fail_test "$n" "the guest did not boot${killed:+ ($killed)}; console: $console"
    done
    break
  fi
  if [ -n "$crashed" ]; then
    # Its last words: the console from the test's start marker on.
    awk -v m="@@GT-START $crashed" '{ sub(/\r$/, "") } $0 == m { buf = ""; on = 1 } on { buf = buf $0 "\n" } END { printf "%s", buf }' \
      "$console" | tr -d '\r' > "$out/$crashed.dmesg"
    reasons=("the guest died during the test${killed:+ ($killed)}")
    while IFS= read -r l; do reasons+=("kernel log: $l"); done < <(grep -aE "$bad_kernel_re" "$out/$crashed.dmesg" | head -n 3)
    fail_test "$crashed" "${reasons[@]}"
  fi
  for n in "${pending[@]}"; do
    [ -n "${finished[$n]:-}" ] || [ "$n" = "$crashed" ] || next+=("$n")
  done
  if [ -z "$crashed" ] && [ -z "$done_all" ] && [ ${#next[@]} -gt 0 ]; then
    # Died between tests: blame nobody, but do not loop forever on it.
    log "boot $boot ended between tests${killed:+ ($killed)}; rerunning the rest"
  fi
  unset finished
  pending=("${next[@]}")
done

rc=0
npass=0
nfail=0
for n in "${names[@]}"; do
  if [ "$(head -n 1 "$out/$n.verdict" 2> /dev/null)" = PASS ]; then npass=$((npass + 1)); else nfail=$((nfail + 1)); rc=1; fi
done
log "$npass healthy, $nfail failed, $boot boot(s), $((SECONDS - total_start))s"
exit $rc
