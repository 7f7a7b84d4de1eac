/* The vDSO and its data page (abi/vdso.h): the same physical pages mapped into every space at
 * fixed addresses above everything the allocator hands out, as the coexistence control area
 * is (runmode.h), so processes that share a space (HVS), move between spaces or run in Smode
 * all find them where AT_SYSINFO_EHDR says. A space gets them at every program load, and a
 * space that never had a load (made by vmcreate, then entered) on the first touch. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Copies the image into its pages and writes the time base (panics if the image is bad:
 * it is part of the kernel). */
void vdso_init(void);
/* Rewrites the time base under the sequence lock (after a change of the clock's base). */
void vdso_update_time(void);
/* Maps the image (read + execute) and the data page (read-only) into the space with this
 * translation table, where not mapped yet; -ENOMEM without memory for a page table. */
/* Pages of the vDSO image (mapped from VDSO_TEXT_ADDR on). */
int vdso_pages(void);
int vdso_map(uint64_t root);
/* A fault at addr in that space: maps the vDSO if addr is in it and it was not mapped. */
bool vdso_fault(uint64_t root, uint64_t addr);
