#!/bin/sh
# Runs inside the QEMU guest (files in /data).  For each test module prints
# its stdout/stderr/rc between markers so the host can compare ours with
# the stap 4.8 reference built from the equivalent .stp.
cd /data
dmesg -c > /dev/null   # boot messages are not ours
show() {  # $1 = label, $2 = out, $3 = err, $4 = rc
  echo "@@BEGIN $1 rc=$4"
  if [ "${1#*big}" != "$1" ]; then
    # Which timer produced a line is timing-dependent; the numbered
    # lines themselves are not.
    echo "lines=$(wc -l < $2) md5=$(sed 's/^[AB] //' $2 | sort | md5sum | cut -c1-32)"
    tail -n 1 $2
    echo "split: A=$(grep -c '^A ' $2) B=$(grep -c '^B ' $2) (not compared)"
  else
    sed 's/^/OUT| /' $2
  fi
  sed 's/^/ERR| /' $3
  echo "@@END $1"
}
for t in hello err big; do
  for who in ours ref; do
    m=$t; [ $who = ref ] && m=ref_$t
    [ -e $m.ko ] || continue
    staprun ./$m.ko > /tmp/o 2> /tmp/e; rc=$?
    show "$who-$t" /tmp/o /tmp/e $rc
    echo "left: $(ls /proc/systemtap 2>/dev/null | tr '\n' ' ') mods: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
  done
done
# Load and unload without stapio ever attaching.
echo "@@BEGIN insmod"
insmod ./hello.ko; echo "insmod rc=$? files: $(ls -A /proc/systemtap/hello | tr '\n' ' ')"
sleep 1; rmmod hello; echo "rmmod rc=$? left: $(ls /proc/systemtap 2>/dev/null | tr '\n' ' ')"
echo "@@END insmod"
# Start, detach (-L), unload mid-run with staprun -d: end probes run, unload is clean.
echo "@@BEGIN detach"
staprun -L ./big.ko; echo "staprun -L rc=$?"; sleep 1
staprun -d big; echo "staprun -d rc=$? left: $(ls /proc/systemtap 2>/dev/null | tr '\n' ' ') mods: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
echo "@@END detach"
# A second opener of .cmd gets EBUSY while stapio is attached.
echo "@@BEGIN ebusy"
staprun ./hello.ko > /tmp/o 2>&1 & P=$!
sleep 0.3; ( exec 3< /proc/systemtap/hello/.cmd ) 2>/dev/null && echo "second open succeeded (BAD)" || echo "second open refused"
wait $P; echo "staprun rc=$?"; cat /tmp/o | head -3
echo "@@END ebusy"
echo "@@BEGIN dmesg"
# Anything but the unsigned-module taint notes, staprun's kprobes note and
# the reference modules' own banner is a failure.
dmesg | grep -v -i -e 'taint' -e 'kprobe jump-optimization' -e 'systemtap: 4.8/'
echo "@@END dmesg"
