// blocklist.cpp - see blocklist.h. The rules are plain string tests (prefix, suffix,
// substring, one substring after another), so that checking every function of a
// kernel for `stap -l 'kernel.function("*")'` costs nothing noticeable.
#include "stap/probes/blocklist.h"

#include <array>
#include <string_view>

namespace stap {

namespace {

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// `first` somewhere, and `then` somewhere after it.
bool contains_then(std::string_view s, std::string_view first, std::string_view then) {
  size_t at = s.find(first);
  return at != std::string_view::npos && s.find(then, at + first.size()) != std::string_view::npos;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Locking: what a handler's own locks, allocations and output take.
bool lock_function(std::string_view n) {
  static constexpr std::array<std::string_view, 11> kParts = {
      "spin_lock",  "spin_unlock",  "spin_trylock",    "read_lock",     "read_unlock",
      "read_trylock", "write_lock", "write_unlock",    "write_trylock", "write_seqlock",
      "write_sequnlock"};
  for (std::string_view p : kParts)
    if (contains(n, p)) return true;
  return contains_then(n, "raw_", "_lock") || contains_then(n, "raw_", "_unlock") ||
         contains_then(n, "raw_", "_trylock") || starts_with(n, "raw_spin_") ||
         ends_with(n, "spin_is_locked") || contains_then(n, "mutex_", "lock") ||
         (starts_with(n, "rwsem_") && contains(n.substr(6), "lock"));
}

}  // namespace

bool function_blocklisted(const std::string& name, const std::string& decl_file) {
  std::string_view n = name;
  if (lock_function(n)) return true;
  // Interrupts, the local APIC, softirqs, preemption and the kernel text tests the
  // kprobe code makes.
  static constexpr std::array<std::string_view, 8> kParts = {
      "_intr", "apic", "APIC", "softirq", "preempt_count", "kernel_text", "exception_tables",
      "setup_rt_frame"};
  for (std::string_view p : kParts)
    if (contains(n, p)) return true;
  static constexpr std::array<std::string_view, 5> kPrefixes = {
      "atomic_", "atomic64_", "current_", "xen_irq_", "special_mapping_"};
  for (std::string_view p : kPrefixes)
    if (starts_with(n, p)) return true;
  // Page-table entry helpers (pte_*() itself excepted, as in 4.8).
  size_t pte = n.find("pte_");
  if (pte != std::string_view::npos && pte > 0) return true;
  static constexpr std::array<std::string_view, 13> kNames = {
      "native_set_pte", "get_current", "HYPERVISOR_event_channel_op", "__switch_to", "__delay",
      "get_bh", "put_bh", "hash_ptr", "inat_get_opcode_attribute", "io_check_error",
      "notifier_call_chain", "test_ti_thread_flag", "unknown_nmi_error"};
  for (std::string_view p : kNames)
    if (n == p) return true;
  static constexpr std::array<std::string_view, 6> kFiles = {
      "arch/x86/include/asm/bitops.h", "arch/x86/include/asm/paravirt.h",
      "arch/x86/include/asm/io.h",     "arch/x86/kernel/paravirt.c",
      "kernel/kprobes.c",              "fs/seq_file.c"};
  for (std::string_view f : kFiles)
    if (decl_file == f) return true;
  return false;
}

}  // namespace stap
