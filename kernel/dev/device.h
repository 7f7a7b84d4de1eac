/*
 * Devices (AnT outer core, docs/servers.md "Devices"): every PCI function found at boot is a
 * resource of type RT_DEVICE named "pci-BB:DD.F", owned by root. A process with TOP_USE on one
 * claims it: its memory BARs are mapped uncached into the claimant's space, its I/O BARs (and
 * no other ports) are opened to the claimant alone in the TSS I/O permission bitmap, and each
 * of its interrupts (MSI-X, else INTx through the I/O APIC) becomes a message to the claimant
 * (srv_irq_post). A claim ends with t_dev_release or when the claimant exits (dev_proc_exit):
 * bus mastering off, interrupts masked, BARs unmapped, ports closed.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/srv.h"
#include "kernel/res/res.h"

#define NDEVICE 64                 /* PCI functions the table holds */
#define DEV_MAX_VECTORS 8          /* MSI-X entries one claim enables */

/* Enumerate PCI and register the device table (resources_init). */
void dev_init(void);
/* Needs TOP_REFER (every user has it on a device). */
int dev_info(rid_t rid, const struct cred *cred, struct t_dev_info *out);
/* Claim for process pid (the caller; its space is mapped into): -EACCES without TOP_USE,
 * -EBUSY if a live process holds it, -ENOMEM / -ENOSPC when the mappings or vectors cannot be
 * had (then nothing is left claimed). */
int dev_claim(rid_t rid, int pid, const struct cred *cred, struct t_dev_claim *out);
/* End pid's claim on rid: -EPERM unless pid holds it. */
int dev_release(rid_t rid, int pid);
/* INTx: the driver has handled the interrupt, unmask its line (-EINVAL for a vector the
 * claim does not have; MSI-X vectors need no acknowledgement and return 0). */
int dev_irq_ack(rid_t rid, int pid, uint32_t vector);
/* Process exit: end every claim pid holds (before srv_proc_exit, so no DMA reaches an ICA
 * handed back afterwards). */
void dev_proc_exit(int pid);
/* Live replacement of a driver (kernel/ipc/srvrepl.c): every claim old holds becomes new's
 * without touching the device (no reset: DMA and interrupts go on); memory BARs are mapped at
 * the same addresses in new's space, ports open to new. -ENOMEM: nothing changed. */
int dev_claims_move(int old, int new, uint32_t *moved);
/* Whether pid holds a claim on some device (physical addresses are told only to drivers). */
bool dev_claims_any(int pid);
/* t_ica_phys: the physical address of an ICA pid holds, told only to a process that has
 * claimed a device (-EPERM otherwise; the ICA's own errors from ica_phys_of). */
int dev_ica_phys(rid_t ica, int pid, uint64_t *pa);
/* Context switch to process proc (0: none): open the ports of its claims in the TSS I/O
 * bitmap, close those of the process before. Costs nothing while nobody has I/O BARs. */
void dev_switch_in(rid_t proc);
