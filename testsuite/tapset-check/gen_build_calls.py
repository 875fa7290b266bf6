#!/usr/bin/env python3
"""Write a script that calls every tapset function a module can be built
with today, for check_build.sh.

Usage: gen_build_calls.py TAPSET_DIR > build_all.stp

Like gen_calls.py (one call per public signature, dummy arguments, results
printed) but it leaves out the functions that need what the runtime does
not have yet: regular expressions (=~) and target variables ($var, @var,
@cast).  A function is left out when its body uses
one of those directly or calls a function that is left out.  The names of
what was left out go to stderr with the counts.
"""
import glob
import os
import re
import sys

SIG = re.compile(r'^function\s+([A-Za-z_]\w*)\s*(?::\s*(long|string))?\s*'
                 r'\(([^)]*)\)\s*(?::\s*(long|string)\s*)?', re.M)

# Runtime names of the missing sections of RUNTIME_API.md.
MISSING_C = re.compile(r'\b_stp_(regex_\w+)\b')
# Script constructs the translator cannot build yet.
MISSING_SCRIPT = re.compile(r'=~|!~|\$\w|@(var|cast|defined|entry)\b')
CALL = re.compile(r'\b([A-Za-z_]\w*)\s*\(')


def strip_script(text):
    """Script text without comments and string literals."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith('//', i) or text[i] == '#':
            j = text.find('\n', i)
            i = n if j < 0 else j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            i = n if j < 0 else j + 2
        elif text[i] == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == '\\' else 1
            i += 1
            out.append('""')
        else:
            out.append(text[i])
            i += 1
    return ''.join(out)


def body_at(text, pos):
    """(kind, body) of the function body starting at or after pos."""
    while text[pos].isspace():
        pos += 1
    if text.startswith('%{', pos):
        end = text.find('%}', pos)
        return 'c', text[pos + 2:end]
    if text[pos] != '{':
        raise ValueError('no body at offset %d' % pos)
    depth, i, n = 0, pos, len(text)
    while i < n:
        ch = text[i]
        if text.startswith('//', i) or ch == '#':
            i = text.find('\n', i)
            if i < 0:
                break
            continue
        if text.startswith('/*', i):
            i = text.find('*/', i + 2) + 2
            continue
        if ch == '"':
            i += 1
            while text[i] != '"':
                i += 2 if text[i] == '\\' else 1
        elif ch == '{':
            depth += 1
        elif ch == '}':
            depth -= 1
            if depth == 0:
                return 'script', strip_script(text[pos + 1:i])
        i += 1
    raise ValueError('unterminated body at offset %d' % pos)


def main():
    root = sys.argv[1]
    files = sorted(glob.glob(os.path.join(root, '*.stp'))) + \
        sorted(glob.glob(os.path.join(root, 'linux', '*.stp')))
    sigs = []        # (name, ret, args)
    bodies = {}      # name -> list of (kind, body)
    for path in files:
        text = open(path).read()
        for m in SIG.finditer(text):
            name, ret, args, ret2 = m.groups()
            kind, body = body_at(text, m.end())
            sigs.append((name, ret or ret2, args))
            bodies.setdefault(name, []).append((kind, body))

    excluded = {}
    for name, parts in bodies.items():
        for kind, body in parts:
            if kind == 'c' and MISSING_C.search(body):
                excluded[name] = 'symbols/stacks/regex runtime'
            elif kind == 'script' and MISSING_SCRIPT.search(body):
                excluded[name] = 'regex or target variables'
    changed = True
    while changed:
        changed = False
        for name, parts in bodies.items():
            if name in excluded:
                continue
            for kind, body in parts:
                if kind != 'script':
                    continue
                for callee in CALL.findall(body):
                    if callee in excluded:
                        excluded[name] = 'calls ' + callee
                        changed = True
                        break
                if name in excluded:
                    break

    calls = []
    for name, ret, args in sigs:
        if name.startswith('_') or name in excluded:
            continue
        vals = []
        for a in [x.strip() for x in args.split(',') if x.strip()]:
            t = a.partition(':')[2].strip() or 'long'
            vals.append('"s"' if t == 'string' else '1')
        call = f'{name}({", ".join(vals)})'
        calls.append(f'\tprintln({call})' if ret else f'\t{call}')
    print('probe begin {')
    print('\n'.join(calls))
    print('\tprintln(argc, argv[1])')
    print('}')
    print('probe oneshot, init { println(pp()) }')
    public_excluded = sorted(n for n in excluded if not n.startswith('_'))
    print(f'{len(calls)} calls; left out {len(public_excluded)}: '
          + ' '.join(public_excluded), file=sys.stderr)


if __name__ == '__main__':
    main()
