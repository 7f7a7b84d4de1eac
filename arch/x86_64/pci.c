/* PCI configuration space access through ports 0xCF8 (address) and 0xCFC (data). The address
 * write and the data access must not be split by another access, so interrupts are off for
 * the pair (an interrupt handler may touch configuration space: MSI-X or INTx masking). */
#include "arch/pci.h"
#include "arch/cpu.h"

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc

static uint32_t address(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off)
{
	return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)(slot & 31) << 11 |
	       (uint32_t)(func & 7) << 8 | (off & 0xfc);
}

uint32_t pci_cfg_read32(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off)
{
	uint64_t f = irq_save();
	outl(PCI_ADDR, address(bus, slot, func, off));
	uint32_t v = inl(PCI_DATA);
	irq_restore(f);
	return v;
}

void pci_cfg_write32(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off, uint32_t v)
{
	uint64_t f = irq_save();
	outl(PCI_ADDR, address(bus, slot, func, off));
	outl(PCI_DATA, v);
	irq_restore(f);
}

uint16_t pci_cfg_read16(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off)
{
	return (uint16_t)(pci_cfg_read32(bus, slot, func, off) >> ((off & 2) * 8));
}

/* A read-modify-write of the dword: fine for the registers written here (command, MSI-X
 * control), whose neighbours (status: write-one-to-clear) are written back as zero bits. */
void pci_cfg_write16(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off, uint16_t v)
{
	uint64_t f = irq_save();
	outl(PCI_ADDR, address(bus, slot, func, off));
	uint32_t old = inl(PCI_DATA);
	uint32_t shift = (off & 2) * 8;
	uint32_t keep = (off & 2) ? 0x0000ffffu : 0xffff0000u;
	/* the command register's neighbour is status, whose set bits clear on write of 1 */
	if ((off & 0xfc) == 0x04)
		keep = 0;
	outl(PCI_DATA, (old & keep) | (uint32_t)v << shift);
	irq_restore(f);
}

uint8_t pci_cfg_read8(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off)
{
	return (uint8_t)(pci_cfg_read32(bus, slot, func, off) >> ((off & 3) * 8));
}
