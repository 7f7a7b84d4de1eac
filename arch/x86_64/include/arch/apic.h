/* The local APIC (for MSI and MSI-X delivery and their end-of-interrupt) and the I/O APIC
 * (PCI INTx lines, level-triggered). The tick stays on the 8259 PIC: the local APIC passes
 * the PIC's interrupts through its LINT0 pin (virtual wire, ExtINT), which need no EOI here. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Map both controllers, enable the local APIC with LINT0 as ExtINT and every I/O APIC input
 * masked. Called once at boot, after paging. */
void apic_init(void);
/* End of interrupt for a vector delivered by the local APIC (MSI, MSI-X, I/O APIC). */
void lapic_eoi(void);
/* What a device writes to raise vector on this CPU (MSI and MSI-X address and data). */
uint64_t apic_msi_address(void);
uint32_t apic_msi_data(unsigned vector);
/* Route I/O APIC input gsi to vector, level-triggered, active high (PCI INTx behind QEMU's
 * q35 PIRQ router), masked or not. -EINVAL for an input the I/O APIC does not have. */
int ioapic_route(unsigned gsi, unsigned vector, bool masked);
void ioapic_mask(unsigned gsi, bool masked);
