/*
 * Devices (kernel/dev, docs/servers.md): the PCI functions QEMU gives the test boots (q35's
 * own, its default e1000e network card, a virtio-blk disk with MSI-X and one without, see
 * QEMU_TEST_FLAGS in the Makefile, and QEMU's edu teaching device) are listed with the right identities; claims follow the
 * rules (one live claimant, TOP_USE, ended by release or exit); a claim maps the memory BARs
 * but the MSI-X table, and opens the I/O BARs and nothing else; interrupts reach the kernel and stop when the
 * claimant dies.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "abi/srv.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

/* virtio legacy registers (virtio 0.9.5, I/O BAR 0) */
#define VIO_HOST_FEATURES 0x00
#define VIO_QUEUE_SIZE 0x0c
#define VIO_QUEUE_SELECT 0x0e
/* virtio 1.0 common configuration (struct virtio_pci_common_cfg) */
#define VIRTIO_DEVICE_FEATURE_SELECT 0x00
#define VIRTIO_DEVICE_FEATURE 0x04
#define VIRTIO_NUM_QUEUES 0x12
/* e1000e (82574) registers in memory BAR 0 */
#define E1K_ICR 0xc0
#define E1K_ICS 0xc8
#define E1K_IMS 0xd0
#define E1K_IMC 0xd8
#define E1K_IVAR 0xe4
#define E1K_ICR_OTHER (1u << 24)
#define E1K_IVAR_OTHER_VEC0 (0x8u << 16)    /* "other" causes -> MSI-X entry 0, valid */

