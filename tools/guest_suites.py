#!/usr/bin/env python3
"""The test suites that boot Tessera in QEMU (through tools/qemu_run.py), and the total.

Suites (each prints "PASS suite: test" / "FAIL suite: test: reason" lines, then
"suite: N passed, N failed"):
  guest   boots with run=/bin/utest and counts its UTEST PASS/FAIL lines;
  shell   boots to the shell, types commands, checks their output and that poweroff works;
  compat  runs every compatibility program (-pie and -static) in one boot and compares each
          output with the host run of build/compat/NAME-static.

  guest_suites.py --qemu "QEMU CMD" [--results FILE] run [SUITE...]
  guest_suites.py total FILE...    sums every "suite: N passed, N failed" line of the files,
                                   prints "N passed, N failed", exits 1 on any failure.
"""
import argparse
import difflib
import glob
import os
import random
import re
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kdebug  # noqa: E402
from qemu_run import Qemu, debug_exit_code, normalize  # noqa: E402

EOL = "\r"                      # what the Enter key sends on a serial terminal
PROMPT = re.compile(r"tessera:\S*\$ ")   # the shell prompt: "tessera:CWD$ "
# Each boot also has a hard limit (--*-timeout); together they keep a hung `make test` under
# about 6 minutes. A normal run takes well under a minute (Tessera boots in about 0.4 s).
BOOT_TIMEOUT = 60
# The in-guest suite may run past --utest-timeout, up to SLOW_GUEST times it, while its console
# prints on (a TCG guest starved by a loaded host runs at half speed or less; tools/fuzz_run.py
# does the same); UTEST_STALL_S of silence then means a hang. Its longest quiet test (the fork
# flood) prints nothing for up to 60 s of guest time.
SLOW_GUEST = 3
UTEST_STALL_S = 150
CMD_TIMEOUT = 30
COMPAT_CMD_TIMEOUT = 20         # a compat program that takes longer is taken as hung
EXIT_TIMEOUT = 20
DETAIL_LINES = 40               # of a failing test's output or diff
SUMMARY = re.compile(r"^(\w[\w-]*): (\d+) passed, (\d+) failed\s*$", re.M)
ALL_SUITES = ["guest", "shell", "compat"]


class Suite:
    """Counts the checks of one suite and prints each result as it is known."""

    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, test, ok, reason="", detail=""):
        if ok:
            self.passed += 1
            print("PASS %s: %s" % (self.name, test), flush=True)
        else:
            self.failed += 1
            print("FAIL %s: %s: %s" % (self.name, test, reason), flush=True)
            lines = detail.rstrip("\n").split("\n") if detail else []
            if len(lines) > DETAIL_LINES:
                lines = lines[:DETAIL_LINES] + ["... (%d more lines)" % (len(lines) - DETAIL_LINES)]
            for line in lines:
                print("    " + line)
        return ok

    def summary(self):
        return "%s: %d passed, %d failed" % (self.name, self.passed, self.failed)


# ---- guest: the in-guest suite /bin/utest ------------------------------------------------

UTEST_PASS = re.compile(r"UTEST PASS (.+?)\s*$")
UTEST_FAIL = re.compile(r"UTEST FAIL (.+?)(?:: (.*?))?\s*$")


def host_suite_main(ap, run):
    """The main of a host-driven suite (blk, disk, net, sock): ap has --qemu and --results,
    and --seed if the suite is seeded (a random one when not given); run(cfg) returns the
    Suite. Prints its summary, appends it to --results, and gives the exit status."""
    cfg = ap.parse_args()
    cfg.qemu = shlex.split(cfg.qemu)
    if getattr(cfg, "seed", 0) is None:
        cfg.seed = random.randrange(1 << 30)
    suite = run(cfg)
    print(suite.summary())
    if cfg.results:
        with open(cfg.results, "a") as f:
            f.write(suite.summary() + "\n")
    return 0 if suite.failed == 0 else 1


def count_utest_lines(suite, text):
    for line in text.split("\n"):
        m = UTEST_PASS.search(line)
        if m:
            suite.check(m.group(1), True)
            continue
        m = UTEST_FAIL.search(line)
        if m:
            suite.check(m.group(1), False, m.group(2) or "failed")


