/* TEMPORARY: a weak stand-in for srv_irq_post (kernel/ipc/srv.c, helper ipc's branch) so the
 * device modules link before that branch lands; the real definition overrides it. Interrupts
 * are still counted (t_dev_info.irq_count). Remove this file after merging main. */
#include "kernel/dev/device_int.h"

__attribute__((weak)) void srv_irq_post(int pid, rid_t dev, uint32_t vector)
{
	(void)pid, (void)dev, (void)vector;
}
