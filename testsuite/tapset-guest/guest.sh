#!/bin/sh
# Runs inside the QEMU guest (files in /data): the rtapi module under
# Debian's staprun/stapio, then what it left in the ftrace buffer and dmesg.
cd /data
dmesg -c > /dev/null
echo 1 > /sys/kernel/tracing/tracing_on 2>/dev/null
staprun ./rtapi.ko > /tmp/o 2> /tmp/e; rc=$?
echo "@@BEGIN rtapi rc=$rc"
sed 's/^/OUT| /' /tmp/o
sed 's/^/ERR| /' /tmp/e
echo "@@END rtapi"
for m in compat ref_compat; do
	[ -e $m.ko ] || continue
	staprun ./$m.ko > /tmp/o 2> /tmp/e; rc=$?
	echo "@@BEGIN $m rc=$rc"
	sed 's/^/OUT| /' /tmp/o
	sed 's/^/ERR| /' /tmp/e
	echo "@@END $m"
done
echo "@@BEGIN ftrace"
grep -o 'stap-rtapi-ftrace-line.*' /sys/kernel/tracing/trace | sed 's/^/FTRACE| /'
echo "@@END ftrace"
echo "@@BEGIN dmesg"
dmesg | grep -v -i -e 'taint' -e 'kprobe jump-optimization' -e 'systemtap: 4.8/' | sed 's/^/DMESG| /'
echo "@@END dmesg"
