/*
 * libtessera: typed wrappers for Tessera's native system calls (abi/tessera.h) and small
 * helpers to show resources to people.
 *
 * Convention: every wrapper returns what the kernel returned, a value >= 0 on success or a
 * negative errno (-ENOENT, -EACCES, ...) on failure. errno is never set; use strerror(-ret)
 * to name an error.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/tessera.h"
#include "abi/srv.h"

int t_res_info(rid_t rid, struct t_res_info *out);
/* The first live resource of type (RT_NONE: any type) after 'after' (0: from the start);
 * -ENOENT after the last one. */
int t_res_next(uint32_t type, rid_t after, rid_t *out);
int t_res_lookup(uint32_t type, const char *name, rid_t *out);
int t_res_delete(rid_t rid);
/* flag != 0: also change the owner of every resource that composes rid */
int t_res_changeoid(rid_t rid, uint32_t oid, int flag);
int t_res_changemod(rid_t rid, uint32_t mode);
/* Starts the program req->path; the new pid is stored in *pid_out. */
int t_proc_create(const struct t_spawn *req, int *pid_out);
/* Waits for child pid (-1: any child); returns its pid, or 0 with TW_NOHANG when none has
 * ended. *status (may be NULL) gets the Linux wait-status word. */
int t_proc_wait(int pid, int *status, int flags);
int t_kstat(struct t_kstat *out);
/* Ends the machine; under QEMU the exit status is (code << 1) | 1. Returns only on error. */
int t_poweroff(int code);
int t_proc_rid(int pid, rid_t *out);
int t_set_prio(int pid, int prio);

/* Convenience: start path with argv in a new space with default mode and priority, passing
 * this process's environment. */
int t_spawnv(const char *path, const char *const *argv, int *pid_out);

/* ---- formatting helpers ---- */
#define T_MODE_STR_LEN 18   /* "rumdv/ru---/r----" and the NUL */
/* Writes the mode as owner/group/other with letters r u m d v ('-' where denied). */
char *t_mode_str(uint32_t mode, char buf[T_MODE_STR_LEN]);
/* Parses what t_mode_str writes; -EINVAL if malformed. */
int t_mode_parse(const char *s, uint32_t *mode);
/* "process", "program", ... ; "?" for an unknown type. */
const char *t_type_name(uint32_t type);
/* The type whose name is s (or a number 1..RT_NTYPES-1); -EINVAL if none. */
int t_type_parse(const char *s, uint32_t *type);
const char *t_state_name(uint32_t state);
const char *t_region_kind_name(uint32_t kind);
/* Writes into buf every difference between two t_kstat snapshots (" free pages A -> B (+N)",
 * " TYPE A -> B"); returns how many (0: nothing leaked or was left behind). */
int t_kstat_diff(const struct t_kstat *a, const struct t_kstat *b, char *buf, size_t n);
#define T_RID_STR_LEN 32
/* "type:index" (the generation is left out: it only matters to detect stale ids). */
char *t_rid_str(rid_t rid, char buf[T_RID_STR_LEN]);

/* ---- HVS: spaces, moving processes, data regions (user/lib/hvs.c) ---------------------- */
/* vmcreate: an empty, persistent space (deleted with t_res_delete once empty). */
int t_vm_create(const char *name, uint32_t mode, rid_t *out);
/* procmove: move process pid (0 = the caller) into space (0 = a new space of its own);
 * nothing is copied. */
int t_proc_move(int pid, rid_t space);
/* proccreate(name, path, argv, vmid, mod): vmid 0 makes a new space. */
int t_proccreate(const char *name, const char *path, const char *const *argv, rid_t vmid,
		 uint32_t mode, int *pid_out);
/* A free-standing region with its own system-wide address (TR_READ/TR_WRITE/TR_EXEC). */
int t_region_create(uint64_t size, uint32_t prot, const char *name, rid_t *out);
/* Attach a free-standing region into a space at its address (detach: t_res_delete(att)). */
int t_region_attach(rid_t region, rid_t space, rid_t *att_out);
uint64_t t_region_addr(rid_t region);
/* The space process pid runs in (0 if none or unknown). */
rid_t t_proc_space(int pid);
/* Kernel settings: TK_PCID; value -1 reads. */
int t_kctl(int key, long value);

/* ---- Container boxes and containers: HVS IPC (user/lib/ipc.c, docs/ipc.md) -------------- */
/* A new box named name (mode 0: TMODE_DEFAULT); -EEXIST if that name is taken. */
int t_cbox_create(const char *name, uint32_t mode, rid_t *out);
/* The box called name (t_res_lookup of RT_CBOX). */
int t_cbox_open(const char *name, rid_t *out);
/* Queues one container of size bytes (0..CONTAINER_MAX); waits while the box is full unless
 * flags has TCB_NONBLOCK (-EAGAIN). */
