/* The device table (see device.h): PCI enumeration at boot through configuration space, one
 * RT_DEVICE resource per function with its identity, BARs (sized by writing ones and reading
 * back), interrupt pin and MSI-X capability, and what t_dev_info and res report of it. */
#include "kernel/dev/device_int.h"
#include "abi/errno.h"
#include "arch/pci.h"
#include "kernel/dev/pci_decode.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"

#define CMD_IO 0x1u
#define CMD_MEM 0x2u
#define CAP_MSIX 0x11

static struct device devices[NDEVICE];
static struct res_table dev_table;

struct device *dev_get(rid_t rid)
{
	return res_obj(rid, RT_DEVICE);
}

struct device *dev_slot(uint32_t i)
{
	return i < NDEVICE && devices[i].hdr.rid ? &devices[i] : NULL;
}

uint32_t dev_index(const struct device *d)
{
	return (uint32_t)(d - devices);
}

static uint32_t cfg32(const struct device *d, uint8_t off)
{
	return pci_cfg_read32(d->bus, d->slot, d->func, off);
}

/* What reading back gives after writing ones to the BAR at off; the old value goes back. */
static uint32_t probe(struct device *d, uint8_t off, uint32_t old)
{
	pci_cfg_write32(d->bus, d->slot, d->func, off, 0xffffffffu);
	uint32_t mask = cfg32(d, off);
	pci_cfg_write32(d->bus, d->slot, d->func, off, old);
	return mask;
}

/* BAR i; returns the next BAR's index (64-bit BARs take two). Decoding is off meanwhile
 * (probe_bars), so the half-written address never claims a bus cycle. */
static int probe_bar(struct device *d, int i)
{
	uint8_t off = (uint8_t)(0x10 + 4 * i);
	uint32_t old = cfg32(d, off), old_hi = 0, mask_hi = 0xffffffffu;
	uint32_t mask = probe(d, off, old);
	bool wide = pci_bar_is_wide(old) && i < T_DEV_BARS - 1;   /* the last: a broken one */
	if (wide) {
		old_hi = cfg32(d, (uint8_t)(off + 4));
		mask_hi = probe(d, (uint8_t)(off + 4), old_hi);
	}
	struct pci_bar bar;
	pci_bar_decode(old, mask, old_hi, mask_hi, &bar);
	d->bar_kind[i] = bar.kind;
	d->bar_base[i] = bar.base;
	d->bar_size[i] = bar.size;
	return wide ? i + 2 : i + 1;
}

static void probe_bars(struct device *d, int nbars)
{
	uint16_t cmd = pci_cfg_read16(d->bus, d->slot, d->func, 0x04);
	pci_cfg_write16(d->bus, d->slot, d->func, 0x04, cmd & ~(CMD_IO | CMD_MEM));
	for (int i = 0; i < nbars;)
		i = probe_bar(d, i);
	pci_cfg_write16(d->bus, d->slot, d->func, 0x04, cmd);
}

/* The MSI-X capability, if the function has one (a capability list is announced by status
 * bit 4; the walk is bounded, a looping list ends it). */
static void find_msix(struct device *d)
{
	if (!(pci_cfg_read16(d->bus, d->slot, d->func, 0x06) & 0x10))
		return;
	uint8_t at = pci_cfg_read8(d->bus, d->slot, d->func, 0x34) & 0xfc;
	for (int n = 0; at && n < 48; n++) {
		uint32_t hdr = cfg32(d, at);
		if ((hdr & 0xff) == CAP_MSIX) {
			uint32_t table = cfg32(d, (uint8_t)(at + 4));
			d->msix_cap = at;
			d->msix_entries = (uint16_t)(((hdr >> 16) & 0x7ff) + 1);
			d->msix_bir = table & 7;
			d->msix_offset = table & ~7u;
			return;
		}
		at = (hdr >> 8) & 0xfc;
	}
}

static void scan_bus(uint8_t bus, int depth);

