#!/bin/sh
# Runs our staprun/stapio and Debian's (systemtap 4.8) on the same modules in
# one QEMU guest boot and compares stdout, stderr and exit status per case.
#
# usage: staprun/test-in-guest.sh BUILDDIR [CACHE]
#   BUILDDIR  a configured build tree with staprun/staprun and stapio/stapio
#   CACHE     scratch folder (default /work/cache/sr): guest kernel, patched
#             stap 4.8 runtime, built modules, stap's cache
# env: KREL (default 6.1.0-56-cloud-amd64), SMP (2), TIMEOUT (900), KEEP=1
#      keeps the result folder.
# Exit status 0 when every case matches and the guest log is clean.
set -e
B=$(realpath "$1"); C=$(realpath -m "${2:-/work/cache/sr}")
HERE=$(dirname "$(realpath "$0")")
KREL=${KREL:-6.1.0-56-cloud-amd64}
[ -x "$B/staprun/staprun" ] && [ -x "$B/stapio/stapio" ] || { echo "no staprun/stapio in $B" >&2; exit 2; }
mkdir -p "$C/debs" "$C/mods"

# Guest kernel.
K="$C/boot/vmlinuz-$KREL"
if [ ! -e "$K" ]; then
  (cd "$C/debs" && { ls linux-image-${KREL}_*.deb >/dev/null 2>&1 || apt-get download "linux-image-$KREL"; })
  (cd "$C" && dpkg-deb --fsys-tarfile debs/linux-image-${KREL}_*.deb | tar -x "./boot/vmlinuz-$KREL")
fi

# stap 4.8's runtime, patched for 6.1.1xx (task_work_cancel_func).
if [ ! -d "$C/runtime" ]; then
  cp -a /usr/share/systemtap/runtime "$C/runtime.tmp"
  sed -i -e 's/typeof(&task_work_cancel)/typeof(\&task_work_cancel_func)/' \
         -e 's/kallsyms_lookup_name("task_work_cancel")/kallsyms_lookup_name("task_work_cancel_func")/' \
         "$C/runtime.tmp/stp_task_work.c"
  mv "$C/runtime.tmp" "$C/runtime"
fi

