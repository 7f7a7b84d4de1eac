/* Kernel formatted output to the console, and panic/assert. */
#pragma once
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Formats: %d %i %u %x %X %p %s %c %%, with flags '0' '-', width, and length l, ll, z.
 * %s shows its argument escaped (control, DEL and non-ASCII bytes as \xNN, '\' as "\\"):
 * strings printed may be chosen by users, such as process names, and must not end or forge
 * console lines. Messages print such strings with %s, never as (part of) the format. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Messages start with the function name, by convention: panic("%s: ...", __func__). */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define assert(e) \
	((e) ? (void)0 : panic("assert: %s (%s:%d, %s)", #e, __FILE__, __LINE__, __func__))

/* Where kprintf output goes; set by the console driver at boot (host tests set their own). */
extern void (*kprintf_sink)(const char *s, size_t n);
/* Where kprintf output is also kept, if anywhere (the message log, kernel/sys/syslog.h). */
extern void (*kprintf_log)(const char *s, size_t n);
/* Messages are kept in the log but not shown on the console (syslog's console level); a
 * panic is shown anyway. */
extern bool kprintf_console_quiet;
