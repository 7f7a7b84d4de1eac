#!/usr/bin/env python3
"""The busybox suite: Debian's unmodified busybox-static on Tessera against the same binary
on this Linux host.

One boot (with /bin/busybox in the image through EXTRA_BINS): the shell makes a work
directory /tmp/w holding copies of the image's data files, then each command line of
COMMANDS is typed into the shell. On the host the same command line (split with the same
quoting rules: "double" and 'single' quotes, no variables, globs or pipes) runs with
/bin/busybox in a temporary directory holding the same files, with an empty environment and
umask 022. Each command line is one test: its output, and the shell's "exit status" note
when it fails, must be the same on both. Lines of the kernel's unknown-system-call
diagnostic are taken out of the Tessera output (a program may go on without the call, as
busybox does without sendfile) and listed at the end.

  busybox_suite.py --qemu "QEMU CMD" [--busybox /bin/busybox] [--results FILE]
"""
import argparse
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_suites import Shell, Suite  # noqa: E402
from qemu_run import Qemu  # noqa: E402

SUITE_TIMEOUT = 85               # seconds for the whole boot (the suite must stay under 90)
CMD_TIMEOUT = 15
DATA = ["hello.txt", "lorem.txt", "sub/note.txt"]
UNKNOWN = re.compile(r"^tessera: pid \d+ \(.*?\): unknown system call (\d+)\n", re.M)

# Command lines run in the work directory (the applet name follows "busybox").
COMMANDS = [
    "echo hello world",
    "echo -n no-newline",
    "cat hello.txt note.txt",
    "wc lorem.txt",
    "wc -l -c hello.txt lorem.txt",
    "head -n 3 lorem.txt",
    "tail -n 2 lorem.txt",
    "tail -c 20 lorem.txt",
    "sort -r note.txt hello.txt",
    "sort -k 2 -t : lorem.txt",
    "uniq -c hello.txt",
    "cut -c 1-8 note.txt",
    "cut -d : -f 2 lorem.txt",
    "sed -n 5,7p lorem.txt",
    "sed s/Tessera/Linux/ hello.txt",
    "awk '{print $2, NR}' note.txt",
    "awk 'BEGIN {x = 6 * 7; print x}'",
    "grep -c quick lorem.txt",
    "grep -n 'line 01' lorem.txt",
    "grep -v line lorem.txt",
    "md5sum hello.txt lorem.txt",
    "sha1sum lorem.txt",
    "sha256sum hello.txt lorem.txt",
    "cksum lorem.txt",
    "hexdump -C hello.txt",
    "od -c hello.txt",
    "od -A d -t x2 hello.txt",
    "xxd hello.txt",
    "base64 hello.txt",
    "nl note.txt",
    "rev hello.txt",
    "tac note.txt",
    "fold -w 20 hello.txt",
    "seq 5",
    "seq 2 3 11",
    "expr 6 + 7",
    "expr length hello",
    "basename /a/b/c.txt .txt",
    "dirname /a/b/c",
    "printf '%s-%d|%5.2f\\n' a 5 3.14159",
    "true",
    "false",
    "test -f hello.txt",
    "test -d hello.txt",
    "date -u -d @86400 +%Y-%m-%dT%H:%M:%S",
    "env",
    "sleep 0.2",
    "mkdir d1",
    "mkdir d1",
    "touch d1/f",
    "ls d1",
    "mv d1/f d1/g",
    "ls -1 -a d1",
    "rm d1/g",
    "rmdir d1",
    "rmdir d1",
    "mkdir -p p/q/r",
    "rm -r p",
    "ls -1",
    "cp hello.txt h2",
    "cmp hello.txt h2",
    "cmp hello.txt lorem.txt",
    "truncate -s 100 h2",
    "stat -c '%s %F %a' h2",
    "chmod 600 h2",
    "stat -c '%a %s' h2",
    "rm h2",
    "stat -c '%F' .",
    "find . -name hello.txt",
    "ls nothing-here",
    "cat nothing-here",
    # busybox's own shell: pipelines and command substitution (fork, pipes, wait4)
    "sh -c 'busybox cat lorem.txt | busybox tr a-z A-Z | busybox head -n 2'",
    "sh -c 'busybox seq 1 100 | busybox grep 7 | busybox wc -l'",
    "sh -c 'busybox sort -r hello.txt | busybox uniq -c'",
    "sh -c 'for i in 1 2 3; do echo line $i; done | busybox tail -n 1'",
    "sh -c 'x=$(busybox seq 3 | busybox wc -l); echo got $x'",
    "sh -c 'busybox false || echo false failed; exit 3'",
    # background jobs and wait (rt_sigsuspend), a trapped signal during a wait
    "sh -c 'busybox sleep 0.2 & busybox echo started; wait; echo waited $?'",
    "sh -c '(exit 7) & wait $!; echo status $?'",
    "sh -c 'trap \"echo got usr1\" USR1; (busybox sleep 0.2; kill -USR1 $$) & wait; wait; echo end'",
    # FIFOs (mknod/mknodat, a pipe between two processes) and chroot into a small tree
    "mkfifo ff",
    "stat -c '%F %a %s' ff",
    "sh -c 'busybox ls -l ff | busybox cut -c 1-10'",
    "sh -c '(busybox echo through the fifo > ff &); busybox cat ff'",
    "mknod p2 p",
    "stat -c '%F' p2",
    "rm ff p2",
    "sh -c 'busybox mkdir -p j/bin j/etc; busybox cp /bin/busybox j/bin/; echo in jail > j/etc/f'",
    "chroot j /bin/busybox pwd",
    "chroot j /bin/busybox ls -1 -a /",
    "chroot j /bin/busybox cat /etc/f ../../etc/f",
    "chroot j /bin/busybox sh -c 'cd /etc; pwd; cd ../..; pwd; echo *'",
    "rm -r j",
    # /proc readers whose output does not depend on the machine
    "pidof nosuchprogram",
    "killall nosuchprogram",
]


