/*
 * The in-guest test suite (/bin/utest), in the style of xv6's usertests: a table of named
 * tests; the runner starts each one in a child process (`utest -r NAME`) and passes it only
 * if the child exits 0 and the kernel's free pages and resource counts are back where they
 * were. A test fails by calling ut_fail (through the CHECK macros), which prints the reason
 * and exits 1. Tests that need a misbehaving process start `utest -c MODE ...` (helpers.c).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/tessera.h"

struct utest {
	const char *name;
	void (*fn)(void);
};

/* Each group file defines one table ended by { NULL, NULL }. */
extern const struct utest ut_bad_tests[];
extern const struct utest ut_res_tests[];
extern const struct utest ut_proc_tests[];
extern const struct utest ut_mem_tests[];
extern const struct utest ut_fs_tests[];
extern const struct utest ut_misc_tests[];
extern const struct utest ut_compat_tests[];
extern const struct utest ut_disk_tests[];
extern const struct utest ut_ipc_tests[];
extern const struct utest ut_srv_tests[];
extern const struct utest ut_repl_tests[];
extern const struct utest ut_cow_tests[];
extern const struct utest ut_nproc_tests[];
extern const struct utest ut_robust_tests[];
extern const struct utest ut_fuzzfix_tests[];
extern const struct utest ut_runexec_tests[];
extern const struct utest ut_signal_tests[];
extern const struct utest ut_jobctl_tests[];
extern const struct utest ut_jobstop_tests[];
extern const struct utest ut_ctty_tests[];
extern const struct utest ut_place_tests[];
extern const struct utest ut_blk_tests[];
extern const struct utest ut_net_tests[];
extern const struct utest ut_sockfake_tests[];
extern const struct utest ut_sock_tests[];
extern const struct utest ut_netinfo_tests[];
extern const struct utest ut_netrepl_tests[];
extern const struct utest ut_exec_tests[];
extern const struct utest ut_vdso_tests[];
extern const struct utest ut_nice_tests[];
int ut_helper_vdso(int argc, char **argv);
extern const struct utest ut_thread_tests[];
extern const struct utest ut_futex_tests[];
int ut_helper_threadexec(int argc, char **argv);
extern const struct utest ut_procfs_tests[];
extern const struct utest ut_cputime_tests[];
extern const struct utest ut_links_tests[];
extern const struct utest ut_limits_tests[];
extern const struct utest ut_paths_tests[];
extern const struct utest ut_copy_tests[];
extern const struct utest ut_node_tests[];
extern const struct utest ut_ident_tests[];
extern const struct utest ut_extra_tests[];
extern const struct utest ut_fifo_tests[];
extern const struct utest ut_devnode_tests[];
extern const struct utest ut_chroot_tests[];
extern const struct utest ut_perm_tests[];
extern const struct utest ut_reclock_tests[];
extern const struct utest ut_syslog_tests[];
extern const struct utest ut_rootfs_tests[];
extern const struct utest ut_unix_tests[];
int ut_helper_ids(int argc, char **argv);
int ut_helper_chprogto(int argc, char **argv);
/* Runs the network server's first calls and restart before any test (t_sock.c). */
void ut_sock_warm(void);
/* The same for the network server's direct (root) callers (t_net.c). */
void ut_net_warm(void);

extern const char *ut_name;   /* the test running in this process */

_Noreturn void ut_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define FAIL(...) ut_fail(__FILE__, __LINE__, __VA_ARGS__)
#define CHECK(cond)                                       \
	do {                                              \
		if (!(cond))                              \
			FAIL("check failed: %s", #cond);  \
	} while (0)
#define CHECK_EQ(a, b)                                                                     \
	do {                                                                               \
		long ut_a_ = (long)(a), ut_b_ = (long)(b);                                 \
		if (ut_a_ != ut_b_)                                                        \
			FAIL("%s is %ld (%s), expected %ld (%s)", #a, ut_a_, ut_errname(ut_a_), \
			     ut_b_, ut_errname(ut_b_));                                    \
	} while (0)
/* expr must give exactly -err */
#define CHECK_ERR(expr, err) CHECK_EQ(expr, -(long)(err))
/* expr must be >= 0 */
#define CHECK_OK(expr)                                                          \
	do {                                                                    \
		long ut_r_ = (long)(expr);                                      \
		if (ut_r_ < 0)                                                  \
			FAIL("%s failed: %ld (%s)", #expr, ut_r_, ut_errname(ut_r_)); \
	} while (0)

/* "EFAULT"-style name for a negative errno, "" otherwise. */
const char *ut_errname(long v);

/* Addresses no system call may accept as a user buffer: NULL, 0x1, the kernel half, a
 * non-canonical address, and a page that was mapped and then unmapped. */
#define UT_NBAD 5
void ut_bad_addrs(uintptr_t out[UT_NBAD]);

/* Starts /bin/utest -c MODE args... ; returns the pid (failing the test on error). */
int ut_spawn_helper(const char *const *args);
/* Waits for pid and returns its wait status (failing the test on error). */
int ut_wait(int pid);
/* Both in one: start a helper and return its wait status. */
int ut_run_helper(const char *const *args);
/* Same for any program. */
int ut_run(const char *path, const char *const *argv);
int ut_spawn(const char *path, const char *const *argv);

/* Monotonic time in nanoseconds. */
int64_t ut_now_ns(void);

/* What the args_envp test passes and the "args" helper checks. */
extern const char *const ut_expected_args[];
extern const char *const ut_expected_env[];

/* Runs the helper mode named in argv[2] (argv = { utest, -c, MODE, args... }). */
int ut_helper_main(int argc, char **argv);
/* The container-box helper: utest -c cbox OP ARGS (t_ipc.c). */
int ut_helper_cbox(int argc, char **argv);
extern const struct utest ut_hvs_tests[];
int ut_helper_hvswork(int argc, char **argv);
int ut_helper_hvsdeny(int argc, char **argv);
int ut_helper_hvsread(int argc, char **argv);
extern const struct utest ut_meta_tests[];
int ut_helper_chprogself(int argc, char **argv);
int ut_helper_checkpid(int argc, char **argv);
int ut_helper_metadeny(int argc, char **argv);
int ut_helper_startmsg(int argc, char **argv);
int ut_helper_counter(int argc, char **argv);
int ut_helper_recover(int argc, char **argv);
int ut_helper_hog(int argc, char **argv);
int ut_helper_execve(int argc, char **argv);
int ut_helper_checkpid9(int argc, char **argv);
int ut_helper_sigpipe(int argc, char **argv);
int ut_helper_killparent(int argc, char **argv);

/* The running-mode switch group (t_runmode.c) and its helper (utest -c runmode KIND ...). */
extern const struct utest ut_runmode_tests[];
int ut_helper_runmode(int argc, char **argv);
extern const struct utest ut_rmpath_tests[];
extern const struct utest ut_policy_tests[];
int ut_helper_policy(int argc, char **argv);
int ut_helper_rmlight(int argc, char **argv);
/* Switches the caller to mode (TRM_*) and checks that it took effect at the end of that call. */
void ut_switch_self(uint32_t mode);
/* Devices (t_dev.c) and its helper (utest -c dev OP RID ...). */
extern const struct utest ut_dev_tests[];
int ut_helper_dev(int argc, char **argv);