int t_cbox_send(rid_t box, const void *buf, size_t size, uint32_t flags);
/* Takes the oldest container into buf; returns its size (also in *len_out when not NULL).
 * Waits while the box is empty unless TCB_NONBLOCK (-EAGAIN). A container bigger than cap
 * stays queued: -EMSGSIZE, with its size in *len_out. */
int t_cbox_recv(rid_t box, void *buf, size_t cap, uint32_t flags, size_t *len_out);
/* ---- ICAs and server communication: the outer core (user/lib/srvcall.c, docs/servers.md) -- */
/* Each returns 0 (t_srv_call: the result's status) or a negative errno, as the kernel does. */
int t_ica_create(uint64_t pages, uint32_t flags, struct t_ica *out);
int t_ica_attach(rid_t ica, uint64_t addr, struct t_ica *out);
int t_ica_detach(rid_t ica);
int t_fn_register(uint32_t fn, int pid, uint32_t flags);
int t_srv_call(struct t_msg *io);
int t_srv_send(const struct t_msg *req, uint64_t *id);
int t_srv_result(struct t_msg *out, uint32_t flags);
int t_srv_recv(struct t_msg *out, uint32_t flags);
int t_srv_reply(const struct t_msg *res);
int t_srv_reply_recv(struct t_msg *io, uint32_t flags);
/* Up to count registered function ids into buf; returns how many, *total (may be NULL) how
 * many there are. */
int t_srv_stat(struct t_fn_stat *buf, uint32_t count, uint32_t *total);

/* Parse a resource id: 16 hex digits as `res` prints them, TYPE:INDEX, or (when type is not 0)
 * a name of a resource of that type. */
int t_rid_parse(const char *s, uint32_t type, rid_t *out);

/* ---- Running-mode switch: Umode/Smode (user/lib/runmode.c, docs/runmode.md) ------------- */
/* Switch process pid (0: the caller) to Smode (ring 0; root only) or back to Umode. The switch
 * is registered now and applied by the target at the end of its next system call. */
int t_switch_supervisor(int pid);
int t_switch_user(int pid);
int t_runmode_info(int pid, struct t_runmode_info *out);
/* The caller's mode as the coexistence control area says (TRM_UMODE / TRM_SMODE). */
uint32_t t_runmode_self(void);
/* The privilege level the caller's code runs at right now: 3 (Umode) or 0 (Smode). */
int t_cpl(void);
/* "umode" / "smode". */
const char *t_runmode_name(uint32_t mode);

/* Placement of children's programs (TPL_*, docs/network.md): set (root or the owner), read;
 * the names "tender", "unix", "hvs" (t_place_parse: -1 for another) and of TPX_* values. */
int t_place_set(int pid, uint32_t mode);
int t_place_info(int pid, struct t_place_info *out);
const char *t_place_name(uint32_t mode);
int t_place_parse(const char *name);
const char *t_place_exec_name(uint32_t how);

/* ---- Metamorphosis (user/lib/meta.c) ---------------------------------------------------- */
/* Change program: pid (0 = the caller) continues from the start of path, keeping its pid,
 * descriptors, space and owner. For the caller it does not return on success. */
int t_chprog(int pid, const char *path, const char *const *argv, const char *const *envp);
/* Change start position back to the initial state (same program, same arguments). */
int t_restart(int pid);
/* Save pid's data, BSS, heap, stack and registers as a checkpoint. For the caller it
 * returns 0 now, T_CKPT_RESTORED when restored there, T_CKPT_RECOVERED after a fault. */
int t_ckpt_save(int pid, const char *name, rid_t *out);
int t_ckpt_restore(int pid, rid_t ckpt);
/* Return to ckpt instead of dying on a fault (0: die, as usual). */
int t_ckpt_onfault(rid_t ckpt);
int t_reuse_stat(struct t_reuse_stat *out);

/* ---- Devices (user/lib/dev.c, docs/servers.md) ------------------------------------------ */
struct t_dev_info;
struct t_dev_claim;
int t_dev_info(rid_t dev, struct t_dev_info *out);
/* Claim dev for the caller (needs TOP_USE on it; -EBUSY if a live process has it): its memory
 * BARs mapped uncached (out->bar_addr), its I/O BARs opened, its interrupts as messages. */
int t_dev_claim(rid_t dev, struct t_dev_claim *out);
/* INTx: the interrupt was handled, its line may fire again. */
int t_dev_irq_ack(rid_t dev, uint32_t vector);
int t_dev_release(rid_t dev);
/* The physical address of an ICA the caller holds, for DMA: only while it has claimed a
 * device (-EPERM otherwise). */
int t_ica_phys(rid_t ica, uint64_t *pa);
/* A name for a PCI vendor:device pair or a class code, "" when unknown (lspci). */
const char *t_pci_name(uint16_t vendor, uint16_t device);
const char *t_pci_class_name(uint32_t class_code);
