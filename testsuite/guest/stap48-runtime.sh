#!/bin/sh
# Makes a copy of Debian's systemtap 4.8 runtime that builds for the target
# kernels, for running the guest tests with the reference stap:
#   stap -R "$(stap48-runtime.sh CACHEDIR)" ...
# usage: stap48-runtime.sh CACHEDIR     (prints the runtime folder)
#
# Why: Debian's 6.1.1xx and 6.12 kernels renamed task_work_cancel(task, func)
# to task_work_cancel_func(); 4.8's runtime still looks up the old name and
# its type no longer matches, so every module fails to compile.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 CACHEDIR" >&2; exit 2; }
src=${STAP48_RUNTIME_SRC:-/usr/share/systemtap/runtime}
mkdir -p "$1"
dst=$(realpath -m "$1")/stap48-runtime
stamp=$dst/.guest-patched-v1
# 4.8's tapset too: its kretprobe data helper predates get_kretprobe() (5.11).
tsrc=${STAP48_TAPSET_SRC:-/usr/share/systemtap/tapset}
tdst=$(dirname "$dst")/stap48-tapset
if [ ! -e "$tdst/.guest-patched-v1" ] && [ -d "$tsrc" ]; then
  rm -rf "$tdst.tmp"
  cp -a "$tsrc" "$tdst.tmp"
  sed -i -e 's/pi->rp->data_size/get_kretprobe(pi)->data_size/' "$tdst.tmp/linux/kretprobe.stp"
  : > "$tdst.tmp/.guest-patched-v1"
  rm -rf "$tdst"
  mv "$tdst.tmp" "$tdst"
fi
if [ ! -e "$stamp" ]; then
  [ -d "$src" ] || { echo "stap48-runtime: $src missing (install systemtap-runtime)" >&2; exit 1; }
  rm -rf "$dst.tmp"
  cp -a "$src" "$dst.tmp"
  sed -i -e 's/typeof(&task_work_cancel)/typeof(\&task_work_cancel_func)/' \
         -e 's/kallsyms_lookup_name("task_work_cancel")/kallsyms_lookup_name("task_work_cancel_func")/' \
         "$dst.tmp/stp_task_work.c"
  grep -q 'task_work_cancel_func' "$dst.tmp/stp_task_work.c" \
    || { echo "stap48-runtime: patch did not apply to $src/stp_task_work.c" >&2; exit 1; }
  : > "$dst.tmp/.guest-patched-v1"
  rm -rf "$dst"
  mv "$dst.tmp" "$dst"
fi
echo "$dst"
