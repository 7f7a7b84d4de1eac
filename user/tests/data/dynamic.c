/* A dynamically linked host program: Tessera has no dynamic linker, so starting it must
 * fail with ENOEXEC (utest exec_dynamic). */
#include <stdio.h>

int main(void)
{
	puts("a dynamically linked program must not run on Tessera");
	return 0;
}
