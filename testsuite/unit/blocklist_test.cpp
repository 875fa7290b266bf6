// The functions stap does not probe: names and files stap 4.8 reports as
// "blocklisted" on Debian's 6.1 kernel, and neighbours it does list.  (Checked in
// full once against 4.8's `stap -l 'kernel.function("*")'`: of the 1243 names ours
// listed and 4.8 did not, these rules leave 4, and they drop none 4.8 lists.)
#include <gtest/gtest.h>

#include "stap/probes/blocklist.h"

namespace {

using stap::function_blocklisted;

TEST(Blocklist, BlockedNames) {
  for (const char* n :
       {"_raw_spin_lock_irqsave", "__raw_read_unlock_bh", "raw_spin_rq_lock_nested",
        "queued_spin_is_locked", "mutex_is_locked", "__mutex_lock_slowpath", "rwsem_is_locked",
        "write_seqlock_irq", "write_sequnlock_bh", "trace_event_raw_event_filelock_lock",
        "xen_smp_intr_init", "native_apic_mem_read", "ack_APIC_irq", "__do_softirq",
        "__preempt_count_add", "__kernel_text_address", "atomic_inc", "atomic64_read",
        "current_is_kswapd", "xen_irq_init", "special_mapping_fault", "__pte_alloc",
        "huge_pte_offset", "native_set_pte", "get_current", "__switch_to", "__delay",
        "notifier_call_chain", "test_ti_thread_flag", "get_bh"})
    EXPECT_TRUE(function_blocklisted(n, "")) << n;
}

TEST(Blocklist, BlockedFiles) {
  EXPECT_TRUE(function_blocklisted("__readb", "arch/x86/include/asm/io.h"));
  EXPECT_TRUE(function_blocklisted("arch_test_bit", "arch/x86/include/asm/bitops.h"));
  EXPECT_TRUE(function_blocklisted("register_kprobe", "kernel/kprobes.c"));
  EXPECT_TRUE(function_blocklisted("seq_read", "fs/seq_file.c"));
  EXPECT_FALSE(function_blocklisted("seq_read", "fs/read_write.c"));
}

TEST(Blocklist, ListedNeighbours) {
  // Names 4.8 lists although they look alike.
  for (const char* n :
       {"vfs_read", "do_sys_openat2", "read_seqlock_excl", "read_sequnlock_excl",
        "inode_is_locked", "dax_is_locked", "pte_alloc_one", "pte_accessible", "do_set_pte",
        "follow_pte", "raw_abort", "raw_copy_to_user", "xen_alloc_pmd", "HYPERVISOR_memory_op",
        "handle_interrupted_saferet", "encrypted_read", "ext4_mark_group_bitmap_corrupted",
        "inc_syscr"})
    EXPECT_FALSE(function_blocklisted(n, "")) << n;
}

}  // namespace
