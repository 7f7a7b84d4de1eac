/* The kernel's C entry: read the PVH start info (memory map, boot image, command line),
 * bring up the CPU, memory, resource tables and devices, then start init. */
#include "arch/cpu.h"
#include "arch/paging.h"
#include "arch/serial.h"
#include "arch/timer.h"
#include "kernel/dev/console.h"
#include "kernel/fs/plate.h"
#include "kernel/ipc/cbox.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uva.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/program.h"
#include "kernel/proc/procmem.h"
#include "kernel/proc/procmove.h"
#include "kernel/res/reuse.h"
#include "kernel/proc/ckpt.h"

#define PVH_MAGIC 0x336ec578u
#define MAX_INIT_ARGS 64

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};
struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};
struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

void kmain(uint32_t start_info_pa);
extern char __kernel_end[];

static char cmdline[1024];

static void memory_init(const struct hvm_start_info *si)
{
	uint64_t kend = (uint64_t)__kernel_end - 0xffffffff80000000ul;
	pmm_reserve(0x100000, kend - 0x100000);
	const struct hvm_modlist_entry *mods = phys_to_virt(si->modlist_paddr);
	for (uint32_t i = 0; i < si->nr_modules; i++)
		pmm_reserve(mods[i].paddr, mods[i].size);
	const struct hvm_memmap_entry *mm = phys_to_virt(si->memmap_paddr);
	uint64_t top = 0;
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		if (mm[i].type == 1 && mm[i].addr + mm[i].size > top)
			top = mm[i].addr + mm[i].size;
	/* the page reference counts go in the first RAM range with room for them */
	uint32_t placed = 0;
	while (placed < si->memmap_entries &&
	       (mm[placed].type != 1 || pmm_refs_place(mm[placed].addr, mm[placed].size, top)))
		placed++;
	if (placed == si->memmap_entries)
		panic("memory_init: no room for the page reference counts");
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		if (mm[i].type == 1)
			pmm_add_range(mm[i].addr, mm[i].size);
	paging_init();
	uva_init();
}

static void resources_init(void)
{
	reuse_init();
	exec_init();
	proc_init();
	program_init();
	vregion_init();
	vspace_init();
	vattach_init();
	plate_init();
	procmem_init();
	proc_space_init();
	ckpt_init();
	ipc_init();
}

static int split_args(char *s, const char **argv, int max)
{
	int n = 0;
	argv[n++] = "init";
	for (char *p = s; *p && n < max;) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		argv[n++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return n;
}

static void start_init(void)
{
	const char *argv[MAX_INIT_ARGS];
	int argc = split_args(cmdline, argv, MAX_INIT_ARGS);
	int pid, err = proc_create("/bin/init", argv, argc, NULL, 0, "init", 0, 0,
				   EXEC_DEFAULT_PRIO, NULL, &pid);
	if (err)
		panic("kmain: cannot start /bin/init: error %d", err);
}

void kmain(uint32_t start_info_pa)
{
	serial_init();
	console_init();
	const struct hvm_start_info *si = phys_to_virt(start_info_pa);
	if (si->magic != PVH_MAGIC)
		panic("kmain: no PVH start info (magic %x)", si->magic);
	if (si->cmdline_paddr)
		strlcpy(cmdline, phys_to_virt(si->cmdline_paddr), sizeof(cmdline));
	cpu_init();
	memory_init(si);
	timer_init();
	irq_unmask(IRQ_COM1);
	resources_init();
	if (si->nr_modules < 1)
		panic("kmain: no boot image (pass one with -initrd)");
	const struct hvm_modlist_entry *mods = phys_to_virt(si->modlist_paddr);
	int err = plate_init_image(phys_to_virt(mods[0].paddr), mods[0].size);
	if (err)
		panic("kmain: bad boot image: error %d", err);
	kprintf("Tessera: %lu MiB free, boot image %lu KiB, PCID %s\n",
		pmm_free_pages() * PAGE_SIZE >> 20, mods[0].size >> 10,
		paging_pcid_enabled() ? "on" : paging_pcid_supported() ? "off" : "not supported");
	start_init();
	sched_start();
}
