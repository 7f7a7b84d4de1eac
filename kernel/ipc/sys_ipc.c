/* The system calls of container boxes: fetch and check the arguments, then call cbox.c. */
#include "abi/errno.h"
#include "abi/tessera.h"
#include "kernel/ipc/cbox.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

/* t_cbox_create(name, mode, rid_t *out) */
long sys_t_cbox_create(const struct sysargs *a)
{
	char name[T_NAME_MAX];
	rid_t rid;
	int err = sysarg_name(a->a[0], name, false);
	if (err)
		return err;
	if (a->a[1] > 0xffffffffu)
		return -EINVAL;
	if (sysarg_out(a->a[2], sizeof(rid)))
		return -EFAULT;
	err = cbox_create(name, (uint32_t)a->a[1], sysarg_cred(), &rid);
	if (err)
		return err;
	/* the caller cannot learn the id: take the box back rather than leave it behind */
	if ((err = copy_to_user((void *)a->a[2], &rid, sizeof(rid))))
		res_delete(rid, NULL);
	return err;
}

/* t_cbox_send(box, buf, size, flags) */
long sys_t_cbox_send(const struct sysargs *a)
{
	/* the buffer is checked while it is copied, after the box: see cbox_send */
	if (a->a[3] > 0xffffffffu)
		return -EINVAL;
	return cbox_send(a->a[0], (const void *)a->a[1], a->a[2], (uint32_t)a->a[3],
			 sysarg_cred());
}

/* t_cbox_recv(box, buf, cap, flags, uint64_t *len_out) */
long sys_t_cbox_recv(const struct sysargs *a)
{
	if (a->a[3] > 0xffffffffu)
		return -EINVAL;
	/* a buffer bigger than any container is fine: only CONTAINER_MAX bytes are ever used */
	uint64_t cap = a->a[2] < CONTAINER_MAX ? a->a[2] : CONTAINER_MAX;
	return cbox_recv(a->a[0], (void *)a->a[1], cap, (uint32_t)a->a[3], (uint64_t *)a->a[4],
			 sysarg_cred());
}
