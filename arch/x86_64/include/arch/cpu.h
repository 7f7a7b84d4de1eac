/* x86-64 CPU primitives: port I/O, MSRs, control registers, interrupt flag, segment
 * selectors, and the trap frame every interrupt, exception and system call builds. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "arch/trapvec.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23
#define SEL_TSS 0x28

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#define RFLAGS_IF 0x200

/* Saved by the entry stubs (entry.S); the layout is shared with the assembly. */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;     /* as pushed by the CPU */
};

/* The call put back a whole interrupted state (sigreturn): the way out must be iretq, since the
 * fast ways out of a call (sysretq, the Smode jump) load rip into rcx and rflags into r11,
 * registers the interrupted code may have been using. */
static inline void trapframe_restored(struct trapframe *tf)
{
	tf->vector = TF_VEC_RESTORED;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}
static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}
static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
static inline void cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}
static inline void sti(void)
{
	__asm__ volatile("sti" ::: "memory");
}
static inline uint64_t irq_save(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f) : : "memory");
	return f;
}
static inline void irq_restore(uint64_t f)
{
	if (f & RFLAGS_IF)
		sti();
}

/* Per-CPU data reached through %gs in the kernel (one CPU). The first two fields are used by
 * the syscall entry stub: keep their offsets. */
struct percpu {
	uint64_t kstack_top;    /* %gs:0  kernel stack of the running execution */
	uint64_t user_rsp;      /* %gs:8  scratch for the syscall entry */
	uint64_t app_ss;        /* %gs:16 the running process's application SS and CS: */
	uint64_t app_cs;        /* %gs:24 user segments, or kernel ones in Smode (runmode.c) */
};

extern struct percpu cpu_percpu;     /* the one CPU's */

void cpu_init(void);
void cpu_set_kstack(uint64_t top);
extern uint64_t cpu_kstack_top;      /* the same, outside %gs (Smode light path) */
extern uint64_t cpu_app_cs;          /* percpu.app_cs, outside %gs (Smode light path) */

/* Segments the syscall entry records for the running process's application code:
 * ring 0 (Smode, kernel/proc/runmode.c) or ring 3. Inline: the Smode switch fast path may
 * call nothing. */
static inline void cpu_set_app_mode(bool smode)
{
	cpu_app_cs = smode ? SEL_KCODE : SEL_UCODE;
	cpu_percpu.app_ss = smode ? SEL_KDATA : SEL_UDATA;
	cpu_percpu.app_cs = cpu_app_cs;
}
/* The TSS I/O permission bitmap: ring-3 port access goes through it only while open (closed,
 * every port faults); cpu_io_permit opens or closes [base, base+count) in it. */
void cpu_io_open(bool open);
void cpu_io_permit(uint16_t base, uint32_t count, bool allow);
_Noreturn void arch_halt_forever(void);
/* Power off the machine; exit code goes to isa-debug-exit when QEMU has one. */
_Noreturn void arch_poweroff(int code);
/* FPU/SSE state of an execution (fxsave area, 512 bytes, 16-byte aligned). */
void fpu_save(void *area);
void fpu_restore(void *area);
void fpu_init_area(void *area);
