/* 6.13 added hrtimer_setup(), which sets the callback with the clock and mode. */
#include <linux/hrtimer.h>

static enum hrtimer_restart stp_autoconf_cb(struct hrtimer *t)
{
	return HRTIMER_NORESTART;
}

void stp_autoconf_hrtimer_setup(struct hrtimer *t);
void stp_autoconf_hrtimer_setup(struct hrtimer *t)
{
	hrtimer_setup(t, stp_autoconf_cb, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
}
