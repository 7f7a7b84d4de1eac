/* The NMI debug dump (kdebug.c): processes, executions and kernel return addresses. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* rip, rsp, rbp: where the NMI interrupted; in_kernel: it was kernel code (then rbp's chain
 * is walked as the running execution's kernel stack). */
void kdebug_dump(uint64_t rip, uint64_t rsp, uint64_t rbp, bool in_kernel);
