/* The further names of plates in memory: hard links (link(2)). In Tender's terms a plate is
 * the file and a name refers to it: every plate holds its first name itself (plate->path, by
 * which the table finds it and lists it; most files never have another), and each further
 * name is an entry here that refers to its plate by rid and to its directory by rid. When the
 * plate's own name goes while others are left, one of them becomes its own (plate_ops.c), so
 * a plate has a name in itself as long as it has any. Directories have no further names. */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "kernel/lib/string.h"

#define NAME_BUCKETS 64

static struct pl_name names[PL_NAMES_MAX];
static uint16_t buckets[NAME_BUCKETS];       /* 1 + first slot of the chain, 0 = none */
static uint16_t hnext[PL_NAMES_MAX];
uint32_t pl_nnames;

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h % NAME_BUCKETS;
}

static int find(const char *path)
{
	if (!pl_nnames)
		return -1;
	for (uint16_t i = buckets[hash(path)]; i; i = hnext[i - 1])
		if (!strcmp(names[i - 1].path, path))
			return i - 1;
	return -1;
}

static void unhash(int i)
{
	uint16_t *link = &buckets[hash(names[i].path)];
	while (*link && *link != i + 1)
		link = &hnext[*link - 1];
	if (*link)
		*link = hnext[i];
}

static void hash_in(int i)
{
	uint32_t b = hash(names[i].path);
	hnext[i] = buckets[b];
	buckets[b] = (uint16_t)(i + 1);
}

int pl_name_find(const char *path, rid_t *plate)
{
	int i = find(path);
	if (i < 0)
		return -ENOENT;
	*plate = names[i].plate;
	return 0;
}

const struct pl_name *pl_name_at(uint32_t i)
{
	return i < PL_NAMES_MAX && names[i].plate ? &names[i] : NULL;
}

int pl_name_add(const char *path, rid_t plate, rid_t parent)
{
	if (strnlen(path, PATH_BUF) > PATH_MAX_LEN)
		return -ENAMETOOLONG;
	for (int i = 0; i < PL_NAMES_MAX; i++) {
		if (names[i].plate)
			continue;
		strlcpy(names[i].path, path, sizeof(names[i].path));
		names[i].plate = plate;
		names[i].parent = parent;
		hash_in(i);
		pl_nnames++;
		pl_names_gen++;
		return 0;
	}
	return -ENOSPC;
}

static void drop(int i)
{
	unhash(i);
	names[i] = (struct pl_name){ 0 };
	pl_nnames--;
	pl_names_gen++;
}

int pl_name_remove(const char *path)
{
	int i = find(path);
	if (i < 0)
		return -ENOENT;
	drop(i);
	return 0;
}

int pl_name_move(const char *from, const char *to, rid_t parent)
{
	int i = find(from);
	if (i < 0)
		return -ENOENT;
	unhash(i);
	strlcpy(names[i].path, to, sizeof(names[i].path));
	names[i].parent = parent;
	hash_in(i);
	pl_names_gen++;
	return 0;
}

uint32_t pl_name_count(rid_t plate)
{
	uint32_t n = 0;
	for (int i = 0; pl_nnames && i < PL_NAMES_MAX; i++)
		n += names[i].plate == plate;
	return n;
}

bool pl_name_in_dir(rid_t dir)
{
	for (int i = 0; pl_nnames && i < PL_NAMES_MAX; i++)
		if (names[i].plate && names[i].parent == dir)
			return true;
	return false;
}

int pl_name_take(rid_t plate, char path[PATH_BUF], rid_t *parent)
{
	for (int i = 0; pl_nnames && i < PL_NAMES_MAX; i++) {
		if (names[i].plate != plate)
			continue;
		strlcpy(path, names[i].path, PATH_BUF);
		*parent = names[i].parent;
		drop(i);
		return 0;
	}
	return -ENOENT;
}

void pl_name_forget(rid_t plate)
{
	for (int i = 0; pl_nnames && i < PL_NAMES_MAX; i++)
		if (names[i].plate == plate)
			drop(i);
}

/* Names below directory path from move with it: prefix from becomes to. */
void pl_name_move_below(const char *from, const char *to)
{
	char buf[PATH_BUF];
	size_t nf = strlen(from);
	for (int i = 0; pl_nnames && i < PL_NAMES_MAX; i++) {
		if (!names[i].plate || strncmp(names[i].path, from, nf) || names[i].path[nf] != '/')
			continue;
		strlcpy(buf, to, sizeof(buf));
		strlcpy(buf + strlen(buf), names[i].path + nf, sizeof(buf) - strlen(buf));
		unhash(i);
		strlcpy(names[i].path, buf, sizeof(names[i].path));
		hash_in(i);
	}
	pl_names_gen++;
}

bool pl_name_fits_below(const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to);
	for (int i = 0; pl_nnames && i < PL_NAMES_MAX; i++)
		if (names[i].plate && !strncmp(names[i].path, from, nf) && names[i].path[nf] == '/' &&
		    strlen(names[i].path) - nf + nt > PATH_MAX_LEN)
			return false;
	return true;
}
