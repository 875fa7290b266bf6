#!/usr/bin/env python3
"""Draft syscalls.def blocks for system calls it does not cover yet.

Inputs: the kernel's include/linux/syscalls.h (argument types and order),
the list of __x64_sys_* wrappers of the kernel (one name a line, without the
prefix), and the probe variables `stap -L 'syscall.*'` of Debian's stap 4.8
lists (the names are the contract).  Each drafted block reads every
argument with the reader its C type needs and builds argstr from the types
(%s for strings, %p for pointers, %#o for modes, %u/%d by signedness),
preferring a NAME_str variable when the contract has one.  The drafts are
appended to syscalls.def by hand and then checked against stap 4.8's output
in the guest; they carry a "# draft" marker until they are.

Usage: draft_syscalls.py syscalls.h wrappers.txt stap-L.txt syscalls.def
"""
import re
import sys

RENAMES = {"pread": "pread64", "pwrite": "pwrite64", "mmap2": "mmap",
           "stat": "newstat", "lstat": "newlstat", "fstat": "newfstat",
           "fstatat": "newfstatat", "uname": "newuname",
           "readdir": "old_readdir", "sendfile": "sendfile64"}
EXTRA = {"getdents": ["getdents", "getdents64"], "pipe": ["pipe", "pipe2"],
         "eventfd": ["eventfd", "eventfd2"],
         "epoll_create": ["epoll_create", "epoll_create1"],
         "inotify_init": ["inotify_init", "inotify_init1"],
         "signalfd": ["signalfd", "signalfd4"], "umount": ["umount", "oldumount"],
         "epoll_wait": ["epoll_wait"]}


def protos(path):
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    out = {}
    for m in re.finditer(r"asmlinkage long sys_(\w+)\((.*?)\);", text, re.S):
        args = " ".join(m.group(2).split())
        params = []
        if args and args != "void":
            for a in args.split(","):
                a = a.strip()
                pm = re.match(r"(.*?)(\w+)$", a)
                if not pm or not pm.group(1).strip():
                    params.append((a, "arg%d" % (len(params) + 1)))
                else:
                    params.append((pm.group(1).strip(), pm.group(2)))
        out.setdefault(m.group(1), params)
    return out


def reader(ctype):
    t = ctype.replace("const", "").replace("__user", "").split()
    t = " ".join(t)
    if "*" in t:
        return "ptr", "%p"
    if t in ("int", "pid_t", "key_serial_t", "clockid_t", "mqd_t", "timer_t",
             "qid_t", "rwf_t", "old_uid_t", "old_gid_t"):
        return "int", "%d"
    if t in ("umode_t", "mode_t"):
        return "uint", "%#o"
    if t in ("unsigned int", "unsigned", "uid_t", "gid_t", "u32", "__u32",
             "old_sigset_t", "key_t"):
        return "uint", "%u"
    if t in ("long", "off_t", "loff_t", "__kernel_old_time_t", "ssize_t"):
        return "long", "%d"
    return "ulong", "%u"


def main():
    hdr, wrappers, listing, spec = sys.argv[1:5]
    have = set(open(wrappers).read().split())
    done = set(l.split()[0] for l in open(spec) if l.strip() and l[0] not in " \t#")
    pro = protos(hdr)
    for line in open(listing):
        words = line.split()
        name = words[0].split(".", 1)[1]
        if name in done:
            continue
        funcs = EXTRA.get(name, [RENAMES.get(name, name)])
        funcs = [f for f in funcs if f in have]
        if not funcs or funcs[0] not in pro:
            continue
        vars_ = {}
        order = []
        for w in words[1:]:
            if w.startswith("$") or ":" not in w:
                break
            v, t = w.split(":", 1)
            if v.startswith("__") or v in ("name", "argstr"):
                continue
            vars_[v] = t
            order.append(v)
        params = pro[funcs[0]]
        primary = [v for v in order if not v.endswith("_unquoted") and not v.endswith("_str")]
        assigned = {}
        free = list(primary)
        for i, (ctype, pname) in enumerate(params):
            for cand in (pname, pname + "_uaddr", pname.rstrip("p"), pname + "s"):
                if cand in free:
                    assigned[i] = cand
                    free.remove(cand)
                    break
        for i in range(len(params)):
            if i not in assigned and free:
                assigned[i] = free.pop(0)
        print("# draft" if len(funcs) == 1 else "# draft (argument reads follow %s)" % funcs[0])
        print(name + ("" if funcs == [name] else " " + ",".join(funcs)))
        pieces = []
        for i, (ctype, pname) in enumerate(params):
            v = assigned.get(i)
            if v is None:
                continue
            kind, fmt = ("ptr", "%p") if v.endswith("_uaddr") else reader(ctype)
            if vars_[v] == "string":
                print(f"\t{v} = user_string_quoted(__sc_ptr({i + 1}))")
                if v + "_unquoted" in vars_:
                    print(f"\t{v}_unquoted = user_string(__sc_ptr({i + 1}), \"\")")
                pieces.append(("%s", v))
                continue
            print(f"\t{v} = __sc_{kind}({i + 1})")
            if v + "_str" in vars_:
                s = v + "_str"
                if "char" in ctype and "*" in ctype:
                    print(f"\t{s} = user_string_quoted({v})")
                    if s + "_unquoted" in vars_:
                        print(f"\t{s}_unquoted = user_string({v}, \"\")")
                else:
                    print(f"\t{s} = sprintf(\"{fmt}\", {v})")
                pieces.append(("%s", s))
            elif "char" in ctype and "*" in ctype and v.endswith("_uaddr") and v[:-6] in vars_:
                print(f"\t{v[:-6]} = user_string_quoted({v})")
                if v[:-6] + "_unquoted" in vars_:
                    print(f"\t{v[:-6]}_unquoted = user_string({v}, \"\")")
                pieces.append(("%s", v[:-6]))
            else:
                pieces.append((fmt, v))
        for v in order:
            if v not in assigned.values() and not any(v.startswith(a) for a in assigned.values()):
                print(f"\t{v} = " + ('""' if vars_[v] == "string" else "0"))
        if pieces:
            print("\targstr = sprintf(\"%s\", %s)" % (", ".join(p[0] for p in pieces),
                                                     ", ".join(p[1] for p in pieces)))
        else:
            print("\targstr = \"\"")


if __name__ == "__main__":
    main()
