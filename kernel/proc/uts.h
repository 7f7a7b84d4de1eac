/* The system's names as uname(2) and /proc/sys/kernel give them: the operating system and its
 * release (fixed), and the host name, which root may change (sethostname(2)). */
#pragma once
#include <stddef.h>

#define UTS_LEN 64                     /* Linux's __NEW_UTS_LEN: names up to 64 bytes */
extern const char uts_sysname[], uts_release[], uts_version[], uts_machine[];

/* The host name now (NUL-terminated). */
const char *uts_hostname(void);
/* A new host name of len bytes (no NUL needed): -EINVAL above UTS_LEN. The caller checked
 * that it may. */
int uts_set_hostname(const char *name, size_t len);
