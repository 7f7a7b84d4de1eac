/* The kernel's C entry on x86-64: read the PVH start info (memory map, boot image, command
 * line), bring up the serial console, the CPU, interrupt lines, physical memory, paging and
 * the timer, then hand over to the generic kernel_main (kernel/main.c). */
#include "arch/apic.h"
#include "arch/cpu.h"
#include "arch/irq.h"
#include "arch/paging.h"
#include "arch/serial.h"
#include "arch/timer.h"
#include "kernel/dev/console.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/main.h"
#include "kernel/mm/pmm.h"
#include "kernel/sys/syslog.h"

#define PVH_MAGIC 0x336ec578u

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

static char cmdline[1024];      /* the boot loader's copy may be reused as free memory */

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
}

void kmain(uint32_t start_info_pa)
{
	syslog_init();                  /* the message log keeps everything from here on */
	serial_init();
	irq_init();
	console_init();
	const struct hvm_start_info *si = phys_to_virt(start_info_pa);
	if (si->magic != PVH_MAGIC)
		panic("kmain: no PVH start info (magic %x)", si->magic);
	if (si->cmdline_paddr)
		strlcpy(cmdline, phys_to_virt(si->cmdline_paddr), sizeof(cmdline));
	cpu_init();
	memory_init(si);
	apic_init();
	timer_init();
	struct boot_info bi = { .cmdline = cmdline };
	if (si->nr_modules >= 1) {
		const struct hvm_modlist_entry *mods = phys_to_virt(si->modlist_paddr);
		bi.image = phys_to_virt(mods[0].paddr);
		bi.image_size = mods[0].size;
	}
	kernel_main(&bi);
}
