#!/usr/bin/env python3
"""Runs Tessera's own fuzzer (/bin/fuzz, docs/fuzzing.md) in QEMU: `make fuzz` and the brief
"fuzz" suite of `make test`.

Each boot runs one configuration with one seed (`run=/bin/fuzz -- ARGS`): system calls as root
or uid 1000, in Umode or Smode, or the malformed-ELF generator. A boot passes when the guest
prints "FUZZ RESULT pass" with no kernel panic. A panic, a hang (no console output for
STALL_S seconds, or a FUZZ HANG line), a leak (FUZZ LEAK) or a dead fuzz parent fails it; the
report names the seed and the programs that were running, and for a panic or a kernel hang
each of them is replayed alone with -v in a fresh boot, which prints its calls up to the last
one. A boot that stalls is first asked what it is doing (tools/kdebug.py: CPU registers from
QEMU's monitor, then the kernel's NMI dump of every process and execution). Then the next boot starts, so one defect does not hide the others.

  fuzz_run.py --qemu "QEMU CMD" --time SECONDS [--seed N]   the long run (make fuzz)
  fuzz_run.py --qemu "QEMU CMD" --short [--results FILE]     about a minute (make test)
Ends with "fuzz: N passed, N failed" (one check per boot).
"""
import argparse
import os
import re
import shlex
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_run import Qemu, normalize  # noqa: E402
import kdebug  # noqa: E402

STALL_S = 90            # no console output for this long: the kernel hangs
SLACK_S = 120           # a boot may run this much longer than the fuzzing it was given...
# ...and, while its console shows progress, this many times longer: the fuzzer's budget is
# guest time, and on a loaded host a TCG guest's clock was seen to advance at half the host's
# (215 s of guest time in 430 s: every execution busy or asleep on a future deadline, the
# console printing on, no hang). A hang shows as STALL_S seconds of silence instead.
SLOW_GUEST = 3
REPLAY_S = 120
# (name, fuzz arguments); the ELF generator has no Smode (a mutant running in ring 0 may
# legitimately do anything).
CONFIGS = [
    ("root-umode", "-u 0 -m u"),
    ("user-umode", "-u 1000 -m u"),
    ("root-smode", "-u 0 -m s"),
    ("user-smode", "-u 1000 -m s"),
    ("elf-root", "-e -u 0"),
    ("elf-user", "-e -u 1000"),
]
# The brief run: fixed seeds and counts, so every `make test` runs the same calls (about
# 12 s of fuzzing per boot, about a minute in all).
SHORT = [
    ("root-umode", "-u 0 -m u", 11, 160000),
    ("user-umode", "-u 1000 -m u", 12, 160000),
    ("root-smode", "-u 0 -m s", 13, 120000),
    ("user-smode", "-u 1000 -m s", 14, 120000),
    ("elf-user", "-e -u 1000", 15, 64),
]
PANIC_LINE = re.compile(r"KERNEL PANIC: .*")


def wait_done(vm, limit):
    """Waits for FUZZ DONE; returns (done, why-not). Fails on a panic, on the end of QEMU,
    and on STALL_S seconds without console output."""
    last_len, last_t = 0, time.monotonic()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if vm.expect(r"FUZZ DONE", 2):
            return True, ""
        if vm.panicked():
            time.sleep(1)               # the rest of the panic line
            m = PANIC_LINE.search(normalize(vm.text))
            return False, m.group(0).strip() if m else "KERNEL PANIC"
        why = vm.end_reason()
        if why:
            return False, "QEMU ended before FUZZ DONE (%s)" % why
        if len(vm.text) != last_len:
            last_len, last_t = len(vm.text), time.monotonic()
        elif time.monotonic() - last_t > STALL_S:
            return False, "hang: no console output for %d s" % STALL_S
    return False, "timeout: no FUZZ DONE within %d s" % limit


def stalled(why):
    return why.startswith(("hang:", "timeout:"))


def running_programs(text, elf):
    """The programs (or ELF mutants) running when the console stopped."""
    if elf:
        found = re.findall(r"^FZE\+ (\d+)", text, re.M)
        return found[-1:]
    last = {}
    for prog, slot in re.findall(r"^FZ\+ (\d+) (\d+) \d+", text, re.M):
        last[slot] = prog
    return sorted(set(last.values()), key=int)


def problems(text):
    """FUZZ HANG / LEAK / ERROR lines and a dead fuzz parent, as reasons."""
    out = [line for line in text.split("\n")
           if line.startswith(("FUZZ HANG", "FUZZ LEAK", "FUZZ ERROR", "FUZZ STUCK", "FUZZ WARNING", "FUZZ LEFT",
                               "FUZZ CALL", "FUZZ REPLAY"))]
    if re.search(r"init: /bin/fuzz killed by signal", text):
        out.append("the fuzz parent itself was killed (see the console log)")
    return out


