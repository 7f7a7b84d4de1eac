/* Interrupts of claimed devices (see device.h): MSI-X when the function has it, one local
 * APIC vector per table entry (at most DEV_MAX_VECTORS), else its INTx pin through the I/O
 * APIC, level-triggered and masked from the moment it fires until the driver acknowledges it
 * (t_dev_irq_ack). Each interrupt is counted and posted to the claimant as a message. When a
 * claim ends every entry is masked again: an interrupt for a dead driver never keeps firing.
 * A device keeps its vectors after its claims end, so one that interrupts anyway is counted
 * and masked at once (t_dev_info.irq_count shows it; the tests rely on that). */
#include "kernel/dev/device_int.h"
#include "abi/errno.h"
#include "arch/apic.h"
#include "arch/irq.h"
#include "arch/paging.h"
#include "arch/pci.h"
#include "kernel/dev/pci_decode.h"
#include "kernel/ipc/srv.h"
#include "kernel/mm/vmap.h"

#define MSIX_ENABLE (1u << 15)
#define MSIX_FUNC_MASK (1u << 14)
#define MSIX_ENTRY_MASKED 1u
#define CMD_INTX_DISABLE (1u << 10)

/* How many table entries a claim can use: the table's own size, and what is mapped. */
static uint32_t msix_usable(const struct device *d)
{
	return d->msix_entries < DEV_MAX_VECTORS ? d->msix_entries : DEV_MAX_VECTORS;
}

int devirq_map_table(struct device *d)
{
	if (d->bar_kind[d->msix_bir] != TBAR_MEM)
		return -EINVAL;
	uint64_t pa = d->bar_base[d->msix_bir] + d->msix_offset;
	uint64_t end = pa + msix_usable(d) * 16;
	uint64_t first = pa & ~(PAGE_SIZE - 1);
	size_t pages = (size_t)((end - first + PAGE_SIZE - 1) / PAGE_SIZE);
	void *va;
	int err = vmap_reserve(pages, &va);
	for (size_t i = 0; !err && i < pages; i++)
		err = vmap_page(va, i, first + i * PAGE_SIZE, PTE_W | PTE_NX | PTE_PCD | PTE_PWT);
	if (err)
		return err;       /* the area stays: a boot-time failure, never repeated */
	d->msix_table = (volatile uint32_t *)((char *)va + (pa - first));
	return 0;
}

static void msix_control(struct device *d, uint16_t set, uint16_t clear)
{
	uint8_t at = (uint8_t)(d->msix_cap + 2);
	uint16_t ctl = pci_cfg_read16(d->bus, d->slot, d->func, at);
	pci_cfg_write16(d->bus, d->slot, d->func, at, (uint16_t)((ctl | set) & ~clear));
}

static void msix_mask_all(struct device *d)
{
	msix_control(d, MSIX_FUNC_MASK, 0);
	for (uint32_t i = 0; i < msix_usable(d); i++)
		d->msix_table[i * 4 + 3] |= MSIX_ENTRY_MASKED;
}

/* An interrupt nobody should get (no claim, or a vector the claim does not use): masked where
 * it came from, so it cannot repeat. */
static void stray(struct device *d, uint32_t idx)
{
	if (d->msix_table && idx < msix_usable(d))
		d->msix_table[idx * 4 + 3] |= MSIX_ENTRY_MASKED;
	if (d->gsi)
		ioapic_mask(d->gsi, true);
}

static void on_interrupt(unsigned vector, uint64_t arg)
{
	struct device *d = dev_slot((uint32_t)(arg >> 8));
	uint32_t idx = arg & 0xff;
	if (!d || idx >= d->nvec_alloc || d->vector[idx] != vector)
		return;
	d->irq_count++;
	if (!d->claimant || idx >= d->nvec) {
		stray(d, idx);
		return;
	}
	if (!d->msix)
		ioapic_mask(d->gsi, true);     /* level-triggered: quiet until acknowledged */
	srv_irq_post(d->claimant, d->hdr.rid, idx);
}

