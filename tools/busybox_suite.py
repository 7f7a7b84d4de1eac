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
]


def guest_line(cmd):
    return "busybox " + cmd


def status_note(code):
    """What Tessera's shell prints after a program that did not exit with 0."""
    if code < 0:
        return "sh: busybox: killed by signal %d (%s)\n" % (-code, "?")
    return "sh: busybox: exit status %d\n" % code if code else ""


def host_run(cmd, work):
    argv = ["/bin/busybox"] + shlex.split(cmd)
    try:
        r = subprocess.run(argv, cwd=work, env={}, stdin=subprocess.DEVNULL,
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
