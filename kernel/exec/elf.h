/*
 * The ELF64 format module: checks an x86-64 executable held in memory and describes what a
 * loader must map, and applies the load-time relocations of a static PIE. It knows nothing
 * about the rest of the kernel (no allocation, no page tables), so it is also built and
 * fuzzed on the host (tests/host/test_elf.c).
 *
 * Every address in struct elf_image is a link-time address: for a PIE (ET_DYN) the loader
 * adds the base it chose; for ET_EXEC the base is 0. Only statically linked programs are
 * supported (a PT_INTERP is rejected).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGS 8                       /* PT_LOAD segments accepted */
#define ELF_PAGE_SIZE 4096ull
#define ELF_USER_TOP 0x0000800000000000ull   /* first address above the user half */

/* Segment permission flags (the ELF p_flags values). */
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

/* One PT_LOAD segment: file bytes [offset, offset+filesz) appear at vaddr; the rest of
 * [vaddr, vaddr+memsz) is zero. vaddr % ELF_PAGE_SIZE == offset % ELF_PAGE_SIZE. */
struct elf_seg {
	uint64_t vaddr, memsz, filesz, offset;
	uint32_t flags;                      /* ELF_PF_* */
};

struct elf_image {
	uint64_t entry;
	bool pie;                            /* ET_DYN: may be loaded at any page-aligned base */
	uint64_t lo, hi;                     /* page-aligned span of all PT_LOAD segments */
	uint64_t phdr_vaddr;                 /* program headers in memory (AT_PHDR); 0: not loaded */
	uint16_t phnum, phentsize;           /* AT_PHNUM, AT_PHENT */
	int nseg;
	struct elf_seg seg[ELF_MAX_SEGS];    /* in program-header order */
	uint64_t dyn_vaddr, dyn_size;        /* PT_DYNAMIC (file-backed bytes); size 0: none */
	uint64_t tls_vaddr, tls_filesz, tls_memsz, tls_align;  /* PT_TLS; memsz 0: none */
};

/* Check the file and fill *out. 0, or -ENOEXEC for anything malformed or unsupported:
 * not ELF64 little-endian x86-64 ET_EXEC/ET_DYN; headers or segment bytes outside the file;
 * filesz > memsz; a segment wrapping or reaching above ELF_USER_TOP; vaddr and offset not
 * congruent modulo the page size; two PT_LOAD segments sharing a page (every page gets one
 * set of permissions); no or more than ELF_MAX_SEGS non-empty PT_LOAD; a PT_INTERP; the entry
 * outside every executable segment; PT_PHDR, PT_DYNAMIC or PT_TLS bytes not file-backed by a
 * PT_LOAD, or duplicated. *out is written only on success. */
int elf_parse(const void *file, size_t size, struct elf_image *out);

/* The file offset of [vaddr, vaddr+len), which must lie in the file-backed part of one
 * PT_LOAD segment of img; -ENOEXEC otherwise. */
int elf_file_offset(const struct elf_image *img, uint64_t vaddr, uint64_t len, uint64_t *off);

/* Stores value at the (relocated) address vaddr; returns < 0 on failure. */
typedef int (*elf_write64_fn)(void *ctx, uint64_t vaddr, uint64_t value);

/*
 * Apply the relocations of the PT_DYNAMIC segment (DT_RELA, DT_JMPREL, DT_RELR) for a load
 * at base (page-aligned; must be 0 for ET_EXEC): R_X86_64_RELATIVE stores base + addend at
 * base + offset, RELR entries store base + (the file's word there); R_X86_64_NONE is skipped.
 * The tables are read from file (the same bytes elf_parse checked). Every relocation is
 * checked before the first write64 call: any other type, a target outside the PT_LOAD
 * segments (memsz ranges), a DT_NEEDED or DT_REL table, or a malformed table gives -ENOEXEC
 * and no write; -EINVAL (no write) when write64 is NULL, base is not page-aligned, base is
 * not 0 for ET_EXEC, or base + img->hi > ELF_USER_TOP.
 * A write64 failure is returned as is (earlier writes are then already done).
 */
int elf_relocate(const struct elf_image *img, const void *file, size_t size, uint64_t base,
		 elf_write64_fn write64, void *ctx);