def utest_problems(vm, done, status, total, suite):
    """What went wrong around the suite itself (each one is a failure, never a pass)."""
    problems = []
    if vm.panicked():
        problems.append(("kernel", "KERNEL PANIC"))
    if not done:
        why = vm.end_reason()
        problems.append(("utest", "no UTEST DONE line" + (" (%s)" % why if why else "")))
    elif not total:
        problems.append(("utest", "no 'N passed, N failed' line after UTEST DONE"))
    elif (int(total.group(1)), int(total.group(2))) != (suite.passed, suite.failed):
        problems.append(("utest", "its summary '%s' does not match its UTEST lines (%d/%d)"
                         % (total.group(0).strip(), suite.passed, suite.failed)))
    code = debug_exit_code(status)
    if done and suite.failed == 0 and code != 0:
        problems.append(("poweroff", "QEMU exit status %s (expected guest code 0)" % status))
    return problems


def suite_guest(cfg):
    suite = Suite("guest")
    vm = Qemu(cfg.qemu + ["-append", "run=/bin/utest"], "guest-utest",
              SLOW_GUEST * cfg.utest_timeout + kdebug.DUMP_S, monitor=True)
    done = vm.expect_progressing(r"UTEST DONE", cfg.utest_timeout, UTEST_STALL_S, SLOW_GUEST)
    if not done and not vm.end_reason() and not vm.panicked():
        print("  the suite stalled; what the guest was doing:")
        for line in kdebug.dump(vm):
            print("    " + line)
    total = None
    if done:
        print("  UTEST DONE %.3f s after QEMU started" % vm.time_at(done.end() - 1))
        total = vm.expect(r"(\d+) passed, (\d+) failed", CMD_TIMEOUT)
    status = vm.wait_exit(EXIT_TIMEOUT) if done else None
    count_utest_lines(suite, normalize(vm.text))
    problems = utest_problems(vm, done, status, total, suite)
    for test, reason in problems:
        suite.check(test, False, reason)
    vm.close(suite.failed == 0)
    return suite


# ---- talking to the shell -------------------------------------------------------------------

class Shell:
    """Types command lines into the shell of a booted Tessera and returns their output."""

    def __init__(self, vm):
        self.vm = vm
        self.alive = True

    def boot(self):
        """"" once the first prompt is there, else why it is not."""
        self.alive = self.vm.expect(PROMPT, BOOT_TIMEOUT) is not None
        if self.alive:
            return ""
        why = self.vm.end_reason() or "boot timeout %d s" % BOOT_TIMEOUT
        return "no shell prompt (%s)" % why

    def run(self, cmd, timeout=CMD_TIMEOUT):
        """Output of cmd (CR LF made LF, the echoed command line removed), None if the prompt
        did not come back."""
        if not self.alive:
            return None
        start = self.vm.pos
        self.vm.send(cmd + EOL)
        m = self.vm.expect(PROMPT, timeout)
        if not m:
            self.alive = False
            return None
        out = normalize(self.vm.text[start:m.start()])
        echo = out.find(cmd + "\n")
        return out[echo + len(cmd) + 1:] if echo >= 0 else out

    def poweroff(self):
        """QEMU's exit status after typing poweroff, None if it did not exit by itself."""
        if not self.alive:
            return None
        self.vm.send("poweroff" + EOL)
        status = self.vm.wait_exit(EXIT_TIMEOUT)
        return None if self.vm.timed_out else status


# ---- shell: a smoke test of the interactive system -------------------------------------------

def has_line(out, want):
    return want in [line.strip() for line in out.split("\n")]


def ps_ok(out):
    rows = [line.split() for line in out.split("\n") if line.strip()]
    names = [r[-1] for r in rows[1:] if r]
    return bool(rows) and "PID" in rows[0] and "init" in names and "sh" in names


def res_ok(out):
    rows = [line.split() for line in out.split("\n") if line.strip()]
    return bool(rows) and rows[0][:1] == ["TYPE"] and any(r[0] == "process" for r in rows[1:])


