/* The kernel's random numbers: getrandom(2), /dev/urandom and /dev/random all read them. */
#pragma once
#include <stddef.h>

/* Copy n random bytes to user memory at ubuf: how many were copied (fewer when the caller is
 * interrupted or a page faults after some were), or -EFAULT if none could be. */
long random_read_user(void *ubuf, size_t n);
