/* Device interrupt lines (the 8259 PIC pair today) and the table of handlers that kernel
 * modules register with: trap dispatch knows no device, it only looks a line up here. */
#pragma once

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
