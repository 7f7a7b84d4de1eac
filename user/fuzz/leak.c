/*
 * fuzz: the end of a run. Every process the run left is killed, every resource it created
 * and left (spaces, boxes, regions, checkpoints, scratch files) is deleted, and then the free
 * pages and the count of every resource type must be what they were before the run (the same
 * check the utest runner makes around each test). Anything else is a leak, reported with the
 * numbers and the resources that could not be deleted.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"
#include "libtessera.h"
#include "tsys.h"

#define SETTLE_TRIES 200          /* x 10 ms */

void fz_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

int64_t fz_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int in_list(int pid, const int *list, int n)
{
	for (int i = 0; i < n; i++)
		if (list[i] == pid)
			return 1;
	return 0;
}

/* Kills every live process that is not protected, not in keep and did not exist before.
 * seen_only: only those already seen by the previous call (they have lived a while).
 * Returns how many were found. */
int fz_kill_strays(const struct fz_protect *p, const int *keep, int nkeep, int seen_only)
{
	static int seen[256], nseen;
	int now[256], n = 0;
	rid_t rid = 0;
	struct t_res_info in;
	while (t_res_next(RT_PROCESS, rid, &rid) == 0) {
		if (fz_existed_before(p, rid) || fz_is_protected(p, rid) ||
		    t_res_info(rid, &in) < 0 || in.v[2] == TPS_ZOMBIE)
			continue;
		int pid = (int)in.v[0];
		if (in_list(pid, keep, nkeep) || fz_pid_protected(p, pid))
			continue;
		if (n < 256)
			now[n++] = pid;
		if (!seen_only || in_list(pid, seen, nseen))
			tsys_kill(pid, SIGKILL);
	}
	memcpy(seen, now, sizeof(int) * (size_t)n);
	nseen = n;
	return n;
}

/* Removes everything under dir. getdents64 into a stack buffer, not opendir: opendir's heap
 * would grow with the depth of the tree, and the parent's own pages count in the leak check. */
/* One step of removing the tree at path: unlinks the files of directory path and copies the
 * name of one subdirectory into sub ("" if none). 0, or -1 if path cannot be listed. The
 * descriptor is closed again before the caller goes deeper: a tree as deep as a worker may
 * make (dozens of levels) must not need one per level. */