static inline uint32_t in32(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t in16(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void out16(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void out8(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* The first device vendor:device (with MSI-X or without, -1: either), 0 if there is none. */
static rid_t find_dev(uint16_t vendor, uint16_t device, int msix)
{
	rid_t rid = 0;
	struct t_dev_info d;
	while (t_res_next(RT_DEVICE, rid, &rid) == 0)
		if (t_dev_info(rid, &d) == 0 && d.vendor == vendor && d.device == device &&
		    (msix < 0 || !!d.msix_vectors == msix))
			return rid;
	return 0;
}

/* A virtio-blk disk no driver holds (init starts one for the first disk; the test boots have
 * two): the tests that poke virtio registers use it. */
static rid_t free_virtio_blk(void)
{
	rid_t rid = 0;
	struct t_dev_info d;
	while (t_res_next(RT_DEVICE, rid, &rid) == 0)
		if (t_dev_info(rid, &d) == 0 && d.vendor == 0x1af4 && d.device == 0x1001 &&
		    d.claimant == 0)
			return rid;
	FAIL("no unclaimed virtio-blk disk in this boot");
}

static rid_t need_dev(uint16_t vendor, uint16_t device, int msix)
{
	rid_t rid = find_dev(vendor, device, msix);
	if (!rid)
		FAIL("no device %04x:%04x%s in this boot", vendor, device,
		     msix == 1 ? " with MSI-X" : msix == 0 ? " without MSI-X" : "");
	return rid;
}

#define NDEV_PROBE 63      /* a slot of the kernel's device table no test boot fills */

static rid_t self_rid(void)
{
	rid_t r;
	CHECK_OK(t_proc_rid(getpid(), &r));
	return r;
}

static struct t_dev_info info_of(rid_t rid)
{
	struct t_dev_info d;
	CHECK_OK(t_dev_info(rid, &d));
	return d;
}

static char *rid_arg(rid_t rid)
{
	static char buf[4][24];
	static int n;
	char *b = buf[n++ % 4];
	snprintf(b, 24, "%llx", (unsigned long long)rid);
	return b;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

static void expect_status(int status, int sig, const char *what)
{
	if (sig ? !(WIFSIGNALED(status) && WTERMSIG(status) == sig)
		: !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		FAIL("%s: helper ended with status 0x%x", what, status);
}

/* Every function is listed once, named after its address, with sane identities; the
 * virtio disks and q35's host bridge are there with their classes and BARs. */
static void dev_list(void)
{
	rid_t rid = 0, found;
	struct t_dev_info d;
	struct t_res_info in;
	int n = 0;
	while (t_res_next(RT_DEVICE, rid, &rid) == 0) {
		char name[T_NAME_MAX];
		CHECK_OK(t_dev_info(rid, &d));
		CHECK_OK(t_res_info(rid, &in));
		snprintf(name, sizeof(name), "pci-%02x:%02x.%x", d.bus, d.slot, d.func);
		CHECK(strcmp(in.name, name) == 0);
		CHECK_EQ(in.owner, 0);
		CHECK_EQ(in.mode, TMODE(TOP_ALL, TOP_REFER, TOP_REFER));
		CHECK_EQ(in.v[0], (uint64_t)d.vendor << 16 | d.device);
		CHECK_EQ(in.v[1], d.class_code);
		CHECK(d.vendor != 0xffff && d.rid == rid && d.claimant >= 0);
		CHECK_OK(t_res_lookup(RT_DEVICE, name, &found));
		CHECK_EQ(found, rid);
		n++;
	}
	CHECK(n >= 5);
	d = info_of(need_dev(0x8086, 0x29c0, -1));
	CHECK(d.bus == 0 && d.slot == 0 && d.func == 0 && d.class_code == 0x060000);
	d = info_of(need_dev(0x1af4, 0x1001, 1));
	CHECK_EQ(d.class_code >> 8, 0x0100);             /* mass storage, SCSI (virtio-blk) */
	CHECK_EQ(d.subsys_id, 2);                         /* virtio device type 2: block */
	CHECK(d.irq_pin >= 1 && d.irq_pin <= 4);
	CHECK_EQ(d.bar_kind[0], TBAR_IO);                 /* the legacy registers */
	CHECK(d.bar_size[0] >= 0x20 && (d.bar_size[0] & (d.bar_size[0] - 1)) == 0);
	CHECK(d.bar_base[0] >= 0x1000 && d.bar_base[0] % d.bar_size[0] == 0);
	CHECK(d.msix_vectors >= 2);
	int mem = 0;
	for (int i = 0; i < T_DEV_BARS; i++)
		if (d.bar_kind[i] == TBAR_MEM) {
			CHECK(d.bar_size[i] >= 4096 && (d.bar_size[i] & (d.bar_size[i] - 1)) == 0);
			CHECK_EQ(d.bar_base[i] % d.bar_size[i], 0);
			mem++;
		}
	CHECK(mem >= 2);                                  /* MSI-X table, modern registers */
	d = info_of(need_dev(0x1af4, 0x1001, 0));
	CHECK_EQ(d.msix_vectors, 0);
	CHECK(d.irq_pin >= 1);
	CHECK_ERR(t_dev_info(0, &d), EINVAL);
	CHECK_ERR(t_dev_info(RID_MAKE(RT_DEVICE, 1, NDEV_PROBE), &d), ESTALE);
	CHECK_ERR(t_dev_info(self_rid(), &d), EINVAL);     /* not a device */
	CHECK_ERR(t_dev_claim(self_rid(), &(struct t_dev_claim){ 0 }), EINVAL);
}

/* Claim and release (of the e1000e network card, which no driver uses): the claim shows, its
 * MSI-X vectors are set up, its memory BARs are mapped and its I/O BAR is not (ports are
 * opened, not mapped); releasing twice fails. */
static void dev_claim_release(void)
{
	rid_t rid = need_dev(0x8086, 0x10d3, 1);
	struct t_dev_info d = info_of(rid);
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(rid, &c));
	CHECK_EQ(info_of(rid).claimant, getpid());
	CHECK_EQ(c.msix, 1);
	CHECK_EQ(c.nvec, d.msix_vectors < 8 ? d.msix_vectors : 8);
	for (int i = 0; i < T_DEV_BARS; i++)
		CHECK(d.bar_kind[i] == TBAR_MEM ? c.bar_addr[i] != 0 : c.bar_addr[i] == 0);
	CHECK_OK(t_dev_release(rid));
	CHECK_EQ(info_of(rid).claimant, 0);
	CHECK_ERR(t_dev_release(rid), EPERM);
	CHECK_ERR(t_dev_irq_ack(rid, 0), EPERM);
	uintptr_t bad[UT_NBAD];
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(t_dev_info(rid, (struct t_dev_info *)bad[i]), EFAULT);
		/* not the unmapped page: addresses are system-wide and first fit, so the claim's
		 * own BAR mapping may land right there */
		if (i < 4)
			CHECK_ERR(t_dev_claim(rid, (struct t_dev_claim *)bad[i]), EFAULT);
		CHECK_EQ(info_of(rid).claimant, 0);
	}
	CHECK_EQ(info_of(rid).claimant, 0);
}

/* One live claimant: a second claim, by the holder or by another process, is -EBUSY; a
 * claimant stays in its space. */
static void dev_claim_twice(void)
{
	rid_t rid = need_dev(0x8086, 0x10d3, 1);
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(rid, &c));
	CHECK_ERR(t_dev_claim(rid, &c), EBUSY);
	CHECK_ERR(t_proc_move(0, 0), EBUSY);              /* its BARs are mapped here */
	const char *const args[] = { "dev", "claim", rid_arg(rid), "-16", NULL };
	expect_status(ut_run_helper(args), 0, "claim from another process");
	CHECK_EQ(info_of(rid).claimant, getpid());
	CHECK_OK(t_dev_release(rid));
}

/* An ordinary user may look at devices but not claim, release or acknowledge them. */
static void dev_claim_uid(void)
{
	rid_t rid = need_dev(0x8086, 0x10d3, 1);
	const char *const args[] = { "dev", "uid", rid_arg(rid), NULL };
	expect_status(ut_run_helper(args), 0, "claim as user 1000");
	CHECK_EQ(info_of(rid).claimant, 0);
}

/* The modern virtio registers answer through the claimant's mapping of BAR 4 (QEMU puts the
 * common configuration at its start): the feature window moves with its selector, and the
 * device announces VIRTIO_F_VERSION_1 (feature 32). After release nothing is mapped. */
static void dev_bar_read(void)
{
	rid_t rid = free_virtio_blk();
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(rid, &c));
	CHECK(c.bar_addr[4] != 0);
	volatile uint32_t *common = (volatile uint32_t *)c.bar_addr[4];
	common[VIRTIO_DEVICE_FEATURE_SELECT / 4] = 1;
	CHECK_EQ(common[VIRTIO_DEVICE_FEATURE_SELECT / 4], 1);
	CHECK_EQ(common[VIRTIO_DEVICE_FEATURE / 4] & 1, 1);     /* feature 32 */
	common[VIRTIO_DEVICE_FEATURE_SELECT / 4] = 0;
	CHECK(common[VIRTIO_DEVICE_FEATURE / 4] != 0);
	CHECK(((volatile uint16_t *)common)[VIRTIO_NUM_QUEUES / 2] >= 1);
	CHECK_OK(t_dev_release(rid));
	const char *const args[] = { "dev", "unmapped", rid_arg(rid), NULL };
	expect_status(ut_run_helper(args), SIGSEGV, "BAR read after release");
}

/* The MSI-X table stays the kernel's: the e1000e's (BAR 3 from offset 0, QEMU's layout) is
 * not mapped, while the rest of that BAR (its pending-bit array at 0x2000) is. */
static void dev_msix_hidden(void)
{
	rid_t rid = need_dev(0x8086, 0x10d3, 1);
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(rid, &c));
	CHECK(c.bar_addr[3] != 0);
	volatile uint32_t *pba = (volatile uint32_t *)(c.bar_addr[3] + 0x2000);
	CHECK_EQ(pba[0] & ~0x1fu, 0);                     /* 5 entries: bits 0..4 at most */
	CHECK_OK(t_dev_release(rid));
	const char *const table[] = { "dev", "msixread", rid_arg(rid), NULL };
	expect_status(ut_run_helper(table), SIGSEGV, "read of the MSI-X table");
}

/* Ports: the claimant reads and writes its I/O BAR (the virtio legacy registers answer),
 * then a port outside it kills it with SIGSEGV; another process gets no port at all, even
 * the claimed ones; the kernel goes on. */
static void dev_ports(void)
{
	rid_t rid = free_virtio_blk();
	const char *const cf8[] = { "dev", "ports", rid_arg(rid), "cf8", NULL };
	expect_status(ut_run_helper(cf8), SIGSEGV, "port 0xcf8 beside a claim");
	const char *const p80[] = { "dev", "ports", rid_arg(rid), "80", NULL };
	expect_status(ut_run_helper(p80), SIGSEGV, "port 0x80 beside a claim");
	/* the ports right before and right after the BAR */
	struct t_dev_info d = info_of(rid);
	char before[16], after[16];
	snprintf(before, sizeof(before), "%llx", (unsigned long long)d.bar_base[0] - 1);
	snprintf(after, sizeof(after), "%llx", (unsigned long long)(d.bar_base[0] + d.bar_size[0]));
	const char *const pb[] = { "dev", "ports", rid_arg(rid), before, NULL };
	expect_status(ut_run_helper(pb), SIGSEGV, "the port before the BAR");
	const char *const pa[] = { "dev", "ports", rid_arg(rid), after, NULL };
	expect_status(ut_run_helper(pa), SIGSEGV, "the port after the BAR");
	CHECK_EQ(info_of(rid).claimant, 0);
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(rid, &c));
	const char *const none[] = { "dev", "noports", rid_arg(rid), NULL };
	expect_status(ut_run_helper(none), SIGSEGV, "claimed port from another process");
	/* and the claimant's own ports still work after those faults and switches */
	uint16_t base = (uint16_t)info_of(rid).bar_base[0];
	CHECK(in32(base + VIO_HOST_FEATURES) != 0);
	CHECK_OK(t_dev_release(rid));
	expect_status(ut_run_helper(none), SIGSEGV, "port after release");
}