/* The device's first n vectors, taking those it does not have yet. */
static int alloc_vectors(struct device *d, uint32_t n)
{
	for (uint32_t i = d->nvec_alloc; i < n; i++) {
		unsigned v;
		int err = irq_vec_alloc(on_interrupt, (uint64_t)dev_index(d) << 8 | i, &v);
		if (err)
			return -ENOSPC;        /* those taken stay the device's */
		d->vector[i] = (uint8_t)v;
		d->nvec_alloc = i + 1;
	}
	return 0;
}

static int setup_msix(struct device *d)
{
	uint32_t n = msix_usable(d);
	int err = alloc_vectors(d, n);
	if (err)
		return err;
	msix_control(d, MSIX_ENABLE | MSIX_FUNC_MASK, 0);
	for (uint32_t i = 0; i < n; i++) {
		volatile uint32_t *e = d->msix_table + i * 4;
		uint64_t addr = apic_msi_address();
		e[3] |= MSIX_ENTRY_MASKED;
		e[0] = (uint32_t)addr;
		e[1] = (uint32_t)(addr >> 32);
		e[2] = apic_msi_data(d->vector[i]);
		e[3] &= ~MSIX_ENTRY_MASKED;
	}
	d->nvec = n;
	d->msix = true;
	msix_control(d, 0, MSIX_FUNC_MASK);
	return 0;
}

/* Another claimed device already on the input: a shared line cannot be told apart here. */
static bool gsi_taken(const struct device *d, uint8_t gsi)
{
	for (uint32_t i = 0; i < NDEVICE; i++) {
		struct device *o = dev_slot(i);
		if (o && o != d && o->claimant && o->nvec && !o->msix && o->gsi == gsi)
			return true;
	}
	return false;
}

static int setup_intx(struct device *d)
{
	uint8_t gsi;
	int err = pci_q35_gsi(d->bus, d->slot, d->irq_pin, &gsi);
	if (err)
		return err;
	if (gsi_taken(d, gsi))
		return -EBUSY;
	if ((err = alloc_vectors(d, 1)))
		return err;
	if ((err = ioapic_route(gsi, d->vector[0], false)))
		return err;
	d->gsi = gsi;
	d->nvec = 1;
	d->msix = false;
	uint16_t cmd = pci_cfg_read16(d->bus, d->slot, d->func, 0x04);
	pci_cfg_write16(d->bus, d->slot, d->func, 0x04, (uint16_t)(cmd & ~CMD_INTX_DISABLE));
	return 0;
}

/* A device without MSI-X or an interrupt pin gets no vectors: nvec 0, not an error. */
int devirq_setup(struct device *d)
{
	d->nvec = 0;
	if (d->msix_cap && d->msix_table)
		return setup_msix(d);
	if (d->irq_pin && d->bus == 0)
		return setup_intx(d);
	return 0;
}

void devirq_teardown(struct device *d)
{
	uint16_t cmd = pci_cfg_read16(d->bus, d->slot, d->func, 0x04);
	pci_cfg_write16(d->bus, d->slot, d->func, 0x04, (uint16_t)(cmd | CMD_INTX_DISABLE));
	/* MSI-X stays enabled, masked: a masked interrupt only sets its pending bit, which the
	 * next claimant sees when it unmasks. (Turning MSI-X off would also do, but QEMU's
	 * e1000e asserts that it is on when its interrupt throttling timer fires later.) */
	if (d->msix_cap && d->msix_table)
		msix_mask_all(d);
	if (d->nvec && !d->msix)
		ioapic_mask(d->gsi, true);
	d->nvec = 0;
	d->msix = false;
}

int devirq_ack(struct device *d, uint32_t vector)
{
	if (vector >= d->nvec)
		return -EINVAL;
	if (!d->msix)
		ioapic_mask(d->gsi, false);
	return 0;
}
