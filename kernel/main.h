/* The generic start of the kernel: the machine layer (arch/) brings up the CPU, the console,
 * interrupt lines and physical memory, then hands over what it learned from the boot loader. */
#pragma once
#include <stddef.h>

struct boot_info {
	const char *cmdline;      /* the kernel command line ("" if none) */
	const void *image;        /* the boot image (a cpio archive), in the kernel's mapping */
	size_t image_size;
};

/* Initialise every module, mount the boot image, start /bin/init and the scheduler. */
_Noreturn void kernel_main(const struct boot_info *bi);
