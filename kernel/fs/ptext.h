/* Generated text: the bytes of a /proc file as one read of it sees them (procfs.h). The text
 * grows page by page (the pages are the open file's, given back at close), up to
 * PTEXT_MAX_PAGES; what goes beyond is cut off and the text marked short, so no reader can
 * make the kernel build an unbounded file. Strings are copied as they are (no escaping): the
 * generators decide what a field may hold. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PTEXT_MAX_PAGES 512u            /* 2 MiB: a page of page addresses */

struct ptext {
	uint64_t *pages;                /* physical addresses, in a page of their own */
	uint32_t npages;
	size_t len;
	bool cut;                       /* something did not fit (size or memory) */
};

/* An empty text (no memory yet). */
void ptext_init(struct ptext *t);
/* Gives back every page; the text is empty again. */
void ptext_free(struct ptext *t);
/* Empty again, keeping the pages for the next generation. */
void ptext_reset(struct ptext *t);
void ptext_put(struct ptext *t, const void *s, size_t n);
void ptext_str(struct ptext *t, const char *s);
void ptext_char(struct ptext *t, char c);
/* Formatted with ksnprintf rules; meant for numbers (ksnprintf escapes %s arguments), at most
 * 256 bytes per call. */
void ptext_fmt(struct ptext *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Up to n bytes at off (0 at or beyond the end): where they are, valid until the next change. */
size_t ptext_span(const struct ptext *t, size_t off, const void **p);
