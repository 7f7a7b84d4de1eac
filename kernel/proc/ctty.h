/*
 * The console as a controlling terminal (Linux's rules). The console belongs to at most one
 * session (its sid) and has a foreground process group; a process has it as its controlling
 * terminal when p->ctty is set and its session is the console's. A session leader without a
 * terminal acquires the console by opening /dev/console without O_NOCTTY while no session
 * has it, or with TIOCSCTTY; children inherit it; TIOCNOTTY or the end of the session leader
 * lets it go (the foreground group then gets SIGHUP and SIGCONT).
 * The line discipline sends SIGINT, SIGQUIT and SIGTSTP to the foreground group; a process
 * of a background group that reads gets SIGTTIN (or EIO), one that writes with TOSTOP set,
 * or changes the terminal's settings, gets SIGTTOU.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "kernel/proc/proc.h"

/* Whether the console is p's controlling terminal. */
bool ctty_is_mine(const struct proc *p);
/* The console was opened without O_NOCTTY by p: a session leader without a terminal takes
 * it if no session has it. */
void ctty_opened(struct proc *p);
/* The terminal ioctls: TIOCSCTTY (steal: arg 1, root only), TIOCNOTTY, TIOCGPGRP,
 * TIOCSPGRP, TIOCGSID. */
int ctty_set(struct proc *p, bool steal);
int ctty_notty(struct proc *p);
int ctty_get_pgrp(struct proc *p, int *pgrp);
int ctty_set_pgrp(struct proc *p, int pgrp);
int ctty_get_sid(struct proc *p, int *sid);
/* Before p reads the console (sig SIGTTIN), writes it with TOSTOP (or changes its settings:
 * SIGTTOU): 0 to go on, -ERESTARTSYS after stopping p's background group, -EIO. */
int ctty_check(struct proc *p, int sig);
/* The line discipline's signals: to every member of the foreground group (interrupt). */
void ctty_signal_fg(int sig);
/* The session leader p ends: the console is free again. */
void ctty_session_end(struct proc *p);
/* /proc/PID/stat's tty_nr and tpgid for p. */
int ctty_nr(const struct proc *p);
int ctty_tpgid(const struct proc *p);
