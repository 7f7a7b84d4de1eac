/* CPU setup: GDT with the user segments and the TSS, the IDT, the syscall MSRs, SSE, and the
 * per-CPU area reached through %gs. One CPU. */
#include <stddef.h>
#include "arch/cpu.h"
#include "arch/paging.h"
#include "kernel/lib/string.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
	/* the I/O permission bitmap (a clear bit opens a port) and the byte of ones the CPU
	 * reads past its end */
	uint8_t iomap[65536 / 8 + 1];
} __attribute__((packed));

#define IOMAP_OPEN offsetof(struct tss, iomap)
#define IOMAP_CLOSED 0xffff      /* beyond the limit: every port faults in ring 3 */

struct idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static uint64_t gdt[7];
static struct tss tss;
static struct idt_entry idt[256];
struct percpu cpu_percpu;
/* IST 1: double fault, IST 2: NMI, IST 3: every other vector. The entry code leaves IST 3
 * after a few instructions (entry.S trap_common), so it is never used twice at once. */
static uint8_t ist_stack[3][8192] __attribute__((aligned(16)));

extern uint64_t isr_table[256];     /* entry.S: one stub per vector */
extern void syscall_entry(void);

static void gdt_init(void)
{
	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffff;   /* kernel code, 64-bit */
	gdt[2] = 0x00cf92000000ffff;   /* kernel data */
	gdt[3] = 0x00cff2000000ffff;   /* user data (DPL 3) */
	gdt[4] = 0x00affa000000ffff;   /* user code, 64-bit (DPL 3) */
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
	gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ul << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[6] = base >> 32;
	memset(tss.iomap, 0xff, sizeof(tss.iomap));
	tss.iomap_base = IOMAP_CLOSED;
	tss.ist[0] = (uint64_t)ist_stack[0] + sizeof(ist_stack[0]);
	tss.ist[1] = (uint64_t)ist_stack[1] + sizeof(ist_stack[1]);
	tss.ist[2] = (uint64_t)ist_stack[2] + sizeof(ist_stack[2]);
	struct dtr d = { sizeof(gdt) - 1, (uint64_t)gdt };
	__asm__ volatile("lgdt %0\n"
			 "mov %1, %%ds\n mov %1, %%es\n mov %1, %%ss\n"
			 "pushq %2\n leaq 1f(%%rip), %%rax\n pushq %%rax\n lretq\n1:\n"
			 "ltr %w3\n"
			 :
			 : "m"(d), "r"((uint64_t)SEL_KDATA), "i"(SEL_KCODE), "r"(SEL_TSS)
			 : "rax", "memory");
}

static void idt_set(int vec, uint64_t handler, int ist, int dpl)
{
	idt[vec] = (struct idt_entry){
		.off_lo = handler & 0xffff,
		.sel = SEL_KCODE,
		.ist = ist,
		.type = 0x8e | (dpl << 5),
		.off_mid = (handler >> 16) & 0xffff,
		.off_hi = handler >> 32,
	};
}

static void idt_init(void)
{
	/* every vector on a stack of its own: ring-0 application code (Smode) must not get
	 * frames pushed into its red zone, and its entries are moved to its kernel stack */
	for (int v = 0; v < 256; v++)
		idt_set(v, isr_table[v], 3, 0);
	idt_set(2, isr_table[2], 2, 0);     /* NMI on its own stack */
	idt_set(8, isr_table[8], 1, 0);     /* double fault on its own stack */
	struct dtr d = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(d));
}

static void syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);          /* SCE */
	wrmsr(MSR_STAR, ((uint64_t)(SEL_KDATA | 3) << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF | 0x100 | 0x400 | 0x40000);  /* IF, TF, DF, AC */
}

static void sse_init(void)
{
	uint64_t cr0, cr4;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 & ~0x4ul) | 0x2ul;                  /* clear EM, set MP */
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= 0x600;                                  /* OSFXSR | OSXMMEXCPT */
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	__asm__ volatile("fninit");
}

void cpu_init(void)
{
	gdt_init();
	idt_init();
	sse_init();
	wrmsr(MSR_GS_BASE, (uint64_t)&cpu_percpu);
	cpu_set_app_mode(false);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	syscall_init();
}

/* The running execution's kernel stack top, also outside %gs for the Smode light path. */
uint64_t cpu_kstack_top;

void cpu_set_kstack(uint64_t top)
{
	tss.rsp[0] = top;
	cpu_percpu.kstack_top = top;
	cpu_kstack_top = top;
}

void cpu_io_open(bool open)
{
	tss.iomap_base = open ? IOMAP_OPEN : IOMAP_CLOSED;
}

/* Whole bytes at once where the range covers them (a BAR is usually 8-port aligned). */
void cpu_io_permit(uint16_t base, uint32_t count, bool allow)
{
	uint32_t p = base, end = (uint32_t)base + count < 65536 ? (uint32_t)base + count : 65536;
	while (p < end) {
		if (p % 8 == 0 && p + 8 <= end) {
			uint32_t bytes = (end - p) / 8;
			memset(&tss.iomap[p / 8], allow ? 0 : 0xff, bytes);
			p += bytes * 8;
		} else {
			uint8_t bit = (uint8_t)(1u << (p % 8));
			tss.iomap[p / 8] = allow ? tss.iomap[p / 8] & ~bit : tss.iomap[p / 8] | bit;
			p++;
		}
	}
}

/* The application code selector, also outside %gs (the Smode light path runs on the user GS). */
uint64_t cpu_app_cs;

void fpu_save(void *area)
{
	__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void fpu_restore(void *area)
{
	__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

void fpu_init_area(void *area)
{
	memset(area, 0, 512);
	*(uint16_t *)area = 0x37f;                     /* FCW: all exceptions masked */
	*(uint32_t *)((char *)area + 24) = 0x1f80;     /* MXCSR default */
}

_Noreturn void arch_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

_Noreturn void arch_poweroff(int code)
{
	outl(0xf4, (uint32_t)code);        /* isa-debug-exit, when QEMU has one */
	outw(0x604, 0x2000);               /* QEMU ACPI (q35/pc): S5 */
	outw(0xb004, 0x2000);              /* older QEMU */
	arch_halt_forever();
}
