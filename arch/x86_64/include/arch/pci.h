/* PCI configuration space through the legacy mechanism #1 (ports 0xCF8/0xCFC), which q35
 * still offers for the first 256 bytes of every function. */
#pragma once
#include <stdint.h>

/* off is a byte offset below 256; the 32-bit access reads the aligned dword holding it. */
uint32_t pci_cfg_read32(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off);
void pci_cfg_write32(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off, uint32_t v);
uint16_t pci_cfg_read16(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off);
void pci_cfg_write16(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off, uint16_t v);
uint8_t pci_cfg_read8(uint8_t bus, uint8_t slot, uint8_t func, uint8_t off);
