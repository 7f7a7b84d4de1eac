/* Compatibility check: prints its arguments one per line, and the count. argv[0] and the
 * root directory argument (argv[1]: "/" on Tessera, "build/root" on the host) differ between
 * the two systems, so only their presence is shown. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("argc %d\n", argc);
	printf("argv[0] %s\n", argv[0] && argv[0][0] ? "present" : "missing");
	for (int i = 2; i < argc; i++)
		printf("argv[%d] [%s]\n", i, argv[i]);
	printf("argv[argc] %s\n", argv[argc] ? "not NULL" : "NULL");
	return 0;
}