/* A claim ends when its claimant exits, with or without releasing, killed or not. */
static void dev_claim_exit(void)
{
	rid_t rid = need_dev(0x8086, 0x10d3, 1);
	const char *const hold[] = { "dev", "hold", rid_arg(rid), NULL };
	expect_status(ut_run_helper(hold), 0, "claim and exit");
	CHECK_EQ(info_of(rid).claimant, 0);
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(rid, &c));
	CHECK_OK(t_dev_release(rid));
	const char *const wait[] = { "dev", "holdwait", rid_arg(rid), NULL };
	int pid = ut_spawn_helper(wait);
	for (int i = 0; i < 500 && info_of(rid).claimant != pid; i++)
		sleep_ms(10);
	CHECK_EQ(info_of(rid).claimant, pid);
	CHECK_ERR(t_dev_claim(rid, &c), EBUSY);
	CHECK_OK(kill(pid, SIGKILL));
	expect_status(ut_wait(pid), SIGKILL, "claimant killed");
	CHECK_EQ(info_of(rid).claimant, 0);
	CHECK_OK(t_dev_claim(rid, &c));
	CHECK_OK(t_dev_release(rid));
}

/* The e1000e's interrupt cause set register makes the card raise its "other" cause, routed
 * to MSI-X entry 0: each one reaches the kernel and is counted for the claim. */
