#!/usr/bin/env python3
"""Emit one C file holding every tapset embedded-C block and function body.

Usage: check_c.py TAPSET_DIR > tapcheck.c

Each `function NAME[:TYPE] (ARGS) %{ BODY %}` becomes a static C function
whose locals struct holds the arguments and the return value, with
STAP_ARG_<name>, STAP_RETVALUE and STAP_RETURN defined the way the
translator is expected to define them.  Top-level %{ %} blocks are copied
in file order.  check_c.sh builds the result with kbuild.
"""
import glob
import os
import re
import sys

FUNC = re.compile(
    r'function\s+([A-Za-z_]\w*)\s*(?::\s*(long|string))?\s*\(([^)]*)\)\s*'
    r'(?::\s*\d+\s*)?%\{(.*?)%\}', re.S)
TOP = re.compile(r'^%\{(.*?)^%\}', re.S | re.M)


def strip_comments(text):
    # drop script comments that could contain %{ (none should, but be safe)
    return text


def main():
    root = sys.argv[1]
    files = sorted(glob.glob(os.path.join(root, '*.stp'))) + \
        sorted(glob.glob(os.path.join(root, 'linux', '*.stp')))
    out = ['#include "runtime_api_decls.h"', '']
    bodies = []
    for path in files:
        text = open(path).read()
        rel = os.path.relpath(path, root)
        funcs = list(FUNC.finditer(text))
        spans = [(m.start(), m.end()) for m in funcs]
        for m in TOP.finditer(text):
            if any(s <= m.start() < e for s, e in spans):
                continue
            out.append(f'/* top-level block of {rel} */')
            out.append(m.group(1))
        for k, m in enumerate(funcs):
            name, ret, args, body = m.groups()
            bodies.append((rel, name, ret, args, body, k))
    for rel, name, ret, args, body, k in bodies:
        fields, defs, undefs = [], [], []
        if ret == 'string':
            fields.append('char __retvalue[MAXSTRINGLEN];')
            ret_macro = ('#define STAP_RETURN(...) do { __VA_OPT__(strscpy(STAP_RETVALUE, '
                         '(__VA_ARGS__), MAXSTRINGLEN);) goto out; } while (0)')
        elif ret == 'long':
            fields.append('int64_t __retvalue;')
            ret_macro = ('#define STAP_RETURN(...) do { __VA_OPT__(STAP_RETVALUE = '
                         '(__VA_ARGS__);) goto out; } while (0)')
        else:
            ret_macro = '#define STAP_RETURN() goto out'
        for a in [x.strip() for x in args.split(',') if x.strip()]:
            an, _, at = a.partition(':')
            an, at = an.strip(), (at.strip() or 'long')
            fields.append(f'char {an}[MAXSTRINGLEN];' if at == 'string'
                          else f'int64_t {an};')
            defs.append(f'#define STAP_ARG_{an} (l->{an})')
            undefs.append(f'#undef STAP_ARG_{an}')
        if ret:
            defs.append('#define STAP_RETVALUE (l->__retvalue)')
            undefs.append('#undef STAP_RETVALUE')
        fields.append('int __unused;')
        out.append(f'/* {rel}: {name} */')
        out.append(f'noinline void tapcheck_{name}_{k}(struct context *c);')
        out.append(f'noinline void tapcheck_{name}_{k}(struct context *c)')
        out.append('{')
        out.append('\tstruct { ' + ' '.join(fields) + ' } __l, *l = &__l;')
        out.extend(defs)
        out.append(ret_macro)
        out.append('\tmemset(&__l, 0, sizeof(__l));')
        out.append('\t{')
        out.append(body)
        out.append('\t}')
        out.append('\tgoto out;')
        out.append('out:')
        out.append('\t(void) l; (void) c;')
        out.extend(undefs)
        out.append('#undef STAP_RETURN')
        out.append('}')
        out.append('')
    out.append('MODULE_LICENSE("GPL");')
    print('\n'.join(out))
    print(f'{len(bodies)} embedded-C functions', file=sys.stderr)


if __name__ == '__main__':
    main()
