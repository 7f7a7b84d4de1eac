#!/usr/bin/env python3
"""`make bench`: Tessera against Linux in the same QEMU configuration, as one table.

Boots, each once (the bench binary takes medians inside the guest, so one boot is enough):
  - Linux (Debian kernel + busybox initramfs, bench/linux-init.sh): time from QEMU start to the
    LINUX-INIT-DONE marker ("time to init"), then the BENCH lines of /bin/bench;
  - Tessera normally: time from QEMU start to the first shell prompt "$ ", then poweroff;
  - Tessera with run=/bin/bench: the BENCH lines.
All times are host-clock times measured by tools/qemu_run.py. Exit status 0 when every boot
produced its numbers (goals met or not are reported, not enforced).
"""
import argparse
import os
import re
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_run import Qemu  # noqa: E402

LINUX_APPEND = "console=ttyS0 quiet panic=-1"
BOOT_TIMEOUT = 120
BENCH_TIMEOUT = 240   # the whole run=/bin/bench boot (Linux needs about 15 s)
BENCH_RE = re.compile(r"^BENCH (\S+) (.*?)\r?$", re.M)


class Row:
    """One line of the table: a Tessera/Linux ratio compared with a goal ratio."""

    def __init__(self, label, paper, unit, scale, key, goal, goal_text):
        self.label, self.paper, self.unit, self.scale = label, paper, unit, scale
        self.key, self.goal, self.goal_text = key, goal, goal_text


ROWS = [
    Row("boot to prompt (Linux: to init)", "-", "s", 1.0, "boot_s", 0.10,
        "<= 0.1x Linux time to init"),
    Row("getpid", "0.34x FreeBSD (DMSM call)", "us", 1e-3, "getpid_ns", 1.0, "<= 1.0x"),
    Row("create+exit+wait", "-", "ms", 1e-3, "spawn_us", 0.33,
        "<= 0.33x posix_spawn+waitpid"),
]


def bench_values(text):
    return {k: v.strip() for k, v in BENCH_RE.findall(text)}


def boot_linux(args):
    argv = shlex.split(args.qemu_base) + ["-kernel", args.linux_kernel,
                                          "-initrd", args.linux_initrd, "-append", LINUX_APPEND]
    vm = Qemu(argv, "bench-linux", BOOT_TIMEOUT)
    res, done = {}, None
    m = vm.expect(r"LINUX-INIT-DONE", BOOT_TIMEOUT)
    if m:
        res["boot_s"] = vm.time_at(m.end() - 1)
        done = vm.expect(r"BENCH DONE", BOOT_TIMEOUT)
        res.update(bench_values(vm.text))
        kernel = re.search(r"LINUX-KERNEL (\S+)", vm.text)
        res["kernel"] = kernel.group(1) if kernel else "?"
        vm.wait_exit(30)
    ok = bool(m) and bool(done) and "spawn_us" in res
    vm.close(ok, keep=True)
    return res if ok else None


def boot_tessera_prompt(args):
    vm = Qemu(shlex.split(args.tessera), "bench-tessera-boot", BOOT_TIMEOUT)
    m = vm.expect(r"\$ ", BOOT_TIMEOUT)
    res = {"boot_s": vm.time_at(m.end() - 1)} if m else None
    if m:
        vm.send("poweroff\r")
        vm.wait_exit(20)
    vm.close(res is not None, keep=True)
    return res


def boot_tessera_bench(args):
    argv = shlex.split(args.tessera) + ["-append", "run=/bin/bench"]
    vm = Qemu(argv, "bench-tessera", BENCH_TIMEOUT)
    done = vm.expect(r"BENCH DONE", BENCH_TIMEOUT)
    res = bench_values(vm.text)
    vm.wait_exit(20)
    ok = bool(done) and "spawn_us" in res
    vm.close(ok, keep=True)
    return res if ok else None


def number(res, key):
    try:
        return float(res[key]) if res and key in res else None
    except ValueError:
        return None


def fmt(v, row):
    if v is None:
        return "n/a"
    x = v * row.scale
    return ("%.0f %s" if x >= 1000 else "%.3g %s") % (x, row.unit)


def table(tess, linux):
    lines = ["| benchmark | paper | Tessera | Linux | Tessera/Linux | goal |",
             "| --- | --- | --- | --- | --- | --- |"]
    for row in ROWS:
        t, lx = number(tess, row.key), number(linux, row.key)
        ratio = t / lx if t is not None and lx else None
        if ratio is None:
            verdict = "n/a"
        else:
            verdict = "met" if ratio <= row.goal else "not met"
        lines.append("| %s | %s | %s | %s | %s | %s: %s |" % (
            row.label, row.paper, fmt(t, row), fmt(lx, row),
            "n/a" if ratio is None else "%.2fx" % ratio, row.goal_text, verdict))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu-base", required=True, help="QEMU command without kernel/initrd")
    ap.add_argument("--linux-kernel", required=True)
    ap.add_argument("--linux-initrd", required=True)
    ap.add_argument("--tessera", help="full QEMU command booting Tessera (omit: Linux only)")
    args = ap.parse_args()

    ok = True
    linux = boot_linux(args)
    if linux is None:
        print("bench: the Linux boot did not produce its numbers")
        ok = False
    tess = None
    if args.tessera:
        boot = boot_tessera_prompt(args)
        run = boot_tessera_bench(args)
        if boot is None or run is None:
            print("bench: a Tessera boot did not produce its numbers")
            ok = False
        tess = dict(run or {}, **(boot or {}))
    for name, res in (("Linux " + (linux or {}).get("kernel", ""), linux), ("Tessera", tess)):
        if res:
            print("%s: spawn = %s; runs (sorted): getpid_ns %s; spawn_us %s" % (
                name, res.get("spawn_method"), res.get("getpid_ns_runs"),
                res.get("spawn_us_runs")))
    print(table(tess, linux))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
