/* The console as a controlling terminal (see ctty.h): which session has it, its foreground
 * group, and the checks Linux's tty layer makes (tiocsctty, tiocspgrp, tty_check_change). */
#include "kernel/proc/ctty.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/proc/jobctl.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/thread.h"

#define CONSOLE_DEV 0x0501        /* /dev/console's device number (devices.def) */

static int con_sid;               /* the session whose terminal the console is; 0: none */
static int con_pgrp;              /* its foreground group */

bool ctty_is_mine(const struct proc *p)
{
	return p->ctty && con_sid && p->sid == con_sid;
}

static void clear_one(struct proc *p, void *ctx)
{
	if (p->sid == *(int *)ctx)
		p->ctty = false;
}

/* Every process of the console's session loses it (Linux's session_clear_tty). */
static void release(void)
{
	int sid = con_sid;
	proc_for_each(clear_one, &sid);
	con_sid = con_pgrp = 0;
}

static void take(struct proc *p)
{
	con_sid = p->sid;
	con_pgrp = p->pgid;
	p->ctty = true;
}

void ctty_opened(struct proc *p)
{
	if (p && p->sid == p->pid && !con_sid)
		take(p);
}

int ctty_set(struct proc *p, bool steal)
{
	if (p->sid == p->pid && con_sid == p->sid) {
		p->ctty = true;
		return 0;
	}
	if (p->sid != p->pid)
		return -EPERM;
	if (con_sid) {
		if (!steal || p->ids.euid != 0)
			return -EPERM;
		release();
	}
	take(p);
	return 0;
}

/* Hang-up of the foreground group as the session lets go (Linux's disassociate_ctty). */
static void hangup_fg(void)
{
	int pgrp = con_pgrp;
	if (pgrp) {
		jobctl_signal_group(pgrp, L_SIGHUP);
		jobctl_signal_group(pgrp, L_SIGCONT);
	}
}

int ctty_notty(struct proc *p)
{
	if (!ctty_is_mine(p))
		return -ENOTTY;
	if (p->sid == p->pid) {
		hangup_fg();
		release();
	}
	p->ctty = false;
	return 0;
}

int ctty_get_pgrp(struct proc *p, int *pgrp)
{
	if (!ctty_is_mine(p))
		return -ENOTTY;
	*pgrp = con_pgrp;
	return 0;
}

int ctty_set_pgrp(struct proc *p, int pgrp)
{
	int err = ctty_check(p, L_SIGTTOU);
	if (err)
		return err == -EIO ? -ENOTTY : err;
	if (!ctty_is_mine(p))
		return -ENOTTY;
	if (pgrp < 0)
		return -EINVAL;
	if (!jobctl_group_exists(pgrp, 0))
		return -ESRCH;
	if (!jobctl_group_exists(pgrp, p->sid))
		return -EPERM;
	con_pgrp = pgrp;
	return 0;
}

int ctty_get_sid(struct proc *p, int *sid)
{
	if (!ctty_is_mine(p))
		return -ENOTTY;
	*sid = con_sid;
	return 0;
}

/* Linux's is_ignored: the calling thread blocks sig, or the process ignores it. A process
 * that is never stopped (a server, a driver: jobctl.h) counts as ignoring it too, or its
 * call would be restarted for ever. */
static bool ignored(const struct proc *p, int sig)
{
	return (thread_cur()->sig_mask & SIG_BIT(sig)) || p->sig[sig].handler == 1 ||
	       jobctl_unstoppable(p);
}

int ctty_check(struct proc *p, int sig)
{
	if (!p || !ctty_is_mine(p) || !con_pgrp || p->pgid == con_pgrp)
		return 0;
	if (ignored(p, sig))
		return sig == L_SIGTTIN ? -EIO : 0;
	if (jobctl_orphaned(p->pgid))
		return -EIO;
	jobctl_signal_group(p->pgid, sig);
	return -ERESTARTSYS;
}

void ctty_signal_fg(int sig)
{
	if (con_sid && con_pgrp)
		jobctl_signal_group(con_pgrp, sig);
}

void ctty_session_end(struct proc *p)
{
	if (con_sid != p->sid)
		return;
	hangup_fg();
	release();
}

int ctty_nr(const struct proc *p)
{
	return ctty_is_mine(p) ? CONSOLE_DEV : 0;
}

int ctty_tpgid(const struct proc *p)
{
	return ctty_is_mine(p) && con_pgrp ? con_pgrp : -1;
}
