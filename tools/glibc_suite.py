#!/usr/bin/env python3
"""The glibc suite: Debian's glibc static shells, bash-static and zsh-static (both in every
image, Makefile GLIBC_SHELLS), run the scripts of user/root/data/sh/ (loops, pipes, command
substitution, here-documents, functions, arithmetic, traps and background jobs without job
control) on Tessera and on this Linux host; each script's output under each shell must be
the host's.

One boot: each "SHELL data/sh/NAME.sh" is typed into Tessera's shell (working directory /);
on the host the same command runs in build/root with an empty environment and umask 022.
External commands in the scripts are /bin/busybox's, the same binary on both. Lines of the
kernel's unknown-system-call diagnostic are taken out of Tessera's output and listed at the
end (a program may go on without a call, as glibc does without rseq).

  glibc_suite.py --qemu "QEMU CMD" [--results FILE]
"""
import argparse
import difflib
import glob
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_suites import Shell, Suite, host_suite_main  # noqa: E402
from qemu_run import Qemu  # noqa: E402

SUITE_TIMEOUT = 240
CMD_TIMEOUT = 30
SHELLS = ("bash-static", "zsh-static")
UNKNOWN = re.compile(r"^tessera: pid \d+ \(.*?\): unknown system call (\d+)\n", re.M)


def scripts():
    return sorted(os.path.relpath(p, "user/root")
                  for p in glob.glob("user/root/data/sh/*.sh"))


def status_note(shell, code):
    """What Tessera's shell prints after a program that failed (user/bin/sh.c)."""
    if code < 0:
        return "sh: %s: killed by signal %d" % (shell, -code)
    return "sh: %s: exit status %d\n" % (shell, code) if code else ""


def host_run(shell, script):
    try:
        r = subprocess.run(["/bin/" + shell, script], cwd="build/root", env={},
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=CMD_TIMEOUT,
                           preexec_fn=lambda: os.umask(0o022))
    except (OSError, subprocess.TimeoutExpired) as e:
        return "host run failed: %s\n" % e
    return r.stdout.decode(errors="replace") + status_note(shell, r.returncode)


def compare(suite, test, got, want):
    if got.startswith("sh: %s: killed by signal" % test.split()[0]):
        got = got.split("(")[0]          # the signal's name is Tessera's strsignal
    diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                        "host (Linux)", "Tessera"))
    suite.check(test, got == want, "output differs from the host run", diff)


def run(cfg):
    suite = Suite("glibc")
    t0 = time.monotonic()
    missing = [s for s in SHELLS if not os.path.exists("/bin/" + s)]
    if missing or not scripts():
        suite.check("setup", False, "missing on the host: %s" % (" ".join(missing) or
                                                                "user/root/data/sh/*.sh"))
        return suite
    vm = Qemu(cfg.qemu, "guest-glibc", SUITE_TIMEOUT)
    sh = Shell(vm)
    why = sh.boot()
    suite.check("boot to prompt", not why, why)
    unknown = set()
    for script in scripts():
        for shell in SHELLS:
            test = "%s %s" % (shell, script)
            want = host_run(shell, script)
            got = sh.run(test, CMD_TIMEOUT) if not why else None
            if got is None:
                suite.check(test, False, "no prompt within %d s (%s)"
                            % (CMD_TIMEOUT, vm.end_reason() or why or "hung or too slow"))
                continue
            unknown.update(UNKNOWN.findall(got))
            compare(suite, test, UNKNOWN.sub("", got), want)
    if sh.alive:
        sh.poweroff()
    suite.check("no kernel panic", not vm.panicked(), "KERNEL PANIC on the console")
    vm.close(suite.failed == 0)
    if unknown:
        print("  unknown system calls reported: %s" % " ".join(sorted(unknown, key=int)))
    print("  (glibc suite: %.1f s)" % (time.monotonic() - t0))
    return suite


def main():
    ap = argparse.ArgumentParser(description="bash-static and zsh-static on Tessera and Linux")
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--results", help="also append the summary line to this file")
    return host_suite_main(ap, run)


if __name__ == "__main__":
    sys.exit(main())
