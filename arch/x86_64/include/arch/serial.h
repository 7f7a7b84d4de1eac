/* The 16550 UART on COM1: the machine's terminal. */
#pragma once
void serial_init(void);
void serial_putc(char c);
/* Drain received bytes, passing each to fn (called from the UART interrupt). */
void serial_poll_input(void (*fn)(char c));
