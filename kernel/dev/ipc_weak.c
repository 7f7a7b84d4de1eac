/* TEMPORARY: weak stand-ins for srv_irq_post (kernel/ipc/srv.c) and ica_phys_of
 * (kernel/ipc/ica.c), helper ipc's branch, so the device modules link before that branch
 * lands; its real definitions override these. Interrupts are still counted
 * (t_dev_info.irq_count). Remove this file, and the declarations at the end of device_int.h,
 * after merging main. */
#include "abi/errno.h"
#include "kernel/dev/device_int.h"

__attribute__((weak)) void srv_irq_post(int pid, rid_t dev, uint32_t vector)
{
	(void)pid, (void)dev, (void)vector;
}

__attribute__((weak)) int ica_phys_of(rid_t ica, int pid, uint64_t *pa)
{
	(void)ica, (void)pid, (void)pa;
	return -ENOSYS;
}
