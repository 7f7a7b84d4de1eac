/* Partial mprotect and munmap of an anonymous mapping (what musl does for thread stacks and
 * guard pages): the parts get their own protection, and the output matches Linux. */
#include <stdio.h>
#include <sys/mman.h>
#include <string.h>
int main(void) {
	size_t n = 64 * 4096;
	char *p = mmap(0, n, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) { perror("mmap"); return 1; }
	if (mprotect(p + 4096, n - 8192, PROT_READ|PROT_WRITE)) { perror("mprotect"); return 1; }
	memset(p + 4096, 7, n - 8192);
	long s = 0; for (size_t i = 4096; i < n - 4096; i++) s += p[i];
	printf("sum %ld (expect %ld)\n", s, 7L * (long)(n - 8192));
	if (munmap(p + 8 * 4096, 4096)) { perror("munmap"); return 1; }
	if (mprotect(p + 4096, 4096, PROT_READ)) { perror("mprotect2"); return 1; }
	printf("read %d\n", p[4096]);
	munmap(p, n);
	puts("ok");
	return 0;
}