static void e1k_raise(volatile uint32_t *regs)
{
	regs[E1K_ICR / 4] = 0xffffffffu;          /* clear what is pending (write 1 to clear) */
	regs[E1K_ICS / 4] = E1K_ICR_OTHER;
}

static void e1k_arm(volatile uint32_t *regs)
{
	regs[E1K_IMC / 4] = 0xffffffffu;
	regs[E1K_IVAR / 4] = E1K_IVAR_OTHER_VEC0;
	regs[E1K_IMS / 4] = E1K_ICR_OTHER;
}

static void dev_irq_msix(void)
{
	rid_t rid = need_dev(0x8086, 0x10d3, 1);
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(rid, &c));
	CHECK_EQ(c.msix, 1);
	volatile uint32_t *regs = (volatile uint32_t *)c.bar_addr[0];
	CHECK(regs != NULL);
	e1k_arm(regs);
	/* each raise brings one more; the card may add one of its own (one left pending by an
	 * earlier claimant, or one its interrupt throttling held back), never fewer */
	uint64_t count = info_of(rid).irq_count;
	for (int n = 1; n <= 5; n++) {
		e1k_raise(regs);
		for (int i = 0; i < 200 && info_of(rid).irq_count <= count; i++)
			sleep_ms(5);
		CHECK(info_of(rid).irq_count > count);
		count = info_of(rid).irq_count;
	}
	regs[E1K_IMC / 4] = 0xffffffffu;
	CHECK_OK(t_dev_release(rid));
	count = info_of(rid).irq_count;
	sleep_ms(50);
	CHECK_EQ(info_of(rid).irq_count, count);
}

/* A claimant raising interrupts as fast as it can is killed: from then on none arrives,
 * and the device can be claimed again. */
static void dev_irq_dead(void)
{
	rid_t rid = need_dev(0x8086, 0x10d3, 1);
	const char *const storm[] = { "dev", "storm", rid_arg(rid), NULL };
	uint64_t before = info_of(rid).irq_count;
	int pid = ut_spawn_helper(storm);
	for (int i = 0; i < 1000 && info_of(rid).irq_count < before + 20; i++)
		sleep_ms(5);
	CHECK(info_of(rid).irq_count >= before + 20);
	CHECK_OK(kill(pid, SIGKILL));
	expect_status(ut_wait(pid), SIGKILL, "interrupting claimant killed");
	CHECK_EQ(info_of(rid).claimant, 0);
	uint64_t after = info_of(rid).irq_count;
	sleep_ms(200);
	CHECK_EQ(info_of(rid).irq_count, after);
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(rid, &c));
	CHECK_OK(t_dev_release(rid));
}