static void add_function(uint8_t bus, uint8_t slot, uint8_t func)
{
	static const struct cred root = { .uid = 0, .gid = 0 };
	char name[T_NAME_MAX];
	rid_t rid;
	ksnprintf(name, sizeof(name), "pci-%02x:%02x.%x", bus, slot, func);
	if (res_alloc(RT_DEVICE, name, &root, TMODE(TOP_ALL, TOP_REFER, TOP_REFER), &rid)) {
		kprintf("dev_init: no room for %s\n", name);
		return;
	}
	struct device *d = dev_get(rid);
	d->bus = bus, d->slot = slot, d->func = func;
	uint32_t id = cfg32(d, 0x00), cls = cfg32(d, 0x08), sub = cfg32(d, 0x2c);
	d->vendor = id & 0xffff, d->devid = (uint16_t)(id >> 16);
	d->class_code = cls >> 8;
	uint8_t htype = pci_cfg_read8(bus, slot, func, 0x0e) & 0x7f;
	if (htype == 0)
		d->subsys_vendor = sub & 0xffff, d->subsys_id = (uint16_t)(sub >> 16);
	d->irq_pin = pci_cfg_read8(bus, slot, func, 0x3d);
	if (d->irq_pin > 4)
		d->irq_pin = 0;
	probe_bars(d, htype == 0 ? 6 : htype == 1 ? 2 : 0);
	find_msix(d);
	if (d->msix_cap && devirq_map_table(d))
		d->msix_cap = 0;                   /* unusable: INTx only */
	if (htype == 1)                            /* a bridge: its secondary bus */
		scan_bus(pci_cfg_read8(bus, slot, func, 0x19), 1);
}

static void scan_slot(uint8_t bus, uint8_t slot)
{
	if ((pci_cfg_read32(bus, slot, 0, 0) & 0xffff) == 0xffff)
		return;
	bool multi = pci_cfg_read8(bus, slot, 0, 0x0e) & 0x80;
	for (uint8_t f = 0; f < (multi ? 8 : 1); f++)
		if ((pci_cfg_read32(bus, slot, f, 0) & 0xffff) != 0xffff)
			add_function(bus, slot, f);
}

static void scan_bus(uint8_t bus, int depth)
{
	static bool seen[256];
	if (seen[bus] || depth > 8)
		return;
	seen[bus] = true;
	for (uint8_t s = 0; s < 32; s++)
		scan_slot(bus, s);
}

static void describe(rid_t rid, struct t_res_info *info)
{
	struct device *d = dev_get(rid);
	info->v[0] = (uint64_t)d->vendor << 16 | d->devid;
	info->v[1] = d->class_code;
	info->v[2] = (uint64_t)d->claimant;
	info->v[3] = d->irq_count;
	info->v[4] = d->msix_cap ? d->msix_entries : 0;
	info->v[5] = d->irq_pin;
}

static const struct res_ops dev_ops = { .describe = describe };

void dev_init(void)
{
	dev_table = (struct res_table){ .base = devices, .stride = sizeof(struct device),
					.capacity = NDEVICE, .ops = &dev_ops };
	res_register(RT_DEVICE, &dev_table);
	scan_bus(0, 0);
	kprintf("dev: %u PCI functions\n", res_count(RT_DEVICE));
}

int dev_info(rid_t rid, const struct cred *cred, struct t_dev_info *out)
{
	int err = res_validate(rid, RT_DEVICE);
	if (err || (err = res_check(rid, TOP_REFER, cred)))
		return err;
	struct device *d = dev_get(rid);
	memset(out, 0, sizeof(*out));
	out->rid = rid;
	out->vendor = d->vendor, out->device = d->devid;
	out->bus = d->bus, out->slot = d->slot, out->func = d->func, out->irq_pin = d->irq_pin;
	out->class_code = d->class_code;
	out->subsys_vendor = d->subsys_vendor, out->subsys_id = d->subsys_id;
	out->msix_vectors = d->msix_cap ? d->msix_entries : 0;
	out->claimant = d->claimant;
	out->irq_count = d->irq_count;
	for (int i = 0; i < T_DEV_BARS; i++) {
		out->bar_kind[i] = d->bar_kind[i];
		out->bar_base[i] = d->bar_base[i];
		out->bar_size[i] = d->bar_size[i];
	}
	return 0;
}
