/*
 * FIFOs. Each FIFO plate with an open end has one entry here naming the pipe (pipe.c) its
 * ends share; every open of the plate is an open file of its own (own flags) holding its own
 * pipe ends (pipe_open_end): a read end, a write end, or both for O_RDWR. So the pipe's rules
 * are Linux's FIFO rules: end of file once every writer has closed, EPIPE once every reader
 * has, data kept while any end is open and dropped with the last. The opens wait for their
 * partner as Linux's fifo_open does: a reader until a writer has opened since it began to
 * wait, and a writer likewise.
 */
#include "kernel/fs/fifo.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/plate.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/sys/syscall.h"

struct fifo {
	rid_t plate;
	struct pipe *pipe;           /* while any end is open */
	int readers, writers;        /* open ends (an O_RDWR one counts as both) */
	uint32_t r_opens, w_opens;   /* ends ever opened: what a waiting open watches */
	struct fifo *next;
};

struct fifo_end {
	struct fifo *fifo;
	struct file *rd, *wr;        /* its own ends of the pipe */
	uint32_t w_seen;             /* w_opens at its open: POLLHUP only once a writer came */
};

static struct fifo *fifos;

static struct fifo *find_or_make(rid_t plate)
{
	for (struct fifo *f = fifos; f; f = f->next)
		if (f->plate == plate)
			return f;
	struct fifo *f = kzalloc(sizeof(*f));
	if (f) {
		f->plate = plate;
		f->next = fifos;
		fifos = f;
	}
	return f;
}

/* The entry goes once no end is open (its pipe went with the last one). */
static void maybe_free(struct fifo *f)
{
	if (f->readers || f->writers)
		return;
	for (struct fifo **pp = &fifos; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	kfree(f);
}

/* A new end of the FIFO's pipe (the pipe made if there is none yet). */
static int pipe_end(struct fifo *f, int acc, struct file **out)
{
	struct file *rd, *wr;
	if (f->pipe)
		return pipe_open_end(f->pipe, acc, out);
	int err = pipe_create(0, &rd, &wr);
	if (err)
		return err;
	f->pipe = pipe_of(rd);
	*out = acc == L_O_RDONLY ? rd : wr;
	file_put(acc == L_O_RDONLY ? wr : rd);    /* the pipe lives on in *out */
	return 0;
}

/* Close what end holds: its pipe ends, its counts; the partners waiting learn of it. */
static void end_close(struct fifo_end *e)
{
	struct fifo *f = e->fifo;
	if (e->rd) {
		file_put(e->rd);
		f->readers--;
	}
	if (e->wr) {
		file_put(e->wr);
		f->writers--;
	}
	if (!f->readers && !f->writers)
		f->pipe = NULL;                      /* freed with its last end */
	wakeup(f);
	maybe_free(f);
	kfree(e);
}

static int take_ends(struct fifo_end *e, int acc)
{
	struct fifo *f = e->fifo;
	int err = 0;
	if (acc != L_O_WRONLY && !(err = pipe_end(f, L_O_RDONLY, &e->rd))) {
		f->readers++;
		f->r_opens++;
	}
	if (!err && acc != L_O_RDONLY && !(err = pipe_end(f, L_O_WRONLY, &e->wr))) {
		f->writers++;
		f->w_opens++;
	}
	e->w_seen = f->w_opens;
	wakeup(f);
	return err;
}

/* A reader waits for a writer to open, a writer for a reader (unless one is there). */
static int wait_partner(struct fifo *f, int acc)
{
	uint32_t r0 = f->r_opens, w0 = f->w_opens;
	struct proc *cur = proc_cur();
	while (acc == L_O_RDONLY ? !f->writers && f->w_opens == w0
				 : !f->readers && f->r_opens == r0) {
		sleep_on(f, 0);
		if (cur && proc_aborting(cur))
			return -ERESTARTSYS;
	}
	return 0;
}

/* The end's own pipe files take the open file's O_NONBLOCK (fcntl may change it). */
static struct file *inner(struct file *fl, struct file *end)
{
	end->flags = (end->flags & ~L_O_NONBLOCK) | (fl->flags & L_O_NONBLOCK);
	return end;
}

static long fifo_read(struct file *fl, void *ubuf, size_t n)
{
	struct fifo_end *e = fl->priv;
	return file_read(inner(fl, e->rd), ubuf, n);
}

static long fifo_write(struct file *fl, const void *ubuf, size_t n)
{
	struct fifo_end *e = fl->priv;
	return file_write(inner(fl, e->wr), ubuf, n);
}

static int fifo_stat(struct file *fl, struct linux_stat *st)
{
	return plate_stat(fl->plate, st);
}

static long fifo_ioctl(struct file *fl, unsigned long req, uint64_t arg)
{
	struct fifo_end *e = fl->priv;
	return file_ioctl(e->rd ? e->rd : e->wr, req, arg);
}

static unsigned fifo_poll(struct file *fl)
{
	struct fifo_end *e = fl->priv;
	unsigned m = 0;
	if (e->rd) {
		m = file_poll(e->rd) & (L_POLLIN | L_POLLHUP);
		if (e->fifo->w_opens == e->w_seen)
			m &= ~L_POLLHUP;             /* no writer came and went yet (Linux) */
	}
	if (e->wr)
		m |= file_poll(e->wr) & (L_POLLOUT | L_POLLERR);
	return m;
}

static void fifo_release(struct file *fl)
{
	end_close(fl->priv);
}

static const struct file_ops fifo_ops = {
	.read = fifo_read, .write = fifo_write, .lseek = file_op_espipe, .stat = fifo_stat,
	.getdents64 = file_op_enotdir, .ioctl = fifo_ioctl, .release = fifo_release,
	.poll = fifo_poll,
};

bool file_is_fifo(const struct file *f)
{
	return f->ops == &fifo_ops;
}

int fifo_open(rid_t plate, int flags, struct file **out)
{
	int acc = flags & L_O_ACCMODE;
	if (syscall_in_light())
		return SYSCALL_LIGHT_DECLINED;       /* it may wait: the full path opens it */
	struct fifo *f = find_or_make(plate);
	struct fifo_end *e = f ? kzalloc(sizeof(*e)) : NULL;
	if (!e) {
		if (f)
			maybe_free(f);
		return -ENOMEM;
	}
	e->fifo = f;
	int err = acc == L_O_WRONLY && (flags & L_O_NONBLOCK) && !f->readers ? -ENXIO : 0;
	if (!err)
		err = take_ends(e, acc);
	if (!err && acc != L_O_RDWR && !(flags & L_O_NONBLOCK))
		err = wait_partner(f, acc);
	if (!err)
		err = file_alloc(&fifo_ops, flags, plate, out);
	if (err) {
		end_close(e);
		return err;
	}
	(*out)->priv = e;
	return 0;
}