def replay(cfg, args, prog, elf):
    """Boots once more running one program alone with -v; returns lines to report."""
    rargs = "%s -p %s -v" % (args, prog)
    name = "fuzz-replay-%s-%s" % (re.sub(r"\W+", "", args)[:20], prog)
    vm = Qemu(cfg.qemu + ["-append", "run=/bin/fuzz -- " + rargs], name, REPLAY_S)
    done, why = wait_done(vm, REPLAY_S)
    text = normalize(vm.text)
    trace = [line for line in text.split("\n") if line.startswith(("FZ ", "FZ= ", "FZE "))]
    vm.close(False, keep=True)
    if done and not vm.panicked():
        return ["  replay of %s alone did not fail: the defect needs the other workers "
                "(rerun the whole seed)" % prog]
    out = ["  replay 'fuzz %s' alone: %s; its last calls:" % (rargs, why or "failed")]
    return out + ["    " + line for line in trace[-6:]]


def one_boot(cfg, label, args, seed, budget, limit):
    """One boot of the fuzzer; returns (ok, report lines)."""
    elf = args.startswith("-e")
    if elf:
        cfg = argparse.Namespace(**dict(vars(cfg), extra=""))
    full = "%s -s %d %s%s" % (args, seed, budget, cfg.extra)
    name = "fuzz-%s-%d" % (label, seed)
    vm = Qemu(cfg.qemu + ["-append", "run=/bin/fuzz -- " + full], name, limit + kdebug.DUMP_S,
              monitor=True)
    done, why = wait_done(vm, limit)
    dump = kdebug.dump(vm) if not done and stalled(why) and not vm.end_reason() else []
    text = normalize(vm.text)
    report = problems(text)
    passed = done and "FUZZ RESULT pass" in text and not vm.panicked()
    vm.close(passed)                # before any replay: the disk images are locked
    if done and not passed and not report:
        report.append("FUZZ RESULT is not pass")
    lines = [why] if why else []
    lines += report
    ends = re.findall(r"^FUZZ END .*", text, re.M)
    if not passed and not done:
        progs = running_programs(text, elf)
        lines.append("running then: %s %s (seed %d)" %
                     ("mutant" if elf else "programs", " ".join(progs) or "none", seed))
        lines += ["  " + line for line in dump]
        for prog in progs[:4] if cfg.replay else []:
            lines += replay(cfg, "%s -s %d%s" % (args, seed, cfg.extra), prog, elf)
    return passed, ends, lines


def plan(cfg):
    """(label, args, seed, budget argument, hard limit) of every boot."""
    if cfg.short:
        return [(n, a, s, "-n %d" % c, 240) for n, a, s, c in SHORT]
    per = max(60, min(300, cfg.time // len(CONFIGS)))     # an hour: two seeds each
    rounds = max(1, cfg.time // (per * len(CONFIGS)))
    base = cfg.seed if cfg.seed is not None else int(time.time()) % 1000000
    boots = []
    for k in range(rounds):
        for i, (name, args) in enumerate(CONFIGS):
            boots.append((name, args, base + k * len(CONFIGS) + i, "-t %d" % per,
                          SLOW_GUEST * per + SLACK_S))
    return boots


def main():
    ap = argparse.ArgumentParser(description="Tessera's fuzzer in QEMU.")
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--time", type=int, default=3600, help="seconds of fuzzing in all")
    ap.add_argument("--seed", type=int, help="first seed (default: from the clock)")
    ap.add_argument("--short", action="store_true", help="the brief run of make test")
    ap.add_argument("--no-replay", dest="replay", action="store_false")
    ap.add_argument("--extra", default="", help="more fuzz arguments, e.g. '-x text' to go "
                    "on past a known defect (system-call boots only)")
    ap.add_argument("--results", help="also write the summary line to this file")
    cfg = ap.parse_args()
    cfg.qemu = shlex.split(cfg.qemu)
    cfg.extra = " " + cfg.extra if cfg.extra else ""
    passed = failed = 0
    t0 = time.monotonic()
    for label, args, seed, budget, limit in plan(cfg):
        ok, ends, lines = one_boot(cfg, label, args, seed, budget, limit)
        test = "%s seed %d (fuzz %s -s %d %s)" % (label, seed, args, seed, budget)
        if ok:
            passed += 1
            print("PASS fuzz: %s" % test, flush=True)
        else:
            failed += 1
            print("FAIL fuzz: %s" % test, flush=True)
        for line in ends + lines:
            print("    " + line, flush=True)
    print("  (fuzz: %.0f s)" % (time.monotonic() - t0))
    summary = "fuzz: %d passed, %d failed" % (passed, failed)
    print(summary, flush=True)
    if cfg.results:
        with open(cfg.results, "w") as f:
            f.write(summary + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
