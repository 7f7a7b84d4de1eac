/* Open files and per-process file-descriptor tables. An open file is a small kernel object
 * (like a Unix open file description) whose variant (console, plate, directory) sits behind
 * an operations table. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/tessera.h"

#define NFD 32

struct file;
struct linux_stat;

struct file_ops {
	/* ubuf is a user pointer: the op copies with copy_to_user/copy_from_user. */
	long (*read)(struct file *f, void *ubuf, size_t n);
	long (*write)(struct file *f, const void *ubuf, size_t n);
	long (*lseek)(struct file *f, int64_t off, int whence);
	int (*stat)(struct file *f, struct linux_stat *st);
	long (*getdents64)(struct file *f, void *ubuf, size_t n);
	long (*ioctl)(struct file *f, unsigned long req, uint64_t arg);
	void (*release)(struct file *f);
};

struct file {
	const struct file_ops *ops;
	int refs;
	int flags;          /* O_* open flags */
	uint64_t off;
	rid_t plate;        /* 0 for the console */
};

struct fdtable {
	struct file *fd[NFD];
	uint8_t cloexec[NFD];
};

/* fds 0, 1, 2 on the console */
int fdtable_init_console(struct fdtable *t);
/* dst gets references to the same open files as src */
void fdtable_clone(struct fdtable *dst, const struct fdtable *src);
void fdtable_close_all(struct fdtable *t);
