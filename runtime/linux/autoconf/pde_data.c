/* 5.17 renamed PDE_DATA() to pde_data(). */
#include <linux/proc_fs.h>

void *stp_autoconf_pde_data(const struct inode *inode);
void *stp_autoconf_pde_data(const struct inode *inode)
{
	return pde_data(inode);
}
