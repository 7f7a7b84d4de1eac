#!/usr/bin/env python3
"""`make bench`: Tessera against Linux in the same QEMU configuration, as tables.

Boots, each once (every program takes medians inside the guest, so one boot is enough):
  - Linux (Debian kernel + busybox initramfs, bench/linux-init.sh): time from QEMU start to the
    LINUX-INIT-DONE marker ("time to init"), then the BENCH lines of /bin/bench;
  - Tessera normally: time from QEMU start to the first shell prompt "$ ", then poweroff;
  - Tessera with run=/bin/bench: the same binary's BENCH lines;
  - Tessera with run=/bin/hvs_bench: process switch, procmove, proccreate (HVS, issue 3);
  - Tessera with run=/bin/ipcbench: container round trips in one space and across spaces;
  - Tessera with run=/bin/meta_bench: change program / start position / space (issue 4);
  - Tessera with run=/bin/runmode_bench: Umode and Smode call forms, switches, listings (issue 5);
  - Tessera with run=/bin/nproc_bench and NPROC_MEM of memory: creation with 10, 1000 and 4000
    live processes, and how many can live at once (issue 10);
  - Tessera with run=/bin/srv_bench: server calls through a function id, null and passing a
    data ICA, the echo server in its own space or the caller's (issue 12, table K);
  - Tessera with run=/bin/repl_bench: live server replacement in the AnT paper's model (issue
    15, tables P-R; `make bench-replace` runs the paper's full settings with --repl-full).
Linux runs /bin/bench, /bin/meta_bench and /bin/runmode_bench in that one boot, each after a
"LINUX-RUN name" line (the same static files as in Tessera's image).
Boot times are host-clock times measured by tools/qemu_run.py; everything else is measured by
the guest's own clock. Printed: the issue-2 table (boot, getpid, create), then tables A-D of
the HVS paper's evaluation (seed 002 section 5: figures 5, 6, 7 and table 2), tables E-G of
the metamorphosis paper (seed 000, figures 9-15) and table H of the running-mode switch
(seed 004, figures 7 and 8), table I, fork + exit + wait against Linux's, and table J,
process creation with 10, 1000 and 4000 live processes (both issue 10), and table K, server
calls and ICA passes against pipes (issue 12). A
cell of those is "median [fastest-slowest run]". Exit status 0 when every boot produced its
numbers (goals met or not are reported, not enforced).
"""
import argparse
import datetime
import json
import os
import platform
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_run import Qemu  # noqa: E402
import disk_bench  # noqa: E402

LINUX_APPEND = "console=ttyS0 quiet panic=-1"
BOOT_TIMEOUT = 120
BENCH_TIMEOUT = 240   # a whole run=PROG boot (Linux's /bin/bench needs about 20 s)
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


