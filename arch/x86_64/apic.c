/* Local APIC and I/O APIC (see apic.h). Both are memory-mapped, uncached, through the kernel's
 * vmap window. The local APIC keeps the 8259's interrupts flowing through LINT0 (ExtINT), so
 * the tick and the serial line work as before; device interrupts (MSI-X, I/O APIC) arrive as
 * local APIC vectors and are acknowledged with lapic_eoi. */
#include "arch/apic.h"
#include "abi/errno.h"
#include "arch/cpu.h"
#include "arch/paging.h"
#include "kernel/lib/kprintf.h"
#include "kernel/mm/vmap.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_ENABLE (1u << 11)
#define IOAPIC_PA 0xfec00000ul            /* q35 and pc: the one I/O APIC */

#define LAPIC_ID 0x20
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LVT_MASKED 0x10000u
#define LVT_EXTINT 0x700u
#define LVT_NMI 0x400u
#define SPURIOUS_VECTOR 0xff
#define REDIR_MASKED (1u << 16)
#define REDIR_LEVEL (1u << 15)

static volatile uint32_t *lapic, *ioapic;
static unsigned ioapic_inputs;
static uint32_t apic_id;

static void *map_mmio(uint64_t pa)
{
	void *va;
	if (vmap_reserve(1, &va) || vmap_page(va, 0, pa, PTE_W | PTE_NX | PTE_PCD | PTE_PWT))
		panic("apic_init: cannot map the controller at %lx", pa);
	return va;
}

static void lapic_write(unsigned reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

static uint32_t ioapic_read(unsigned reg)
{
	ioapic[0] = reg;
	return ioapic[4];
}

static void ioapic_write(unsigned reg, uint32_t v)
{
	ioapic[0] = reg;
	ioapic[4] = v;
}

static void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic = map_mmio(base & PTE_ADDR);
	apic_id = lapic[LAPIC_ID / 4] >> 24;
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_EXTINT);      /* the 8259 passes through */
	lapic_write(LAPIC_LVT_LINT1, LVT_NMI);
	lapic_write(LAPIC_SVR, 0x100 | SPURIOUS_VECTOR);
}

void apic_init(void)
{
	uint64_t f = irq_save();
	lapic_init();
	ioapic = map_mmio(IOAPIC_PA);
	ioapic_inputs = ((ioapic_read(1) >> 16) & 0xff) + 1;
	for (unsigned i = 0; i < ioapic_inputs; i++) {
		ioapic_write(0x10 + 2 * i + 1, apic_id << 24);
		ioapic_write(0x10 + 2 * i, REDIR_MASKED);
	}
	irq_restore(f);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint64_t apic_msi_address(void)
{
	return 0xfee00000ul | (uint64_t)apic_id << 12;
}

uint32_t apic_msi_data(unsigned vector)
{
	return vector & 0xff;                 /* fixed delivery, edge */
}

int ioapic_route(unsigned gsi, unsigned vector, bool masked)
{
	if (gsi >= ioapic_inputs || vector < 32 || vector > 0xfe)
		return -EINVAL;
	uint64_t f = irq_save();          /* the index register is shared with handlers */
	ioapic_write(0x10 + 2 * gsi + 1, apic_id << 24);
	ioapic_write(0x10 + 2 * gsi, vector | REDIR_LEVEL | (masked ? REDIR_MASKED : 0));
	irq_restore(f);
	return 0;
}

void ioapic_mask(unsigned gsi, bool masked)
{
	if (gsi >= ioapic_inputs)
		return;
	uint64_t f = irq_save();
	uint32_t lo = ioapic_read(0x10 + 2 * gsi);
	ioapic_write(0x10 + 2 * gsi, masked ? lo | REDIR_MASKED : lo & ~REDIR_MASKED);
	irq_restore(f);
}
