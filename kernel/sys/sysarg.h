/*
 * Fetching system-call arguments (as xv6's argstr/argaddr or seL4's getSyscallArg): every
 * sys_* function takes its strings, paths, names, string vectors, target processes and
 * out-parameters through these, so each rule (which error a too-long name gives, what pid 0
 * means, which right a target needs) is written once.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/tessera.h"
#include "kernel/fs/path.h"
#include "kernel/proc/proc.h"

/* The calling process's credentials. */
const struct cred *sysarg_cred(void);

/* A path of up to PATH_MAX_LEN characters into *path, a buffer from the heap (NULL on error;
 * given back with sysarg_path_put, which takes NULL): -EFAULT (also for a string running
 * into an unmapped page), -ENAMETOOLONG without a NUL within PATH_ARG_BUF bytes (as Linux
 * says it), -ENOMEM. */
int sysarg_path(uint64_t upath, char **path);
void sysarg_path_put(char *path);

/* A resource name into name[T_NAME_MAX]: -EFAULT, or -EINVAL when too long (names are part
 * of Tessera's own calls, which say EINVAL for any malformed argument). With optional, a
 * NULL pointer gives "". */
int sysarg_name(uint64_t uname, char name[T_NAME_MAX], bool optional);

/* argv and envp (NULL-terminated user arrays of strings; a NULL array is empty) copied into
 * a new argument block, by Linux's execve rules: each string at most ARGS_MAX_STRLEN bytes
 * with its NUL, all of them with a pointer each within args_limit of the caller's stack
 * limit; -E2BIG beyond, -EFAULT for a bad pointer, -ENOMEM. An empty argv becomes the one
 * string arg0 when arg0 is not NULL (Linux gives "" since 5.18). */
struct args;
int sysarg_args(uint64_t uargv, uint64_t uenvp, const char *arg0, struct args **out);

/* The process a call names by pid: 0 is the caller, anything else must be a live process
 * (not a zombie), else -ESRCH; -EREMOTE for a process of this node running on another. op (TOP_*, 0 for none) is the right the caller needs on it. */
int sysarg_proc(uint64_t pid, uint32_t op, struct proc **out);

/* An out-parameter the call will write later: -EFAULT now if it cannot be user memory, so
 * that no state changes before the check (decode before invoke). NULL is refused too. */
int sysarg_out(uint64_t uptr, size_t n);
