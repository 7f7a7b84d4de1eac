/* Compatibility check: prints its arguments (not argv[0], whose form differs between
 * systems), one per line, and the count. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("argc %d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] [%s]\n", i, argv[i]);
	printf("argv[argc] %s\n", argv[argc] ? "not NULL" : "NULL");
	return 0;
}
