/* The machine's user-memory copies (arch/x86_64/uaccess.S). Only kernel/mm/uaccess.c calls
 * them, after checking that the range lies below USER_TOP; a fault they take on an unmapped
 * or read-only page becomes their -EFAULT (trap.c). */
#pragma once
#include <stddef.h>

int uaccess_copy(void *dst, const void *src, size_t n);
long uaccess_strncpy(char *dst, const char *src, size_t max);
long uaccess_strnlen(const char *src, size_t max);

/* Their code, for the page-fault handler, and where a fault in it resumes. */
extern const char uaccess_text_begin[], uaccess_text_end[], uaccess_fault[];
