/*
 * Process metamorphosis (Tender, seed 000): a process keeps its identity (pid, descriptors,
 * space, owner) while its execution environment changes:
 *  - change program: it continues from the start of another program;
 *  - change start position: back to the initial state (a restart without delete/create), or
 *    to a saved position (a checkpoint, ckpt.h);
 *  - change space: procmove (procmove.h), with spaces reused from the reusable table.
 * Old regions go to the reusable-resource table and new ones come from it; text is shared.
 *
 * A change asked for another process is applied by that process itself, at its next exit
 * from the kernel (its interrupted system call gives up first), so it is never changed in the
 * middle of a kernel operation; the asker waits for the outcome. A change of the caller
 * itself is applied at the end of the call.
 */
#pragma once
#include "arch/cpu.h"
#include "kernel/proc/proc.h"

/* MK_FREEZE: stop for a migration (kernel/proc/migrate.c) */
enum meta_kind { MK_CHPROG = 1, MK_RESTART, MK_SAVE, MK_RESTORE, MK_FREEZE };

struct args;
struct meta_req {
	enum meta_kind kind;
	rid_t program;             /* MK_CHPROG: opened by the asker (a use reference) */
	struct args *args;         /* MK_CHPROG: argv/envp (args.h), or NULL */
	rid_t ckpt;                /* MK_RESTORE */
	char name[T_NAME_MAX];     /* MK_SAVE; MK_CHPROG: the name to take ("": the program's) */
	rid_t *uout;               /* MK_SAVE of the caller itself: where its id goes */
	rid_t result_rid;          /* MK_SAVE: the checkpoint made */
	int result;
	bool done;
	bool abandoned;            /* the asker is gone: the target frees the request */
	bool own_call;             /* applied in the asker's own call to itself (apply_self) */
	int owner;                 /* MK_FREEZE: the migrator's pid */
	uint32_t why;              /* MK_FREEZE: why it cannot move (TMIG_*, abi/node.h) */
	uint32_t flags;            /* MK_FREEZE: TMF_* */
};

/* Ask for a change of process p (any state but exiting); waits until it is applied. The
 * request (kmalloc'd) is consumed here. *saved gets the checkpoint of MK_SAVE. For the
 * caller itself, a restore returns the value the checkpointed call returned. */
long meta_request(struct proc *p, struct meta_req *req, rid_t *saved);
/* Kernel exit of the current process (trap.c): apply its pending change to its frame tf. */
void meta_apply_pending(struct trapframe *tf);
/* When the process ends with a request pending, the asker learns -ESRCH. */
void meta_cancel(struct proc *p);
/* A fault in the current process: return to its fault checkpoint if it named one (true),
 * else false (it dies). */
bool meta_fault_recover(struct trapframe *tf);
