// SPDX-License-Identifier: GPL-2.0
/*
 * bench_floor.c - the cheapest useful probe, for kprobe_overhead.sh: one
 * per-CPU counter increment per hit and nothing else, so a probe module's
 * added cost per hit can be set against what the kernel's own probe
 * mechanism costs.
 *
 *   insmod bench_floor.ko what=kprobe      kprobe on FUNC's entry
 *   insmod bench_floor.ko what=kretprobe   kretprobe on FUNC (counts returns)
 *   insmod bench_floor.ko what=tracepoint  probe on the sys_enter tracepoint
 *   insmod bench_floor.ko ... func=NAME    FUNC (default __x64_sys_getpid)
 *
 * /sys/module/bench_floor/parameters/hits reads the sum over the CPUs, so the
 * benchmark can check that the probe really fired once per call.
 */
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

static char what[16] = "kprobe";
module_param_string(what, what, sizeof(what), 0444);
MODULE_PARM_DESC(what, "kprobe, kretprobe or tracepoint");

static char func[KSYM_NAME_LEN] = "__x64_sys_getpid";
module_param_string(func, func, sizeof(func), 0444);
MODULE_PARM_DESC(func, "function for kprobe and kretprobe");

static DEFINE_PER_CPU(unsigned long, floor_hits);

static int hits_get(char *buf, const struct kernel_param *kp)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(floor_hits, cpu);
	return sysfs_emit(buf, "%lu\n", sum);
}

static const struct kernel_param_ops hits_ops = { .get = hits_get };
module_param_cb(hits, &hits_ops, NULL, 0444);
MODULE_PARM_DESC(hits, "probe hits so far, all CPUs");

static int kp_pre(struct kprobe *p, struct pt_regs *regs)
{
	this_cpu_inc(floor_hits);
	return 0;
}

static int krp_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	this_cpu_inc(floor_hits);
	return 0;
}

/* The raw_syscalls:sys_enter prototype: (struct pt_regs *regs, long id). */
static void tp_sys_enter(void *data, struct pt_regs *regs, long id)
{
	this_cpu_inc(floor_hits);
}

static struct kprobe kp = { .pre_handler = kp_pre };
static struct kretprobe krp = { .handler = krp_ret };
static struct tracepoint *tp;

/* Tracepoints are not exported by name; find sys_enter among the kernel's. */
static void find_tp(struct tracepoint *t, void *priv)
{
	if (strcmp(t->name, "sys_enter") == 0)
		tp = t;
}

static int __init floor_init(void)
{
	if (strcmp(what, "kprobe") == 0) {
		kp.symbol_name = func;
		return register_kprobe(&kp);
	}
	if (strcmp(what, "kretprobe") == 0) {
		krp.kp.symbol_name = func;
		return register_kretprobe(&krp);
	}
	if (strcmp(what, "tracepoint") == 0) {
		for_each_kernel_tracepoint(find_tp, NULL);
		if (!tp)
			return -ENOENT;
		return tracepoint_probe_register(tp, tp_sys_enter, NULL);
	}
	pr_err("bench_floor: what=%s: want kprobe, kretprobe or tracepoint\n", what);
	return -EINVAL;
}

static void __exit floor_exit(void)
{
	if (strcmp(what, "kprobe") == 0)
		unregister_kprobe(&kp);
	else if (strcmp(what, "kretprobe") == 0)
		unregister_kretprobe(&krp);
	else if (tp) {
		tracepoint_probe_unregister(tp, tp_sys_enter, NULL);
		tracepoint_synchronize_unregister();
	}
}

module_init(floor_init);
module_exit(floor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("per-hit cost floor for bench/kprobe_overhead.sh");
