#!/bin/sh
# Compares the ours-NAME and ref-NAME sections of a guest console log:
# stdout, stderr and rc must be identical.  Exit 1 on any difference.
LOG=$1; fail=0
sec() { tr -d '\r' < "$LOG" | sed -n "/^@@BEGIN $1 /,/^@@END $1\$/p" | sed '1s/^@@BEGIN [^ ]* //;$d'; }
for t in hello err big; do
  o=$(sec ours-$t | grep -v "^split:"); r=$(sec ref-$t | grep -v "^split:")
  if [ -z "$r" ]; then echo "$t: no reference run"; continue; fi
  if [ "$o" = "$r" ]; then echo "$t: ours == ref"; else
    echo "$t: DIFFERENT"; echo "--- ours"; echo "$o"; echo "--- ref"; echo "$r"; fail=1; fi
done
tr -d '\r' < "$LOG" | sed -n '/^@@BEGIN dmesg/,/^@@END dmesg/p' | grep -v '^@@' | grep . && { echo "dmesg not clean"; fail=1; }
tr -d '\r' < "$LOG" | grep -q 'second open refused' || { echo "EBUSY check failed"; fail=1; }
exit $fail
