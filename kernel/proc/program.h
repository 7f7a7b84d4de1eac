/* Programs: what a process runs, independent of the executable format. A program names its
 * plate (the file holding its content) and records its layout (text/data/BSS sizes, entry),
 * taken from the ELF headers by the exec/elf module. */
#pragma once
#include <stdint.h>
#include "abi/tessera.h"
#include "kernel/exec/elf.h"
#include "kernel/res/res.h"

#define NPROGRAM 64

void program_init(void);
/* The program for the plate at path (shared while in use): its parsed image and file bytes.
 * -ENOENT, -EISDIR, -ENOEXEC (bad ELF). The caller gets a use reference. */
int program_open(const char *path, const struct cred *cred, rid_t *out);
void program_put(rid_t program);
/* One more use of a program the caller already holds (a checkpoint keeps its program). */
void program_get(rid_t program);
const struct elf_image *program_image(rid_t program);
/* The shared text region of non-writable segment seg (made on first use, then attached by
 * every process running the program), or -ENOENT when the segment must be private because
 * load-time relocations write into it. */
int program_text_region(rid_t program, int seg, rid_t *out);
int program_file(rid_t program, const void **data, size_t *size);
