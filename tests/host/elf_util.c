/* Helpers for the ELF host tests (see elf_util.h). */
#include "tests/host/elf_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct blob blob_load(const char *path)
{
	struct blob b = { NULL, 0 };
	FILE *f = fopen(path, "rb");
	if (!f)
		return b;
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);
		rewind(f);
		b.p = n > 0 ? malloc((size_t)n) : NULL;
		if (b.p && fread(b.p, 1, (size_t)n, f) == (size_t)n) {
			b.n = (size_t)n;
		} else {
			free(b.p);
			b.p = NULL;
		}
	}
	fclose(f);
	return b;
}

struct blob blob_copy(struct blob b, size_t n)
{
	struct blob c = { malloc(n ? n : 1), n };
	if (c.p && n)
		memcpy(c.p, b.p, n);
	return c;
}

void blob_free(struct blob *b)
{
	free(b->p);
	b->p = NULL;
	b->n = 0;
}

Elf64_Ehdr *blob_ehdr(struct blob b)
{
	return (Elf64_Ehdr *)b.p;
}

Elf64_Phdr *blob_phdr(struct blob b, int i)
{
	return (Elf64_Phdr *)(b.p + blob_ehdr(b)->e_phoff) + i;
}

int blob_find_phdr(struct blob b, uint32_t type, int nth)
{
	for (int i = 0; i < blob_ehdr(b)->e_phnum; i++)
		if (blob_phdr(b, i)->p_type == type && nth-- == 0)
			return i;
	return -1;
}

int64_t blob_vaddr_off(struct blob b, uint64_t vaddr)
{
	for (int i = 0; i < blob_ehdr(b)->e_phnum; i++) {
		Elf64_Phdr *ph = blob_phdr(b, i);
		if (ph->p_type == PT_LOAD && vaddr >= ph->p_vaddr &&
		    vaddr < ph->p_vaddr + ph->p_filesz)
			return (int64_t)(ph->p_offset + (vaddr - ph->p_vaddr));
	}
	return -1;
}

Elf64_Dyn *blob_dyn(struct blob b, int64_t tag)
{
	int i = blob_find_phdr(b, PT_DYNAMIC, 0);
	if (i < 0)
		return NULL;
	Elf64_Phdr *ph = blob_phdr(b, i);
	Elf64_Dyn *d = (Elf64_Dyn *)(b.p + ph->p_offset);
	for (size_t k = 0; k < ph->p_filesz / sizeof(*d) && d[k].d_tag != DT_NULL; k++)
		if (d[k].d_tag == tag)
			return &d[k];
	return NULL;
}

Elf64_Rela *blob_rela(struct blob b, int i)
{
	Elf64_Dyn *rela = blob_dyn(b, DT_RELA), *sz = blob_dyn(b, DT_RELASZ);
	if (!rela || !sz || (uint64_t)i >= sz->d_un.d_val / sizeof(Elf64_Rela))
		return NULL;
	int64_t off = blob_vaddr_off(b, rela->d_un.d_ptr);
	return off < 0 ? NULL : (Elf64_Rela *)(b.p + off) + i;
}

uint64_t blob_word_at(struct blob b, uint64_t vaddr)
{
	int64_t off = blob_vaddr_off(b, vaddr);
	uint64_t w = 0;
	if (off >= 0)
		memcpy(&w, b.p + off, sizeof(w));
	return w;
}

struct blob synth_exec(int nload)
{
	struct blob b = { calloc((size_t)nload, 4096), (size_t)nload * 4096 };
	Elf64_Ehdr *eh = blob_ehdr(b);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x400800;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (uint16_t)nload;
	for (int i = 0; i < nload; i++) {
		Elf64_Phdr *ph = blob_phdr(b, i);
		ph->p_type = PT_LOAD;
		ph->p_flags = PF_R | PF_X;
		ph->p_offset = (uint64_t)i * 4096;
		ph->p_vaddr = ph->p_paddr = 0x400000 + (uint64_t)i * 0x10000;
		ph->p_filesz = ph->p_memsz = 4096;
		ph->p_align = 4096;
	}
	return b;
}

int rec_write(void *ctx, uint64_t vaddr, uint64_t value)
{
	struct rec *r = ctx;
	if (r->fail_at && r->n + 1 == r->fail_at)
		return r->fail_err;
	if (r->n == sizeof(r->va) / sizeof(r->va[0])) {
		r->overflow = true;
		return -1;
	}
	r->va[r->n] = vaddr;
	r->val[r->n] = value;
	r->n++;
	return 0;
}
