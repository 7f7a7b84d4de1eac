/* Device interrupt lines (the 8259 PIC pair today) and the table of handlers that kernel
 * modules register with: trap dispatch knows no device, it only looks a line up here. */
#pragma once
#include <stdint.h>

#define IRQ_BASE 32      /* vector of line 0 */
#define IRQ_LINES 16
#define IRQ_TIMER 0
#define IRQ_COM1 4

typedef void (*irq_handler_fn)(unsigned line);

/* Program the controllers with every line masked. */
void irq_init(void);
/* Install fn as line's handler and unmask the line: -EINVAL for a line that does not exist,
 * -EBUSY if the line has a handler already. */
int irq_register(unsigned line, irq_handler_fn fn);
/* From trap dispatch: acknowledge the line, then run its handler. The acknowledgement comes
 * first because a handler may switch to another execution (the tick) and return much later. A
 * line without a handler (spurious, or masked meanwhile) is only acknowledged. */
void irq_dispatch(unsigned line);

/* Vectors for interrupts the local APIC delivers (MSI-X, I/O APIC inputs), handed out to
 * device modules one at a time. */
#define IRQ_VEC_BASE 48
#define IRQ_VEC_COUNT 64
typedef void (*irq_vec_fn)(unsigned vector, uint64_t arg);
/* A free vector whose interrupts call fn(vector, arg): -EBUSY when none is left. */
int irq_vec_alloc(irq_vec_fn fn, uint64_t arg, unsigned *vector);
/* The vector is free again; one already pending only gets its end-of-interrupt. */
void irq_vec_free(unsigned vector);
/* From trap dispatch: run the vector's handler (interrupts off), then acknowledge it to the
 * local APIC. A handler of a level-triggered input masks it before this acknowledgement. */
void irq_vec_dispatch(unsigned vector);
