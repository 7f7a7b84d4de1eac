/* COM1 16550 UART: polled output, interrupt-driven input. */
#include "arch/serial.h"
#include "arch/cpu.h"

#define COM1 0x3f8

void serial_init(void)
{
	outb(COM1 + 1, 0x00);      /* no interrupts while configuring */
	outb(COM1 + 3, 0x80);      /* DLAB */
	outb(COM1 + 0, 0x01);      /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);      /* 8N1 */
	outb(COM1 + 2, 0xc7);      /* FIFO on, cleared */
	outb(COM1 + 4, 0x0b);      /* DTR, RTS, OUT2 (routes the IRQ) */
	outb(COM1 + 1, 0x01);      /* interrupt on received data */
}

void serial_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

void serial_poll_input(void (*fn)(char c))
{
	while (inb(COM1 + 5) & 0x01)
		fn((char)inb(COM1));
}