static int clear_files(const char *path, char sub[256])
{
	char buf[2048], file[1024];
	long fd = tsys_open((long)path, O_RDONLY | O_DIRECTORY, 0), n;
	sub[0] = 0;
	if (fd < 0)
		return -1;
	while ((n = tsys_getdents64(fd, (long)buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent *e = (struct dirent *)(buf + off);
			off += e->d_reclen;
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (e->d_type == DT_DIR && !sub[0])
				snprintf(sub, 256, "%s", e->d_name);
			else if (e->d_type != DT_DIR) {
				snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
				unlink(file);
			}
		}
	}
	tsys_close(fd);
	return 0;
}

/* Removes everything below dir, without recursion (one path buffer, going down to a
 * directory with no subdirectory, removing it, and back up); dir itself stays. */
void fz_rm_tree(const char *dir)
{
	char path[1024], sub[256];
	size_t root = strlen(dir);
	snprintf(path, sizeof(path), "%s", dir);
	for (int steps = 0; steps < 100000; steps++) {
		if (clear_files(path, sub) < 0)
			return;
		size_t len = strlen(path);
		if (sub[0] && len + 1 + strlen(sub) < sizeof(path)) {
			snprintf(path + len, sizeof(path) - len, "/%s", sub);
			continue;                        /* down */
		}
		if (len <= root || rmdir(path) < 0)
			return;                          /* back at dir, or stuck: stop */
		*strrchr(path, '/') = 0;                 /* up */
	}
}

/* A file or directory the run made outside the scratch tree (a uid-1000 worker may create
 * in /tmp: its name is any string the call was given; the root file system is writable too)
 * goes by its name, as a user would remove it; a directory only once empty, so the passes
 * below take nested ones in turn. /proc's plates go with their processes. */
static void remove_plate(rid_t rid)
{
	struct t_res_info in;
	if (t_res_info(rid, &in) < 0 || in.name[0] != '/' || strncmp(in.name, "/proc/", 6) == 0)
		return;
	if (unlink(in.name) < 0)
		rmdir(in.name);
}

/* Deletes what the run created and left; a few passes, since a space goes only once
 * nothing is attached to it, and a directory once it is empty. */
void fz_delete_created(const struct fz_protect *p)
{
	struct t_kstat was, now;
	for (int pass = 0; pass < 64; pass++) {
		rid_t rid = 0;
		t_kstat(&was);
		while (t_res_next(RT_NONE, rid, &rid) == 0) {
			uint32_t t = RID_TYPE(rid);
			if (t == RT_PROCESS || t == RT_EXEC || fz_existed_before(p, rid) ||
			    fz_is_protected(p, rid))
				continue;
			if (t == RT_PLATE)
				remove_plate(rid);
			else
				t_res_delete(rid);
		}
		t_kstat(&now);
		if (pass >= 3 && !memcmp(was.res_count, now.res_count, sizeof(now.res_count)))
			break;                         /* a pass that deleted nothing: done */
	}
}

/* Touches the 64 KiB of stack below the caller, so that the clean-up at the run's end (which
 * runs from the same depth) finds its stack pages there already: a page the parent touched
 * first after the "before" snapshot would look like a leak. */
static void touch_stack(void)
{
	volatile char pad[64 * 1024];
	for (size_t i = 0; i < sizeof(pad); i += 1024)
		pad[i] = 0;
}

void fz_kstat_settled(struct t_kstat *out)
{
	touch_stack();
	t_kctl(TK_REUSE_FLUSH, 1);
	t_kstat(out);
}

/* What a leftover refers to (an attachment: its space and region), with their names: which
 * of the boot's resources it hangs on says which path left it. */
static void print_refs(const struct t_res_info *in)
{
	char buf[T_RID_STR_LEN];
	struct t_res_info r;
	for (uint32_t i = 0; i < in->nrefs && i < T_MAX_REFS; i++) {
		int known = t_res_info(in->refs[i].rid, &r) == 0;
		printf(" %.16s=%s(%s)", in->refs[i].role, t_rid_str(in->refs[i].rid, buf),
		       known ? r.name : "gone");
	}
	printf("\n");
}

static void list_leftovers(const struct fz_protect *p)
{
	rid_t rid = 0;
	struct t_res_info in;
	char buf[T_RID_STR_LEN];
	int shown = 0;
	while (t_res_next(RT_NONE, rid, &rid) == 0 && shown < 20) {
		if (fz_existed_before(p, rid) || t_res_info(rid, &in) < 0)
			continue;
		printf("FUZZ LEFT %s %s owner %u v %#llx %#llx %#llx", t_rid_str(rid, buf), in.name,
		       in.owner, (unsigned long long)in.v[0], (unsigned long long)in.v[1],
		       (unsigned long long)in.v[2]);
		print_refs(&in);
		shown++;
	}
}

static int stop_all(const struct fz_protect *p, const int *keep, int nkeep)
{
	int64_t end = fz_now_ms() + 10000;
	int n;
	while ((n = fz_kill_strays(p, keep, nkeep, 0)) > 0 && fz_now_ms() < end) {
		while (t_proc_wait(-1, NULL, TW_NOHANG) > 0)
			;
		fz_sleep_ms(20);
	}
	while (t_proc_wait(-1, NULL, TW_NOHANG) > 0)
		;
	return n;
}

int fz_cleanup_and_check(const struct fz_protect *p, const struct t_kstat *before,
			 const int *keep, int nkeep)
{
	struct t_kstat after;
	char diff[512];
	int left = stop_all(p, keep, nkeep);
	if (left)
		printf("FUZZ HANG: %d processes of the run could not be killed\n", left);
	fz_rm_tree(FZ_SCRATCH);
	mkdir(FZ_SCRATCH, 0777);
	chmod(FZ_SCRATCH, 0777);
	int tries = 0;
	do {
		if (tries)
			fz_sleep_ms(10);
		fz_delete_created(p);
		fz_kstat_settled(&after);
	} while (t_kstat_diff(before, &after, diff, sizeof(diff)) && ++tries < SETTLE_TRIES);
	if (!diff[0] && !left)
		return 0;
	if (diff[0])
		printf("FUZZ LEAK:%s\n", diff);
	list_leftovers(p);
	return -1;
}