def linux_sections(text):
    """The output of each program bench/linux-init.sh ran, by name: its output follows
    a "LINUX-RUN name" line (the programs share some key names: os, runs)."""
    parts = re.split(r"^LINUX-RUN (\S+)\r?$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


# Programs the Linux boot runs after /bin/bench, with a key each must have printed.
LINUX_EXTRA = (("meta_bench", "linux_forkexec_1024k_us"), ("runmode_bench", "rm_ls400_umode_us"),
               ("blk_bench", "blk_read_dev_kibps"))
# The disk both systems' blk_bench boots get (table L): a fresh scratch image, since the
# benchmark writes it; other boots keep the disk of the QEMU command they were given.
BLK_DISK = os.path.join("build", "bench", "blk-scratch.img")
BLK_DISK_MIB = 64
DISK_RUNS = 3          # table M: boots of each system, alternating (tools/disk_bench.py)


def with_scratch_disk(argv):
    """argv with BLK_DISK (made afresh) as its only virtio disk."""
    from blk_suite import disk_args
    os.makedirs(os.path.dirname(BLK_DISK), exist_ok=True)
    with open(BLK_DISK, "wb") as f:
        f.truncate(BLK_DISK_MIB << 20)
    return disk_args(argv, BLK_DISK)


def boot_linux(args):
    """(values of /bin/bench plus boot_s and kernel, {program: values} of the others); the
    first is None when the boot or /bin/bench failed."""
    argv = with_scratch_disk(shlex.split(args.qemu_base)) + [
        "-kernel", args.linux_kernel, "-initrd", args.linux_initrd, "-append", LINUX_APPEND]
    vm = Qemu(argv, "bench-linux", BOOT_TIMEOUT)
    res, sections, done = {}, {}, None
    m = vm.expect(r"LINUX-INIT-DONE", BOOT_TIMEOUT)
    if m:
        res["boot_s"] = vm.time_at(m.end() - 1)
        vm.expect(r"LINUX-ALL-DONE", BENCH_TIMEOUT)
        texts = linux_sections(vm.text)
        sections = {name: bench_values(text) for name, text in texts.items()}
        res.update(sections.get("bench", {}))
        done = re.search(r"^BENCH DONE", texts.get("bench", ""), re.M)
        kernel = re.search(r"LINUX-KERNEL (\S+)", vm.text)
        res["kernel"] = kernel.group(1) if kernel else "?"
        vm.wait_exit(30)
    ok = bool(m) and bool(done) and "spawn_us" in res
    extra_ok = all(key in sections.get(prog, {}) for prog, key in LINUX_EXTRA)
    vm.close(ok and extra_ok, keep=True)
    for prog, key in LINUX_EXTRA:
        if key not in sections.get(prog, {}):
            print("bench: Linux's /bin/%s did not produce its numbers" % prog)
    return (res if ok else None), sections


def boot_tessera_prompt(args):
    vm = Qemu(shlex.split(args.tessera), "bench-tessera-boot", BOOT_TIMEOUT)
    m = vm.expect(r"\$ ", BOOT_TIMEOUT)
    res = {"boot_s": vm.time_at(m.end() - 1)} if m else None
    if m:
        vm.send("poweroff\r")
        vm.wait_exit(20)
    vm.close(res is not None, keep=True)
    return res


def boot_tessera_run(args, prog, log, done_re, needed):
    """One boot with run=/bin/PROG: its BENCH values, or None if done_re or a needed key
    did not appear."""
    argv = shlex.split(args.tessera) + ["-append", "run=/bin/" + prog]
    vm = Qemu(argv, log, BENCH_TIMEOUT)
    done = vm.expect(done_re, BENCH_TIMEOUT)
    if vm.wait_exit(20) is not None:
        vm.drain()                  # the marker line may have been cut: take every line
    res = bench_values(vm.text)
    ok = bool(done) and needed in res
    vm.close(ok, keep=True)
    if not ok:
        print("bench: run=/bin/%s did not produce its numbers" % prog)
    return res if ok else None


NPROC_MEM = "1G"     # 4096 live processes of ~25 pages each need more than the tests' 256 MiB


def with_memory(cmd, mem):
    """The QEMU command cmd with its -m value replaced by mem."""
    argv = shlex.split(cmd)
    if "-m" in argv:
        argv[argv.index("-m") + 1] = mem
    else:
        argv += ["-m", mem]
    return " ".join(shlex.quote(a) for a in argv)


def boot_tessera_bench(args):
    return boot_tessera_run(args, "bench", "bench-tessera", r"BENCH DONE", "spawn_us")


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
    rows = []
    for row in ROWS:
        t, lx = number(tess, row.key), number(linux, row.key)
        ratio = t / lx if t is not None and lx else None
        if ratio is None:
            verdict = "n/a"
        else:
            verdict = "met" if ratio <= row.goal else "not met"
        rows.append([row.label, row.paper, fmt(t, row), fmt(lx, row),
                     "n/a" if ratio is None else "%.2fx" % ratio,
                     "%s: %s" % (row.goal_text, verdict)])
    OUT.section("Boot, getpid, create (issue 2)", gap=False)
    OUT.table(["benchmark", "paper", "Tessera", "Linux", "Tessera/Linux", "goal"], rows)


# ---- the HVS tables (issue 3; seed 002 section 5) -------------------------------------------

SIZES = (1, 64, 1024, 4096)
MOVE_MIB = (0, 1, 4, 16, 64)
PROGRAMS = (("true", "/bin/true, native PIE"), ("utest", "/bin/utest -c exit, native PIE"),
            ("busybox", "busybox true, Debian's static non-PIE"))
NOT_RUN = "n/a"


class Results:
    """The BENCH values of every boot: tess (/bin/bench + boot time), hvs (/bin/hvs_bench),
    ipc (/bin/ipcbench), meta (/bin/meta_bench), rm (/bin/runmode_bench), linux (/bin/bench
    under Linux), lmeta and lrm (meta_bench and runmode_bench under Linux); any may be None."""

    SOURCES = ("tess", "hvs", "ipc", "linux", "meta", "rm", "lmeta", "lrm", "nproc", "srv",
               "blk", "lblk", "disk", "ldisk", "repl")

    def __init__(self, tess, hvs, ipc, linux, meta=None, rm=None, lmeta=None, lrm=None,
                 nproc=None, srv=None, blk=None, lblk=None, disk=None, ldisk=None,
                 repl=None, sizes=None):
        self.src = {"tess": tess or {}, "hvs": hvs or {}, "ipc": ipc or {},
                    "linux": linux or {}, "meta": meta or {}, "rm": rm or {},
                    "lmeta": lmeta or {}, "lrm": lrm or {}, "nproc": nproc or {},
                    "srv": srv or {}, "blk": blk or {}, "lblk": lblk or {},
                    "disk": disk or {}, "ldisk": ldisk or {}, "repl": repl or {}}
        self.sizes = sizes or {}     # program name -> bytes (table C)

    def raw(self, src, key):
        return self.src[src].get(key)

    def value(self, src, key):
        return number(self.src[src], key)

    def runs(self, src, key):
        text = self.src[src].get(key + "_runs")
        try:
            return sorted(float(x) for x in text.split()) if text else None
        except ValueError:
            return None


def num(x):
    return "%.0f" % x if x >= 1000 else "%.3g" % x


def cell(res, src, key, div=1.0, unit="us"):
    """"median unit [fastest-slowest]" of key, converted by div; the raw word if the guest
    printed one (e.g. unsupported); n/a if missing."""
    v = res.value(src, key)
    if v is None:
        return res.raw(src, key) or NOT_RUN
    text = "%s %s" % (num(v / div), unit)
    runs = res.runs(src, key)
    if runs:
        text += " [%s-%s]" % (num(runs[0] / div), num(runs[-1] / div))
    return text


def diff_cell(a, b, div=1.0, unit="us"):
    if a is None or b is None:
        return NOT_RUN
    return "%+.3g %s" % ((a - b) / div, unit)


def markdown(header, rows):
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(["---"] * len(header)) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


VERDICT_RE = re.compile(r"(?:^|: )(met|not met|n/a)\b")


def verdict_of(text):
    """"met", "not met" or "n/a": the first verdict word a goal text gives."""
    m = VERDICT_RE.search(text)
    return m.group(1) if m else "n/a"


class Report:
    """What the tables print, kept as data too (results.json, report.html): sections, each
    with its notes, tables and goal verdicts in the order they were printed."""

    def __init__(self):
        self.sections = []

    def section(self, title, gap=True):
        print(("\n### " if gap else "### ") + title)
        self.sections.append({"title": title, "items": [], "goals": []})

    def note(self, text):
        print(text)
        self.sections[-1]["items"].append({"note": text.strip()})

    def table(self, header, rows):
        print(markdown(header, rows))
        sec = self.sections[-1]
        sec["items"].append({"header": list(header), "rows": [list(r) for r in rows]})
        for col, name in enumerate(header):
            if name.startswith("goal"):
                for r in rows:
                    if not VERDICT_RE.search(r[col]):
                        continue      # a row the goal does not judge ("-", "no goal")
                    sec["goals"].append({"text": "%s, %s: %s" % (name, r[0], r[col]),
                                         "verdict": verdict_of(r[col])})

    def goal(self, text):
        print(text)
        self.sections[-1]["items"].append({"goal": text})
        self.sections[-1]["goals"].append({"text": text, "verdict": verdict_of(text)})


OUT = Report()


def file_size(res, name):
    """The size of the program NAME in the images (recorded when the run was made)."""
    size = res.sizes.get(name)
    return "size ?" if size is None else "%d KiB" % ((size + 1023) // 1024)


def table_a(res):
    """Figure 5: container round trip, same space vs different spaces, and pipes."""
    rows = []
    for n in SIZES:
        same, diff = res.value("ipc", "cbox_rt_same_ns_%d" % n), res.value("ipc", "cbox_rt_ns_%d" % n)
        lpipe = res.value("linux", "pipe_rt_ns_%d" % n)
        if same is None or not lpipe:
            goal = NOT_RUN
        else:
            goal = "%.2fx: %s" % (same / lpipe, "met" if same <= lpipe / 4 else "not met")
        rows.append(["%d B" % n, cell(res, "ipc", "cbox_rt_same_ns_%d" % n, 1000),
                     cell(res, "ipc", "cbox_rt_ns_%d" % n, 1000),
                     diff_cell(diff, same, 1000),
                     cell(res, "tess", "pipe_rt_ns_%d" % n, 1000),
                     cell(res, "linux", "pipe_rt_ns_%d" % n, 1000),
                     cell(res, "tess", "pipe_rt_thread_ns_%d" % n, 1000),
                     cell(res, "linux", "pipe_rt_thread_ns_%d" % n, 1000), goal])
    OUT.section("A. Round trip of a message by size (paper figure 5)")
    OUT.note("Tessera: container boxes (/bin/ipcbench), echo child in this space or in a space of "
          "its own; pipes: /bin/bench, the same binary on both systems (4-byte length header "
          "included; threads: two executions of one process, docs/threads.md). %s round trips "
          "per run, median of runs. "
          "Paper (Pentium III 750 MHz): the same space is about 4 us faster at every size." %
          (res.raw("ipc", "ipc_rounds") or "?"))
    OUT.table(["size", "Tessera cbox, same space", "Tessera cbox, different spaces",
                    "different - same", "Tessera pipe, processes", "Linux pipe, processes",
                    "Tessera pipe, threads", "Linux pipe, threads",
                    "goal: same space <= 1/4 Linux pipe (processes)"], rows)


def table_b(res):
    """Figure 6: procmove into an existing space vs a newly made one, by process size."""
    rows = []
    for mib in MOVE_MIB:
        ex, new = "move_existing_%dmib_us" % mib, "move_new_%dmib_us" % mib
        rows.append(["+%d MiB heap" % mib, cell(res, "hvs", ex), cell(res, "hvs", new),
                     diff_cell(res.value("hvs", new), res.value("hvs", ex)),
                     "< 100 us" if mib == 0 else "grows with size",
                     "existing + ~700 us"])
    OUT.section("B. procmove by process size (paper figure 6)")
    OUT.note("/bin/hvs_bench: a process (its own image plus N MiB of touched heap) moved 10 times "
          "per run between two existing spaces, then 10 times into a space made by the call "
          "(t_proc_move(pid, 0)); time per move. Nothing is copied: regions are detached and "
          "attached.")
    OUT.table(["process", "into an existing space", "into a new space", "new - existing",
                    "paper: existing", "paper: new"], rows)


def table_c(res):
    """Figure 7: proccreate into an existing space vs a new one, by program; Linux spawn."""
    rows = []
    linux_bench = res.value("linux", "spawn_us")
    for label, what in PROGRAMS:
        ex, new = "create_existing_%s_us" % label, "create_new_%s_us" % label
        if label == "busybox":
            lx_key, lx_note = "spawn_busybox_us", "same file"
        else:
            lx_key, lx_note = "spawn_us", "/bin/bench exit"
        lx = res.value("linux", lx_key)
        t = res.value("hvs", ex)
        if t is None or not lx:
            goal = NOT_RUN
        else:
            goal = "%.2fx: %s" % (lx / t, "met" if lx >= 5 * t else "not met")
        rows.append(["%s (%s, %s)" % (label, what, file_size(res, label)),
                     cell(res, "hvs", ex), cell(res, "hvs", new),
                     diff_cell(res.value("hvs", new), t),
                     "%s (%s)" % (cell(res, "linux", lx_key), lx_note), goal])
    t = res.value("tess", "spawn_us")
    rows.append(["bench exit (/bin/bench, static non-PIE, %s)" %
                 file_size(res, "bench"),
                 "n/a (not PIE: a space of its own)", cell(res, "tess", "spawn_us"),
                 NOT_RUN, "%s (same file)" % cell(res, "linux", "spawn_us"),
                 "%.2fx (new space; no goal)" % (linux_bench / t) if t and linux_bench
                 else NOT_RUN])
    OUT.section("C. proccreate by program (paper figure 7)")
    OUT.note("/bin/hvs_bench: create the process, let it run to its exit, wait for it (median of "
          "20). Linux: posix_spawn + waitpid of the same file where Linux can run it "
          "(busybox, bench), otherwise of /bin/bench, the smallest static program both have. "
          "Paper (Pentium III 750 MHz): an existing space saves 700-800 us.")
    OUT.table(["program", "Tessera into an existing space", "Tessera into a new space",
                    "new - existing", "Linux posix_spawn+waitpid",
                    "goal: existing >= 5x faster than Linux"], rows)


def table_d(res):
    """Table 2: process switch, same space vs different spaces, with and without PCID."""
    pcid_on = res.raw("hvs", "switch_pcid1")
    pcid_note = ""
    if res.raw("hvs", "pcid_supported") == "0" or pcid_on == "unsupported":
        pcid_note = "unsupported (no PCID in this CPU model)"

    def pcid1(key):
        return pcid_note or cell(res, "hvs", key, 1000)

    def ratio(a, b):
        return "%.2f" % (a / b) if a is not None and b else NOT_RUN

    v = {k: res.value(s, k2) for k, s, k2 in (
        ("s0", "hvs", "switch_same_pcid0_ns"), ("c0", "hvs", "switch_cross_pcid0_ns"),
        ("s1", "hvs", "switch_same_pcid1_ns"), ("c1", "hvs", "switch_cross_pcid1_ns"),
        ("lt", "linux", "yield_thread_ns"), ("lp", "linux", "yield_proc_ns"))}
    rows = [
        ["two processes in one space (Linux: two threads)", "4.885 us",
         cell(res, "hvs", "switch_same_pcid0_ns", 1000), pcid1("switch_same_pcid1_ns"),
         cell(res, "tess", "yield_thread_ns", 1000) + " (no threads)"
         if res.raw("tess", "yield_thread_ns") == "unsupported"
         else cell(res, "tess", "yield_thread_ns", 1000),
         cell(res, "linux", "yield_thread_ns", 1000)],
        ["two processes in different spaces (Linux: two processes)", "6.102 us",
         cell(res, "hvs", "switch_cross_pcid0_ns", 1000), pcid1("switch_cross_pcid1_ns"),
         cell(res, "tess", "yield_proc_ns", 1000), cell(res, "linux", "yield_proc_ns", 1000)],
        ["one space / different spaces", "0.80", ratio(v["s0"], v["c0"]),
         pcid_note and "-" or ratio(v["s1"], v["c1"]), "-", ratio(v["lt"], v["lp"])],
    ]
    OUT.section("D. Process switch (paper table 2)")
    OUT.note("Time per switch: two processes yield to each other (Tessera: native sched_yield in "
          "/bin/hvs_bench, 20000 yields each, median of runs; /bin/bench: the same binary "
          "calling Linux's sched_yield on both systems, 10000 yields each).")
    if pcid_note:
        OUT.note("PCID: QEMU's TCG CPU model here does not offer PCID (Tessera prints \"PCID not "
              "supported\" at boot), so every switch between spaces reloads CR3 and flushes "
              "the whole TLB; the PCID-on column cannot be measured on this host.")
    OUT.table(["switch between", "paper (Pentium III 750 MHz)", "Tessera, PCID off",
                    "Tessera, PCID on", "Tessera sched_yield (/bin/bench)",
                    "Linux sched_yield (/bin/bench)"], rows)
    for pcid in (0, 1):
        same = res.runs("hvs", "switch_same_pcid%d_ns" % pcid)
        cross = res.runs("hvs", "switch_cross_pcid%d_ns" % pcid)
        if pcid == 1 and pcid_note:
            verdict = "n/a (PCID unsupported here)"
        elif not same or not cross:
            verdict = NOT_RUN
        else:
            verdict = "%s (slowest same-space run %s us, fastest cross-space run %s us)" % (
                "met" if same[-1] < cross[0] else "not met", num(same[-1] / 1000),
                num(cross[0] / 1000))
        OUT.goal("goal, PCID %s: a same-space switch measurably cheaper than a cross-space one "
              "(every run): %s" % ("on" if pcid else "off", verdict))


def hvs_tables(res):
    table_a(res)
    table_b(res)
    table_c(res)
    table_d(res)


# ---- metamorphosis (issue 4; seed 000 figures 9-15) -----------------------------------------

TEXT_KIBS = (4, 16, 64, 256, 1024)
RESTART_KIBS = (4, 64, 1024)
CHPROG = (("noreuse", "no reuse"), ("program", "program + its text reused"),
          ("regions", "data/BSS/stack regions reused"), ("sharing", "text shared (live user)"),
          ("all", "all reuse"), ("keeptext", "same program: text kept"),
          ("keepboth", "same program: text and data kept"))
CHPROG_PAPER = {"noreuse": "grows with text size",
                "keeptext": "flat (fig 13)", "keepboth": "flat, less again (fig 14)",
                "program": "~ no reuse (plates, no disk I/O)",
                "regions": "data reuse: ~28 us less at 4 KiB, ~54 us less from 8 KiB",
                "sharing": "flat, whatever the text size",
                "all": "-"}


def kib(k):
    return "1 MiB" if k == 1024 else "%d KiB" % k


def flatness(res, src, fmt_key):
    """(max/min of the medians over the text sizes, verdict text) for one column."""
    vals = [res.value(src, fmt_key % k) for k in TEXT_KIBS]
    if any(v is None or v <= 0 for v in vals):
        return None, NOT_RUN
    spread = max(vals) / min(vals)
    return spread, "%s (medians %s us; slowest/fastest median %.2f)" % (
        "met" if spread <= 1.10 else "not met", ", ".join(num(v) for v in vals), spread)


def table_e(res):
    """Figures 9-13: change program by text size with each kind of reuse; Linux execve."""
    rows = [["paper (figs 9-13)"] + [CHPROG_PAPER[k] for k, _ in CHPROG] + ["-"]]
    for k in TEXT_KIBS:
        rows.append([kib(k)] + [cell(res, "meta", "chprog_%s_%dk_us" % (v, k)) for v, _ in CHPROG]
                    + [cell(res, "lmeta", "linux_forkexec_%dk_us" % k)])
    ratio = ["1 MiB / 4 KiB"]
    for key in ["chprog_%s_%%dk_us" % v for v, _ in CHPROG] + ["linux_forkexec_%dk_us"]:
        src = "lmeta" if key.startswith("linux") else "meta"
        a, b = res.value(src, key % 1024), res.value(src, key % 4)
        ratio.append("%.2f" % (a / b) if a is not None and b else NOT_RUN)
    rows.append(ratio)
    OUT.section("E. Change program by text size (paper figures 9-13)")
    OUT.note("/bin/meta_bench: a blocked process running /bin/text_N (N KiB of text, static PIE) "
          "is changed to /bin/sleep (untimed) and back to /bin/text_N (timed: the call until "
          "the target has taken the new program at its kernel exit); %s runs per cell, the five "
          "sizes taking turns run by run so that a slow spell of the host falls on all alike, and "
          "(but for the keeping columns) one process going through all the sizes. "
          "Reuse kinds switched on and the table emptied before each column (TK_REUSE): "
          "program = programs with their text regions (the paper's program and text-region "
          "reuse, figs 9-10), regions = data/BSS/heap/stack regions by size (fig 12), "
          "sharing = nothing from the table but other live processes run text_N and /bin/sleep "
          "(fig 11), "
          "all = every kind; keeptext / keepboth = the process is changed to the program it "
          "already runs (no detour), with nothing / regions reused from the table (figs 13-14). "
          "Linux: fork + execve + waitpid of /bin/text_N-static (same "
          "source, static non-PIE) by meta_bench itself, the same binary. Paper (its PC): "
          "text-region reuse saves ~28 us at 4 KiB and ~198 us at 32 KiB." %
          (len(res.runs("meta", "chprog_all_4k_us") or []) or "?"))
    OUT.table(["text", "no reuse", "program + text reuse", "region reuse",
                    "text sharing", "all reuse", "keeping text", "keeping text + data",
                    "Linux fork+execve+wait"], rows)
    for col, label in (("sharing", "text sharing"), ("all", "all reuse"),
                       ("keeptext", "the text kept (same program)"),
                       ("keepboth", "text and data kept (same program)")):
        _, verdict = flatness(res, "meta", "chprog_" + col + "_%dk_us")
        OUT.goal("goal: change program with %s flat (every median within 10%%, slowest/fastest "
              "<= 1.10) from 4 KiB to 1 MiB: %s" % (label, verdict))


def table_f(res):
    """Change start position back to the initial state, against exit + create, and restoring
    a checkpoint; Linux fork + execve + wait of the same program."""
    rows = []
    for k in RESTART_KIBS:
        rs = res.value("meta", "restart_%dk_us" % k)
        cr = res.value("meta", "create_exit_%dk_us" % k)
        lx = res.value("lmeta", "linux_forkexec_%dk_us" % k)
        goal = NOT_RUN if rs is None or not lx else "%.2fx: %s" % (
            lx / rs, "met" if lx >= 5 * rs else "not met")
        rows.append([kib(k), cell(res, "meta", "restart_%dk_us" % k),
                     cell(res, "meta", "create_exit_%dk_us" % k),
                     "%.2f" % (rs / cr) if rs is not None and cr else NOT_RUN,
                     cell(res, "meta", "ckpt_restore_%dk_us" % k),
                     cell(res, "lmeta", "linux_forkexec_%dk_us" % k), goal])
    OUT.section("F. Restart and checkpoint restore by text size (change of start position)")
    OUT.note("/bin/meta_bench, one blocked process running /bin/text_N: restart = back to the "
          "initial state (data, BSS, stack, registers re-initialised; t_restart); checkpoint "
          "restore = back to a checkpoint saved once (t_ckpt_restore); exit + create = "
          "t_proccreate of the same program in a new space, run to its exit, wait. Linux: "
          "fork + execve + waitpid of /bin/text_N-static. The paper describes both changes "
          "but measures neither (its figures are for change of program and of space).")
    OUT.table(["text", "restart", "exit + create", "restart / (exit + create)",
                    "checkpoint restore", "Linux fork+execve+wait",
                    "goal: restart >= 5x faster than Linux"], rows)


def table_g(res):
    """Figure 15: change space into a new, an existing and a reusable space."""
    new = res.value("meta", "chspace_new_us")
    rows = []
    for key, label, paper in (("new", "a new space (made by the call, reuse off)", "~2x existing"),
                              ("existing", "an existing space (by id)", "~380 us less, ~half"),
                              ("reusable", "a reusable space (from the table)",
                               "~ existing (O(1) search)")):
        v = res.value("meta", "chspace_%s_us" % key)
        rows.append([label, paper, cell(res, "meta", "chspace_%s_us" % key),
                     "%.2f" % (v / new) if v is not None and new else NOT_RUN])
    OUT.section("G. Change space (paper figure 15)")
    OUT.note("/bin/meta_bench: a blocked /bin/text_4 process moved (t_proc_move) into a space made "
          "by the call with the reusable-resource table off, into one of two existing spaces, "
          "and into a space taken back from the table (empty spaces left by earlier moves); "
          "%s runs. Regions are detached and attached, nothing is copied." %
          (len(res.runs("meta", "chspace_new_us") or []) or "?"))
    OUT.table(["change space into", "paper (its PC)", "Tessera", "/ new space"], rows)
    for key, label in (("reusable", "a reusable space"), ("existing", "an existing space")):
        v = res.value("meta", "chspace_%s_us" % key)
        runs_v, runs_n = res.runs("meta", "chspace_%s_us" % key), res.runs("meta", "chspace_new_us")
        if v is None or not new:
            verdict = NOT_RUN
        else:
            verdict = "%s (%.2fx of a new space%s)" % (
                "met" if v <= new / 2 else "not met", v / new,
                "; ranges overlap" if runs_v and runs_n and runs_v[-1] >= runs_n[0] else "")
        OUT.goal("goal: %s at least halves change-space time: %s" % (label, verdict))


# ---- running-mode switch (issue 5; seed 004 figures 7 and 8) -----------------------------------

RM_CALLS = (("getpid", "-66%"), ("read", "-20% (1 B)"), ("write", "-19% (1 B)"),
            ("brk", "-43% (sbrk)"))


def pct(a, b):
    return "%+.0f%%" % ((a / b - 1) * 100) if a is not None and b else NOT_RUN


NPROC_LEVELS = (10, 1000, 4000)


def table_j(res):
    """Process creation against the number of live processes (issue 10)."""
    rows = [["%d" % n, cell(res, "nproc", "nproc_create_%d_us" % n)] for n in NPROC_LEVELS]
    OUT.section("J. Process creation with many live processes (issue 10)")
    OUT.note("/bin/nproc_bench, booted with %s of memory: create + exit + wait of /bin/true in a "
          "space of its own while 10, 1000 or 4000 processes are alive (blocked /bin/sleep, each "
          "in its own space); the levels are visited 10, 1000, 4000, 1000, ... six times over, "
          "%s timings per visit. Tessera only (the measured calls are native)." %
          (NPROC_MEM, res.raw("nproc", "nproc_samples_per_visit") or "?"))
    OUT.table(["live processes", "create+exit+wait"], rows)
    vals = [res.value("nproc", "nproc_create_%d_us" % n) for n in NPROC_LEVELS]
    if any(v is None or v <= 0 for v in vals):
        verdict = NOT_RUN
    else:
        spread = max(vals) / min(vals)
        verdict = "%s (slowest/fastest median %.2f)" % ("met" if spread <= 1.20 else "not met",
                                                       spread)
    OUT.goal("goal: flat within 20%% from 10 to 4000 live processes: %s" % verdict)
    most, err = res.value("nproc", "nproc_max"), res.raw("nproc", "nproc_past_max_err")
    OUT.goal("goal: 4096 processes can exist, the next one gets EAGAIN: %s (%s could exist, the "
          "next got %s)" % (NOT_RUN if most is None else
                            "met" if most >= 4096 and err == "EAGAIN" else "not met",
                            NOT_RUN if most is None else "%d" % most, err or NOT_RUN))


BLK_CASES = (("dev", "/dev/vda, 1 MiB read()/write()"),
             ("fn", "function ids, one 1 MiB ICA at a time"),
             ("fn4", "function ids, four 1 MiB ICAs in flight"))


def table_l(res):
    """Issue 12: raw sequential disk throughput through the driver process, against Linux's
    own virtio-blk driver on the same disk image."""
    rows = []
    for op in ("read", "write"):
        lkey = "blk_%s_dev_kibps" % op
        linux = res.value("lblk", lkey)
        for case, what in BLK_CASES:
            key = "blk_%s_%s_kibps" % (op, case)
            t = res.value("blk", key)
            if t is None or not linux:
                goal = NOT_RUN
            else:
                goal = "%.2fx: %s" % (t / linux, "met" if t >= 0.8 * linux else "not met")
            rows.append(["%s 16 MiB, %s" % (op, what), cell(res, "blk", key, 1024, "MiB/s"),
                         cell(res, "lblk", lkey, 1024, "MiB/s"), goal])
    OUT.section("L. Raw sequential disk throughput (issue 12: the virtio-blk driver process)")
    OUT.note("/bin/blk_bench, the same static binary on both systems, on a fresh %d MiB "
             "image attached as a virtio-blk disk: 16 MiB read, then written, sequentially in "
             "1 MiB pieces, 7 runs interleaved, median [lowest-highest run]. Linux: its own "
             "virtio-blk driver, /dev/vda opened O_DIRECT. Tessera: the driver process "
             "(drivers/virtio-blk) has the device DMA into the ICA; /dev/vda goes through the "
             "kernel's 1 MiB ICA and one copy, the function ids hand the caller's own ICA to "
             "the device." % BLK_DISK_MIB)
    OUT.table(["transfer", "Tessera", "Linux (/dev/vda O_DIRECT)",
               "goal: >= 0.8x Linux's throughput"], rows)


def table_m(res):
    """Issue 13: files on an ext2 disk, the server behind the kernel's forwarding, against
    Linux's own ext2 on the same kind of image and the same virtio-blk device."""
    rows = []
    for key, what, goal in disk_bench.KEYS:
        per_s = not key.endswith("_kibps")
        t, lx = res.value("disk", key), res.value("ldisk", key)
        if t is None or not lx:
            verdict = NOT_RUN
        else:
            verdict = "%.2fx (goal %.1fx): %s" % (t / lx, goal,
                                                  "met" if t >= goal * lx else "not met")
        unit = "/s" if per_s else "MiB/s"
        div = 1.0 if per_s else 1024.0
        rows.append([what.rsplit(" (", 1)[0], cell(res, "disk", key, div, unit),
                     cell(res, "ldisk", key, div, unit), verdict])
    OUT.section("M. Files on a disk (issue 13: the ext2 server)")
    OUT.note("bench/disk_bench.c, one static binary on both systems, on a fresh 128 MiB ext2 "
             "image of 4 KiB blocks attached as a virtio-blk disk, runs alternating, median "
             "[lowest-highest run]. Tessera: the kernel forwards each file call under /disk to "
             "the ext2 server process (servers/ext2), which reaches the disk through the "
             "virtio-blk driver process; read after remount = after unmounting and mounting "
             "again. Linux: its ext2 (through ext4.ko) and virtio_blk, caches dropped with "
             "drop_caches for the cold read. Every file call of Tessera's costs a request to "
             "the server (docs/storage.md says where the time goes).")
    OUT.table(["operation", "Tessera", "Linux", "goal: Tessera's speed / Linux's"], rows)


def table_p(res):
    """Issue 18: clock reads through the vDSO (no kernel entry) and as system calls."""
    rows = []
    lib_t, lib_l = res.value("tess", "clock_libc_ns"), res.value("linux", "clock_libc_ns")
    for key, what in (("clock_libc_ns", "clock_gettime in the C library (the vDSO)"),
                      ("clock_syscall_ns", "clock_gettime as a system call")):
        t, lx = res.value("tess", key), res.value("linux", key)
        rows.append([what, cell(res, "tess", key, unit="ns"), cell(res, "linux", key, unit="ns"),
                     "%.2fx" % (t / lx) if t and lx else NOT_RUN])
    sys_t = res.value("tess", "clock_syscall_ns")
    goal = NOT_RUN
    if lib_t and lib_l and sys_t:
        goal = "%.2fx Linux's vDSO read, %.2fx Tessera's system call: %s" % (
            lib_t / lib_l, lib_t / sys_t, "met" if lib_t <= lib_l and lib_t < sys_t else "not met")
    OUT.section("S. Clock reads (issue 18: the vDSO)")
    OUT.note("/bin/bench, the same static musl binary on both systems: clock_gettime("
             "CLOCK_MONOTONIC) %d times a run, through musl (which calls __vdso_clock_gettime "
             "when AT_SYSINFO_EHDR names a vDSO: present on Tessera %s, on Linux %s) and as the "
             "system call itself, runs interleaved, median [lowest-highest run]. Tessera's vDSO "
             "reads the TSC and the kernel's time base from its read-only data page "
             "(docs/exec.md)." % (20000, res.raw("tess", "clock_vdso_present") or "?",
                                   res.raw("linux", "clock_vdso_present") or "?"))
    OUT.table(["read", "Tessera", "Linux", "Tessera/Linux"], rows)
    OUT.goal("goal: a vDSO read no slower than Linux's and faster than a system call: " + goal)


def table_h(res):
    """Figures 7 and 8: system calls as traps and as calls; switch cost; directory listing."""
    rows = []
    for call, paper in RM_CALLS:
        trap = res.value("rm", "rm_%s_trap_ns" % call)
        rows.append([call, paper, cell(res, "rm", "rm_%s_trap_ns" % call, unit="ns"),
                     cell(res, "rm", "rm_%s_call_ns" % call, unit="ns"),
                     pct(res.value("rm", "rm_%s_call_ns" % call), trap),
                     cell(res, "rm", "rm_%s_ssyscall_ns" % call, unit="ns"),
                     cell(res, "lrm", "rm_%s_trap_ns" % call, unit="ns")])
    OUT.section("H. Running-mode switch: system calls, switches, listing (DMSM figures 7, 8)")
    OUT.note("/bin/runmode_bench (static non-PIE, the same file on Linux, which runs only the "
          "Umode parts): %s calls per run, median of runs, the three forms taking turns run by "
          "run. Umode trap = `syscall` at ring 3; "
          "Smode call = the library form, a call of the kernel's function entry from ring 0; "
          "Smode syscall = an unmodified `syscall` instruction executed at ring 0. read: 1 byte "
          "of /dev/zero; write: 1 byte to /dev/null; brk: grow/shrink one page. Paper (Pentium "
          "4, `int`/`iret` traps): the call form saves 800-900 cycles per call. Under TCG the "
          "`syscall`/`sysretq` pair is emulated cheaply, so the trap has little to save." %
          (res.raw("rm", "rm_call_iters") or "?"))
    OUT.table(["call", "paper: call vs trap", "Tessera Umode trap", "Tessera Smode call",
                    "call vs trap", "Tessera Smode syscall (unmodified)", "Linux syscall"], rows)
    trap, call = res.value("rm", "rm_getpid_trap_ns"), res.value("rm", "rm_getpid_call_ns")
    lx = res.value("lrm", "rm_getpid_trap_ns")
    OUT.goal("goal: Smode call form of getpid <= 1/5 of the Umode trap: %s" % (
        NOT_RUN if call is None or not trap else "%s (%.2fx of the trap)" % (
            "met" if call <= trap / 5 else "not met", call / trap)))
    OUT.goal("goal: Smode call form of getpid faster than Linux's getpid: %s" % (
        NOT_RUN if call is None or not lx else "%s (%.2fx of Linux)" % (
            "met" if call < lx else "not met", call / lx)))

    rows = []
    loop = res.value("rm", "rm_switch_loop_getpid_ns")

    def ratios(v):
        """The switch against the getpid trap of the same loop (the verdict) and of table H."""
        same = "%.2fx" % (v / loop) if v is not None and loop else NOT_RUN
        alone = "%.2fx" % (v / trap) if v is not None and trap else NOT_RUN
        verdict = NOT_RUN if v is None or not loop else ("met" if v <= 2 * loop else "not met")
        return [same, alone, verdict]

    for key, label in (("smode", "switch_supervisor(0), Umode -> Smode"),
                       ("umode", "switch_user(0), Smode -> Umode")):
        v = res.value("rm", "rm_switch_to_%s_ns" % key)
        rows.append([label, "~1100-1200 cycles (~0.9x a getpid trap)",
                     cell(res, "rm", "rm_switch_to_%s_ns" % key, unit="ns")] + ratios(v))
    rows.append(["getpid trap, bracketed in the same loop", "-",
                 cell(res, "rm", "rm_switch_loop_getpid_ns", unit="ns"), "1.00x",
                 "%.2fx" % (loop / trap) if loop is not None and trap else NOT_RUN, "-"])
    pair = res.value("rm", "rm_switch_pair_ns")
    half = pair / 2 if pair is not None else None
    rows.append(["one switch of a back-to-back pair (pair / 2)",
                 "~1100-1200 cycles (~0.9x a getpid trap)",
                 NOT_RUN if half is None else "%d ns (pair %s)" % (
                     half, cell(res, "rm", "rm_switch_pair_ns", unit="ns")),
                 "-", "%.2fx" % (half / trap) if half is not None and trap else NOT_RUN,
                 "(no getpid in its loop)"])
    OUT.note("\nSwitch calls (each applied at the end of the caller's own call; issued directly "
          "as a trap from Umode and a call from Smode, without the library's flag test, like "
          "the getpid trap they are compared with). One loop does a switch to Smode, a switch "
          "to Umode and a getpid trap, each bracketed by two reads of the time-stamp counter "
          "(rdtsc, no kernel entry; an empty bracket subtracted): the goal is judged against "
          "that getpid, measured the same way in the same loop, because under TCG one loop can "
          "run up to twice as fast as another in the same boot. The last row times switch "
          "pairs by the clock alone. Paper's getpid trap: ~1250-1350 cycles (800-900 saved = "
          "66%).")
    OUT.table(["switch", "paper (Pentium 4)", "Tessera", "/ getpid, same loop",
                    "/ getpid trap of table H", "goal: <= 2x a Umode getpid"], rows)

    rows, verdicts = [], []
    for n in (5, 400):
        u, sm = "rm_ls%d_umode_us" % n, "rm_ls%d_smode_us" % n
        faster = res.value("rm", "rm_ls%d_smode_faster_runs" % n)
        ratio = res.value("rm", "rm_ls%d_pair_ratio_pm" % n)
        runs = len(res.runs("rm", u) or [])
        if faster is None or ratio is None or not runs:
            verdict = NOT_RUN
        else:
            # a one-sided sign test over the runs (each has both modes, interleaved): >= runs-1
            # of them by chance has probability (runs + 1) / 2^runs (2 % for 9 runs)
            met = faster >= runs - 1 and ratio < 1000
            verdict = "%s (Smode faster in %d of %d runs; median ratio %.3f)" % ("met" if met else "not met", faster, runs, ratio / 1000)
        verdicts.append((n, verdict))
        rows.append(["%d files" % n, "4-9% faster", cell(res, "rm", u), cell(res, "rm", sm),
                     NOT_RUN if ratio is None else "%+.1f%%" % (ratio / 10 - 100),
                     cell(res, "lrm", u)])
    OUT.note("\nDirectory listing as FreeBSD's `ls -l` does it through fts (open, getdents64, an "
          "lstat of every entry by its name relative to the directory, close; every call "
          "through the library form), time per listing; %s and %s listings per run, Umode and "
          "Smode taking turns twenty times within each run; 'Smode vs Umode' is the median of the "
          "per-run ratios."
          % (res.raw("rm", "rm_ls5_iters") or "?", res.raw("rm", "rm_ls400_iters") or "?"))
    OUT.table(["directory", "paper: ls in Smode", "Tessera Umode", "Tessera Smode",
                    "Smode vs Umode", "Linux"], rows)
    for n, verdict in verdicts:
        OUT.goal("goal: listing %d files measurably faster in Smode (Smode faster in all runs but "
              "at most one: a sign test, p = 2%% for 9 runs): %s" % (n, verdict))


FORK_MIB = (1, 8)


def table_i(res):
    """Issue 10: fork + exit + wait against Linux's, by touched memory and child writes."""
    rows = []
    dirty = res.raw("tess", "fork_dirty_pages") or res.raw("linux", "fork_dirty_pages") or "?"
    for mib in FORK_MIB:
        for w, what in ((0, "writes nothing"), (dirty, "writes %s pages" % dirty)):
            key = "fork_%dmib_%sw_us" % (mib, w)
            t, lx = res.value("tess", key), res.value("linux", key)
            if t is None or not lx:
                goal = NOT_RUN
            else:
                goal = "%.2fx: %s" % (t / lx, "met" if t <= lx else "not met")
            rows.append(["%d MiB touched, child %s" % (mib, what), cell(res, "tess", key),
                         cell(res, "linux", key), goal])
    OUT.section("I. fork + exit + wait (issue 10: copy-on-write fork)")
    OUT.note("/bin/bench, the same binary on both systems: a process with N MiB of touched "
          "private memory (an anonymous mapping, every page written) forks a child that writes "
          "none or a few of those pages and exits, and waits for it; time per fork, %s forks "
          "per run, median of runs. Tessera shares the pages copy-on-write; the child maps "
          "them as it touches them." % (res.raw("tess", "fork_iters") or "20"))
    OUT.table(["process", "Tessera", "Linux", "goal: no slower than Linux's "
                    "(Tessera/Linux <= 1)"], rows)


COPY_SIZES = (4096, 65536, 1048576)


def ratio_goal(num, den, goal, text_fmt):
    """"Xx: met/not met" where X = num/den must be >= goal; n/a when a number is missing."""
    if num is None or not den:
        return NOT_RUN
    r = num / den
    return text_fmt % r + (": met" if r >= goal else ": not met")


def table_k(res):
    """Issue 12: server calls through a function id, and ICA passes against pipe copies."""
    same, diff = res.value("srv", "srv_null_rt_same_ns"), res.value("srv", "srv_null_rt_ns")
    lpipe = res.value("linux", "pipe_rt_ns_1")
    goal = NOT_RUN if same is None or not lpipe else "%.2fx: %s" % (
        same / lpipe, "met" if same <= lpipe / 4 else "not met")
    OUT.section("K. Server calls and ICA passes (issue 12: the outer core)")
    OUT.note("/bin/srv_bench: t_srv_call through a function id to /servers/echo in the caller's "
             "space or a space of its own; no ICA (null request), or a data ICA of which the "
             "server reads one byte of every page; interleaved run by run, median of %s runs. "
             "Containers: /bin/ipcbench (1 byte); pipes: /bin/bench, the same binary on both "
             "systems." % (res.raw("srv", "srv_runs") or "?"))
    OUT.table(["request", "Tessera srv, one space", "Tessera srv, two spaces",
               "Tessera cbox, one space", "Tessera cbox, two spaces", "Linux pipe, processes",
               "goal: one space <= 1/4 Linux pipe"],
              [["null (1 byte for cbox and pipe)", cell(res, "srv", "srv_null_rt_same_ns", 1000),
                cell(res, "srv", "srv_null_rt_ns", 1000),
                cell(res, "ipc", "cbox_rt_same_ns_1", 1000), cell(res, "ipc", "cbox_rt_ns_1", 1000),
                cell(res, "linux", "pipe_rt_ns_1", 1000), goal]])
    rows = []
    for n in COPY_SIZES:
        lx = res.value("linux", "pipe_copy_ns_%d" % n)
        goals = []
        for key in ("srv_ica_rt_same_ns_%d" % n, "srv_ica_rt_ns_%d" % n):
            text = ratio_goal(lx, res.value("srv", key), 10, "%.1fx")
            goals.append(text if n == 1048576 else text.split(":")[0])   # judged at 1 MiB
        rows.append(["%d KiB" % (n // 1024), cell(res, "srv", "srv_ica_rt_same_ns_%d" % n, 1000),
                     cell(res, "srv", "srv_ica_rt_ns_%d" % n, 1000),
                     cell(res, "tess", "pipe_copy_ns_%d" % n, 1000),
                     cell(res, "linux", "pipe_copy_ns_%d" % n, 1000)] + goals)
    per_page = []
    for key, src in (("srv_ica_rt_same_ns_%d", "srv"), ("srv_ica_rt_ns_%d", "srv"),
                     ("pipe_copy_ns_%d", "tess"), ("pipe_copy_ns_%d", "linux")):
        a, b = res.value(src, key % 4096), res.value(src, key % 1048576)
        per_page.append(NOT_RUN if a is None or b is None else
                        "%s us/page (x%.1f from 4 KiB to 1 MiB)" % (num((b - a) / 255 / 1000), b / a))
    rows.append(["cost per page (1 MiB - 4 KiB) / 255"] + per_page + ["-", "-"])
    OUT.note("A pass: the data ICA goes to the server and back with the result (nothing is "
             "copied; across spaces it is unmapped and mapped, in one space it stays). A pipe "
             "copy: the same bytes written to a child, which reads one byte of every page and "
             "writes them back.")
    OUT.table(["data", "Tessera ICA pass, one space", "Tessera ICA pass, two spaces",
               "Tessera pipe copy", "Linux pipe copy",
               "goal (1 MiB): Linux pipe / ICA >= 10, one space",
               "goal (1 MiB): Linux pipe / ICA >= 10, two spaces"], rows)


def table_n(res):
    """Issue 18: threads as executions of one process, against Linux's threads."""
    rows = []
    for label, key, div, goal_text in (
            ("pthread_create + pthread_join", "thread_create_ns", 1000, "<= Linux"),
            ("futex wake/wait round trip, two threads", "futex_rt_ns", 1000, "no goal"),
            ("pipe round trip (1 byte), two threads", "pipe_rt_thread_ns_1", 1000, "no goal"),
            ("sched_yield switch, two threads", "yield_thread_ns", 1000, "no goal")):
        t, lx = res.value("tess", key), res.value("linux", key)
        if goal_text == "no goal":
            goal = "%.2fx (no goal)" % (t / lx) if t is not None and lx else NOT_RUN
        else:
            goal = NOT_RUN if t is None or not lx else "%.2fx: %s" % (
                t / lx, "met" if t <= lx else "not met")
        rows.append([label, cell(res, "tess", key, div), cell(res, "linux", key, div), goal])
    OUT.section("N. Threads (issue 18: more executions of one process)")
    OUT.note("/bin/bench, the same static musl binary on both systems: %s thread creations and "
             "joins per run (musl's pthread_create: a stack mapping, clone, the thread's exit "
             "and the join's munmap), %s futex round trips per run (one thread wakes the other, "
             "which wakes it back), median of runs [fastest-slowest]." %
             (res.raw("tess", "thread_iters") or "?", res.raw("tess", "futex_iters") or "?"))
    OUT.table(["operation", "Tessera", "Linux", "goal: Tessera / Linux"], rows)


# ---- live server replacement (issue 15; seed 003, the AnT paper, section 4) ------------------

PAPER_BASE_MS = 7.4          # the paper's base replacement time (Core i7)
DRV_CPU_MS, DRV_WAIT_MS = 5, 15
# setting: (request work ms, result work ms, the paper's label)
REPL_SETTINGS = (("A", 10, 1, "fig. 7 (A)"), ("R10", 10, 1, "fig. 7 (A)"),
                 ("R15", 15, 1, "fig. 7 (B)"), ("R20", 20, 1, "fig. 7 (C)"),
                 ("S10", 1, 10, "fig. 8 (A)"), ("S15", 1, 15, "fig. 8 (B)"),
                 ("S20", 1, 20, "fig. 8 (C)"))


def repl_settings(res):
    """The settings and AP counts the run has numbers for."""
    out = []
    for name, req, rs, label in REPL_SETTINGS:
        ns = [n for n in range(1, 8) if res.value("repl", "repl_%s_n%d_time_n" % (name, n))]
        ns += [n for n in range(1, 8) if n not in ns and
               res.value("repl", "repl_%s_n%d_norepl_resp_n" % (name, n))]
        if ns:
            out.append((name, req, rs, label, sorted(ns)))
    return out


def repl_bound(base_ms, req, rs):
    """The paper's bound on the longest replacement: the base time, the longest CPU work the
    replacement may have to wait for (the request work and the driver's CPU work it starts,
    or the result work and the driver's CPU work that preempts it, ceil(work / 15 ms) times;
    section 4.2)."""
    if req >= rs:
        return base_ms + req + DRV_CPU_MS
    return base_ms + rs + DRV_CPU_MS * -(-rs // DRV_WAIT_MS)


def paper_max(req, rs, n):
    """The paper's measured maximum replacement time (figures 7 and 8), where it says it."""
    if req >= rs:
        return repl_bound(PAPER_BASE_MS, req, rs)
    if n <= 2:
        return PAPER_BASE_MS + rs
    return repl_bound(PAPER_BASE_MS, req, rs) if n >= 5 else None


def ms(v):
    return NOT_RUN if v is None else "%.1f" % (v / 1000.0)


def table_repl_time(res):
    """Replacement time by AP count (figures 7 and 8), with the paper's bound."""
    base = res.value("repl", "repl_base_med_us")
    OUT.section("P. Live server replacement: replacement time under load (issue 15, AnT "
                "figures 7-8)")
    OUT.note("/bin/repl_bench: the paper's model (figure 6) with n AP processes (priority 4, "
             "a 10 ms wait then a synchronous request), the server (3: request work, an "
             "asynchronous request to the driver, result work), the driver (2: 5 ms CPU work, "
             "a 15 ms wait); replacements requested at priority 1 at random intervals in "
             "[t0, 2 t0]. CPU work is a loop of increments for that much of the process's own "
             "processor time. Milliseconds. Bound: Tessera's base time (table R, median) + the "
             "longest work the replacement may wait for, as the paper's section 4.2 reasons; "
             "paper: its measured maximum (base 7.4 ms).")
    rows = []
    for name, req, rs, label, ns in repl_settings(res):
        for n in ns:
            k = "repl_%s_n%d_time" % (name, n)
            mx, cnt = res.value("repl", k + "_max_us"), res.value("repl", k + "_n")
            pm = paper_max(req, rs, n)
            bound = repl_bound(base / 1000.0, req, rs) if base is not None else None
            if mx is None or bound is None:
                goal = NOT_RUN
            else:
                goal = "%.1f <= %.1f: %s" % (mx / 1000.0, bound,
                                             "met" if mx / 1000.0 <= bound else "not met")
            steps = [res.value("repl", "repl_%s_n%d_step%d_max_us" % (name, n, i))
                     for i in range(6)]
            p95 = res.value("repl", k + "_p95_us")
            p95_text = NOT_RUN if p95 is None or bound is None else "%s (%s)" % (
                ms(p95), "within" if p95 / 1000.0 <= bound else "beyond")
            rows.append(["%s req %d / res %d, n=%d" % (name, req, rs, n), label,
                         "%d" % cnt if cnt else "0", ms(res.value("repl", k + "_min_us")),
                         ms(res.value("repl", k + "_med_us")),
                         ms(res.value("repl", k + "_mean_us")), p95_text, ms(mx),
                         " / ".join(ms(v) for v in steps) if None not in steps else NOT_RUN,
                         "%.1f" % pm if pm else "-", goal])
    OUT.table(["setting (ms), APs", "paper", "replacements", "min", "median", "mean",
               "95th percentile (bound)", "max",
               "longest of each step: create / boundary / hand over / take / ready / move",
               "paper max", "goal: max <= bound"], rows)
    load = res.raw("repl", "host_loadavg")
    OUT.note("The host's load average (1 min) around this boot: %s on %d processors. QEMU "
             "emulates in software and the guest's clock is the host's, so a stretch in which "
             "the host runs other work instead of this QEMU lands in whatever interval the guest "
             "is timing; the step column shows where the longest ones fell."
             % (load or "?", os.cpu_count() or 0))


def table_repl_resp(res):
    """Response times with and without replacement (figures 9 and 10)."""
    OUT.section("Q. Live server replacement: response time (issue 15, AnT figures 9-10)")
    OUT.note("The same runs: every AP request's response time without replacement (t0: their "
             "mean) and with replacements; milliseconds, mean / max, and the difference of the "
             "maxima. Paper (request work 10 ms, result 1 ms): 1 AP 31 ms without, 38.4 ms "
             "max with (+7.4, the base time); 6 APs 106 ms and 123 ms max (+17). Goal for one "
             "AP, as the paper finds: the maxima differ by at most the base replacement time "
             "plus the longest work a replacement waits for (table P's bound).")
    base = res.value("repl", "repl_base_med_us")
    paper = {("A", 1): "31 / 38.4 (+7.4)", ("R10", 1): "31 / 38.4 (+7.4)",
             ("A", 6): "106 / 123 (+17)", ("R10", 6): "106 / 123 (+17)",
             ("R20", 7): "(+7.4)"}
    rows = []
    for name, req, rs, label, ns in repl_settings(res):
        for n in ns:
            k0, k1 = "repl_%s_n%d_norepl_resp" % (name, n), "repl_%s_n%d_repl_resp" % (name, n)
            m0, m1 = res.value("repl", k0 + "_max_us"), res.value("repl", k1 + "_max_us")
            diff = None if m0 is None or m1 is None else m1 - m0
            lost = res.value("repl", "repl_%s_n%d_lost" % (name, n))
            goal = "-"
            if n == 1 and diff is not None and base is not None:
                bound = repl_bound(base / 1000.0, req, rs)
                goal = "%+.1f <= %.1f: %s" % (diff / 1000.0, bound,
                                              "met" if diff / 1000.0 <= bound else "not met")
            rows.append(["%s req %d / res %d, n=%d" % (name, req, rs, n),
                         "%s / %s" % (ms(res.value("repl", k0 + "_mean_us")), ms(m0)),
                         "%s / %s" % (ms(res.value("repl", k1 + "_mean_us")), ms(m1)),
                         NOT_RUN if diff is None else "%+.1f" % (diff / 1000.0),
                         paper.get((name, n), "-"),
                         NOT_RUN if lost is None else "%d" % lost, goal])
    OUT.table(["setting (ms), APs", "without: mean / max", "with: mean / max",
               "max difference", "paper", "requests lost", "goal (1 AP): difference <= bound"],
              rows)


def table_repl_base(res):
    """The base replacement time, its steps, and replacements under load."""
    OUT.section("R. Live server replacement: base time and 1000 replacements under load "
                "(issue 15)")
    steps = ("new server created", "old server at a request boundary", "state handed over",
             "state taken", "new server ready", "moved (the result)")
    base = res.value("repl", "repl_base_med_us")
    goal = NOT_RUN if base is None else "%.2f ms: %s" % (
        base / 1000.0, "met" if base <= 1000 else "not met")
    OUT.note("The model's server replaced with nobody calling it (%s times): request to "
             "result, as t_repl_request reports it; the paper's is 7.4 ms on a Core i7. The "
             "median time of each step follows." % (res.raw("repl", "repl_base_n") or "?"))
    rows = [["base replacement time", "7.4", cell(res, "repl", "repl_base_med_us", 1000, "ms"),
             "%s / %s / %s" % (ms(res.value("repl", "repl_base_min_us")),
                               ms(res.value("repl", "repl_base_mean_us")),
                               ms(res.value("repl", "repl_base_max_us"))), goal]]
    for i, what in enumerate(steps):
        v = res.value("repl", "repl_base_step%d_med_us" % i)
        rows.append(["  step: " + what, "-", NOT_RUN if v is None else "%.3f ms" % (v / 1000.0),
                     "-", "-"])
    OUT.table(["", "paper (ms)", "Tessera median [fastest-slowest]", "min / mean / max (ms)",
               "goal: base <= 1 ms"], rows)
    n, calls = res.value("repl", "repl_load_replacements"), res.value("repl", "repl_load_calls")
    served, wrong = res.value("repl", "repl_load_served"), res.value("repl", "repl_load_wrong")
    bad = res.value("repl", "repl_load_bad")
    ok = None not in (n, calls, served, wrong, bad)
    verdict = NOT_RUN if not ok else "%s" % (
        "met" if n >= 1000 and calls == served and wrong == 0 and bad == 0 else "not met")
    OUT.note("Under load: the model's server and driver replaced 1000 times, alternately, while "
             "four APs call the server without pause (no work settings); every answer checked "
             "by its AP, the server's count of requests answered carried in its state across "
             "every replacement. tools/repl_suite.py (make repl-test, and 1000 times in make "
             "bench-replace) does the same with the ext2 server and the block drivers.")
    OUT.table(["replacements", "AP calls", "answered (server's count)", "wrong answers",
               "server failures", "replacement time med / max (ms)",
               "goal: 1000 replacements, nothing lost"],
              [[NOT_RUN if n is None else "%d" % n, NOT_RUN if calls is None else "%d" % calls,
                NOT_RUN if served is None else "%d" % served,
                NOT_RUN if wrong is None else "%d" % wrong, NOT_RUN if bad is None else "%d" % bad,
                "%s / %s" % (ms(res.value("repl", "repl_load_time_med_us")),
                             ms(res.value("repl", "repl_load_time_max_us"))), verdict]])
    table_repl_net(res)


def table_repl_net(res):
    """The network server replaced idle and with connections moving data (its state: the
    stack's heap mapping, the root ICA, the virtio-net rings' ICA)."""
    def ms2(v):
        return NOT_RUN if v is None else "%.2f" % (v / 1000.0)
    rows = []
    for key, what in (("idle", "no socket open"),
                      ("busy", "8 loopback TCP connections moving data both ways")):
        k = "repl_net_" + key
        steps = [res.value("repl", "%s_step%d_med_us" % (k, i)) for i in range(6)]
        n = res.value("repl", k + "_n")
        rows.append([what, NOT_RUN if n is None else "%d" % n, ms2(res.value("repl", k + "_med_us")),
                     "%s / %s / %s" % (ms2(res.value("repl", k + "_min_us")),
                                       ms2(res.value("repl", k + "_p95_us")),
                                       ms2(res.value("repl", k + "_max_us"))),
                     " / ".join(ms2(v) for v in steps) if None not in steps else NOT_RUN])
    pump = res.value("repl", "repl_net_busy_pump_ok")
    OUT.note("The network server (servers/net: TCP/IP stack and virtio-net driver in one "
             "process) replaced by /bin/repl_bench at priority 1, 20 ms apart: with nothing "
             "open, and while a child moves data both ways over 8 loopback TCP connections "
             "(Linux sockets, every byte checked: %s). Its state is three pieces: the root ICA, "
             "the NIC's rings and buffers (an ICA the device keeps DMAing into) and the 48 MiB "
             "mapping of the stack's heap. For comparison, tools/repl_suite.py's 1000 "
             "replacements under load (docs/replacement.md): ext2 server median 1.4 ms, block "
             "drivers 0.85-0.89 ms." % (NOT_RUN if pump is None else
                                         "every byte right" if pump else "FAILED"))
    OUT.table(["network server replaced with", "replacements", "median (ms)",
               "min / 95th percentile / max (ms)",
               "median of each step: create / boundary / hand over / take / ready / move (ms)"],
              rows)


def repl_tables(res):
    table_repl_time(res)
    table_repl_resp(res)
    table_repl_base(res)


def print_tables(res, tessera=True):
    """Every table, printed and kept in OUT; the Tessera-only ones when tessera is true."""
    table(res.src["tess"], res.src["linux"])
    if tessera:
        hvs_tables(res)
        table_e(res)
        table_f(res)
        table_g(res)
        table_h(res)
        table_i(res)
        table_j(res)
        table_k(res)
        table_l(res)
        table_m(res)
        table_n(res)
        table_p(res)
        repl_tables(res)


def git_commit():
    """Tessera's commit, with "-dirty" when the work tree differs from it; "?" outside git."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        head = subprocess.run(["git", "-C", here, "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", here, "diff", "--quiet", "HEAD", "--"],
                               capture_output=True).returncode != 0
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return head + ("-dirty" if dirty else "")


def qemu_version(cmd):
    try:
        out = subprocess.run([shlex.split(cmd)[0], "--version"], capture_output=True,
                             text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"
    return out.splitlines()[0] if out else "?"


def program_sizes(args):
    """Bytes of the programs table C names, as put into the images."""
    paths = {label: os.path.join(args.root, "bin", label) for label, _ in PROGRAMS}
    paths["busybox"] = args.busybox
    paths["bench"] = os.path.join(args.root, "bin", "bench")
    sizes = {}
    for label, path in paths.items():
        try:
            sizes[label] = os.path.getsize(path)
        except OSError:
            pass
    return sizes


def run_meta(args, started, linux):
    """How the run was made: what results.json records beside the numbers."""
    linux_cmd = "%s -kernel %s -initrd %s -append %s" % (
        args.qemu_base, args.linux_kernel, args.linux_initrd, shlex.quote(LINUX_APPEND))
    return {"date": started, "tessera_commit": git_commit(),
            "linux_kernel": (linux or {}).get("kernel", "?"),
            "linux_kernel_file": os.path.basename(args.linux_kernel),
            "qemu_version": qemu_version(args.qemu_base),
            "qemu_linux": linux_cmd, "qemu_tessera": args.tessera,
            "qemu_tessera_nproc": with_memory(args.tessera, NPROC_MEM) if args.tessera else None,
            "host": " ".join(platform.uname())}


def write_json(path, meta, res, ok):
    """results.json: every BENCH value of every boot (the _runs keys hold the runs behind a
    median), the program sizes, how the run was made, and each table with its verdicts."""
    data = {"format": 1, "meta": meta, "ok": ok, "values": res.src, "sizes": res.sizes,
            "tables": OUT.sections}
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(path + ".tmp", path)
    print("bench: raw numbers in %s" % path)


def replay(args):
    """--replay FILE: the tables again from a saved results.json (no boot)."""
    with open(args.replay) as f:
        data = json.load(f)
    vals = data["values"]
    res = Results(*(vals.get(k) for k in Results.SOURCES), sizes=data.get("sizes"))
    print_tables(res, bool(data["meta"].get("qemu_tessera")))
    if args.json:
        write_json(args.json, data["meta"], res, data.get("ok", False))
    return 0


def boot_all(args):
    """Every boot; (ok, Results)."""
    ok = True
    linux, lsec = boot_linux(args)
    if linux is None:
        print("bench: the Linux boot did not produce its numbers")
        ok = False
    if any(key not in lsec.get(prog, {}) for prog, key in LINUX_EXTRA):
        ok = False
    tess, hvs, ipc, meta, rm, nproc, srv, blk, disk, ldisk, repl = (None,) * 11
    if args.tessera:
        boot = boot_tessera_prompt(args)
        run = boot_tessera_bench(args)
        hvs = boot_tessera_run(args, "hvs_bench", "bench-tessera-hvs", r"BENCH hvs_done",
                               "move_new_0mib_us")
        ipc = boot_tessera_run(args, "ipcbench", "bench-tessera-ipc", r"BENCH DONE",
                               "cbox_rt_ns_1")
        meta = boot_tessera_run(args, "meta_bench", "bench-tessera-meta", r"BENCH meta_done",
                                "chspace_reusable_us")
        rm = boot_tessera_run(args, "runmode_bench", "bench-tessera-runmode", r"BENCH DONE",
                              "rm_switch_to_umode_ns")
        nproc = boot_tessera_run(argparse.Namespace(tessera=with_memory(args.tessera, NPROC_MEM)),
                                 "nproc_bench", "bench-tessera-nproc", r"BENCH nproc_done",
                                 "nproc_create_4000_us")
        srv = boot_tessera_run(args, "srv_bench", "bench-tessera-srv", r"BENCH srv_done",
                               "srv_null_rt_ns")
        blk = boot_tessera_run(argparse.Namespace(tessera=" ".join(
            shlex.quote(a) for a in with_scratch_disk(shlex.split(args.tessera)))),
            "blk_bench", "bench-tessera-blk", r"BENCH blk_done", "blk_read_fn_kibps")
        disk, ldisk = disk_bench.measure(shlex.split(args.tessera),
                                         os.path.join(args.root, "bin", "disk_bench"), DISK_RUNS)
        repl = boot_repl(args, False)
        if boot is None or run is None or hvs is None or ipc is None or meta is None or \
                rm is None or nproc is None or srv is None or blk is None or \
                not disk or not ldisk or repl is None:
            print("bench: a Tessera boot did not produce its numbers")
            ok = False
        tess = dict(run or {}, **(boot or {}))
    for name, res in (("Linux " + (linux or {}).get("kernel", ""), linux), ("Tessera", tess)):
        if res:
            print("%s: spawn = %s; runs (sorted): getpid_ns %s; spawn_us %s" % (
                name, res.get("spawn_method"), res.get("getpid_ns_runs"),
                res.get("spawn_us_runs")))
    return ok, Results(tess, hvs, ipc, linux, meta, rm, lsec.get("meta_bench"),
                       lsec.get("runmode_bench"), nproc, srv, blk, lsec.get("blk_bench"),
                       disk, ldisk, repl, sizes=program_sizes(args))


REPL_FULL_TIMEOUT = 3600


def boot_repl(args, full):
    """The replacement benchmark's boot: the reduced run, or the paper's full one."""
    global BENCH_TIMEOUT
    saved = BENCH_TIMEOUT
    if full:
        BENCH_TIMEOUT = REPL_FULL_TIMEOUT
    before = os.getloadavg()[0]
    try:
        res = boot_tessera_run(args, "repl_bench" + (" -- -full" if full else ""),
                               "bench-tessera-repl" + ("-full" if full else ""),
                               r"BENCH repl_done", "repl_base_med_us")
    finally:
        BENCH_TIMEOUT = saved
    if res is not None:
        res["host_loadavg"] = "%.1f-%.1f" % (before, os.getloadavg()[0])
    return res


def repl_full(args):
    """--repl-full: only the replacement benchmark, with the paper's settings (tables P-R)."""
    res = boot_repl(args, True)
    results = Results(None, None, None, None, repl=res)
    repl_tables(results)
    if args.json:
        write_json(args.json, {"date": datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S UTC"), "tessera_commit": git_commit(),
            "qemu_tessera": args.tessera}, results, res is not None)
    return 0 if res is not None else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu-base", help="QEMU command without kernel/initrd")
    ap.add_argument("--linux-kernel")
    ap.add_argument("--linux-initrd")
    ap.add_argument("--tessera", help="full QEMU command booting Tessera (omit: Linux only)")
    ap.add_argument("--root", default="build/root", help="Tessera's staging tree (sizes)")
    ap.add_argument("--busybox", default="/bin/busybox", help="the busybox in both images")
    ap.add_argument("--json", help="write the raw numbers and tables here (results.json)")
    ap.add_argument("--replay", metavar="RESULTS_JSON",
                    help="no boot: print the tables of a saved results.json (again)")
    ap.add_argument("--repl-full", action="store_true",
                    help="only the replacement benchmark with the AnT paper's full settings")
    args = ap.parse_args()
    if args.replay:
        return replay(args)
    if args.repl_full:
        return repl_full(args)
    if not (args.qemu_base and args.linux_kernel and args.linux_initrd):
        ap.error("--qemu-base, --linux-kernel and --linux-initrd are needed (or --replay)")

    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    ok, res = boot_all(args)
    print_tables(res, bool(args.tessera))
    if args.json:
        write_json(args.json, run_meta(args, started, res.src["linux"]), res, ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
