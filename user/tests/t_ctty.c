/*
 * The console as a controlling terminal (kernel/proc/ctty.h): TIOCSCTTY, TIOCGPGRP/TIOCSPGRP,
 * TIOCGSID, TIOCNOTTY with their errors; background reads (SIGTTIN, EIO), writes with TOSTOP
 * and tcsetpgrp (SIGTTOU); the hang-up of the foreground group when the session leader goes.
 * Every case runs in a child that makes a session of its own first; the utest boot has no
 * shell, so the console is free for it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "t_jobctl.h"
#include "utest.h"

static int acquire(void)
{
	if (setsid() < 0)
		return -1;
	return ioctl(0, TIOCSCTTY, 0);
}

static int ctty_child(void)
{
	int self = getpid(), v = 0;
	EXPECT(1, R(ioctl(0, TIOCSCTTY, 0)) == -EPERM);     /* not a session leader */
	EXPECT(2, acquire() == 0);
	EXPECT(3, ioctl(0, TIOCGPGRP, &v) == 0 && v == self);
	EXPECT(4, ioctl(0, TIOCGSID, &v) == 0 && v == self);
	EXPECT(5, tcgetpgrp(1) == self);
	int f[4];
	jc_stat_fields(self, f);
	EXPECT(6, f[2] == 0x501 && f[3] == self);
	v = -1;
	EXPECT(7, R(ioctl(0, TIOCSPGRP, &v)) == -EINVAL);
	v = 999999;
	EXPECT(8, R(ioctl(0, TIOCSPGRP, &v)) == -ESRCH);
	v = 1;                                                  /* init's: another session */
	EXPECT(9, R(ioctl(0, TIOCSPGRP, &v)) == -EPERM);
	EXPECT(10, ioctl(0, TIOCSCTTY, 0) == 0);               /* ours already */
	signal(SIGHUP, SIG_IGN);              /* the leader lets go: its foreground is hung up */
	EXPECT(11, ioctl(0, TIOCNOTTY) == 0);
	EXPECT(12, R(ioctl(0, TIOCGPGRP, &v)) == -ENOTTY);
	EXPECT(13, R(ioctl(0, TIOCGSID, &v)) == -ENOTTY);
	EXPECT(14, R(ioctl(0, TIOCNOTTY)) == -ENOTTY);
	jc_stat_fields(self, f);
	EXPECT(15, f[2] == 0 && f[3] == -1);
	return 0;
}

static void ctty_rules(void)
{
	jc_check_child(ctty_child);
}

/* A second session cannot take the console while the first holds it. */
static int ctty_busy_child(void)
{
	EXPECT(1, acquire() == 0);
	int c = fork();
	if (c == 0)
		_exit(acquire() < 0 && errno == EPERM ? 0 : 1);
	int st;
	EXPECT(2, waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static void ctty_busy(void)
{
	jc_check_child(ctty_busy_child);
}

/* A child in a background group: its read stops it with SIGTTIN; with SIGTTIN ignored the
 * read fails with EIO; a write goes through, unless TOSTOP is set (SIGTTOU). */
static int bg_child(int what)
{
	setpgid(0, 0);
	char b;
	if (what == 1)
		signal(SIGTTIN, SIG_IGN);
	if (what <= 1) {
		long n = read(0, &b, 1);
		return what == 1 && n < 0 && errno == EIO ? 0 : 1;
	}
	if (what == 3) {                      /* SIGTTOU blocked: it may take the foreground */
		sigset_t ttou;
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, NULL);
	}
	if (what >= 3)
		return tcsetpgrp(0, getpgrp()) == 0 && tcgetpgrp(0) == getpgrp() ? 0 : 1;
	return write(1, "", 0) == 0 ? 0 : 1;
}

static int ctty_bg_child(void)
{
	struct termios t, old;
	EXPECT(1, acquire() == 0);
	int c = fork();
	if (c == 0)
		_exit(bg_child(0));
	int st;
	EXPECT(2, waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	c = fork();
	if (c == 0)
		_exit(bg_child(1));
	EXPECT(3, waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	c = fork();
	if (c == 0)
		_exit(bg_child(2));
	EXPECT(4, waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT(5, tcgetattr(0, &old) == 0);
	t = old;
	t.c_lflag |= TOSTOP;
	EXPECT(6, tcsetattr(0, TCSANOW, &t) == 0);
	c = fork();
	if (c == 0)
		_exit(bg_child(2));
	int got = waitpid(c, &st, WUNTRACED);
	tcsetattr(0, TCSANOW, &old);
	EXPECT(7, got == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	c = fork();                           /* tcsetpgrp from the background: SIGTTOU */
	if (c == 0)
		_exit(bg_child(4));
	EXPECT(8, waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	c = fork();                           /* the same with SIGTTOU blocked: it works */
	if (c == 0)
		_exit(bg_child(3));
	EXPECT(9, waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT(10, tcgetpgrp(0) == c);        /* the group is gone; the number stays */
	return 0;
}

static void ctty_background(void)
{
	jc_check_child(ctty_bg_child);
}

/* The foreground group follows TIOCSPGRP; the leader's end hangs it up (SIGHUP). */
static int ctty_fg_child(void)
{
	int ready[2];
	char b;
	EXPECT(1, acquire() == 0 && pipe(ready) == 0);
	int c = fork();
	if (c == 0) {
		signal(SIGHUP, jc_on_hup);
		setpgid(0, 0);
		(void)!write(ready[1], "r", 1);
		pause();                          /* until the hang-up's handler has run */
		_exit(0);
	}
	setpgid(c, c);
	EXPECT(4, read(ready[0], &b, 1) == 1);
	EXPECT(2, tcsetpgrp(0, c) == 0 && tcgetpgrp(0) == c);
	int f[4];
	jc_stat_fields(c, f);
	EXPECT(3, f[3] == c && f[2] == 0x501);
	return 0;                                 /* the leader ends: c gets SIGHUP */
}

static void ctty_hangup(void)
{
	int fds[2];
	CHECK_OK(pipe(fds));
	jc_hup_pipe = fds[1];
	int st = jc_wait_status(jc_fork_run(ctty_fg_child), 0);
	close(fds[1]);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char b = 0;
	CHECK_EQ(read(fds[0], &b, 1), 1);
	CHECK_EQ(b, 'H');
	close(fds[0]);
}

const struct utest ut_ctty_tests[] = {
	{ "ctty_rules", ctty_rules },
	{ "ctty_busy", ctty_busy },
	{ "ctty_background", ctty_background },
	{ "ctty_hangup", ctty_hangup },
	{ NULL, NULL },
};