/* QEMU's edu device (1234:11e8, no MSI-X): writing its raise register asserts its INTx line
 * until the acknowledge register clears the bits. */
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_IRQ 0x100u                 /* the status bit a finished transfer raises */

static uint64_t wait_count(rid_t rid, uint64_t want)
{
	for (int i = 0; i < 200 && info_of(rid).irq_count < want; i++)
		sleep_ms(5);
	return info_of(rid).irq_count;
}

/* INTx through the I/O APIC, level-triggered: one interrupt, then the line stays masked while
 * the device holds it asserted, until the driver acknowledges (t_dev_irq_ack). */
static void dev_irq_intx(void)
{
	rid_t rid = need_dev(0x1234, 0x11e8, 0);
	struct t_dev_claim c;
	CHECK_EQ(info_of(rid).irq_pin, 1);
	CHECK_OK(t_dev_claim(rid, &c));
	CHECK_EQ(c.msix, 0);
	CHECK_EQ(c.nvec, 1);
	volatile uint32_t *regs = (volatile uint32_t *)c.bar_addr[0];
	CHECK_EQ(regs[0] & 0xff, 0xed);                    /* its identification register */
	uint64_t before = info_of(rid).irq_count;
	regs[EDU_IRQ_RAISE / 4] = 1;
	CHECK_EQ(wait_count(rid, before + 1), before + 1);
	sleep_ms(100);                                     /* still asserted, but masked */
	CHECK_EQ(info_of(rid).irq_count, before + 1);
	CHECK_EQ(regs[EDU_IRQ_STATUS / 4], 1);
	CHECK_ERR(t_dev_irq_ack(rid, 1), EINVAL);
	regs[EDU_IRQ_ACK / 4] = 1;
	CHECK_OK(t_dev_irq_ack(rid, 0));
	regs[EDU_IRQ_RAISE / 4] = 2;
	CHECK_EQ(wait_count(rid, before + 2), before + 2);
	/* acknowledged while still asserted: it fires again at once */
	CHECK_OK(t_dev_irq_ack(rid, 0));
	CHECK_EQ(wait_count(rid, before + 3), before + 3);
	regs[EDU_IRQ_ACK / 4] = 2;
	CHECK_OK(t_dev_irq_ack(rid, 0));
	sleep_ms(50);
	CHECK_EQ(info_of(rid).irq_count, before + 3);
	CHECK_OK(t_dev_release(rid));
}

/* The device raises its line only after its driver is gone: the edu device's DMA transfer
 * ends 100 ms after it starts, and the driver exits right after starting one. With the claim's
 * end masking nothing the line would fire without end (its vector has no handler any more)
 * and this test would never finish. */
static void intx_after_death(rid_t rid)
{
	const char *const args[] = { "dev", "edudma", rid_arg(rid), NULL };
	uint64_t before = info_of(rid).irq_count;
	expect_status(ut_run_helper(args), 0, "claim, start a transfer and exit");
	uint64_t after = info_of(rid).irq_count;
	CHECK(after <= before + 1);             /* +1 only if the transfer beat the exit */
	sleep_ms(300);
	CHECK_EQ(info_of(rid).irq_count, after);
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(rid, &c));
	volatile uint32_t *regs = (volatile uint32_t *)c.bar_addr[0];
	CHECK_EQ(regs[EDU_IRQ_STATUS / 4], EDU_DMA_IRQ);
	regs[EDU_IRQ_ACK / 4] = EDU_DMA_IRQ;
	CHECK_OK(t_dev_release(rid));
}

/* A driver dies with its level-triggered line asserted: the line is masked for good (an
 * unmasked one would fire without end and stop the machine), and the next claimant gets
 * the pending interrupt once it claims. */
static void dev_irq_intx_dead(void)
{
	rid_t rid = need_dev(0x1234, 0x11e8, 0);
	const char *const args[] = { "dev", "eduraise", rid_arg(rid), NULL };
	uint64_t before = info_of(rid).irq_count;
	expect_status(ut_run_helper(args), 0, "claim, raise and exit");
	CHECK_EQ(info_of(rid).claimant, 0);
	uint64_t after = info_of(rid).irq_count;
	CHECK(after >= before + 1);
	sleep_ms(200);
	CHECK_EQ(info_of(rid).irq_count, after);
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(rid, &c));
	volatile uint32_t *regs = (volatile uint32_t *)c.bar_addr[0];
	CHECK_EQ(regs[EDU_IRQ_STATUS / 4], 4);
	CHECK_EQ(wait_count(rid, after + 1), after + 1);
	regs[EDU_IRQ_ACK / 4] = 4;
	CHECK_OK(t_dev_irq_ack(rid, 0));
	CHECK_OK(t_dev_release(rid));
	intx_after_death(rid);
}

