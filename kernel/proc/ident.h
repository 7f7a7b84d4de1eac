/*
 * Identity of a process as Linux keeps it: real, effective and saved user and group ids, and
 * the file-system ids (the process's struct cred, which every access check uses). The fs ids
 * follow the effective ones except after setfsuid/setfsgid. The privilege to set any id is
 * an effective uid of 0 (Linux's CAP_SETUID/CAP_SETGID of root).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "kernel/res/res.h"

#define IDENT_KEEP UINT32_MAX      /* (uid_t)-1: "no change" in setre*id and setres*id */

struct proc_ids {
	uint32_t ruid, euid, suid;
	uint32_t rgid, egid, sgid;
};

struct proc;

/* A new process's ids: all four of each kind are uid and gid. */
void ident_set_all(struct proc *p, uint32_t uid, uint32_t gid);
/* setuid(2), setreuid(2), setresuid(2) and the gid forms with Linux's rules (-EPERM, or
 * -EAGAIN when the real uid's process count has no room: nothing changes then). */
int ident_setuid(struct proc *p, uint32_t uid);
int ident_setgid(struct proc *p, uint32_t gid);
int ident_setreuid(struct proc *p, uint32_t r, uint32_t e);
int ident_setregid(struct proc *p, uint32_t r, uint32_t e);
int ident_setresuid(struct proc *p, uint32_t r, uint32_t e, uint32_t s);
int ident_setresgid(struct proc *p, uint32_t r, uint32_t e, uint32_t s);
/* setfsuid(2)/setfsgid(2): set when allowed; the old fs id is the answer either way. */
uint32_t ident_setfsuid(struct proc *p, uint32_t fsuid);
uint32_t ident_setfsgid(struct proc *p, uint32_t fsgid);
/* Whether from may send a signal to to (Linux's check_kill_permission: root, or from's real
 * or effective uid is to's real or saved uid). */
bool ident_may_signal(const struct proc *from, const struct proc *to);
/* Whether uid (the sender's, on another node) may signal to: root, or to's real/saved uid. */
bool ident_uid_may_signal(uint32_t uid, const struct proc *to);
/* execve of program: a set-user-id (set-group-id) file gives its owner (group) as effective
 * id; then the saved ids are the effective ones, and the fs ids follow (Linux). */
void ident_exec(struct proc *p, rid_t program);
/* The credentials of the real ids (access(2) and faccessat(2) without AT_EACCESS). */
struct cred ident_real_cred(const struct proc *p);
