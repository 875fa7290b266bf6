/* 6.2 renamed del_timer_sync() to timer_delete_sync(). */
#include <linux/timer.h>

int stp_autoconf_timer_delete_sync(struct timer_list *t);
int stp_autoconf_timer_delete_sync(struct timer_list *t)
{
	return timer_delete_sync(t);
}