/* t_ica_phys tells physical addresses only to a process that has claimed a device; what it
 * then says for a bad id (the ICA checks are helper ipc's ica_phys_of). */
static void dev_ica_phys_rule(void)
{
	uint64_t pa = 0;
	rid_t ica = RID_MAKE(RT_ICA, 1, 0);
	CHECK_ERR(t_ica_phys(ica, &pa), EPERM);
	CHECK_ERR(t_ica_phys(0, &pa), EPERM);
	rid_t rid = need_dev(0x1234, 0x11e8, 0);
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(rid, &c));
	CHECK(t_ica_phys(0, &pa) < 0);
	CHECK(t_ica_phys(rid, &pa) < 0);                   /* a device is not an ICA */
	CHECK_ERR(t_ica_phys(ica, NULL), EFAULT);
	CHECK_OK(t_dev_release(rid));
	CHECK_ERR(t_ica_phys(ica, &pa), EPERM);
	CHECK_EQ(pa, 0);
}

/* ---- physical addresses of ICAs, and interrupts as messages ----------------------------- */

/* Runs edu's DMA engine (100 ms per transfer) and waits for it: to_dev copies count bytes of
 * RAM at pa into its buffer at 0x40000, else from the buffer to RAM. */
static void edu_dma(volatile uint32_t *regs, uint64_t pa, uint32_t count, int to_dev)
{
	uint64_t src = to_dev ? pa : 0x40000, dst = to_dev ? 0x40000 : pa;
	regs[EDU_DMA_SRC / 4] = (uint32_t)src;
	regs[EDU_DMA_DST / 4] = (uint32_t)dst;
	regs[EDU_DMA_COUNT / 4] = count;
	regs[EDU_DMA_CMD / 4] = 1u | (to_dev ? 0u : 2u);
	for (int i = 0; i < 400 && (regs[EDU_DMA_CMD / 4] & 1); i++)
		sleep_ms(5);
	CHECK_EQ(regs[EDU_DMA_CMD / 4] & 1, 0);
}

/* t_ica_phys answers only a claimant; the address it gives is the real one: the edu
 * device's DMA engine reads the ICA's bytes there and writes them back elsewhere in it. */
static void dev_ica_phys(void)
{
	rid_t rid = need_dev(0x1234, 0x11e8, 0);
	struct t_ica ica;
	uint64_t pa = 0;
	CHECK_OK(t_ica_create(2, 0, &ica));
	CHECK_ERR(t_ica_phys(ica.rid, &pa), EPERM);
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(rid, &c));
	CHECK_OK(t_ica_phys(ica.rid, &pa));
	CHECK(pa != 0 && pa % 4096 == 0);
	CHECK_ERR(t_ica_phys(0, &pa), EINVAL);
	CHECK_ERR(t_ica_phys(rid, &pa), EINVAL);            /* a device is not an ICA */
	uintptr_t bad[UT_NBAD];
	ut_bad_addrs(bad);
	for (int i = 0; i < 4; i++)
		CHECK_ERR(t_ica_phys(ica.rid, (uint64_t *)bad[i]), EFAULT);
	/* the device copies the second page's bytes to its buffer and from there to the first
	 * page: both transfers use the addresses t_ica_phys gave */
	unsigned char *mem = (unsigned char *)ica.addr;
	for (int i = 0; i < 64; i++)
		mem[4096 + i] = (unsigned char)(i * 7 + 3);
	volatile uint32_t *regs = (volatile uint32_t *)c.bar_addr[0];
	edu_dma(regs, pa + 4096, 64, 1);
	edu_dma(regs, pa, 64, 0);
	for (int i = 0; i < 64; i++)
		CHECK_EQ(mem[i], (unsigned char)(i * 7 + 3));
	CHECK_EQ(mem[64], 0);
	CHECK_OK(t_dev_release(rid));
	CHECK_ERR(t_ica_phys(ica.rid, &pa), EPERM);
	CHECK_OK(t_res_delete(ica.rid));
}

/* Each interrupt reaches the claimant as a T_FN_IRQ message on its request queue: MSI-X
 * (e1000e, entry 0) and INTx (edu, vector 0). */
