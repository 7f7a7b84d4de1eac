/* Compatibility check: printf formats, fputs/puts, snprintf, sscanf and strtol/strtod.
 * Prints the same text on Tessera and on Linux. Usage: stdio [ROOT] (ROOT unused). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void formats(void)
{
	printf("int: %d %i %u %x %X %o\n", -42, 17, 3000000000u, 0xbeef, 0xbeef, 8);
	printf("width: [%5d] [%-5d] [%05d] [%+d] [% d]\n", 42, 42, 42, 42, 42);
	printf("long: %ld %lld %llu %zu\n", -1234567890123l, -9000000000000000000ll,
	       18000000000000000000ull, (size_t)123456);
	printf("char/str: [%c] [%s] [%10s] [%-10s] [%.3s]\n", 'T', "tile", "mosaic", "left",
	       "truncate");
	printf("float: %f %.2f %10.4f %e %g %g\n", 3.14159265, 2.5, -1.0 / 3, 12345.678, 0.0001,
	       1e20);
	printf("hex alt: %#x %#o %%\n", 255, 8);
	printf("short/char: %hd %hhu\n", (short)-7, (unsigned char)250);
}

static void strings(void)
{
	char buf[16];
	/* volatile: the truncation is the point, so keep the compiler from warning about it */
	const char *volatile text = "a long string here";
	int n = snprintf(buf, sizeof(buf), "%s-%d", text, 12345);
	printf("snprintf: %d [%s]\n", n, buf);
	fputs("fputs line\n", stdout);
	puts("puts line");
	putchar('!');
	putchar('\n');
}

static void scanning(void)
{
	int a = 0, b = 0;
	unsigned x = 0;
	char word[32] = "";
	double d = 0;
	int n = sscanf("12 -34 ff tessera 2.75", "%d %d %x %31s %lf", &a, &b, &x, word, &d);
	printf("sscanf: %d -> %d %d %u %s %.2f\n", n, a, b, x, word, d);
	n = sscanf("key=value", "%31[^=]=%d", word, &a);
	printf("sscanf partial: %d [%s]\n", n, word);
	char *end;
	long l = strtol("0x7fzz", &end, 0);
	printf("strtol: %ld rest [%s]\n", l, end);
	printf("strtod: %.4f\n", strtod("-6.02e-3", NULL));
	printf("atoi: %d\n", atoi("  99 bottles"));
}

int main(void)
{
	formats();
	strings();
	scanning();
	printf("stdio done\n");
	return 0;
}
