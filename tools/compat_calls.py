#!/usr/bin/env python3
"""Prints the table of docs/compat.md ("Every call"): every x86-64 Linux call (from the host's
asm/unistd_64.h) with its state on Tessera: the calls of abi/syscalls.def are "yes" unless NOTES
says what is partial; the others answer ENOSYS. Run from the top of the tree:
    python3 tools/compat_calls.py > table.md
"""
import re
NOTES = {
 "ioctl": "partly: TCGETS, TCSETS/W/F, TIOCGWINSZ, TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID on the console; on sockets FIONREAD, FIONBIO and the interface requests SIOCGIFCONF, SIOCGIF{FLAGS,ADDR,DSTADDR,BRDADDR,NETMASK,HWADDR,MTU,METRIC,INDEX,NAME,TXQLEN,MAP} (SIOCSIF*: EPERM, root EOPNOTSUPP); ENOTTY elsewhere",
 "mmap": "anonymous and private file mappings (copied); no shared file mappings",
 "mremap": "partly: shrinking in place; growing answers ENOMEM (libcs then copy)",
 "madvise": "partly: advice accepted, DONTNEED frees",
 "select": "yes (over poll)",
 "sendfile": "yes, from a regular file (or block device) to any writable file",
 "clone": "partly: the fork and vfork forms, and threads (CLONE_VM\\|CLONE_SIGHAND\\|CLONE_THREAD with CLONE_FILES and CLONE_FS, optionally SETTLS, PARENT_SETTID, CHILD_SETTID/CLEARTID, SYSVSEM); other sharing (a thread without shared files, namespaces) EINVAL",
 "sendmmsg": "yes (each entry as sendmsg; a later entry's error ends the call with the count so far)",
 "recvmmsg": "yes, with MSG_WAITFORONE; the timeout is looked at after each datagram as Linux does and not written back",
 "syslog": "yes: the kernel's message log (64 KiB; lines stamped <4>[s.us] as printk's, every message level 4); READ_ALL and SIZE_BUFFER for all (dmesg_restrict=0), the other actions root's; the console level silences kernel messages on the console but not a panic",
 "socket": "AF_INET stream and datagram (and raw ICMP for root) through the network server; AF_NETLINK with NETLINK_ROUTE (the link, address and route dumps) and AF_UNIX (stream, datagram, seqpacket; paths and abstract names) in the kernel (docs/network.md); AF_INET6: EAFNOSUPPORT",
 "socketpair": "yes for AF_UNIX (stream, datagram, seqpacket; SOCK_NONBLOCK, SOCK_CLOEXEC); AF_INET: EOPNOTSUPP as Linux",
 "sendmsg": "yes; no ancillary data (control data on an AF_UNIX socket, SCM_RIGHTS or SCM_CREDENTIALS, is refused with EOPNOTSUPP; on AF_INET it is ignored)",
 "recvmsg": "yes; no ancillary data (msg_controllen comes back 0)",
 "fcntl": "partly: F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETPIPE_SZ, F_SETPIPE_SZ, record locks F_GETLK, F_SETLK, F_SETLKW and F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW (no leases, F_NOTIFY, seals, owners)",
 "link": "yes: disks, and the file system in memory (/tmp); EXDEV across file systems",
 "symlink": "yes: disks, and the file system in memory; the boot image may hold links",
 "linkat": "yes (AT_SYMLINK_FOLLOW)",
 "symlinkat": "yes", "readlink": "yes (also /proc's links)", "readlinkat": "yes",
 "chown": "yes (root: anything; owner: a group it is in, its own or a supplementary one)", "fchown": "yes", "lchown": "yes", "fchownat": "yes",
 "getrusage": "yes: RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD with user and system time, maxrss (KiB), minflt, nvcsw, nivcsw; majflt, block I/O, IPC and signal counts are 0",
 "times": "yes (clock ticks of 1/100 s; children's times once they are reaped)",
 "sysinfo": "yes (the same numbers as /proc/meminfo and /proc/loadavg)",
 "getgroups": "yes; the supplementary groups count in every access check, as Linux's",
 "setgroups": "yes, root only, at most 32 groups (more: EINVAL)",
 "setuid": "yes (root sets real, effective and saved; a user the effective id to its real or saved one)",
 "setgid": "yes (as setuid; the privilege is an effective uid 0)",
 "setfsuid": "yes (the fs id every access check uses; reset by each change of the effective id)",
 "setfsgid": "yes",
 "access": "yes (by the real ids)", "faccessat": "yes (by the real ids)",
 "faccessat2": "yes (AT_EACCESS: by the effective ids)",
 "mknod": "yes: regular files, FIFOs, socket nodes (an AF_UNIX socket binds to a path by making one; a bare node refuses connections), character and block devices (an effective uid of 0, as CAP_MKNOD; EPERM otherwise) in memory and on ext2 disks; a number no driver serves opens with ENXIO",
 "mknodat": "yes (as mknod)",
 "chroot": "yes (root only; a process in one does not migrate)",
 "sched_getaffinity": "yes: one processor (bit 0, 8 bytes)",
 "sched_setaffinity": "yes: only masks with processor 0",
 "eventfd": "yes", "eventfd2": "yes (EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC)",
 "flock": "yes (advisory, per open file; LOCK_SH, LOCK_EX, LOCK_UN, LOCK_NB)",
 "getdents": "yes (the old linux_dirent, d_type in the last byte)",
 "setpgid": "yes (Linux's rules: EPERM, EACCES, ESRCH)",
 "kill": "yes: a process, its group (0, -pgid) and all (-1)",
 "wait4": "yes (WUNTRACED, WCONTINUED), with the child's rusage",
 "waitid": "yes (P_ALL, P_PID, P_PGID; WEXITED, WSTOPPED, WCONTINUED, WNOWAIT), with the child's rusage",
 "prctl": "partly: PR_SET_NAME, PR_GET_NAME",
 "arch_prctl": "partly: ARCH_SET_FS, ARCH_GET_FS",
 "mount": "partly: ext2 on a virtio block device (/dev/vdX), MS_RDONLY",
 "umount2": "yes (no MNT_DETACH)",
 "gettid": "the pid (one thread per process here)",
 "tkill": "as kill of the pid", "tgkill": "as kill of the pid",
 "set_tid_address": "returns the pid; nothing is written at exit",
 "set_robust_list": "accepted, nothing kept (single-threaded processes)",
 "rseq": "ENOSYS (libcs go on without it)",
 "clone3": "ENOSYS on purpose (libcs fall back to clone)",
 "statfs": "yes, per file system (rootfs, tmpfs, devtmpfs, proc, ext2)", "fstatfs": "yes",
 "sigaltstack": "recorded, not used for delivery yet",
 "renameat2": "partly: RENAME_NOREPLACE (no EXCHANGE, WHITEOUT)",
 "copy_file_range": "yes, between regular files (flags 0)",
 "fadvise64": "accepted (checks only)",
 "execve": "yes: any file with an execute bit (boot image, RAM file system, disks), ELF or #! scripts (5 levels, then ELOOP), Linux's argument limits (docs/exec.md)",
 "getpriority": "yes: nice values are kept and inherited but do not change scheduling (docs/exec.md)",
 "setpriority": "yes (root lowers nice values or changes other users' processes); scheduling unchanged",
 "getcpu": "yes (one CPU, one node); also in the vDSO and the vsyscall page",
 "gettimeofday": "yes; also in the vDSO and the vsyscall page",
 "time": "yes; also in the vDSO and the vsyscall page",
 "clock_gettime": "yes (REALTIME, MONOTONIC and their variants, also in the vDSO; CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and the ids clock_getcpuclockid and pthread_getcpuclockid make; EINVAL for others)",
 "sched_getaffinity": "yes: one CPU, the mask {0}",
 "sched_setaffinity": "yes: a mask holding CPU 0 is accepted (and changes nothing), others EINVAL",
 "uname": "yes (the host name as sethostname set it)", "sethostname": "yes, root only",
 "getrlimit": "yes", "setrlimit": "yes", "prlimit64": "yes",
 "clock_getres": "yes (1 ns for every clock, the CPU-time ones too: they are exact)",
}
rows = []
for m in re.finditer(r"^SYSCALL\((\d+), (\w+), (\d)\)", open("abi/syscalls.def").read(), re.M):
    nr, name = int(m.group(1)), m.group(2)
    if nr < 1000:
        rows.append((nr, name, NOTES.get(name, "yes")))
known = {nr for nr, _, _ in rows}
for m in re.finditer(r"#define __NR_(\w+) (\d+)", open("/usr/include/x86_64-linux-gnu/asm/unistd_64.h").read()):
    nr = int(m.group(2))
    if nr not in known:
        rows.append((nr, m.group(1), "**no** (ENOSYS)"))
rows.sort()
print("| nr | call | state |")
print("| ---: | --- | --- |")
for nr, name, note in rows:
    print("| %d | %s | %s |" % (nr, name, note))
