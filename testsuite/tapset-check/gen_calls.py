#!/usr/bin/env python3
"""Write a script that calls every public tapset function once.

Usage: gen_calls.py TAPSET_DIR > all_functions.stp

Public means the name does not start with an underscore.  Arguments are
dummies of the declared types; results go through println() so their
types are checked too.  The script also uses the tapset's probe aliases.
"""
import glob
import os
import re
import sys

SIG = re.compile(r'^function\s+([A-Za-z_]\w*)\s*(?::\s*(long|string))?\s*'
                 r'\(([^)]*)\)', re.M)


def main():
    root = sys.argv[1]
    files = sorted(glob.glob(os.path.join(root, '*.stp'))) + \
        sorted(glob.glob(os.path.join(root, 'linux', '*.stp')))
    calls, names, sigs = [], set(), 0
    for path in files:
        for m in SIG.finditer(open(path).read()):
            name, ret, args = m.groups()
            if name.startswith('_'):
                continue
            vals = []
            for a in [x.strip() for x in args.split(',') if x.strip()]:
                t = a.partition(':')[2].strip() or 'long'
                vals.append('"s"' if t == 'string' else '1')
            call = f'{name}({", ".join(vals)})'
            calls.append(f'\tprintln({call})' if ret else f'\t{call}')
            names.add(name)
            sigs += 1
    print('probe begin {')
    print('\n'.join(calls))
    print('\tprintln(argc, argv[1])')
    print('}')
    print('probe oneshot, init, timer.profile, timer.profile.freq.hz(100) { println(pp()) }')
    print(f'{sigs} signatures, {len(names)} function names', file=sys.stderr)


if __name__ == '__main__':
    main()