static void expect_irq_msg(rid_t rid, uint32_t vector)
{
	struct t_msg m;
	memset(&m, 0, sizeof(m));
	int err = -EAGAIN;
	for (int i = 0; i < 400 && err == -EAGAIN; i++)
		if ((err = t_srv_recv(&m, TSRV_NONBLOCK)) == -EAGAIN)
			sleep_ms(5);
	CHECK_OK(err);
	CHECK_EQ(m.fn, T_FN_IRQ);
	CHECK_EQ(m.arg[0], rid);
	CHECK_EQ(m.arg[1], vector);
	CHECK(m.arg[2] >= 1);
}

static void dev_irq_message(void)
{
	rid_t e1k = need_dev(0x8086, 0x10d3, 1), edu = need_dev(0x1234, 0x11e8, 0);
	struct t_dev_claim c;
	CHECK_OK(t_dev_claim(e1k, &c));
	volatile uint32_t *regs = (volatile uint32_t *)c.bar_addr[0];
	e1k_arm(regs);
	e1k_raise(regs);
	expect_irq_msg(e1k, 0);
	regs[E1K_IMC / 4] = 0xffffffffu;
	CHECK_OK(t_dev_release(e1k));
	/* the card may have raised another one meanwhile (its own causes, or a throttled one):
	 * whatever is still queued is the card's */
	struct t_msg m;
	while (t_srv_recv(&m, TSRV_NONBLOCK) == 0)
		CHECK(m.fn == T_FN_IRQ && m.arg[0] == e1k);
	CHECK_OK(t_dev_claim(edu, &c));
	regs = (volatile uint32_t *)c.bar_addr[0];
	regs[EDU_IRQ_RAISE / 4] = 8;
	expect_irq_msg(edu, 0);
	regs[EDU_IRQ_ACK / 4] = 8;
	CHECK_OK(t_dev_irq_ack(edu, 0));
	CHECK_OK(t_dev_release(edu));
	CHECK_ERR(t_srv_recv(&m, TSRV_NONBLOCK), EAGAIN);
}

/* ---- helpers: utest -c dev OP RID ... ------------------------------------------------- */
static rid_t arg_rid(const char *s)
{
	return (rid_t)strtoull(s, NULL, 16);
}

/* claim RID EXPECT: the claim returns EXPECT */
static int helper_claim(int argc, char **argv)
{
	struct t_dev_claim c;
	return argc > 5 && t_dev_claim(arg_rid(argv[4]), &c) == atoi(argv[5]) ? 0 : 10;
}

static int helper_uid(int argc, char **argv)
{
	struct t_dev_info d;
	struct t_dev_claim c;
	rid_t rid = arg_rid(argv[argc - 1]);
	if (tsys_setuid(1000) != 0 || getuid() != 1000)
		return 10;
	if (t_dev_info(rid, &d) != 0)
		return 11;
	if (t_dev_claim(rid, &c) != -EACCES)
		return 12;
	if (t_dev_release(rid) != -EPERM || t_dev_irq_ack(rid, 0) != -EPERM)
		return 13;
	return 0;
}

/* ports RID PORT: the legacy registers answer, then port PORT (hex) must kill us */
static int helper_ports(int argc, char **argv)
{
	struct t_dev_info d;
	struct t_dev_claim c;
	rid_t rid = arg_rid(argv[4]);
	if (argc < 6 || t_dev_info(rid, &d) || t_dev_claim(rid, &c))
		return 10;
	uint16_t base = (uint16_t)d.bar_base[0];
	if (in32(base + VIO_HOST_FEATURES) == 0)
		return 11;
	out16(base + VIO_QUEUE_SELECT, 0);
	if (in16(base + VIO_QUEUE_SIZE) == 0)
		return 12;
	out16(base + VIO_QUEUE_SELECT, 1);                /* virtio-blk has one queue */
	if (in16(base + VIO_QUEUE_SIZE) != 0)
		return 13;
	out8((uint16_t)strtoul(argv[5], NULL, 16), 0);
	return 14;
}

static int helper_noports(int argc, char **argv)
{
	struct t_dev_info d;
	if (t_dev_info(arg_rid(argv[argc - 1]), &d))
		return 10;
	in32((uint16_t)d.bar_base[0]);                   /* must kill us */
	return 12;
}

/* msixread RID: the e1000e's MSI-X table (BAR 3, offset 0) must not be readable */
static int helper_msixread(int argc, char **argv)
{
	struct t_dev_claim c;
	if (t_dev_claim(arg_rid(argv[argc - 1]), &c) || !c.bar_addr[3])
		return 10;
	(void)((volatile uint32_t *)c.bar_addr[3])[2];  /* must kill us */
	return 11;
}

