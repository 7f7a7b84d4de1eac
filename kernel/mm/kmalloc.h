/* Kernel heap for small objects (up to one page), carved from physical pages. */
#pragma once
#include <stddef.h>

void *kmalloc(size_t size);    /* NULL when out of memory or size > 4096 */
void *kzalloc(size_t size);
void kfree(void *p);           /* p may be NULL */
