/*
 * Placement of the programs a process's children run (abi/tessera.h TPL_*, the HVS web
 * evaluation of docs/network.md). A setting of the process that its children inherit. It
 * changes how the kernel carries out their vfork and execve, so an unmodified program (busybox
 * httpd, which makes each CGI by vfork + execve) runs in any of the three modes of the HVS
 * paper (seed 002, section 5.3) without knowing it, as runmode switches an unmodified process
 * to Smode.
 */
#pragma once
#include <stdbool.h>
#include "abi/tessera.h"
#include "kernel/proc/proc.h"

/* Set p's mode. Only root or p's owner may (-EACCES); -EINVAL for an unknown mode. */
int place_set(struct proc *p, uint32_t mode, const struct cred *cred);
void place_info(const struct proc *p, struct t_place_info *out);
/* A child takes its parent's setting (fork, vfork, spawn, proccreate by a process). */
void place_inherit(struct proc *child, const struct proc *parent);
/* Whether p's vfork is to be carried out as fork (TPL_UNIX); counts it if so. */
bool place_vfork_as_fork(struct proc *p);
/* Whether vfork child p's execve of program may put the new image in the space p shares with
 * its parent (TPL_HVS, a position-independent program, p's rights on that space); counts a
 * fallback when the mode asked for it but it may not. */
bool place_exec_in_parent_space(struct proc *p, rid_t program);
/* Record how p's execve placed its new program (TPX_*). */
void place_exec_done(struct proc *p, uint32_t how);
