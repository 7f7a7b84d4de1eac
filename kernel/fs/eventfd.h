/* eventfd(2) objects: a 64-bit counter behind an open file (eventfd.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct file;

#define EVENTFD_SEMAPHORE 1        /* Linux's EFD_SEMAPHORE; EFD_NONBLOCK and EFD_CLOEXEC are
				    * O_NONBLOCK and O_CLOEXEC */

/* A new eventfd counting from initval (flags: EVENTFD_SEMAPHORE, O_NONBLOCK; others are the
 * caller's to refuse). -ENOMEM. */
int eventfd_create(uint32_t initval, int flags, struct file **out);
bool file_is_eventfd(const struct file *f);
