/* Checked access to user memory from system calls. Every user pointer goes through these:
 * the range must lie in the user half and be mapped with the needed rights in the caller's
 * space (demand-zero pages are faulted in), else -EFAULT. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Both return 0, or -EFAULT (return their result as it is). */
int copy_from_user(void *dst, const void *usrc, size_t n);
int copy_to_user(void *udst, const void *src, size_t n);
/* Copies a NUL-terminated string of at most max-1 characters; returns its length,
 * -EFAULT, or -ENAMETOOLONG if no NUL within max bytes. */
long strncpy_from_user(char *dst, const char *usrc, size_t max);
/* The length of a NUL-terminated string of at most max-1 characters, -EFAULT, or
 * -ENAMETOOLONG if no NUL within max bytes. */
long strnlen_user(const char *usrc, size_t max);
/* Whether [uaddr, uaddr+n) is entirely below the user limit (no mapping check). */
int user_range_ok(uint64_t uaddr, size_t n);

/* A kernel buffer that the copies above take as user memory, for the current execution only
 * and until uaccess_kbuf_end: so a call that moves data between two open files (sendfile,
 * copy_file_range) can use every file variant's read and write as they are, through a page of
 * its own, without any program being able to name that page. Waits while every window is in
 * use (a window's owner may sleep in a pipe write). */
void uaccess_kbuf_begin(void *buf, size_t n);
void uaccess_kbuf_end(void *buf);
