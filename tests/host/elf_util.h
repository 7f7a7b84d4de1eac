/*
 * Helpers shared by the ELF host tests: test executables as byte buffers, and an
 * independent view of their headers through glibc's <elf.h> (not through the module under
 * test), used to mutate them and to compute expected results.
 */
#pragma once
#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A file image in a heap block of exactly n bytes, so ASan catches any read past its end. */
struct blob {
	uint8_t *p;
	size_t n;
};

struct blob blob_load(const char *path);
struct blob blob_copy(struct blob b, size_t n);   /* the first n bytes (n <= b.n) */
void blob_free(struct blob *b);

Elf64_Ehdr *blob_ehdr(struct blob b);
Elf64_Phdr *blob_phdr(struct blob b, int i);
/* Index of the nth (0-based) program header of the given type, or -1. */
int blob_find_phdr(struct blob b, uint32_t type, int nth);
/* File offset of vaddr through the PT_LOAD headers (file-backed bytes only), or -1. */
int64_t blob_vaddr_off(struct blob b, uint64_t vaddr);
/* The dynamic-section entry with this tag, or NULL. */
Elf64_Dyn *blob_dyn(struct blob b, int64_t tag);
/* Entry i of the DT_RELA table, or NULL. */
Elf64_Rela *blob_rela(struct blob b, int i);
uint64_t blob_word_at(struct blob b, uint64_t vaddr);   /* 0 where not file-backed */

/* A minimal synthetic ET_EXEC: nload one-page R+X segments, headers in the first one. */
struct blob synth_exec(int nload);

/* A write64 callback recording every store; fails with fail_err on call number fail_at. */
struct rec {
	size_t n;
	uint64_t va[4096], val[4096];
	size_t fail_at;   /* 0: never */
	int fail_err;
	bool overflow;
};
int rec_write(void *ctx, uint64_t vaddr, uint64_t value);
