/* syslog(2): the kernel's message log (kernel/lib/klog.h) kept from the first message on, and
 * read by dmesg. */
#pragma once

/* Starts keeping kprintf's output; called first thing at boot. */
void syslog_init(void);