# ---- /proc readers (ps, top, free, df, mount, pidof, killall, uptime, id) ---------------------
# Their output cannot equal the host's (other processes, other memory), so each check runs
# the reader and the files or calls it is built from, and compares what both must agree on.

CHECK_UNKNOWN = set()


def bb(sh, cmd):
    out = sh.run("busybox " + cmd, CMD_TIMEOUT)
    if out is None:
        return None
    CHECK_UNKNOWN.update(UNKNOWN.findall(out))
    return UNKNOWN.sub("", out)


def rows(out):
    return [line.split() for line in out.split("\n") if line.strip()]


def meminfo(sh):
    out = bb(sh, "cat /proc/meminfo") or ""
    return {r[0].rstrip(":"): int(r[1]) for r in rows(out) if len(r) >= 2 and r[1].isdigit()}


def proc_pids(sh):
    out = bb(sh, "ls /proc") or ""
    return sorted(int(w) for w in out.split() if w.isdigit())


def check_ps(sh):
    before = proc_pids(sh)
    out = bb(sh, "ps")
    if out is None:
        return False, "no prompt", ""
    r = rows(out)
    mine = [x for x in r[1:] if x[2:] == ["busybox", "ps"]]
    listed = sorted(int(x[0]) for x in r[1:] if x[0].isdigit() and x not in mine)
    ok = (r and r[0] == ["PID", "USER", "COMMAND"] and ["1", "root", "init"] in r and
          len(mine) == 1 and mine[0][1] == "root" and listed == before[:-1])
    return ok, "want every pid of /proc %s (less ls) once, init and ps as root" % before, out


def check_ps_o(sh):
    sh_pid = (bb(sh, "pidof sh") or "").split()
    out = bb(sh, "ps -o pid,ppid,user,comm,args")
    if out is None:
        return False, "no prompt", ""
    r = rows(out)
    mine = [x for x in r if x[4:] == ["busybox", "ps", "-o", "pid,ppid,user,comm,args"]]
    ok = (r[0] == ["PID", "PPID", "USER", "COMMAND", "COMMAND"] and
          ["1", "0", "root", "init", "init"] in r and len(mine) == 1 and
          mine[0][1:4] == sh_pid[:1] + ["root", "busybox"])
    return ok, "want init with ppid 0, and ps with the shell (%s) as parent" % sh_pid, out


def check_top(sh):
    out = bb(sh, "top -bn1")
    if out is None:
        return False, "no prompt", ""
    lines = out.split("\n")
    r = rows(out)
    me = [x for x in r if x[-3:] == ["busybox", "top", "-bn1"]]
    ok = (len(lines) > 5 and lines[0].startswith("Mem: ") and lines[1].startswith("CPU: ") and
          lines[2].startswith("Load average: ") and
          lines[3].split() == ["PID", "PPID", "USER", "STAT", "VSZ", "%VSZ", "%CPU", "COMMAND"]
          and any(x[0] == "1" and x[-1] == "init" for x in r) and len(me) == 1 and
          me[0][3] == "R")
    return ok, "want the summary lines, init, and top itself running", out


