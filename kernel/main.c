/* The generic start of the kernel (see main.h): each module's init in the order their
 * dependencies need, the tick wired to the scheduler and process timers, then init. */
#include "kernel/main.h"
#include "abi/errno.h"
#include "arch/irq.h"
#include "arch/paging.h"
#include "arch/timer.h"
#include "kernel/dev/device.h"
#include "kernel/fs/plate.h"
#include "kernel/ipc/cbox.h"
#include "kernel/ipc/ica.h"
#include "kernel/ipc/srv.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uva.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/loadavg.h"
#include "kernel/node/node.h"
#include "kernel/proc/ckpt.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/args.h"
#include "kernel/proc/procmem.h"
#include "kernel/proc/procmove.h"
#include "kernel/proc/program.h"
#include "kernel/proc/ptimer.h"
#include "kernel/proc/vdso.h"
#include "kernel/res/reuse.h"

#define MAX_INIT_ARGS 64

/* The resource tables first (reuse before the types that register with it), then the
 * modules that hook into them. */
static void resources_init(void)
{
	reuse_init();
	exec_init();
	proc_init();
	program_init();
	vregion_init();
	vspace_init();
	vattach_init();
	ica_init();                     /* its pool gives the path buffers plate_init uses */
	plate_init();
	procmem_init();
	proc_space_init();
	ckpt_init();
	ipc_init();
	srv_init();
	dev_init();
	plate_proc_init();              /* /proc/tessera/res names every registered type */
}

static void clock_tick(unsigned line)
{
	(void)line;
	uint64_t now = time_ns();
	sched_tick();
	ptimer_tick(now);
	loadavg_tick(now);
}

/* The words of the command line become init's arguments (argv[0] is "init"). */
static int split_args(char *s, const char **argv, int max)
{
	int n = 0;
	argv[n++] = "init";
	for (char *p = s; *p && n < max;) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		argv[n++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return n;
}

static void start_init(const char *cmdline)
{
	static char words[1024];       /* split in place; init's arguments are copied at create */
	const char *argv[MAX_INIT_ARGS];
	strlcpy(words, cmdline, sizeof(words));
	int argc = split_args(words, argv, MAX_INIT_ARGS);
	struct args *args = args_pack(argv, argc, NULL, 0);
	int pid, err = args ? proc_create("/bin/init", args, "init", 0, 0, EXEC_DEFAULT_PRIO,
					  NULL, &pid) : -ENOMEM;
	if (err)
		panic("kernel_main: cannot start /bin/init: error %d", err);
}

void kernel_main(const struct boot_info *bi)
{
	node_boot_args(bi->cmdline);
	uva_init();
	node_init();
	resources_init();
	vdso_init();
	if (irq_register(IRQ_TIMER, clock_tick))
		panic("kernel_main: the timer line has a handler already");
	if (!bi->image)
		panic("kernel_main: no boot image (pass one with -initrd)");
	int err = plate_init_image(bi->image, bi->image_size);
	if (err)
		panic("kernel_main: bad boot image: error %d", err);
	kprintf("Tessera: %lu MiB free, boot image %lu KiB, PCID %s\n",
		pmm_free_pages() * PAGE_SIZE >> 20, (unsigned long)(bi->image_size >> 10),
		paging_pcid_enabled() ? "on" : paging_pcid_supported() ? "off" : "not supported");
	start_init(bi->cmdline);
	sched_start();
}
