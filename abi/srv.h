/*
 * The outer core's interface (AnT, SPEC section 11; docs/servers.md): devices as resources,
 * ICAs (physically contiguous page areas passed between processes without copying), function
 * identifiers, and the request and result messages that carry calls to OS servers and driver
 * processes. Plain C types only: shared by the kernel and user space.
 */
#pragma once
#include <stdint.h>
#include "abi/tessera.h"

/* ---- ICA ----------------------------------------------------------------------------------
 * An ICA is n pages of physically contiguous memory (at most T_ICA_MAX_PAGES), zeroed at
 * creation. It has one virtual address for its whole life, taken from the system-wide user
 * address allocator, so it lands at the same address in whichever space holds it and pointers
 * inside it stay valid. It has one holder at a time (a process, or a request in flight) and is
 * attached, read-write, in at most the holder's space. Passing it in a request or a result
 * detaches it from the sender's space and attaches it in the receiver's. */
#define T_ICA_MAX_PAGES 1024u          /* 4 MiB */
struct t_ica {
	rid_t rid;
	uint64_t addr;                 /* where it is attached (0: detached) */
	uint64_t pages;
};

/* ---- Function identifiers -------------------------------------------------------------------
 * A caller names a function, never a server. abi/fnids.def lists the well-known ones; a server
 * registers the ids it serves with t_fn_register (root only). Ids 1..T_FN_MAX-1. */
#define T_FN_MAX 4096u
#define T_FN_IRQ 0u                    /* fn of an interrupt message (never registered) */
enum t_fn {
#define FNID(name, nr, str) TFN_##name = nr,
#include "abi/fnids.def"
#undef FNID
};
#define TFN_BLK_STRIDE 0x10u           /* block unit u serves TFN_BLK_* + u * stride */
#define TFN_BLK_UNITS 8u
/* t_fn_register flags */
#define TFN_UNREGISTER 1u

/* ---- Messages --------------------------------------------------------------------------------
 * One structure for a request (caller -> server), a result (server -> caller) and an
 * interrupt message (kernel -> driver). Small arguments and results travel in arg[]; bulk data
 * in the control and data ICAs, never copied. */
struct t_msg {
	uint64_t id;           /* request id: set by the kernel at send, echoed in the result */
	uint32_t fn;           /* function id (T_FN_IRQ: interrupt message) */
	int32_t status;        /* result: 0 or a negative errno (-EIO: the server died) */
	int32_t pid;           /* at the server: the caller's pid; at the caller: the server's */
	uint32_t uid;          /* at the server: the caller's uid (so a server can check rights) */
	rid_t ctl;             /* control ICA, 0 for none */
	rid_t data;            /* data ICA, 0 for none */
	uint64_t ctl_addr;     /* where ctl is attached at the receiver (set by the kernel) */
	uint64_t data_addr;    /* where data is attached at the receiver (set by the kernel) */
	uint64_t arg[6];       /* interrupt message: arg[0] device rid, arg[1] vector index,
	                        * arg[2] interrupts counted since the last message */
};

/* t_srv_* flags */
#define TSRV_NONBLOCK 1u       /* -EAGAIN instead of waiting for a request or a result */
#define T_SRV_QLEN 64u         /* requests one server queues; async requests one caller has
                                * outstanding. More: -EAGAIN */

/* What t_srv_stat reports of one registered function id (svc lists these). */
struct t_fn_stat {
	uint32_t fn;
	int32_t pid;           /* the server */
	uint32_t queued;       /* requests in the server's queue now */
	uint32_t inflight;     /* taken by the server, not yet answered */
	uint64_t calls;        /* requests to this id since it was registered */
	char name[T_NAME_MAX]; /* the server's process name */
};

/* ---- Devices ---------------------------------------------------------------------------------
 * Each PCI function found at boot is a resource of type RT_DEVICE, owned by root, mode
 * TMODE(TOP_ALL, TOP_REFER, TOP_REFER): claiming needs TOP_USE. Resource names are
 * "pci-BB:DD.F". */
#define T_DEV_BARS 6
#define TBAR_NONE 0u
#define TBAR_MEM 1u
#define TBAR_IO 2u
struct t_dev_info {
	rid_t rid;
	uint16_t vendor, device;
	uint8_t bus, slot, func, irq_pin;      /* irq_pin: 0 none, 1..4 INTA..INTD */
	uint32_t class_code;                   /* class << 16 | subclass << 8 | prog-if */
	uint16_t subsys_vendor, subsys_id;
	uint32_t msix_vectors;                 /* 0: no MSI-X */
	int32_t claimant;                      /* pid, 0 when unclaimed */
	uint64_t irq_count;                    /* interrupts taken from it since boot */
	uint32_t bar_kind[T_DEV_BARS];         /* TBAR_* */
	uint64_t bar_base[T_DEV_BARS];         /* physical address or I/O port */
	uint64_t bar_size[T_DEV_BARS];
};
/* What t_dev_claim returns: memory BARs mapped uncached into the claimant's space, I/O BARs
 * opened to it in the I/O permission bitmap. */
struct t_dev_claim {
	uint64_t bar_addr[T_DEV_BARS];         /* mapped address of a memory BAR, else 0 */
	uint32_t nvec;                         /* interrupt vectors: MSI-X entries 0..nvec-1, or
	                                        * 1 for INTx (vector index 0) */
	uint32_t msix;                         /* 1: MSI-X, 0: INTx through the IOAPIC */
};
