/* Kernel formatted output to the console, and panic/assert. */
#pragma once
#include <stdarg.h>
#include <stddef.h>

/* Formats: %d %i %u %x %X %p %s %c %%, with flags '0' '-', width, and length l, ll, z. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Messages start with the function name, by convention: panic("%s: ...", __func__). */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define assert(e) \
	((e) ? (void)0 : panic("assert: %s (%s:%d, %s)", #e, __FILE__, __LINE__, __func__))

/* Where kprintf output goes; set by the console driver at boot (host tests set their own). */
extern void (*kprintf_sink)(const char *s, size_t n);