def check_free(sh):
    m = meminfo(sh)
    out = bb(sh, "free")
    if out is None or not m:
        return False, "no prompt or no /proc/meminfo", out or ""
    r = rows(out)
    mem = [int(v) for v in r[1][1:]] if len(r) > 1 and r[1][0] == "Mem:" else []
    ok = (len(mem) == 6 and mem[0] == m["MemTotal"] and mem[3] == m["Shmem"] and
          mem[4] == m["Cached"] and abs(mem[2] - m["MemFree"]) <= 2048 and
          abs(mem[5] - m["MemAvailable"]) <= 2048 and mem[1] == mem[0] - mem[2] - mem[4] and
          r[2] == ["Swap:", "0", "0", "0"])
    return ok, "want total, shared, buff/cache = /proc/meminfo's %s" % m, out


def check_df(sh):
    st = (bb(sh, "stat -f -c '%b %f %a %S' /disk") or "").split()
    out = bb(sh, "df /disk /")
    if out is None or len(st) != 4:
        return False, "no prompt or no statfs of /disk", out or ""
    b, f, a, s = (int(v) for v in st)
    r = rows(out)
    want = ["/dev/vda", str(b * s // 1024), str((b - f) * s // 1024), str(a * s // 1024)]
    ok = (r[0][:4] == ["Filesystem", "1K-blocks", "Used", "Available"] and len(r) == 3 and
          r[1][:4] == want and r[1][-1] == "/disk" and r[2][0] == "image" and r[2][-1] == "/")
    return ok, "want /disk as statfs says %s, and / on the image" % want, out


def check_mount(sh):
    mounts = bb(sh, "cat /proc/mounts") or ""
    out = bb(sh, "mount")
    if out is None:
        return False, "no prompt", ""
    want = "".join("%s on %s type %s (%s)\n" % tuple(x[:4]) for x in rows(mounts))
    ok = out == want and " / " in mounts and "/disk ext2" in mounts
    return ok, "want /proc/mounts (with / and /disk) as mount shows it", out


def check_rootfs(sh):
    """The root is writable as Linux's initramfs: an image file appended to and edited in
    place (sed -i renames a new file over it), a directory made in /, a program copied into
    /bin and run; everything removed again."""
    out = bb(sh, "sh -c 'echo 10.0.9.9 ut-host >> /etc/hosts; busybox grep ut-host /etc/hosts; "
                 "busybox mkdir -p /root/ut-dir && busybox cp /bin/hello /bin/ut-hello && "
                 "/bin/ut-hello; busybox rm /bin/ut-hello; busybox rmdir /root/ut-dir; "
                 "busybox sed -i /ut-host/d /etc/hosts; busybox grep ut-host /etc/hosts || "
                 "echo gone; busybox grep -c localhost /etc/hosts'")
    ok = bool(out) and re.match(r"^10\.0\.9\.9 ut-host\nHello from Tessera! \(pid \d+\)\n"
                                r"gone\n[1-9]\d*\n$", out) is not None
    return ok, "want /etc/hosts appended to and edited back, a program run from /bin", out or ""


def check_pidof(sh):
    out = bb(sh, "pidof init")
    return out == "1\n", "want 1", out or ""


def check_killall(sh):
    out = bb(sh, "sh -c 'usleep 30000000 & killall usleep; wait $!; echo $?'")
    return out == "143\n", "want the sleeper ended by SIGTERM (143)", out or ""


def check_uptime(sh):
    out = bb(sh, "uptime") or ""
    ok = re.match(r"^ \d\d:\d\d:\d\d up .*load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d\n$",
                  out)
    return bool(ok), "want the time, the uptime and three load averages", out


def check_id(sh):
    out = bb(sh, "id")
    return out == "uid=0(root) gid=0(root)\n", "want root from /etc/passwd and /etc/group", \
        out or ""


def check_su(sh):
    out = bb(sh, "su -c 'busybox id' user")
    return out == "uid=1000(user) gid=1000(user) groups=1000(user)\n", \
        "want root to become user (uid, gid and groups from /etc/passwd and /etc/group)", out or ""


def check_nproc(sh):
    out = bb(sh, "nproc")
    return out == "1\n", "want one processor (sched_getaffinity)", out or ""


SPIN_SH = "busybox sh -c 'i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done'"


def check_time(sh):
    """time's user and system time come from wait4's rusage (kernel/proc/cputime.h)."""
    out = bb(sh, "time -f '%U %S' " + SPIN_SH)
    if out is None:
        return False, "no prompt", ""
    m = re.match(r"^(\d+\.\d\d) (\d+\.\d\d)\n$", out)
    ok = bool(m) and float(m.group(1)) >= 0.02 and float(m.group(2)) <= float(m.group(1))
    return ok, "want a busy shell loop's user time (>= 0.02 s) above its system time", out


def check_top_cpu(sh):
    """A spinning process takes most of the processor in top's %CPU and in its CPU: line
    (from /proc/PID/stat's utime + stime and /proc/stat's user/system/idle split)."""
    out = bb(sh, "sh -c 'busybox sh -c \"while :; do :; done\" & sleep 1; busybox top -bn1; "
                 "kill $!'")
    if out is None:
        return False, "no prompt", ""
    r = rows(out)
    spin = [x for x in r if x[-4:] == ["-c", "while", ":;", "do"] or
            x[-6:] == ["-c", "while", ":;", "do", ":;", "done"]]
    cpu = re.search(r"^CPU: +(\d+)% usr +(\d+)% sys .* (\d+)% idle", out, re.M)
    ok = (len(spin) == 1 and spin[0][3] == "R" and int(spin[0][6].rstrip("%")) >= 50 and
          bool(cpu) and int(cpu.group(1)) >= 50 and int(cpu.group(3)) <= 50)
    return ok, "want the spinner at >= 50% CPU and usr >= 50%, idle <= 50% on the CPU: line", out


# ---- the network inspection tools (ifconfig, route, netstat, arp) ---------------------------
# Their addresses, counters and sockets are the guest's (QEMU's user network: 10.0.2.15/24,
# gateway 10.0.2.2, whose MAC QEMU makes 52:55:0a:00:02:02), so each check wants the lines
# Linux's busybox prints for that network, and the counters of /proc/net/dev around the run.

def dev_counts(sh, iface):
    for r in rows(bb(sh, "cat /proc/net/dev") or "")[2:]:
        if r and r[0] == iface + ":" and len(r) == 17:
            return [int(v) for v in r[1:]]
    return None


def check_ifconfig(sh):
    before = dev_counts(sh, "eth0")
    out = bb(sh, "ifconfig")
    after = dev_counts(sh, "eth0")
    if out is None or not before or not after:
        return False, "no prompt or no eth0 in /proc/net/dev", out or ""
    rx = re.search(r"^eth0 .*\n(?: .*\n)*?          RX packets:(\d+) ", out, re.M)
    want = [r"^eth0      Link encap:Ethernet  HWaddr 52:54:00:12:34:56  $",
            r"^          inet addr:10\.0\.2\.15  Bcast:10\.0\.2\.255  Mask:255\.255\.255\.0$",
            r"^          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1$",
            r"^lo        Link encap:Local Loopback  $",
            r"^          inet addr:127\.0\.0\.1  Mask:255\.0\.0\.0$",
            r"^          UP LOOPBACK RUNNING  MTU:16384  Metric:1$",
            r"^          RX bytes:\d+ \(.*\)  TX bytes:\d+ \(.*\)$"]
    ok = (all(re.search(w, out, re.M) for w in want) and bool(rx) and
          before[1] <= int(rx.group(1)) <= after[1] and out.index("eth0") < out.index("lo "))
    return ok, "want eth0 (10.0.2.15/24, its MAC, RX packets between /proc/net/dev's %s and %s) " \
        "and lo (127.0.0.1/8)" % (before[1], after[1]), out


def check_ifconfig_eth0(sh):
    out = bb(sh, "ifconfig eth0")
    bad = bb(sh, "ifconfig nosuch0")
    ok = (out is not None and out.startswith("eth0      Link encap:Ethernet  HWaddr 52:54:00:12:34:56")
          and "lo " not in out and bad is not None and
          "nosuch0: error fetching interface information: Device not found" in bad)
    return ok, "want eth0 alone, and 'Device not found' for an unknown interface", \
        (out or "") + (bad or "")


def check_route(sh):
    out = bb(sh, "route -n")
    want = ("Kernel IP routing table\n"
            "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n"
            "0.0.0.0         10.0.2.2        0.0.0.0         UG    0      0        0 eth0\n"
            "10.0.2.0        0.0.0.0         255.255.255.0   U     0      0        0 eth0\n")
    return out == want, "want the default route through 10.0.2.2 and 10.0.2.0/24", out or ""


def check_netstat_listen(sh):
    bb(sh, "httpd -p 8081 -h /tmp/w")          # a daemon: a listener on port 8081
    out = bb(sh, "netstat -tuln")
    ok = (out is not None and out.startswith(
        "Active Internet connections (only servers)\n"
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State       \n")
        and re.search(r"^tcp +0 +\d+ 0\.0\.0\.0:8081 +0\.0\.0\.0:\* +LISTEN *$", out, re.M)
        and "No such file" not in out)
    return bool(ok), "want httpd's listener 0.0.0.0:8081 in state LISTEN, no missing file", out or ""


def check_netstat_conn(sh):
    page = bb(sh, "wget -q -O - http://127.0.0.1:8081/hello.txt") or ""
    out = bb(sh, "netstat -tn")
    ok = (out is not None and page.startswith("Hello, Tessera!") and out.startswith(
        "Active Internet connections (w/o servers)\n") and
        re.search(r"^tcp +0 +0 127\.0\.0\.1:\d+ +127\.0\.0\.1:\d+ +TIME_WAIT *$", out, re.M)
        and ":8081 " in out)
    return bool(ok), "want the finished connection to 127.0.0.1:8081 in TIME_WAIT", page + (out or "")


def check_netstat_unix(sh):
    out = bb(sh, "netstat -x")
    want = ("Active UNIX domain sockets (w/o servers)\n"
            "Proto RefCnt Flags       Type       State         I-Node Path\n")
    return out == want, "want the header alone (no AF_UNIX socket is open during the check)", out or ""


def check_logger(sh):
    # With no syslog daemon, /dev/log does not exist: Linux's busybox logger is silent and
    # succeeds (its connect is ENOENT); before AF_UNIX it printed socket's EAFNOSUPPORT.
    out = bb(sh, "logger hello; echo status $?")
    return out == "status 0\n", "want no output and status 0, as on Linux", out or ""


def check_arp(sh):
    sh.run("busybox ping -c 1 10.0.2.2", CMD_TIMEOUT)
    out = bb(sh, "arp -n")
    ok = out is not None and "? (10.0.2.2) at 52:55:0a:00:02:02 [ether]  on eth0\n" in out
    return ok, "want the gateway's entry after a ping", out or ""


def check_ip(sh):
    addr, link, route = bb(sh, "ip addr"), bb(sh, "ip link"), bb(sh, "ip route")
    want_link = ("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 16384 qlen 64\n"
                 "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
                 "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qlen 256\n"
                 "    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n")
    want_addr = ("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 16384 qlen 64\n"
                 "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
                 "    inet 127.0.0.1/8 scope host lo\n"
                 "       valid_lft forever preferred_lft forever\n"
                 "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qlen 256\n"
                 "    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n"
                 "    inet 10.0.2.15/24 brd 10.0.2.255 scope global eth0\n"
                 "       valid_lft forever preferred_lft forever\n")
    want_route = ("default via 10.0.2.2 dev eth0 \n"
                  "10.0.2.0/24 dev eth0 scope link  src 10.0.2.15 \n")
    ok = link == want_link and addr == want_addr and route == want_route
    return ok, "want lo and eth0 (links, addresses) and the two routes, as ifconfig shows " \
        "them", "%s%s%s" % (addr, link, route)


NET_CHECKS = [("ifconfig", check_ifconfig), ("ifconfig eth0 / unknown", check_ifconfig_eth0),
              ("route -n", check_route), ("netstat -tuln", check_netstat_listen),
              ("netstat -tn", check_netstat_conn), ("netstat -x", check_netstat_unix),
              ("logger hello (AF_UNIX, no /dev/log)", check_logger),
              ("arp -n", check_arp), ("ip addr, ip link, ip route (netlink)", check_ip)]


PROC_CHECKS = [("ps", check_ps), ("ps -o pid,ppid,user,comm,args", check_ps_o),
               ("top -bn1", check_top), ("free", check_free), ("df /disk /", check_df),
               ("mount", check_mount), ("pidof init", check_pidof),
               ("killall usleep", check_killall), ("uptime", check_uptime), ("id", check_id),
               ("time (user and system time)", check_time),
               ("top -bn1 with a spinner (%CPU)", check_top_cpu),
               ("su -c id user", check_su), ("nproc", check_nproc),
               ("writable root (echo >> /etc/hosts, sed -i, cp to /bin)", check_rootfs)] + \
    NET_CHECKS


def guest_line(cmd):
    return "busybox " + cmd


def status_note(code):
    """What Tessera's shell prints after a program that did not exit with 0."""
    if code < 0:
        return "sh: busybox: killed by signal %d (%s)\n" % (-code, "?")
    return "sh: busybox: exit status %d\n" % code if code else ""


# The environment Tessera's shell starts with (user/bin/init.c, login_environment), in its
# order, so that `env` and what reads it compare alike.
LOGIN_ENV = {"HOME": "/", "USER": "root", "LOGNAME": "root", "SHELL": "/bin/sh",
             "PATH": "/sbin:/usr/sbin:/bin:/usr/bin"}


def host_run(cmd, work):
    argv = ["/bin/busybox"] + shlex.split(cmd)
    try:
        r = subprocess.run(argv, cwd=work, env=dict(LOGIN_ENV), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=CMD_TIMEOUT, preexec_fn=lambda: os.umask(0o022))
    except (OSError, subprocess.TimeoutExpired) as e:
        return "host run failed: %s\n" % e
    return r.stdout.decode(errors="replace") + status_note(r.returncode)


def setup_host(root):
    work = os.path.join(root, "w")
    os.mkdir(work)
    for f in DATA:
        shutil.copy(os.path.join("build", "root", "data", f), work)
    return work


def setup_guest(sh):
    """The work directory in the guest; "" when every step worked, else what failed."""
    steps = ["busybox mkdir /tmp/w"] + ["busybox cp /data/%s /tmp/w" % f for f in DATA] + \
        ["cd /tmp/w"]
    for step in steps:
        out = sh.run(step, CMD_TIMEOUT)
        if out is None or UNKNOWN.sub("", out).strip():
            return "'%s' gave %r" % (step, out)
    return ""


def run(cfg):
    suite = Suite("busybox")
    t0 = time.monotonic()
    vm = Qemu(cfg.qemu, "guest-busybox", SUITE_TIMEOUT)
    sh = Shell(vm)
    why = sh.boot()
    if not why:
        why = setup_guest(sh)
    suite.check("boot and work directory", not why, why)
    unknown = set()
    with tempfile.TemporaryDirectory(prefix="bbsuite") as root:
        work = setup_host(root)
        for cmd in COMMANDS:
            want = host_run(cmd, work)
            got = sh.run(guest_line(cmd), CMD_TIMEOUT) if not why else None
            if got is None:
                suite.check(cmd, False, "no prompt within %d s (%s)"
                            % (CMD_TIMEOUT, vm.end_reason() or why or "hung or too slow"))
                continue
            unknown.update(UNKNOWN.findall(got))
            got = UNKNOWN.sub("", got)
            diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                "host busybox", "Tessera busybox"))
            suite.check(cmd, got == want, "output differs from the host run", diff)
    for name, check in PROC_CHECKS:
        if why or not sh.alive:
            suite.check(name, False, "no shell (%s)" % (why or vm.end_reason()))
            continue
        ok, want, got = check(sh)
        suite.check(name, ok, want, got)
    unknown |= CHECK_UNKNOWN
    if sh.alive:
        sh.poweroff()
    suite.check("no kernel panic", not vm.panicked(), "KERNEL PANIC on the console")
    vm.close(suite.failed == 0)
    if unknown:
        print("  unknown system calls reported: %s" % " ".join(sorted(unknown, key=int)))
    print("  (busybox suite: %.1f s)" % (time.monotonic() - t0))
    return suite


def main():
    ap = argparse.ArgumentParser(description="busybox on Tessera against the host busybox")
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--results", help="also write the summary line to this file")
    cfg = ap.parse_args()
    cfg.qemu = shlex.split(cfg.qemu)
    if not os.path.exists("/bin/busybox"):
        print("busybox: 0 passed, 1 failed (no /bin/busybox on the host)")
        return 1
    suite = run(cfg)
    print(suite.summary(), flush=True)
    if cfg.results:
        with open(cfg.results, "w") as f:
            f.write(suite.summary() + "\n")
    return 0 if suite.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
