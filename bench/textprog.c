/* A program with a chosen amount of text (TEXT_KIB KiB of filler instructions it never runs),
 * for measuring how change of program and exec scale with text size. With the argument
 * "wait" it sleeps until it is changed or killed; otherwise it exits at once. */
#include <string.h>
#include <unistd.h>

#define STR_(x) #x
#define STR(x) STR_(x)

__asm__(".pushsection .text.filler, \"ax\", @progbits\n"
	".globl text_filler\n"
	"text_filler:\n"
	".fill " STR(TEXT_KIB) " * 1024 - 64, 1, 0x90\n"
	"ret\n"
	".popsection\n");

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "wait") == 0)
		for (;;)
			sleep(1000);
	return 0;
}
