/* The device table shared by the device modules (device.c: enumeration and information,
 * devclaim.c: claims, mappings and ports, devirq.c: interrupts). Nothing outside kernel/dev
 * includes this. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "kernel/dev/device.h"

struct device {
	struct res_hdr hdr;
	uint8_t bus, slot, func, irq_pin;
	uint16_t vendor, devid, subsys_vendor, subsys_id;
	uint32_t class_code;
	uint32_t bar_kind[T_DEV_BARS];
	uint64_t bar_base[T_DEV_BARS], bar_size[T_DEV_BARS];
	uint8_t msix_cap;                  /* offset of the MSI-X capability, 0: none */
	uint16_t msix_entries;
	uint8_t msix_bir;                  /* BAR holding the table */
	uint32_t msix_offset;
	volatile uint32_t *msix_table;     /* the kernel's uncached view of the table */
	uint64_t irq_count;
	/* the claim */
	int claimant;                      /* pid, 0: unclaimed */
	rid_t claimant_proc;               /* its process resource (port switching) */
	rid_t space;                       /* where its BARs are mapped */
	uint64_t bar_va[T_DEV_BARS];
	uint32_t nvec;
	bool msix;
	/* IDT vectors: taken at the first claim and kept for the device's life, so that an
	 * interrupt arriving after a claim ended is still seen (counted and masked) as its */
	uint8_t vector[DEV_MAX_VECTORS];
	uint32_t nvec_alloc;
	uint8_t gsi;                       /* INTx: I/O APIC input */
};

struct device *dev_get(rid_t rid);
/* The entry in slot i, or NULL when the slot is free (interrupt handlers find theirs so). */
struct device *dev_slot(uint32_t i);
uint32_t dev_index(const struct device *d);
/* devirq.c */
int devirq_setup(struct device *d);
void devirq_teardown(struct device *d);
int devirq_ack(struct device *d, uint32_t vector);
/* Map the MSI-X table for the kernel at enumeration (no allocation later, in a claim). */
int devirq_map_table(struct device *d);
