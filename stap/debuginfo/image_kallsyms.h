// What a BTF-only system knows about where vmlinux's functions are: the vmlinux ELF
// inside /boot/vmlinuz-REL has no symbol table (and Debian's System.map holds only a line
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

// What the image says about probing vmlinux's functions by name (a name with several
// symbols counts by its lowest address, the one a probe by name gets).
struct ImageKprobeInfo {
  // Refused at their start: in the __kprobes, noinstr or entry text, listed by
  // NOKPROBE_SYMBOL() (the _kprobe_blacklist table), or starting (after an endbr64)
  // with a jump-label or static-call site.
  std::set<std::string> refused;
  // In .init.text or .exit.text, which the kernel frees after boot: like the DWARF
  // path, neither listed nor probed.
  std::set<std::string> discarded;
};

bool image_kprobe_info(const std::string& elf, const std::vector<ImageSymbol>& syms,
                       ImageKprobeInfo* out, std::string* error);

// image_kprobe_info for /boot/vmlinuz-REL, cached in
// CACHE_DIR/btf/kprobe-refused-REL@SIZE-MTIME.btf (a version line, then "r NAME" or
// "d NAME" per function; key of the vmlinuz, as the BTF cache). An empty cache_dir disables caching.
bool load_image_kprobe_info(const std::string& release, const std::string& cache_dir,
                            ImageKprobeInfo* out, std::string* error);

}  // namespace stap::debuginfo
