#!/bin/sh
# Guest side of run-batch.sh: runs each test listed in /tests/list ("NAME
# TIMEOUT" per line) in order and sends its results to the host over the
# second serial port (/dev/ttyS1), away from the kernel's console messages.
#
# Record format on ttyS1 (one item per line, file bodies base64-encoded so
# any byte survives the tty):
#   @@GT-BOOT KVER UPTIME
#   @@GT-START NAME UPTIME
#   @@GT-FILE NAME KIND        KIND: stdout stderr rc dmesg why
#   <base64 lines>
#   @@GT-EOF NAME KIND
#   @@GT-END NAME UPTIME
#   @@GT-DONE
# A test that kills the guest leaves a START without its END; the host
# notices and carries on in a fresh boot.
#
# Each test runs as `sh /tests/NAME.run` in /tests, in its own session, so a
# timeout can signal the whole process group (staprun, stapio, -c targets):
# SIGTERM first (staprun then unloads its module), SIGKILL 5 s later.
# Between tests /tmp is emptied and the kernel log is cleared.
tests=/tests
s=/run/gt
mkdir -p "$s"
data=/dev/ttyS1
stty -F "$data" raw -echo 2>/dev/null
exec 3>>"$data"

say() { printf '%s\n' "$*" >&3; }
send() {
  say "@@GT-FILE $1 $2"
  base64 "$3" >&3
  say "@@GT-EOF $1 $2"
}

# (The sentinel keeps the list non-empty: busybox grep -f with an empty
# pattern file matches every line.)
{ echo '@no-module@'; cut -d' ' -f1 /proc/modules; } > "$s/mods0"
dmesg -c > /dev/null
say "@@GT-BOOT $(uname -r) $(cut -d' ' -f1 /proc/uptime)"

while read -r name tmo; do
  [ -n "$name" ] || continue
  rm -rf /tmp/* /tmp/.[!.]* 2>/dev/null
  rm -f "$s/timedout"
  dmesg -c > /dev/null
  say "@@GT-START $name $(cut -d" " -f1 /proc/uptime)"
  echo "@@GT-START $name" > /dev/console
  cd "$tests" || exit 1
  setsid sh "$tests/$name.run" > "$s/out" 2> "$s/err" < /dev/null &
  pid=$!
  ( sleep "$tmo"; : > "$s/timedout"; kill -TERM -- "-$pid"; sleep 5; kill -KILL -- "-$pid" ) > /dev/null 2>&1 &
  wd=$!
  wait "$pid"
  rc=$?
  kill "$wd" 2> /dev/null
  wait "$wd" 2> /dev/null
  cd /

  : > "$s/why"
  if [ -e "$s/timedout" ]; then
    echo "timeout: still running after ${tmo}s, killed" >> "$s/why"
  fi
  # Before any cleanup: unloading a module removes its entry.
  if [ -d /proc/systemtap ]; then
    for e in $(ls -A /proc/systemtap); do
      echo "/proc/systemtap/$e left behind" >> "$s/why"
    done
  fi
  # Anything the test loaded must be gone by now.
  cut -d' ' -f1 /proc/modules > "$s/mods"
  for m in $(grep -vxF -f "$s/mods0" "$s/mods"); do
    echo "module $m still loaded after the test" >> "$s/why"
    rmmod "$m" 2> /dev/null || rmmod -f "$m" 2> /dev/null
    if grep -q "^$m " /proc/modules; then
      echo "module $m could not be unloaded" >> "$s/why"
      echo "$m" >> "$s/mods0"
    fi
  done
  dmesg -c > "$s/dmesg"
  echo "$rc" > "$s/rc"
  send "$name" stdout "$s/out"
  send "$name" stderr "$s/err"
  send "$name" rc "$s/rc"
  send "$name" dmesg "$s/dmesg"
  send "$name" why "$s/why"
  say "@@GT-END $name $(cut -d" " -f1 /proc/uptime)"
  echo "@@GT-END $name rc=$rc" > /dev/console
done < "$tests/list"
say "@@GT-DONE"
