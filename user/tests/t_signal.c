/*
 * Signals and interrupted calls (issue 18): SA_RESTART runs a blocked read on after the
 * handler, without it the read ends with EINTR; rt_sigsuspend waits with a temporary mask
 * and puts the old one back; rt_sigpending shows what a mask holds back; ppoll's mask.
 * The signal comes from a forked child, after a pause long enough for the parent to block.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tsys.h"
#include "utest.h"

static volatile int caught;

static void on_usr1(int sig)
{
	caught += sig == SIGUSR1;
}

static void catch_usr1(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	caught = 0;
}

static void pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };
	nanosleep(&ts, NULL);
}

/* A child that signals its parent after 100 ms, then (if fd >= 0) writes one byte to fd
 * 100 ms later. */
static int poke_parent(int fd)
{
	int parent = getpid();
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		pause_ms(100);
		kill(parent, SIGUSR1);
		if (fd >= 0) {
			pause_ms(100);
			(void)!write(fd, "x", 1);
		}
		_exit(0);
	}
	return pid;
}

static void restart_read(void)
{
	int fds[2];
	char c = 0;
	CHECK_OK(pipe(fds));
	catch_usr1(SA_RESTART);
	int pid = poke_parent(fds[1]);
	CHECK_EQ(read(fds[0], &c, 1), 1);           /* the handler ran in the middle */
	CHECK_EQ(c, 'x');
	CHECK_EQ(caught, 1);
	CHECK_EQ(ut_wait(pid), 0);
	close(fds[0]);
	close(fds[1]);
}

static void eintr_read(void)
{
	int fds[2];
	char c = 0;
	CHECK_OK(pipe(fds));
	catch_usr1(0);
	int pid = poke_parent(fds[1]);
	CHECK_ERR(tsys_read(fds[0], (long)&c, 1), EINTR);
	CHECK_EQ(caught, 1);
	CHECK_EQ(ut_wait(pid), 0);
	CHECK_EQ(read(fds[0], &c, 1), 1);           /* the byte came after the EINTR */
	close(fds[0]);
	close(fds[1]);
}

/* wait4 restarts too: the child is reaped after the handler ran. */
static void restart_wait(void)
{
	catch_usr1(SA_RESTART);
	int pid = poke_parent(-1);
	int status = -1;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EQ(status, 0);
	CHECK_EQ(caught, 1);
}

static void suspend_mask(void)
{
	sigset_t usr1, empty, now;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&empty);
	catch_usr1(0);
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	int pid = poke_parent(-1);
	pause_ms(200);                              /* the signal is held back meanwhile */
	CHECK_EQ(caught, 0);
	CHECK_OK(sigpending(&now));
	CHECK(sigismember(&now, SIGUSR1));
	CHECK_ERR(tsys_rt_sigsuspend((long)&empty, 8), EINTR);
	CHECK_EQ(caught, 1);
	CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &now));
	CHECK(sigismember(&now, SIGUSR1));          /* the old mask is back */
	CHECK_OK(sigpending(&now));
	CHECK(!sigismember(&now, SIGUSR1));
	CHECK_EQ(ut_wait(pid), 0);
	CHECK_ERR(tsys_rt_sigsuspend((long)&empty, 4), EINVAL);
	CHECK_ERR(tsys_rt_sigsuspend(0, 8), EFAULT);
	CHECK_ERR(tsys_rt_sigpending(0, 8), EFAULT);
}

/* ppoll with a mask that lets SIGUSR1 through: EINTR after the handler, old mask back. */
static void ppoll_mask(void)
{
	sigset_t usr1, empty, now;
	int fds[2];
	CHECK_OK(pipe(fds));
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&empty);
	catch_usr1(SA_RESTART);                     /* ppoll is never restarted after one */
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	int pid = poke_parent(-1);
	struct pollfd pf = { .fd = fds[0], .events = POLLIN };
	struct timespec ts = { 5, 0 };
	CHECK_ERR(tsys_ppoll((long)&pf, 1, (long)&ts, (long)&empty, 8), EINTR);
	CHECK_EQ(caught, 1);
	CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &now));
	CHECK(sigismember(&now, SIGUSR1));
	CHECK_EQ(ut_wait(pid), 0);
	close(fds[0]);
	close(fds[1]);
}

static volatile int chld;

static void on_chld(int sig)
{
	chld += sig == SIGCHLD;
}