static int helper_unmapped(int argc, char **argv)
{
	struct t_dev_claim c;
	rid_t rid = arg_rid(argv[argc - 1]);
	if (t_dev_claim(rid, &c) || !c.bar_addr[4])
		return 10;
	volatile uint32_t *p = (volatile uint32_t *)c.bar_addr[4];
	(void)p[0];
	if (t_dev_release(rid))
		return 11;
	(void)p[0];                                       /* must kill us */
	return 13;
}

static int helper_hold(int argc, char **argv)
{
	struct t_dev_claim c;
	if (t_dev_claim(arg_rid(argv[argc - 1]), &c))
		return 10;
	if (strcmp(argv[3], "holdwait") == 0)
		for (;;)
			sleep_ms(1000);
	return 0;
}

static int helper_storm(int argc, char **argv)
{
	struct t_dev_claim c;
	if (t_dev_claim(arg_rid(argv[argc - 1]), &c) || !c.bar_addr[0])
		return 10;
	volatile uint32_t *regs = (volatile uint32_t *)c.bar_addr[0];
	e1k_arm(regs);
	for (;;)
		e1k_raise(regs);
}

/* eduraise RID: claim the edu device, raise its interrupt, see it counted, exit without
 * acknowledging anything */
static int helper_eduraise(int argc, char **argv)
{
	struct t_dev_claim c;
	struct t_dev_info d;
	rid_t rid = arg_rid(argv[argc - 1]);
	if (t_dev_claim(rid, &c) || t_dev_info(rid, &d))
		return 10;
	((volatile uint32_t *)c.bar_addr[0])[EDU_IRQ_RAISE / 4] = 4;
	for (int i = 0; i < 200 && info_of(rid).irq_count == d.irq_count; i++)
		sleep_ms(5);
	return info_of(rid).irq_count == d.irq_count + 1 ? 0 : 11;
}

/* edudma RID: claim the edu device, start a 100 ms transfer of 8 bytes from physical page 0
 * (harmless to read) into its buffer, asking for an interrupt at the end, and exit at once */
static int helper_edudma(int argc, char **argv)
{
	struct t_dev_claim c;
	if (t_dev_claim(arg_rid(argv[argc - 1]), &c))
		return 10;
	volatile uint32_t *regs = (volatile uint32_t *)c.bar_addr[0];
	regs[EDU_DMA_SRC / 4] = 0;
	regs[EDU_DMA_SRC / 4 + 1] = 0;
	regs[EDU_DMA_DST / 4] = 0x40000;
	regs[EDU_DMA_DST / 4 + 1] = 0;
	regs[EDU_DMA_COUNT / 4] = 8;
	regs[EDU_DMA_COUNT / 4 + 1] = 0;
	regs[EDU_DMA_CMD / 4] = 1 | 4;           /* start, RAM to device, interrupt at the end */
	return 0;
}

int ut_helper_dev(int argc, char **argv)
{
	static const struct {
		const char *op;
		int (*fn)(int argc, char **argv);
	} ops[] = {
		{ "claim", helper_claim }, { "uid", helper_uid }, { "ports", helper_ports },
		{ "noports", helper_noports }, { "unmapped", helper_unmapped },
		{ "msixread", helper_msixread },
		{ "hold", helper_hold }, { "holdwait", helper_hold }, { "storm", helper_storm },
		{ "eduraise", helper_eduraise }, { "edudma", helper_edudma },
	};
	for (size_t i = 0; argc > 4 && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(argv[3], ops[i].op) == 0)
			return ops[i].fn(argc, argv);
	printf("utest -c dev: unknown operation\n");
	return 99;
}

const struct utest ut_dev_tests[] = {
	{ "dev_list", dev_list },
	{ "dev_claim_release", dev_claim_release },
	{ "dev_claim_twice", dev_claim_twice },
	{ "dev_claim_uid", dev_claim_uid },
	{ "dev_bar_read", dev_bar_read },
	{ "dev_msix_hidden", dev_msix_hidden },
	{ "dev_ports", dev_ports },
	{ "dev_claim_exit", dev_claim_exit },
	{ "dev_irq_msix", dev_irq_msix },
	{ "dev_irq_dead", dev_irq_dead },
	{ "dev_irq_intx", dev_irq_intx },
	{ "dev_irq_intx_dead", dev_irq_intx_dead },
	{ "dev_ica_phys_rule", dev_ica_phys_rule },
	{ "dev_ica_phys", dev_ica_phys },
	{ "dev_irq_message", dev_irq_message },
	{ NULL, NULL },
};
