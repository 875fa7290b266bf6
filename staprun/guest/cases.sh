#!/bin/sh
# Guest side of test-in-guest.sh: every case runs with our staprun/stapio
# ("ours") and with Debian's ("ref"); results are printed base64-encoded
# between @@FILE/@@END markers for the host to compare.
D=/data; T=/tmp/r; mkdir -p $T
# A hung run must not hang the whole boot.
ours() { SYSTEMTAP_STAPIO=/ours/stapio timeout -s KILL 120 /usr/bin/staprun "$@"; }
ref() { timeout -s KILL 120 /ref/staprun "$@"; }
# Background runs are signalled, so $! must be staprun itself: env execs it.
OURS="env SYSTEMTAP_STAPIO=/ours/stapio /usr/bin/staprun"; REF="/ref/staprun"
# stop PID: SIGINT, then wait up to 60 s before SIGKILL; sets $rc.
stop() {
  kill -INT $1; i=0
  while kill -0 $1 2>/dev/null && [ $i -lt 60 ]; do sleep 1; i=$((i+1)); done
  kill -0 $1 2>/dev/null && kill -KILL $1
  wait $1; rc=$?
}
# Print a case's result files as soon as it is done.
dump() {
  for f in $T/$1.*; do
    echo "@@FILE $(basename $f)"; base64 < $f; echo "@@END"
  done
  echo "@@CASE $1"
}

# case NAME IMPL-FUNCTION ARGS...: plain run, output captured.
plain() {
  n=$1; shift
  for impl in ours ref; do
    $impl "$@" > $T/$n.$impl.out 2> $T/$n.$impl.err; echo $? > $T/$n.$impl.rc
  done
  dump $n
}

plain hello $D/hello.ko
plain timer5 $D/timer5.ko
plain endprobe $D/endprobe.ko
plain error $D/error.ko
plain warn $D/warn.ko
plain warn_w -w $D/warn.ko
plain system $D/system.ko
plain param $D/param.ko p=42 s=given
plain bufsize -b 2 $D/hello.ko
plain bigout $D/bigout.ko
plain target_c -c 'sleep 1' $D/target.ko
plain target_cfail -c 'false' $D/target.ko
# Shell syntax goes to sh -c; the command prints nothing, so its output
# cannot race the module's.
plain target_csh -c 'echo one > /tmp/csh; echo two >> /tmp/csh' $D/target.ko
plain target_x -x 1 $D/targetx.ko
plain badpath $D/nonexistent.ko
plain notmod $D/notmod.ko
# Usage errors: the usage text is our own wording, so check that it is on
# stdout and compare only stderr and the exit status.
usage_case() {
  n=$1; shift
  for impl in ours ref; do
    $impl "$@" > $T/$n.$impl.usage 2> $T/$n.$impl.err; echo $? > $T/$n.$impl.rc
  done
  grep -q 'MODULE' $T/$n.ours.usage && echo "@@CHECK ${n}_usage_on_stdout=ok" || echo "@@CHECK ${n}_usage_on_stdout=missing"
  rm -f $T/$n.*.usage; : > $T/$n.ours.out; : > $T/$n.ref.out
  dump $n
}
usage_case badbuf -b 5000 $D/hello.ko
usage_case noarg
plain delete_none -d nosuchmodule

# -o FILE (strftime-expanded): the file's content becomes stdout.
for impl in ours ref; do
  (cd /tmp && $impl -o 'out-%Y.txt' $D/timer5.ko > $T/outfile.$impl.out 2> $T/outfile.$impl.err
   echo $? > $T/outfile.$impl.rc; cat /tmp/out-*.txt >> $T/outfile.$impl.out; rm -f /tmp/out-*.txt)
done
dump outfile

# SIGINT to a never-ending script: the end probe still prints.
for impl in ours ref; do
  [ $impl = ours ] && cmd=$OURS || cmd=$REF
  $cmd $D/forever.ko > $T/sigint.$impl.out 2> $T/sigint.$impl.err &
  p=$!; sleep 4; stop $p; echo $rc > $T/sigint.$impl.rc
done
dump sigint

# The same module twice at once: without -R the second fails (EEXIST),
# with -R both run.
for impl in ours ref; do
  [ $impl = ours ] && cmd=$OURS || cmd=$REF
  $cmd $D/forever.ko > $T/exists.$impl.out 2> /dev/null &
  p=$!; sleep 4
  $cmd $D/forever.ko > /dev/null 2> $T/exists.$impl.err; echo $? > $T/exists.$impl.rc
  stop $p
done
dump exists
for impl in ours ref; do
  [ $impl = ours ] && cmd=$OURS || cmd=$REF
  $cmd -R $D/forever.ko > $T/rename.$impl.a 2> $T/rename.$impl.err &
  p1=$!
  $cmd -R $D/forever.ko > $T/rename.$impl.b 2>> $T/rename.$impl.err &
  p2=$!
  sleep 6; stop $p1; r1=$rc; stop $p2; r2=$rc
  cat $T/rename.$impl.a $T/rename.$impl.b > $T/rename.$impl.out; rm -f $T/rename.$impl.[ab]
  echo "$r1 $r2" > $T/rename.$impl.rc
done
dump rename

# Nothing may stay loaded.
left=$(lsmod | grep -cv '^Module')
[ "$left" = 0 ] && echo "@@CHECK nomodules_left=ok" || { lsmod; echo "@@CHECK nomodules_left=$left"; }
dmesg | grep -E 'BUG:|Oops|WARNING: CPU' && echo "@@CHECK dmesg_clean=bad" || echo "@@CHECK dmesg_clean=ok"