# Reference modules, built by Debian's stap.
export SYSTEMTAP_DIR="$C/stapdir"; mkdir -p "$SYSTEMTAP_DIR"
for s in "$HERE"/guest/*.stp; do
  n=$(basename "$s" .stp)
  if [ ! -e "$C/mods/$n.ko" ] || [ "$s" -nt "$C/mods/$n.ko" ]; then
    echo "building $n.ko"
    # A script may ask for extra stap options on a "# stapflags: ..." line.
    flags=$(sed -n 's/^# stapflags: //p' "$s")
    (cd "$C/mods" && nice stap -R "$C/runtime" -r "$KREL" -p4 $flags -m "$n" "$s" >/dev/null)
  fi
done

W=$(mktemp -d); [ -n "$KEEP" ] || trap 'rm -rf "$W"' EXIT
R="$W/root"
mkdir -p "$R"/bin "$R"/sbin "$R"/usr/bin "$R"/usr/sbin "$R"/proc "$R"/sys "$R"/dev "$R"/tmp \
  "$R"/root "$R"/etc "$R"/data "$R"/ref "$R"/ours
cp /bin/busybox "$R/bin/busybox"
cat > "$R/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug; mkdir -p /tmp; mount -t tmpfs tmpfs /tmp
echo "@@GUEST-BEGIN@@ $(uname -r)"
/run.sh; RC=$?
echo "@@GUEST-EXIT@@ rc=$RC"
sync; poweroff -f
INIT
chmod +x "$R/init"
echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"
printf 'root:x:0:\nstapusr:x:156:\nstapsys:x:157:\nstapdev:x:158:\n' > "$R/etc/group"
# Ours: /usr/bin/staprun, stapio where SYSTEMTAP_STAPIO points.  Debian's:
# /ref/staprun, which execs its stapio from the fixed /usr/lib/systemtap.
cp "$B/staprun/staprun" "$R/usr/bin/staprun"
cp "$B/stapio/stapio" "$R/ours/stapio"
cp /usr/bin/staprun "$R/ref/staprun"
mkdir -p "$R/usr/lib/systemtap"; cp /usr/lib/systemtap/stapio "$R/usr/lib/systemtap/stapio"
for f in "$R/usr/bin/staprun" "$R/ours/stapio" "$R/ref/staprun" "$R/usr/lib/systemtap/stapio"; do
  ldd "$f" | grep -o '/[^ ]*' | while read -r l; do
    mkdir -p "$R$(dirname "$l")"; [ -e "$R$l" ] || cp -L "$l" "$R$l"
  done
done
cp "$C"/mods/*.ko "$R/data/"
echo "this is not a kernel module" > "$R/data/notmod.ko"
cp "$HERE/guest/cases.sh" "$R/run.sh"; chmod +x "$R/run.sh"
(cd "$R" && find . | cpio -o -H newc --quiet) | gzip -1 > "$W/initrd"

echo "booting $KREL (TCG, smp ${SMP:-2})"
set +e
timeout "${TIMEOUT:-900}" qemu-system-x86_64 -accel tcg -cpu max -m 1G -smp "${SMP:-2}" \
  -nographic -no-reboot -nic none -kernel "$K" -initrd "$W/initrd" \
  -append "console=ttyS0 panic=-1 oops=panic quiet loglevel=4" < /dev/null > "$W/console" 2>&1
set -e
tr -d '\r' < "$W/console" > "$W/log"
grep -q '^@@GUEST-EXIT@@' "$W/log" || { echo "guest did not finish:"; tail -40 "$W/log"; exit 1; }

# Unpack the results the guest printed: "@@FILE name" + base64 + "@@END".
mkdir -p "$W/res"
awk -v d="$W/res" '
  /^@@FILE / { f = d "/" $2 ".b64"; printf "" > f; next }
  /^@@END/ { close(f); f = ""; next }
  f != "" { print > f }' "$W/log"
for b in "$W"/res/*.b64; do base64 -d < "$b" > "${b%.b64}"; rm -f "$b"; done

fail=0
printf '%-12s %-8s %-8s %-8s %s\n' case stdout stderr rc "rc ours/ref"
for c in $(sed -n 's/^@@CASE \([a-z0-9_]*\).*/\1/p' "$W/log"); do
  o="$W/res/$c"
  so=same; se=same; sr=same
  cmp -s "$o.ours.out" "$o.ref.out" || so=DIFF
  cmp -s "$o.ours.err" "$o.ref.err" || se=DIFF
  cmp -s "$o.ours.rc" "$o.ref.rc" || sr=DIFF
  printf '%-12s %-8s %-8s %-8s %s/%s\n' "$c" $so $se $sr "$(cat "$o.ours.rc")" "$(cat "$o.ref.rc")"
  if [ $so$se$sr != samesamesame ]; then
    fail=1
    for k in out err; do
      cmp -s "$o.ours.$k" "$o.ref.$k" || { echo "--- $c std$k (ref vs ours)"; diff "$o.ref.$k" "$o.ours.$k" | head -20; }
    done
  fi
done
# Case-specific checks the comparison alone cannot make.
if [ -e "$W/res/bigout.ours.out" ]; then
  seq -f 'line %05g' 0 19999 > "$W/expect"
  if grep '^line' "$W/res/bigout.ours.out" | cmp -s - "$W/expect"; then
    echo "bigout: 20000 lines, in order, none lost"
  else
    echo "bigout: lines missing or out of order"; fail=1
  fi
fi
for chk in $(sed -n 's/^@@CHECK \(.*\)/\1/p' "$W/log"); do
  case $chk in *=ok) echo "check $chk";; *) echo "check $chk FAILED"; fail=1;; esac
done
if grep -E 'BUG:|Oops|WARNING: CPU|general protection' "$W/log"; then
  echo "kernel trouble in the guest log"; fail=1
fi
[ -n "$KEEP" ] && echo "results kept in $W"
[ $fail = 0 ] && echo "ALL CASES MATCH" || echo "SOME CASES DIFFER"
exit $fail
