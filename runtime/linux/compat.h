/* compat.h - kernel API differences between the kernels the runtime supports.
 *
 * Every check names the kernel release that changed the API; the feature
 * itself is detected by a kbuild-time test, so a stable kernel with a
 * backported change builds too.  The macro names below are what the rest of
 * the runtime uses. */
#ifndef STP_LINUX_COMPAT_H
#define STP_LINUX_COMPAT_H

#include <linux/version.h>
#include <linux/timer.h>
#include <linux/hrtimer.h>
#include <linux/proc_fs.h>

/* Pass 4 force-includes the kernel feature header (runtime/linux/autoconf),
   which defines STAPCONF_DONE and one STAPCONF_<NAME> per feature present.
   A hand-made build without it falls back to the release numbers. */
#ifndef STAPCONF_DONE
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define STAPCONF_TIMER_DELETE_SYNC 1
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define STAPCONF_HRTIMER_SETUP 1
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 17, 0)
#define STAPCONF_PDE_DATA 1
#endif
#endif

/* 6.2: del_timer_sync() was renamed timer_delete_sync(); the old name is
   gone in 6.15. */
#ifdef STAPCONF_TIMER_DELETE_SYNC
#define stp_timer_delete_sync(t) timer_delete_sync(t)
#else
#define stp_timer_delete_sync(t) del_timer_sync(t)
#endif

/* 6.13: hrtimer_setup() replaced hrtimer_init() + assigning ->function;
   hrtimer_init() is gone in 6.15. */
#ifdef STAPCONF_HRTIMER_SETUP
#define stp_hrtimer_setup(t, fn, clock, mode) hrtimer_setup((t), (fn), (clock), (mode))
#else
#define stp_hrtimer_setup(t, fn, clock, mode) \
  do { hrtimer_init((t), (clock), (mode)); (t)->function = (fn); } while (0)
#endif

/* 5.17: PDE_DATA() became pde_data(). */
#ifdef STAPCONF_PDE_DATA
#define stp_pde_data(inode) pde_data(inode)
#else
#define stp_pde_data(inode) PDE_DATA(inode)
#endif

/* 5.6: procfs files take struct proc_ops instead of file_operations.
   Older kernels are not supported by this runtime. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 6, 0)
#error "the SystemTap runtime needs Linux 5.6 or later (struct proc_ops)"
#endif

#endif /* STP_LINUX_COMPAT_H */
