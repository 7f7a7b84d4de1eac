/* Programs: what a process runs, independent of the executable format. A program names its
 * plate (the file holding its content) and records its layout (text/data/BSS sizes, entry),
 * taken from the ELF headers by the exec/elf module. */
#pragma once
#include <stdint.h>
#include "abi/tessera.h"
#include "kernel/exec/elf.h"
#include "kernel/res/res.h"

#define NPROGRAM 64
/* The largest file a program is made from: a file written at run time is copied whole while
 * the program exists (program_open gives -ENOMEM for a larger one). */
#define PROGRAM_MAX_FILE (64ul << 20)

void program_init(void);
/* The program for the plate at path (shared while in use and while the file's content is the
 * same): its parsed image and file bytes. -ENOENT, -EACCES (not a regular file with an execute
 * bit the caller may use), -ENOEXEC (bad ELF), -ENOMEM (no memory for the copy of a run-time
 * file, a file above PROGRAM_MAX_FILE, or a segment larger than a region or a span larger than
 * the system-wide range can ever be). The caller gets a use reference. */
int program_open(const char *path, const struct cred *cred, rid_t *out);
void program_put(rid_t program);
/* One more use of a program the caller already holds (a checkpoint keeps its program). */
void program_get(rid_t program);
const struct elf_image *program_image(rid_t program);
/* The shared text region of non-writable segment seg (made on first use, then attached by
 * every process running the program), or -ENOENT when the segment must be private because
 * load-time relocations write into it. */
int program_text_region(rid_t program, int seg, rid_t *out);
/* The file bytes the program was made from (read-only; valid while the program exists). */
int program_file(rid_t program, const void **data, size_t *size);
/* The plate the program was made from (0 for a bad rid). */
rid_t program_plate(rid_t program);
