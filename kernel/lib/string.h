/* Freestanding string and memory functions for the kernel (gcc may emit calls to the mem*
 * ones itself, so they keep their standard names). */
#pragma once
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
/* Copies at most size-1 characters and always terminates (size > 0); returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);