def shell_steps(cfg):
    """(test name, command line, check of its output, what was expected). /bin must also
    list the programs given in EXTRA_BINS."""
    bins = {"sh", "hello", "utest"} | {os.path.basename(b) for b in cfg.extra_bins.split()}
    hello = r"Hello from Tessera! \(pid \d+, arg alpha, arg two words\)"
    return [
        ("echo", "echo hello-tessera", lambda o: has_line(o, "hello-tessera"),
         "a line 'hello-tessera'"),
        ("ls /bin", "ls /bin", lambda o: bins <= set(o.split()),
         "%s listed" % ", ".join(sorted(bins))),
        ("ps", "ps", ps_ok, "a PID header and rows for init and sh"),
        ("res", "res", res_ok, "a TYPE header and at least one process row"),
        ("cd /bin", "cd /bin", lambda o: o.strip() == "", "no output"),
        ("pwd", "pwd", lambda o: has_line(o, "/bin"), "a line '/bin'"),
        ("program with args", 'hello alpha "two words"', lambda o: re.search(hello, o),
         "hello printing its pid and both arguments"),
        ("nonexistent command", "no-such-cmd-1234", lambda o: "not found" in o,
         "'not found', then the prompt again"),
        ("pipe via busybox sh", "echo a-b | busybox tr - +", lambda o: has_line(o, "a+b"),
         "a line 'a+b' (the line handed to busybox sh -c)"),
        ("login environment", "echo home=$HOME user=$USER", lambda o: has_line(
            o, "home=/ user=root"), "a line 'home=/ user=root'"),
        ("lspci", "lspci", lambda o: re.search(r"^00:00\.0 .*8086:29c0", o, re.M) and
         re.search(r"^00:[0-9a-f]{2}\.0 +010000 storage +1af4:1001 +msi-x", o, re.M),
         "the q35 host bridge and the virtio-blk disk with MSI-X"),
        ("res device", "res device", lambda o: re.search(r"^device .* pci-00:00\.0 .*8086:29c0",
                                                         o, re.M),
         "a device row for the host bridge"),
        ("res exec", "res exec", lambda o: re.search(
            r"^exec .* process=\S+ pid (\d+) tid \1 running", o, re.M),
         "the shell's execution, naming its process, with tid = pid"),
    ]


def nmi_check(suite, vm, sh):
    """The debug dump the harnesses take of a stalled guest (tools/kdebug.py): an NMI makes
    the kernel list its processes and executions, and the system then carries on."""
    lines = kdebug.dump(vm)
    procs = [line for line in lines if line.startswith("DBG proc ")]
    ok = any(line.endswith(" name sh") for line in procs) and \
        any(line.startswith("DBG exec ") and "<sleep_on+" in line for line in lines) and \
        any(line.startswith("DBG END") for line in lines)
    suite.check("nmi debug dump", ok, "expected DBG lines for sh, a sleeping execution's "
                "symbolized stack and DBG END", "\n".join(lines))
    out = sh.run("echo after-nmi")
    suite.check("runs on after the dump", out is not None and has_line(out, "after-nmi"),
                "no 'after-nmi' line after the NMI")


# ---- job control on the console: busybox sh and bash-static, typed at as a user would --------

ASH_PROMPT = r"[~/]\S* # "
BASH_PROMPT = r"bash-static-[\d.]+# "
JC_WAIT = 20
JOB_ERRORS = re.compile(r"setpgid|no job control|cannot set terminal process group|"
                        r"can't access tty|Inappropriate ioctl")


class Typist:
    """Types lines and control characters into an interactive shell in the guest and
    checks what comes back before the shell's next prompt."""

    def __init__(self, suite, vm, prefix):
        self.suite, self.vm, self.prefix = suite, vm, prefix
        self.ok = True

    def step(self, name, keys, want, prompt, settle=0.0):
        """Type keys (after settle seconds); want (a regex) must appear, then prompt."""
        if not self.ok:
            return self.suite.check(self.prefix + name, False, "an earlier step failed")
        start = self.vm.pos
        if settle:
            time.sleep(settle)
        self.vm.send(keys)
        m = self.vm.expect(want, JC_WAIT) if want else True
        p = self.vm.expect(prompt, JC_WAIT) if prompt else True
        out = normalize(self.vm.text[start:self.vm.pos])
        self.ok = bool(m and p)
        return self.suite.check(self.prefix + name, self.ok, "expected /%s/ then the prompt"
                                % want, "output after typing %r:\n%s" % (keys, out))


def ash_job_steps(t):
    t.step("start", "busybox sh" + EOL, None, ASH_PROMPT)
    t.step("background job", "sleep 100 &" + EOL, None, ASH_PROMPT)
    t.step("jobs", "jobs" + EOL, r"\[1\]\+ +Running +sleep 100", ASH_PROMPT)
    t.step("fg", "fg" + EOL, r"sleep 100\r?\n", None)
    t.step("^Z stops the job", "\x1a", r"\[1\]\+ +Stopped +sleep 100", ASH_PROMPT, 1.0)
    t.step("bg", "bg" + EOL, r"\[1\] sleep 100", ASH_PROMPT)
    t.step("jobs after bg", "jobs" + EOL, r"\[1\]\+ +Running +sleep 100", ASH_PROMPT)
    # ash tells of the end before its next prompt, once the job has ended
    t.step("kill %1", "kill %1; sleep 1" + EOL, r"Terminated +sleep 100", ASH_PROMPT)
    t.step("^C to a pipeline", "sleep 50 | cat" + EOL, None, None)
    t.step("^C ends it, not the shell", "\x03", None, ASH_PROMPT, 1.0)
    t.step("status 130", "echo alive $?" + EOL, r"alive 130", ASH_PROMPT)
    t.step("exit", "exit" + EOL, None, PROMPT)


