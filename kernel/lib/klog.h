/*
 * The kernel's message log, as Linux's printk buffer that dmesg reads through syslog(2):
 * every byte kprintf prints is kept in a ring of KLOG_SIZE bytes, each line stamped
 * "<4>[seconds.micros] " with the time since boot (Tessera's messages carry no levels; 4,
 * KERN_WARNING, is what they are). Pure data structure: the caller keeps interrupts away.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KLOG_SIZE 65536u
#define KLOG_LEVEL 4                /* the level every message is given */

/* Empties the log and takes the clock lines are stamped with (nanoseconds since boot). */
void klog_reset(uint64_t (*clock_ns)(void));
/* Appends what kprintf printed; lines get their stamp as they begin. */
void klog_append(const char *s, size_t n);
/* SYSLOG_ACTION_READ_ALL: the newest whole lines that fit in len (from the last clear on);
 * returns the byte count. clear: then SYSLOG_ACTION_CLEAR. */
size_t klog_read_all(char *out, size_t len, bool clear);
/* SYSLOG_ACTION_READ: takes up to len unread bytes off the log; returns the byte count. */
size_t klog_read(char *out, size_t len);
/* SYSLOG_ACTION_CLEAR: READ_ALL starts after what is there now. */
void klog_clear(void);
/* SYSLOG_ACTION_SIZE_UNREAD. */
size_t klog_unread(void);
