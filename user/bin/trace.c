/*
 * trace: Tessera's small strace. `trace PROGRAM [ARGS...]` runs PROGRAM with its calls (and
 * those of every process and thread it makes) printed by the kernel on the console and in
 * dmesg, one line per call as it returns; `trace -p PID` and `trace -p PID off` turn it on
 * and off for a running process (kernel/sys/trace.h says what is shown).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tsys.h"

static int usage(void)
{
	fprintf(stderr, "usage: trace PROGRAM [ARGS...]\n       trace -p PID [on|off]\n");
	return 2;
}

static int set(long pid, int on)
{
	long err = tsys_t_trace(pid, on);
	if (err < 0) {
		fprintf(stderr, "trace: pid %ld: %s\n", pid, strerror((int)-err));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "-p") == 0) {
		if (argc < 3 || argc > 4)
			return usage();
		char *end;
		long pid = strtol(argv[2], &end, 10);
		if (*end || pid <= 0)
			return usage();
		if (argc == 4 && strcmp(argv[3], "on") && strcmp(argv[3], "off"))
			return usage();
		return set(pid, argc == 3 || strcmp(argv[3], "on") == 0);
	}
	if (set(0, 1))
		return 1;
	execvp(argv[1], argv + 1);
	fprintf(stderr, "trace: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