/* A child's end is told to a parent that catches SIGCHLD (shells wait for jobs this way);
 * one that does not is left alone (the default is to ignore it). */
static void sigchld(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(0);
	for (int i = 0; i < 100 && !chld; i++)
		pause_ms(10);
	CHECK_EQ(chld, 1);
	CHECK_EQ(ut_wait(pid), 0);
	sa.sa_handler = SIG_DFL;
	CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK_EQ(ut_wait(pid), 0);
	CHECK_EQ(chld, 1);
}

/* A parent that ignores SIGCHLD (busybox httpd does) or sets SA_NOCLDWAIT leaves no zombie:
 * its children vanish when they end, and wait says ECHILD once none is left. */
static void sigchld_ignored(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	for (int round = 0; round < 2; round++) {
		sa.sa_handler = round ? on_chld : SIG_IGN;
		sa.sa_flags = round ? SA_NOCLDWAIT | SA_RESTART : 0;
		CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
		int fds[2];
		CHECK_OK(pipe(fds));
		int pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			char c;
			close(fds[1]);
			_exit(read(fds[0], &c, 1) == 0 ? 0 : 1);   /* until the parent lets go */
		}
		close(fds[0]);
		close(fds[1]);                    /* the child ends now */
		errno = 0;
		CHECK(waitpid(pid, NULL, 0) == -1 && errno == ECHILD);  /* waits, finds no zombie */
		errno = 0;
		CHECK(kill(pid, 0) == -1 && errno == ESRCH);
	}
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = 0;
	CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
}


static volatile int alarms;

static void on_alrm(int sig)
{
	alarms += sig == SIGALRM;
}

/* Spins with known values in the registers the syscall instruction clobbers (rcx, r11) and
 * in others; returns nonzero if any changed under it. */
static uint64_t spin_regs(uint64_t iters)
{
	uint64_t bad;
	__asm__ volatile("mov $0x1111, %%rcx\n\tmov $0x2222, %%r11\n\tmov $0x3333, %%r8\n\t"
			 "mov $0x4444, %%r9\n\tmov $0x5555, %%r10\n\tmov $0x6666, %%rsi\n\t"
			 "mov $0x7777, %%rdi\n"
			 "1:\tcmp $0x1111, %%rcx\n\tjne 2f\n\tcmp $0x2222, %%r11\n\tjne 2f\n\t"
			 "cmp $0x3333, %%r8\n\tjne 2f\n\tcmp $0x4444, %%r9\n\tjne 2f\n\t"
			 "cmp $0x5555, %%r10\n\tjne 2f\n\tcmp $0x6666, %%rsi\n\tjne 2f\n\t"
			 "cmp $0x7777, %%rdi\n\tjne 2f\n\tdec %%rax\n\tjnz 1b\n\t"
			 "xor %%edx, %%edx\n\tjmp 3f\n"
			 "2:\tmov $1, %%edx\n"
			 "3:\n"
			 : "=d"(bad), "+a"(iters)
			 :
			 : "rcx", "r11", "r8", "r9", "r10", "rsi", "rdi", "cc");
	return bad;
}

/* A signal that arrives while the program computes (delivered on the way back from an
 * interrupt, not from a call) must return through sigreturn with every register as it was:
 * the syscall exit's sysretq would put rip into rcx and rflags into r11. */
static void async_regs(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alrm;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	alarms = 0;
	uint64_t bad = 0;
	for (int round = 0; round < 20000 && alarms < 40 && !bad; round++)
		bad = spin_regs(200000);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
	sa.sa_handler = SIG_DFL;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	CHECK_EQ(bad, 0);
	CHECK(alarms >= 40);
}

/* The same in Smode: the handler runs and sigreturn is called from ring 0. */
static void async_regs_smode(void)
{
	ut_switch_self(TRM_SMODE);
	async_regs();
	ut_switch_self(TRM_UMODE);
}

const struct utest ut_signal_tests[] = {
	{ "signal_async_regs", async_regs },
	{ "signal_async_regs_smode", async_regs_smode },
	{ "signal_sigchld", sigchld },
	{ "signal_sigchld_ignored", sigchld_ignored },
	{ "signal_restart_read", restart_read },
	{ "signal_eintr_read", eintr_read },
	{ "signal_restart_wait", restart_wait },
	{ "signal_suspend_mask", suspend_mask },
	{ "signal_ppoll_mask", ppoll_mask },
	{ NULL, NULL },
};
