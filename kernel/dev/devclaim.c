/* Device claims (see device.h): who may claim, mapping the memory BARs uncached into the
 * claimant's space at system-wide user addresses (raw device pages, never the page
 * allocator's, so no region owns them and nothing frees them), opening the I/O BARs to the
 * claimant in the TSS bitmap at every switch to it, and ending claims. */
#include "kernel/dev/device_int.h"
#include "abi/errno.h"
#include "arch/cpu.h"
#include "arch/paging.h"
#include "arch/pci.h"
#include "kernel/ipc/ica.h"
#include "kernel/lib/kprintf.h"
#include "kernel/mm/uva.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/proc.h"

#define CMD_IO 0x1u
#define CMD_MEM 0x2u
#define CMD_MASTER 0x4u
#define DEV_MAP_MAX (64ul << 20)       /* bigger memory BARs are not mapped (bar_addr 0) */

static rid_t io_proc;                  /* whose ports the TSS bitmap has open, 0: none */
/* The claimed devices with I/O BARs (table slots): a switch looks only at these, so it costs
 * nothing while no claim has ports and a few compares while drivers have some. */
static uint32_t io_devs[NDEVICE];
static uint32_t n_io_devs;

static uint64_t map_size(const struct device *d, int i)
{
	return (d->bar_size[i] + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static bool has_io(const struct device *d)
{
	for (int i = 0; i < T_DEV_BARS; i++)
		if (d->bar_kind[i] == TBAR_IO && d->bar_size[i])
			return true;
	return false;
}

static void permit_ports(const struct device *d, bool allow)
{
	for (int i = 0; i < T_DEV_BARS; i++)
		if (d->bar_kind[i] == TBAR_IO && d->bar_size[i])
			cpu_io_permit((uint16_t)d->bar_base[i], (uint32_t)d->bar_size[i], allow);
}

static void io_list_add(const struct device *d)
{
	io_devs[n_io_devs++] = dev_index(d);
}

static void io_list_remove(const struct device *d)
{
	for (uint32_t k = 0; k < n_io_devs; k++)
		if (io_devs[k] == dev_index(d))
			io_devs[k] = io_devs[--n_io_devs];
}

static bool io_owner(rid_t proc)
{
	for (uint32_t k = 0; proc && k < n_io_devs; k++)
		if (dev_slot(io_devs[k])->claimant_proc == proc)
			return true;
	return false;
}

/* Open proc's ports, closing those open before. */
static void io_load(rid_t proc)
{
	for (uint32_t k = 0; io_proc && k < n_io_devs; k++)
		if (dev_slot(io_devs[k])->claimant_proc == io_proc)
			permit_ports(dev_slot(io_devs[k]), false);
	cpu_io_open(false);
	io_proc = 0;
	for (uint32_t k = 0; proc && k < n_io_devs; k++) {
		struct device *d = dev_slot(io_devs[k]);
		if (d->claimant_proc == proc) {
			permit_ports(d, true);
			io_proc = proc;
		}
	}
	if (io_proc)
		cpu_io_open(true);
}

void dev_switch_in(rid_t proc)
{
	if (proc == io_proc || (!io_proc && !io_owner(proc)))
		return;
	io_load(proc);
}

/* The claims changed: the running process's ports are loaded again. */
static void io_reload(void)
{
	struct proc *p = proc_cur();
	io_load(p ? p->hdr.rid : 0);
}

static void unmap_bars(struct device *d)
{
	bool live = res_validate(d->space, RT_VSPACE) == 0;
	for (int i = 0; i < T_DEV_BARS; i++) {
		if (!d->bar_va[i])
			continue;
		if (live)
			pt_unmap_range(vspace_root(d->space), d->bar_va[i], map_size(d, i));
		uva_free(d->bar_va[i], map_size(d, i));
		d->bar_va[i] = 0;
	}
}

/* Whether the page at off in BAR i holds part of the MSI-X table. The table stays the
 * kernel's: an entry the driver could rewrite would send any vector, exceptions included, to
 * the CPU (there is no interrupt remapping), so those pages are left out of the mapping. */
static bool msix_page(const struct device *d, int i, uint64_t off)
{
	if (!d->msix_cap || d->msix_bir != i)
		return false;
	uint64_t first = d->msix_offset & ~(PAGE_SIZE - 1);
	uint64_t end = (uint64_t)d->msix_offset + (uint64_t)d->msix_entries * 16;
	return off >= first && off < end;
}

/* Whether another function's memory BAR lies in the pages of BAR i (BARs smaller than a page
 * may share one): mapping it would hand out that function's registers too. */
static bool shares_page(const struct device *d, int i)
{
	uint64_t lo = d->bar_base[i] & ~(PAGE_SIZE - 1), hi = lo + map_size(d, i);
	for (uint32_t n = 0; n < NDEVICE; n++) {
		const struct device *o = dev_slot(n);
		for (int j = 0; o && j < T_DEV_BARS; j++)
			if ((o != d || j != i) && o->bar_kind[j] == TBAR_MEM && o->bar_size[j] &&
			    o->bar_base[j] < hi && o->bar_base[j] + o->bar_size[j] > lo)
				return true;
	}
	return false;
}

/* BAR i's pages at d->bar_va[i] in the space of root (partly, on error). */
static int map_bar_pages(const struct device *d, int i, uint64_t root)
{
	uint64_t size = map_size(d, i), va = d->bar_va[i], base = d->bar_base[i] & ~(PAGE_SIZE - 1);
	int err = 0;
	for (uint64_t off = 0; off < size && !err; off += PAGE_SIZE)
		if (!msix_page(d, i, off))
			err = pt_map(root, va + off, base + off,
				     PTE_W | PTE_U | PTE_NX | PTE_PCD | PTE_PWT);
	return err;
}

static int map_bar(struct device *d, int i, uint64_t root)
{
	uint64_t size = map_size(d, i), va;
	if (d->bar_kind[i] != TBAR_MEM || !size || size > DEV_MAP_MAX || shares_page(d, i))
		return 0;
	int err = uva_alloc(size, PAGE_SIZE, &va);
	if (err)
		return err;
	d->bar_va[i] = va;
	return map_bar_pages(d, i, root);  /* on error the caller unmaps what was mapped */
}

static void end_claim(struct device *d)
{
	uint16_t cmd = pci_cfg_read16(d->bus, d->slot, d->func, 0x04);
	pci_cfg_write16(d->bus, d->slot, d->func, 0x04, (uint16_t)(cmd & ~CMD_MASTER));
	devirq_teardown(d);
	unmap_bars(d);
	if (has_io(d))
		io_list_remove(d);
	d->claimant = 0;
	d->claimant_proc = 0;
	d->space = 0;
	io_reload();
}

static int check_claim(rid_t rid, const struct cred *cred)
{
	int err = res_validate(rid, RT_DEVICE);
	if (err || (err = res_check(rid, TOP_USE, cred)))
		return err;
	struct device *d = dev_get(rid);
	if (!d->claimant)
		return 0;
	struct proc *holder = proc_by_pid(d->claimant);
	if (holder && holder->state != TPS_ZOMBIE)
		return -EBUSY;
	end_claim(d);                  /* a holder gone without its exit hook: never expected */
	return 0;
}

static void fill_claim(const struct device *d, struct t_dev_claim *out)
{
	for (int i = 0; i < T_DEV_BARS; i++)
		out->bar_addr[i] = d->bar_va[i] ? d->bar_va[i] + (d->bar_base[i] & (PAGE_SIZE - 1))
						: 0;
	out->nvec = d->nvec;
	out->msix = d->msix;
}

int dev_claim(rid_t rid, int pid, const struct cred *cred, struct t_dev_claim *out)
{
	int err = check_claim(rid, cred);
	struct proc *p = proc_by_pid(pid);
	if (err)
		return err;
	if (!p || !p->vspace)
		return -ESRCH;
	/* a vfork child runs in its parent's space until it changes program: mapping there
	 * would leave the registers to the parent */
	if (p->vfork_parent)
		return -EBUSY;
	struct device *d = dev_get(rid);
	d->claimant = pid;
	d->claimant_proc = p->hdr.rid;
	d->space = p->vspace;
	if (has_io(d))
		io_list_add(d);
	for (int i = 0; i < T_DEV_BARS && !err; i++)
		err = map_bar(d, i, vspace_root(p->vspace));
	if (err || (err = devirq_setup(d))) {
		end_claim(d);
		return err;
	}
	uint16_t cmd = pci_cfg_read16(d->bus, d->slot, d->func, 0x04);
	pci_cfg_write16(d->bus, d->slot, d->func, 0x04,
			(uint16_t)(cmd | CMD_IO | CMD_MEM | CMD_MASTER));
	io_reload();
	fill_claim(d, out);
	return 0;
}

int dev_release(rid_t rid, int pid)
{
	int err = res_validate(rid, RT_DEVICE);
	if (err)
		return err;
	struct device *d = dev_get(rid);
	if (pid <= 0 || d->claimant != pid)
		return -EPERM;
	end_claim(d);
	return 0;
}

int dev_irq_ack(rid_t rid, int pid, uint32_t vector)
{
	int err = res_validate(rid, RT_DEVICE);
	if (err)
		return err;
	struct device *d = dev_get(rid);
	if (pid <= 0 || d->claimant != pid)
		return -EPERM;
	return devirq_ack(d, vector);
}

void dev_proc_exit(int pid)
{
	for (uint32_t i = 0; pid > 0 && i < NDEVICE; i++) {
		struct device *d = dev_slot(i);
		if (d && d->claimant == pid)
			end_claim(d);
	}
}

bool dev_claims_any(int pid)
{
	for (uint32_t i = 0; pid > 0 && i < NDEVICE; i++) {
		struct device *d = dev_slot(i);
		if (d && d->claimant == pid)
			return true;
	}
	return false;
}

int dev_ica_phys(rid_t ica, int pid, uint64_t *pa)
{
	if (!dev_claims_any(pid))
		return -EPERM;
	return ica_phys_of(ica, pid, pa);
}

/* d's BARs out of (or, on the way back from a failure, never into) the space of root. */
static void unmap_bars_in(const struct device *d, uint64_t root)
{
	for (int i = 0; i < T_DEV_BARS; i++)
		if (d->bar_va[i])
			pt_unmap_range(root, d->bar_va[i], map_size(d, i));
}

/* Map d's BARs into the space of root at the addresses they have: all or none. */
static int map_bars_again(const struct device *d, uint64_t root)
{
	int err = 0;
	for (int i = 0; i < T_DEV_BARS && !err; i++)
		if (d->bar_va[i])
			err = map_bar_pages(d, i, root);
	if (err)
		unmap_bars_in(d, root);
	return err;
}

/* The claims of old, in table order, mapped into new's space; on failure the ones mapped so
 * far are taken out again. */
static int map_for(int old, uint64_t root)
{
	for (uint32_t i = 0; i < NDEVICE; i++) {
		struct device *d = dev_slot(i);
		if (!d || d->claimant != old)
			continue;
		int err = map_bars_again(d, root);
		if (err) {
			while (i--) {
				d = dev_slot(i);
				if (d && d->claimant == old)
					unmap_bars_in(d, root);
			}
			return err;
		}
	}
	return 0;
}

int dev_claims_move(int old, int new, uint32_t *moved)
{
	struct proc *o = proc_by_pid(old), *n = proc_by_pid(new);
	*moved = 0;
	if (old <= 0 || !o || !n || !n->vspace)
		return -ESRCH;
	bool same = o->vspace == n->vspace;
	int err = same ? 0 : map_for(old, vspace_root(n->vspace));
	if (err)
		return err;
	for (uint32_t i = 0; i < NDEVICE; i++) {
		struct device *d = dev_slot(i);
		if (!d || d->claimant != old)
			continue;
		if (!same && res_validate(d->space, RT_VSPACE) == 0)
			unmap_bars_in(d, vspace_root(d->space));
		/* the device is left as it is: bus mastering, MSI-X entries, its vectors, an INTx
		 * line masked until the (new) driver acknowledges it */
		d->claimant = new;
		d->claimant_proc = n->hdr.rid;
		d->space = n->vspace;
		(*moved)++;
	}
	io_reload();
	return 0;
}
