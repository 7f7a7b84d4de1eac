/* hello: the smallest program that shows the C library, arguments and a system call work. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	printf("Hello from Tessera! (pid %d", (int)getpid());
	for (int i = 1; i < argc; i++)
		printf(", arg %s", argv[i]);
	printf(")\n");
	return 0;
}
