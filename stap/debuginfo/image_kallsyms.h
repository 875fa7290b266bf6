// What a BTF-only system knows about where vmlinux's functions are: the vmlinux ELF
// inside /boot/vmlinuz-REL has no symbol table (and Debian's System.map is a stub
// pointing at the -dbg package), but its .rodata still holds the kernel's own
// kallsyms tables, compressed as scripts/kallsyms writes them. They are found by their
// shape (no symbol says where they are) and decoded; with the addresses, the same
// refused-kprobe rules as the DWARF path (dwarf.cpp's kprobe_refused) apply to the
// blacklist table, jump-label and static-call sites that the image's sections keep.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace stap::debuginfo {

struct ImageSymbol {
  uint64_t addr = 0;
  char type = 0;  // kallsyms' type letter: 't'/'T' text, 'd'/'D' data, ...
  std::string name;
};

// The kallsyms table of a vmlinux ELF image, in the kernel's order (by address).
// False with *error when the tables are not found or do not decode consistently.
bool image_kallsyms(const std::string& elf, std::vector<ImageSymbol>* out, std::string* error);

// The names of the text symbols the kernel refuses to kprobe at their start, from
// the image alone: in the __kprobes, noinstr or entry text, listed by
// NOKPROBE_SYMBOL() (the _kprobe_blacklist table), or starting (after an endbr64)
// with a jump-label or static-call site. A name with several symbols counts by its
// lowest address, the one a probe by name gets.
bool image_refused_functions(const std::string& elf, const std::vector<ImageSymbol>& syms,
                             std::set<std::string>* out, std::string* error);

// image_refused_functions for /boot/vmlinuz-REL, cached in
// CACHE_DIR/btf/kprobe-refused-REL@SIZE-MTIME.btf (one name a line; key of the
// vmlinuz, as the BTF cache). An empty cache_dir disables caching.
bool load_refused_functions(const std::string& release, const std::string& cache_dir,
                            std::set<std::string>* out, std::string* error);

}  // namespace stap::debuginfo
