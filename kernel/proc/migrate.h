/*
 * Process migration to another node (seed 001, SPEC section 6, docs/migration.md): the
 * kernel's part. The node server drives it and carries the bytes; the kernel gives it the
 * mechanisms, in the paper's three steps:
 *
 *  on the node it leaves (migrate.c): the process is frozen at its next kernel exit (a
 *  metamorphosis request, MK_FREEZE), whole and resumable; its image (registers, FPU and
 *  TLS state, regions, signals, descriptors, limits, arguments) and its resident pages are
 *  read out; then it is either thawed (the move failed: it goes on here as if nothing
 *  happened) or committed: it leaves, its constituents going to the reusable-resource table,
 *  and at its home node it stays as a stub (TPS_REMOTE) that keeps its pid, parent and
 *  owner, forwards signals and becomes a zombie for its parent when it ends elsewhere;
 *
 *  on the node it comes to (migrate_in.c): a process entry is made with no execution (or
 *  the stub, when it comes home), metamorphosed into the image (space, regions at their
 *  old addresses with the text copied from memory, contents, registers) and started.
 *
 * Whoever froze or is building a process owns that state: when it exits, a frozen process
 * is thawed and one being built is discarded, so a dead migrator never leaves a process
 * stopped or half made.
 */
#pragma once
#include <stdint.h>
#include "abi/node.h"
#include "arch/cpu.h"
#include "kernel/proc/proc.h"

struct meta_req;

/* Why p cannot move now (TMIG_NONE: it can); flags TMF_*. */
uint32_t mig_why(struct proc *p, uint32_t flags);
/* The MK_FREEZE metamorphosis, applied by p itself in its kernel exit (metamorph.c). */
int mig_apply_freeze(struct proc *p, struct trapframe *tf, struct meta_req *req);
/* Freeze p for migrator owner and describe it in img, its regions in segs (T_MIG_MAXSEG, the
 * number in img->nseg) and its packed argv/envp in args (at most T_MIG_ARGS_MAX bytes, the
 * length in img->args_len). -EBUSY with *why when it cannot move. */
int mig_freeze(struct proc *owner, struct proc *p, struct t_mig_image *img,
	       struct t_mig_seg *segs, void *args, uint32_t flags, uint32_t *why);
/* Up to T_MIG_BATCH resident pages of frozen p from io->from (below io->to), copied to the
 * user buffer io->buf; io->n, io->addr[], io->next say which and where to go on. */
int mig_read(struct proc *owner, struct proc *p, struct t_mig_pages *io);
/* The regions of p as it runs (pre-copy rounds), in segs (T_MIG_MAXSEG), how many in *n. */
int mig_layout(struct proc *p, struct t_mig_seg *segs, uint32_t *n);
int mig_thaw(struct proc *owner, struct proc *p);
/* p now runs as pid on node: it leaves at once (one of a whole space only once every process
 * of the space is frozen for it: -EBUSY); *late: the signals it has pending, which
 * the new copy must get too (they may have come after the image was read). */
int mig_commit(struct proc *owner, struct proc *p, uint32_t node, int pid, uint64_t *late);
/* In p's kernel exit (proc_exit_work): wait while frozen; leave if committed (no return). */
void mig_hold(struct proc *p);
/* A process exits: what it had frozen goes on, what it was building goes. */
void mig_owner_exit(int pid);
/* A signal for stub p goes to where it runs (uid: the sender's, checked there too). */
int mig_stub_signal(struct proc *p, int sig, uint32_t uid);
/* The node a stub's process runs on reports its end (status: its wait status) or its move
 * on to another node. Only the node it is known to run on is believed (-ESTALE otherwise). */
int mig_remote_exited(int home_pid, int status, uint32_t from_node, int from_pid);
int mig_locate(int home_pid, uint32_t old_node, int old_pid, uint32_t node, int pid);
/* Whether the process of home_node/home_pid is here: TMQ_* (abi/node.h), its pid in *pid. */
uint32_t mig_query(uint32_t home_node, int home_pid, int *pid);
/* A signal from a process of another node for local process pid, which must be the one
 * whose home is home_node/home_pid (a stale pid names nobody): uid's rights, as kill's. */
int mig_signal_local(int pid, int sig, uint32_t uid, uint32_t home_node, int home_pid);

/* ---- the node it comes to (migrate_in.c) ------------------------------------------------ */
/* Make the process of img (segs: its img->nseg regions; args: its packed vectors) in space
 * (0: one of its own), not yet running, owned by builder. Everything is checked: it came
 * over the network. */
int mig_create(struct proc *builder, const struct t_mig_image *img,
	       const struct t_mig_seg *segs, const void *args, rid_t space, int *pid_out);
/* Put the pages of batch io (already checked: n <= T_MIG_BATCH) into p. */
int mig_write(struct proc *builder, struct proc *p, const struct t_mig_pages *io);
/* Start it with its registers, plus the signals that came late; or discard it. */
int mig_start(struct proc *builder, struct proc *p, uint64_t late);
int mig_discard(struct proc *builder, struct proc *p);
/* The same whoever asks (its builder exited; its stub learnt that it ended elsewhere). */
void mig_build_drop(struct proc *p);

/* Processes in a migration state now (so that process exit looks only when there are). */
extern uint32_t mig_active;
