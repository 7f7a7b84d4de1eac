/* fcntl(2) record locks (reclock.c): byte ranges of a file locked for reading (shared) or
 * writing (exclusive). POSIX locks (F_GETLK, F_SETLK, F_SETLKW) belong to a process and go
 * when it closes any descriptor of the file or ends; OFD locks (F_OFD_*) belong to an open
 * file (shared by dup and fork) and go with its last reference. Both kinds conflict with
 * each other's and with other owners' locks of the same kind; flock(2) locks are separate. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct file;
struct linux_flock;

/* Locks in the whole system at most: a lock that would need more is -ENOLCK. */
#define RECLOCK_MAX 4096

/* Whether cmd is one of the six lock commands. */
bool reclock_is_cmd(int cmd);
/* One lock command on f for process pid (its POSIX owner) with fl as fcntl(2) passes it (a
 * kernel copy; the GETLK forms fill it in). Errors: -EINVAL (bad type, whence or command,
 * a range before offset 0, an OFD request with l_pid set), -EOVERFLOW (a range beyond the
 * largest offset), -EBADF (a read lock on a file not open for reading, a write lock on one
 * not open for writing), -EAGAIN (F_SETLK, F_OFD_SETLK: a conflicting lock), -EDEADLK
 * (F_SETLKW would wait for a process that waits for this one), -ENOLCK (RECLOCK_MAX),
 * -ERESTARTSYS (a signal ended the wait). */
int reclock_fcntl(struct file *f, int pid, int cmd, struct linux_flock *fl);
/* Process pid closed a descriptor of f: its POSIX locks on f's file go (fdtable.c). */
void reclock_close(struct file *f, int pid);
/* Process pid ends: any POSIX lock it still holds goes (one whose descriptor another thread
 * closed while F_SETLKW waited would otherwise stay). */
void reclock_exit(int pid);
/* f is being freed: its OFD locks go (file.c). */
void reclock_release(struct file *f);
/* Locks held now, in the whole system (the tests' leak checks). */
uint32_t reclock_count(void);