def bash_job_steps(t):
    t.step("start", "bash-static" + EOL, None, BASH_PROMPT)
    t.step("background job", "sleep 100 &" + EOL, r"\[1\] \d+", BASH_PROMPT)
    t.step("jobs", "jobs" + EOL, r"\[1\]\+ +Running +sleep 100 &", BASH_PROMPT)
    t.step("fg", "fg" + EOL, r"sleep 100\r?\n", None)
    t.step("^Z stops the job", "\x1a", r"\[1\]\+ +Stopped +sleep 100", BASH_PROMPT, 1.0)
    t.step("fg again", "fg" + EOL, r"sleep 100\r?\n", None)
    t.step("^C ends the job", "\x03", None, BASH_PROMPT, 1.0)
    t.step("status 130", "echo st $?" + EOL, r"st 130", BASH_PROMPT)
    t.step("jobs: none left", "jobs; echo none" + EOL, r"\nnone\r?\n", BASH_PROMPT)
    t.step("^C to a pipeline", "sleep 30 | cat" + EOL, None, None)
    t.step("^C ends it, not the shell", "\x03", None, BASH_PROMPT, 1.0)
    t.step("pipeline status 130", "echo pipe $?" + EOL, r"pipe 130", BASH_PROMPT)
    t.step("set -m script", "bash-static -c 'set -m; sleep 9 & kill -STOP %1; sleep 1; "
           "jobs; kill -CONT %1; kill %1; wait; echo done-m'" + EOL,
           r"\[1\]\+ +Stopped +sleep 9[^\n]*\n(.|\n)*done-m", BASH_PROMPT)
    t.step("exit", "exit" + EOL, None, PROMPT)


def job_control_checks(suite, vm):
    start = vm.pos
    for prefix, steps in (("ash: ", ash_job_steps), ("bash: ", bash_job_steps)):
        t = Typist(suite, vm, "job control " + prefix)
        steps(t)
        if not t.ok:
            return False
    errs = JOB_ERRORS.findall(normalize(vm.text[start:vm.pos]))
    suite.check("job control: no setpgid/tty errors", not errs, "the shells complained: %s"
                % ", ".join(sorted(set(errs))))
    return True


def suite_shell(cfg):
    suite = Suite("shell")
    vm = Qemu(cfg.qemu, "guest-shell", cfg.shell_timeout, monitor=True)
    sh = Shell(vm)
    why = sh.boot()
    if not why:
        print("  first prompt %.3f s after QEMU started" % vm.time_at(vm.pos - 1))
    suite.check("boot to prompt", not why, why)
    for name, cmd, ok, expected in shell_steps(cfg):
        out = sh.run(cmd)
        if out is None:
            why = vm.end_reason()
            suite.check(name, False, "no prompt within %d s after '%s' (%s)"
                        % (CMD_TIMEOUT, cmd, why or "hung or too slow"))
        else:
            suite.check(name, bool(ok(out)), "expected %s" % expected,
                        "output of '%s':\n%s" % (cmd, out or "(none)"))
    nmi_check(suite, vm, sh)
    if sh.alive and not job_control_checks(suite, vm):
        sh.alive = False              # the native shell's prompt may not come back
    status = sh.poweroff()
    suite.check("poweroff", status is not None and debug_exit_code(status) == 0,
                "QEMU did not exit by itself with guest code 0 (status %s)" % status)
    suite.check("no kernel panic", not vm.panicked(), "KERNEL PANIC on the console")
    vm.close(suite.failed == 0)
    return suite


# ---- compat: the same program on Tessera and on the host Linux -------------------------------

def compat_names():
    return sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob("user/compat/*.c"))


def host_output(name):
    """(output, error) of build/compat/NAME-static run on this Linux with root build/root."""
    path = os.path.join("build", "compat", name + "-static")
    try:
        r = subprocess.run([path, "build/root"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=CMD_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "host run failed: %s" % e
    out = r.stdout.decode(errors="replace")
    if r.returncode != 0:
        return out, "host run exited with status %d" % r.returncode
    return out, None


def compare(suite, test, got, want, why):
    if got is None:
        return suite.check(test, False, "no prompt within %d s of starting it (%s)"
                           % (COMPAT_CMD_TIMEOUT, why or "hung or too slow"))
    diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                        "host (Linux)", "Tessera"))
    return suite.check(test, got == want, "output differs from the host run", diff)


