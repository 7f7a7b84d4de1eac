/* Interrupt lines through the 8259 PIC pair, the handler table (see irq.h), and the vectors
 * handed out for interrupts that arrive through the local APIC. */
#include "arch/irq.h"
#include "abi/errno.h"
#include "arch/apic.h"
#include "arch/cpu.h"

static irq_handler_fn handlers[IRQ_LINES];

void irq_init(void)
{
	outb(0x20, 0x11); outb(0xa0, 0x11);        /* ICW1: init, ICW4 needed */
	outb(0x21, IRQ_BASE); outb(0xa1, IRQ_BASE + 8);
	outb(0x21, 4); outb(0xa1, 2);              /* cascade on IRQ2 */
	outb(0x21, 1); outb(0xa1, 1);              /* 8086 mode */
	outb(0x21, 0xfb); outb(0xa1, 0xff);        /* everything masked but the cascade */
}

static void unmask(unsigned line)
{
	uint16_t port = line < 8 ? 0x21 : 0xa1;
	outb(port, inb(port) & ~(1 << (line & 7)));
}

static void eoi(unsigned line)
{
	if (line >= 8)
		outb(0xa0, 0x20);
	outb(0x20, 0x20);
}

int irq_register(unsigned line, irq_handler_fn fn)
{
	if (line >= IRQ_LINES || line == 2 || !fn)  /* line 2 is the cascade */
		return -EINVAL;
	if (handlers[line])
		return -EBUSY;
	handlers[line] = fn;
	unmask(line);
	return 0;
}

void irq_dispatch(unsigned line)
{
	if (line >= IRQ_LINES)
		return;
	eoi(line);
	if (handlers[line])
		handlers[line](line);
}

static struct {
	irq_vec_fn fn;
	uint64_t arg;
} vecs[IRQ_VEC_COUNT];

int irq_vec_alloc(irq_vec_fn fn, uint64_t arg, unsigned *vector)
{
	if (!fn)
		return -EINVAL;
	for (unsigned i = 0; i < IRQ_VEC_COUNT; i++) {
		if (vecs[i].fn)
			continue;
		uint64_t f = irq_save();
		vecs[i].arg = arg;
		vecs[i].fn = fn;
		irq_restore(f);
		*vector = IRQ_VEC_BASE + i;
		return 0;
	}
	return -EBUSY;
}

void irq_vec_free(unsigned vector)
{
	if (vector < IRQ_VEC_BASE || vector >= IRQ_VEC_BASE + IRQ_VEC_COUNT)
		return;
	uint64_t f = irq_save();
	vecs[vector - IRQ_VEC_BASE].fn = 0;
	irq_restore(f);
}

void irq_vec_dispatch(unsigned vector)
{
	if (vector < IRQ_VEC_BASE || vector >= IRQ_VEC_BASE + IRQ_VEC_COUNT)
		return;
	unsigned i = vector - IRQ_VEC_BASE;
	if (vecs[i].fn)
		vecs[i].fn(vector, vecs[i].arg);
	lapic_eoi();
}
