/*
 * sendmmsg(2) and recvmmsg(2): several datagrams (or stream sends) in one call, each entry a
 * msghdr followed by the byte count the kernel writes back. glibc's resolver sends its A and
 * AAAA queries with one sendmmsg. Each entry goes through sendmsg/recvmsg's own checks; an
 * error on a later entry ends the call with the count done so far (Linux), the error being
 * the answer only when nothing was done.
 */
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/timer.h"
#include "kernel/mm/uaccess.h"
#include "kernel/net/sock.h"
#include "kernel/sys/syscall.h"

#define MMSG_MAX 1024u                  /* UIO_MAXIOV: Linux's cap on vlen */
#define L_MSG_WAITFORONE 0x10000u
#define MMSG_ENTRY 64u                  /* sizeof(struct mmsghdr): msghdr 56, len 4, pad 4 */
#define MMSG_LEN_OFF 56u

static int put_len(uint64_t entry, long n)
{
	uint32_t len = (uint32_t)n;
	return copy_to_user((void *)(entry + MMSG_LEN_OFF), &len, sizeof(len)) ? -EFAULT : 0;
}

long sys_sendmmsg(const struct sysargs *a)
{
	uint64_t vec = a->a[1];
	uint32_t vlen = a->a[2] > MMSG_MAX ? MMSG_MAX : (uint32_t)a->a[2];
	if (!user_range_ok(vec, (size_t)vlen * MMSG_ENTRY))
		return -EFAULT;
	uint32_t i;
	for (i = 0; i < vlen; i++) {
		uint64_t entry = vec + (uint64_t)i * MMSG_ENTRY;
		struct sysargs one = { { a->a[0], entry, a->a[3] } };
		long r = sys_sendmsg(&one);
		if (r >= 0)
			r = put_len(entry, r);
		if (r < 0)
			return i ? (long)i : r;
	}
	return (long)i;
}

/* The deadline a timeout gives, checked after each datagram as Linux does (0: none). */
static int deadline_of(uint64_t utimeout, uint64_t *out)
{
	struct linux_timespec ts;
	*out = 0;
	if (!utimeout)
		return 0;
	if (copy_from_user(&ts, (const void *)utimeout, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	uint64_t ns = (uint64_t)ts.tv_sec > UINT64_MAX / 2000000000ull
			      ? UINT64_MAX / 2 : (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	*out = time_ns() + ns;
	return 0;
}

long sys_recvmmsg(const struct sysargs *a)
{
	uint64_t vec = a->a[1], flags = a->a[3], deadline;
	uint32_t vlen = a->a[2] > MMSG_MAX ? MMSG_MAX : (uint32_t)a->a[2];
	int err = deadline_of(a->a[4], &deadline);
	if (err)
		return err;
	if (!user_range_ok(vec, (size_t)vlen * MMSG_ENTRY))
		return -EFAULT;
	uint32_t i;
	for (i = 0; i < vlen; i++) {
		uint64_t entry = vec + (uint64_t)i * MMSG_ENTRY;
		struct sysargs one = { { a->a[0], entry, flags & ~(uint64_t)L_MSG_WAITFORONE } };
		long r = sys_recvmsg(&one);
		if (r >= 0)
			r = put_len(entry, r);
		if (r < 0)
			return i ? (long)i : r;
		if (flags & L_MSG_WAITFORONE)
			flags |= L_MSG_DONTWAIT;
		if (deadline && time_ns() >= deadline) {
			i++;
			break;
		}
	}
	return (long)i;
}
