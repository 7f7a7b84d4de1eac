/* FIFOs (named pipes): a plate of type S_IFIFO opens as an end of a pipe that every opener of
 * that plate shares while any end is open (fifo.c). */
#pragma once
#include <stdbool.h>
#include "abi/tessera.h"

struct file;

/* Open FIFO plate with Linux open flags (the kept ones): O_RDONLY waits for a writer,
 * O_WRONLY for a reader (with O_NONBLOCK: a reader opens at once, a writer without a reader
 * gets -ENXIO), O_RDWR never waits. -ERESTARTSYS when a signal ends the wait, -ENOMEM. */
int fifo_open(rid_t plate, int flags, struct file **out);
bool file_is_fifo(const struct file *f);
