/* 6.4 replaced struct module's core_layout/init_layout with mem[MOD_*]. */
#include <linux/module.h>

unsigned int stp_autoconf_module_memory(const struct module *m);
unsigned int stp_autoconf_module_memory(const struct module *m)
{
	return m->mem[MOD_TEXT].size + m->mem[MOD_RO_AFTER_INIT].size;
}
