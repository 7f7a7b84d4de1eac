/* The arithmetic of PCI enumeration, apart from the port accesses so host tests can run it:
 * what a BAR is from its value and the write-ones probe, and where QEMU's q35 routes a
 * function's INTx pin. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct pci_bar {
	uint32_t kind;             /* TBAR_* (abi/srv.h) */
	uint64_t base, size;
	bool wide;                 /* a 64-bit memory BAR: it takes the next slot too */
};

/* Whether a BAR whose value is old is a 64-bit memory BAR (its high half is the next BAR). */
bool pci_bar_is_wide(uint32_t old);
/* The BAR from its value (old) and what reading back after writing ones gave (mask); for a
 * 64-bit one also the next BAR's value and read-back (else 0). A BAR whose writable bits
 * are all clear is not implemented: TBAR_NONE, size 0. */
void pci_bar_decode(uint32_t old, uint32_t mask, uint32_t old_hi, uint32_t mask_hi,
		    struct pci_bar *out);
/* QEMU's q35 (hw/isa/lpc_ich9.c): pin (1 = INTA .. 4 = INTD) of bus-0 slot s below 25 drives
 * PIRQ (s + pin - 1) % 4 + 4 (E..H); the chipset's slots 25..31 keep PIRQ pin - 1 (A..D).
 * PIRQ n is I/O APIC input 16 + n. -ENOSPC for no pin or a function behind a bridge (not
 * routed here). */
int pci_q35_gsi(uint8_t bus, uint8_t slot, uint8_t pin, uint8_t *gsi);