class CompatBoot:
    """One boot of the compat suite. A program that hangs the shell ends the boot; the
    remaining programs then run in a fresh boot, so one hang does not hide the others."""

    def __init__(self, cfg, suite, n, budget):
        self.suite, self.failed_before = suite, suite.failed
        self.vm = Qemu(cfg.qemu, "guest-compat" + ("-%d" % n if n > 1 else ""), budget)
        self.sh = Shell(self.vm)
        self.why = self.sh.boot()
        if self.why:
            suite.check("boot %d to prompt" % n, False, self.why)

    def end(self):
        self.sh.poweroff()
        if self.vm.panicked():
            self.suite.check("no kernel panic", False, "KERNEL PANIC on the console")
        self.vm.close(self.suite.failed == self.failed_before)


def suite_compat(cfg):
    suite = Suite("compat")
    deadline = time.monotonic() + cfg.compat_timeout
    boot, boots = None, 0
    for name in compat_names():
        want, err = host_output(name)
        for variant in ("pie", "static"):
            test = "%s-%s" % (name, variant)
            left = deadline - time.monotonic()
            if boot is None or (boot.sh.alive is False and not boot.why and left > 10):
                if boot:
                    boot.end()
                boots += 1
                boot = CompatBoot(cfg, suite, boots, left)
            got = boot.sh.run("/bin/%s /" % test, COMPAT_CMD_TIMEOUT)
            if err:
                suite.check(test, False, err, want or "")
            else:
                compare(suite, test, got, want, boot.vm.end_reason() or boot.why)
    if boot:
        boot.end()
    return suite


# ---- driver ----------------------------------------------------------------------------------

SUITES = {"guest": suite_guest, "shell": suite_shell, "compat": suite_compat}


def cmd_run(cfg):
    lines = []
    for name in cfg.suites or ALL_SUITES:
        print("== %s suite" % name, flush=True)
        t0 = time.monotonic()
        try:
            suite = SUITES[name](cfg)
        except OSError as e:        # QEMU or a host program could not be started at all
            suite = Suite(name)
            suite.check("harness", False, str(e))
        lines.append(suite.summary())
        print("  (%s suite: %.1f s)" % (name, time.monotonic() - t0))
        print(lines[-1], flush=True)
    if cfg.results:
        with open(cfg.results, "w") as f:
            f.write("\n".join(lines) + "\n")
    return 0 if all(SUMMARY.match(x).group(3) == "0" for x in lines) else 1


def cmd_total(cfg):
    """Sums the last summary line of each suite (only the --require'd ones when given, so a
    suite's own sub-totals are not counted twice); a required suite without its line counts
    as one failure."""
    required = [n for n in cfg.require.split(",") if n]
    last = {}
    for path in cfg.files:
        try:
            with open(path, errors="replace") as f:
                text = normalize(f.read())
        except OSError:
            text = ""
        for m in SUMMARY.finditer(text):
            last[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    names = required or sorted(last)
    passed = failed = 0
    for name in names:
        if name not in last:
            print("FAIL %s: the suite did not report its result" % name)
            failed += 1
            continue
        passed, failed = passed + last[name][0], failed + last[name][1]
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description="Tessera's QEMU test suites.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run suites: " + " ".join(ALL_SUITES))
    run.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    run.add_argument("--results", help="also write the suite summary lines to this file")
    run.add_argument("--utest-timeout", type=float, default=150)
    run.add_argument("--shell-timeout", type=float, default=60)
    run.add_argument("--compat-timeout", type=float, default=120)
    run.add_argument("--extra-bins", default="", help="EXTRA_BINS: must be listed in /bin")
    run.add_argument("suites", nargs="*", help="default: all")
    tot = sub.add_parser("total", help="sum the suite summary lines of files")
    tot.add_argument("--require", default="", help="comma-separated suites that must report")
    tot.add_argument("files", nargs="+")
    cfg = ap.parse_args()
    if cfg.cmd == "run":
        unknown = [x for x in cfg.suites if x not in SUITES]
        if unknown:
            ap.error("unknown suite(s) %s; known: %s" % (" ".join(unknown), " ".join(ALL_SUITES)))
        cfg.qemu = shlex.split(cfg.qemu)
        return cmd_run(cfg)
    return cmd_total(cfg)


if __name__ == "__main__":
    sys.exit(main())
