/* 6.11 (and stable 6.1.1xx) renamed task_work_cancel(task, func) to
   task_work_cancel_func(); task_work_cancel() now takes the callback_head. */
#include <linux/sched.h>
#include <linux/task_work.h>

struct callback_head *stp_autoconf_twcf(struct task_struct *t, task_work_func_t f);
struct callback_head *stp_autoconf_twcf(struct task_struct *t, task_work_func_t f)
{
	return task_work_cancel_func(t, f);
}
