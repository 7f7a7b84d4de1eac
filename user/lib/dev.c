/* Wrappers of the device calls (docs/servers.md), and the few PCI names lspci shows. */
#include "abi/srv.h"
#include "libtessera.h"
#include "tsys.h"

int t_dev_info(rid_t dev, struct t_dev_info *out)
{
	return (int)tsys_t_dev_info((long)dev, (long)out);
}

int t_dev_claim(rid_t dev, struct t_dev_claim *out)
{
	return (int)tsys_t_dev_claim((long)dev, (long)out);
}

int t_dev_irq_ack(rid_t dev, uint32_t vector)
{
	return (int)tsys_t_dev_irq_ack((long)dev, (long)vector);
}

int t_dev_release(rid_t dev)
{
	return (int)tsys_t_dev_release((long)dev);
}

int t_ica_phys(rid_t ica, uint64_t *pa)
{
	return (int)tsys_t_ica_phys((long)ica, (long)pa);
}

const char *t_pci_name(uint16_t vendor, uint16_t device)
{
	static const struct {
		uint16_t vendor, device;
		const char *name;
	} names[] = {
		{ 0x8086, 0x29c0, "Intel 82G33/G31/P35/P31 host bridge (q35)" },
		{ 0x8086, 0x2918, "Intel ICH9 LPC interface" },
		{ 0x8086, 0x2922, "Intel ICH9 SATA controller (AHCI)" },
		{ 0x8086, 0x2930, "Intel ICH9 SMBus controller" },
		{ 0x8086, 0x10d3, "Intel 82574L network (e1000e)" },
		{ 0x1234, 0x1111, "QEMU standard VGA" },
		{ 0x1234, 0x11e8, "QEMU edu (teaching device)" },
		{ 0x1af4, 0x1000, "virtio network (transitional)" },
		{ 0x1af4, 0x1001, "virtio block (transitional)" },
		{ 0x1af4, 0x1041, "virtio network" },
		{ 0x1af4, 0x1042, "virtio block" },
		{ 0x1b36, 0x000c, "QEMU PCIe root port" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].vendor == vendor && names[i].device == device)
			return names[i].name;
	return "";
}

const char *t_pci_class_name(uint32_t class_code)
{
	static const char *const classes[] = {
		"unclassified", "storage", "network", "display", "multimedia", "memory",
		"bridge", "communication", "system", "input", "docking", "processor", "serial bus",
	};
	uint32_t c = class_code >> 16;
	return c < sizeof(classes) / sizeof(classes[0]) ? classes[c] : "other";
}
