/* The vDSO (see vdso.h). Its pages are allocated once at boot and never freed; every space
 * maps the same ones, so nothing is per process and nothing needs cleaning up when a space
 * goes (its page tables go with it, the pages stay). */
#include "kernel/proc/vdso.h"
#include "abi/errno.h"
#include "abi/vdso.h"
#include "arch/paging.h"
#include "arch/timer.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"

extern const char vdso_blob[], vdso_blob_end[];

static uint64_t text_pa[VDSO_MAX_PAGES], data_pa;
static int npages;
static struct vdso_data *data;

void vdso_init(void)
{
	size_t size = (size_t)(vdso_blob_end - vdso_blob);
	npages = (int)((size + PAGE_SIZE - 1) / PAGE_SIZE);
	if (size < 64 || npages > VDSO_MAX_PAGES || memcmp(vdso_blob, "\x7f" "ELF", 4))
		panic("vdso_init: the embedded image is not a vDSO (%lu bytes)", (unsigned long)size);
	for (int i = 0; i < npages; i++) {
		size_t n = size - (size_t)i * PAGE_SIZE < PAGE_SIZE ? size - (size_t)i * PAGE_SIZE
								     : PAGE_SIZE;
		if (!(text_pa[i] = pmm_alloc()))
			panic("vdso_init: no memory");
		memcpy(phys_to_virt(text_pa[i]), vdso_blob + (size_t)i * PAGE_SIZE, n);
	}
	if (!(data_pa = pmm_alloc()))
		panic("vdso_init: no memory");
	data = phys_to_virt(data_pa);
	vdso_update_time();
	/* the legacy vsyscall page must fault (kernel/sys/vsyscall.c emulates it), also in
	 * ring 0 for Smode code: nothing of the kernel may be mapped there */
	if (pt_lookup(paging_kernel_root(), VSYSCALL_ADDR))
		panic("vdso_init: the vsyscall address is mapped in the kernel");
}

void vdso_update_time(void)
{
	uint64_t tsc0, mult, real0;
	timer_base(&tsc0, &mult, &real0);
	data->seq++;
	__asm__ volatile("" ::: "memory");
	data->tsc_base = tsc0;
	data->tsc_mult = mult;
	data->realtime_base_ns = real0;
	__asm__ volatile("" ::: "memory");
	data->seq++;
}

int vdso_pages(void)
{
	return npages;
}

int vdso_map(uint64_t root)
{
	int err = 0;
	if (!pt_lookup(root, VDSO_DATA_ADDR))
		err = pt_map(root, VDSO_DATA_ADDR, data_pa, PTE_U | PTE_NX);
	for (int i = 0; !err && i < npages; i++) {
		uint64_t va = VDSO_TEXT_ADDR + (uint64_t)i * PAGE_SIZE;
		if (!pt_lookup(root, va))
			err = pt_map(root, va, text_pa[i], PTE_U);
	}
	return err;
}

bool vdso_fault(uint64_t root, uint64_t addr)
{
	if (addr < VDSO_DATA_ADDR || addr >= VDSO_TEXT_ADDR + (uint64_t)npages * PAGE_SIZE ||
	    pt_lookup(root, addr & ~(PAGE_SIZE - 1)))
		return false;
	return vdso_map(root) == 0;
}
