/* flock(2) advisory locks (flock.c): shared or exclusive, held by an open file (all its
 * descriptors, in every process that shares it) until unlocked or its last reference goes. */
#pragma once
#include <stdbool.h>

struct file;

#define FLOCK_SH 1
#define FLOCK_EX 2
#define FLOCK_NB 4
#define FLOCK_UN 8

/* Lock or unlock f as flock(2)'s op: -EAGAIN (EWOULDBLOCK) with FLOCK_NB when another open
 * file holds a conflicting lock, -ERESTARTSYS when a signal ends the wait, -EINVAL for a bad
 * op, -ENOMEM. */
int flock_apply(struct file *f, int op);
/* f is being freed: whatever it holds goes (file.c). */
void flock_release(struct file *f);
