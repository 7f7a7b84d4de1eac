/* The console terminal on the first serial port: output, and line-edited input with echo
 * and backspace (canonical mode) or raw bytes (when ICANON is cleared with TCSETS), and the
 * signal characters (ISIG). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Output for kprintf, and input from the serial line's interrupt (call after irq_init). */
void console_init(void);
/* Blocks until input is available; returns bytes read (0 at end of input never happens). */
long console_read(char *kbuf, size_t n);
long console_write(const char *kbuf, size_t n);
/* Whether a console_read would return at once (input queued, or an end of file pending). */
int console_readable(void);
/* Called from the serial interrupt with each received byte. */
void console_input(char c);
/* termios lflag bits the console honours: ISIG 0x1, ICANON 0x2, ECHO 0x8, TOSTOP 0x100 */
uint32_t console_get_lflag(void);
void console_set_lflag(uint32_t lflag);
/* The termios characters VINTR, VQUIT and VSUSP (0: disabled): with ISIG they send SIGINT,
 * SIGQUIT and SIGTSTP to the foreground process group (kernel/proc/ctty.h). */
void console_set_cc(uint8_t intr, uint8_t quit, uint8_t susp);
/* Whether process pid is waiting for console input now. */
bool console_waiting(int pid);
