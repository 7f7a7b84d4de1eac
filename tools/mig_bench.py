#!/usr/bin/env python3
"""make bench-cluster: the migration benchmark (bench/migbench.c, docs/migration.md).

Boots two nodes on one multicast Ethernet (512 MiB each, no disks), starts `migbench sink`
on node 2 and `migbench run 2 RUNS SIZES...` on node 1, and prints, per size of touched
memory: stop-and-copy migration (idle process; and one writing 1 MiB/s), pre-copy migration
of the writing process, total and downtime, next to the raw transfer of the same bytes over
the same TCP/IP stack and link, and to restarting the program from scratch. Medians of RUNS
runs, the cases interleaved run by run. The goals of issue 16, computed from the same run:
  - stop-and-copy within 1.5x of the raw transfer of its memory;
  - pre-copy downtime of the process writing 1 MiB/s in its 64 MiB image at most 1/10 of
    stop-and-copy's (of the same writing process).

  mig_bench.py --qemu "QEMU CMD" [--runs N] [--sizes "0 1 4 16 64"] [--out FILE]
"""
import argparse
import os
import random
import re
import shlex
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_suites import Shell  # noqa: E402
from qemu_run import normalize, Qemu  # noqa: E402
from mig_suite import node_args  # noqa: E402

BENCH = re.compile(r"^BENCH (mig_\S+) (\S+)(?: (\S+) (\S+))?", re.M)


def with_memory(args, mem):
    out = list(args)
    if "-m" in out:
        out[out.index("-m") + 1] = mem
    return out


def collect(qemu, runs, sizes, timeout):
    group = "230.0.0.1:%d" % random.randrange(20000, 60000)
    vms = [Qemu(with_memory(node_args(qemu, n, group, 2), "512M"), "migbench-node%d" % n,
                timeout) for n in (1, 2)]
    shs = [Shell(vm) for vm in vms]
    try:
        for n, (sh, vm) in enumerate(zip(shs, vms), 1):
            if sh.boot() or not vm.expect(r"node: node %d of 2" % n, 60):
                sys.exit("mig_bench: node %d did not come up" % n)
        shs[1].run("vm create sink")
        shs[1].run("vm start sink migbench sink")
        if not vms[1].expect(r"SINK READY", 30):
            sys.exit("mig_bench: no sink on node 2")
        time.sleep(2)
        out = shs[0].run("migbench run 2 %d %s" % (runs, " ".join(map(str, sizes))), timeout)
        if out is None or "BENCH mig_done" not in out:
            sys.exit("mig_bench: migbench did not finish:\n" + normalize(vms[0].text)[-3000:])
        return out
    finally:
        for vm in vms:
            vm.close(True, keep=True)


def table(out, sizes):
    v = {m.group(1): float(m.group(2)) for m in BENCH.finditer(out)}
    rows = []
    head = ("MiB", "raw ms", "sc total", "sc/raw", "scw down", "pre total", "pre down",
            "pre/scw down", "restart ms")
    rows.append(head)
    for s in sizes:
        def g(k):
            return v.get("mig_%s_%d" % (k, s))
        raw, sc, scw, pre_t, pre_d, rs = (g("raw_total"), g("sc_total"), g("scw_down"),
                                          g("pre_total"), g("pre_down"), g("restart_total"))
        ratio = "%.2f" % (sc / raw) if sc and raw else "-"
        dratio = "%.3f" % (pre_d / scw) if pre_d is not None and scw else "-"
        rows.append((str(s),) + tuple("%.1f" % x if x is not None else "-"
                                      for x in (raw, sc)) + (ratio,) +
                    tuple("%.1f" % x if x is not None else "-" for x in (scw, pre_t, pre_d)) +
                    (dratio, "%.1f" % rs if rs is not None else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
    big = max(sizes)
    sc, raw = v.get("mig_sc_total_%d" % big), v.get("mig_raw_total_%d" % big)
    pre_d, scw = v.get("mig_pre_down_%d" % big), v.get("mig_scw_down_%d" % big)
    if sc and raw:
        lines.append("goal: stop-and-copy within 1.5x of raw at %d MiB: %.2fx (%s)" %
                     (big, sc / raw, "met" if sc / raw <= 1.5 else "NOT met"))
    if pre_d is not None and scw:
        lines.append("goal: pre-copy downtime <= 1/10 of stop-and-copy at %d MiB, 1 MiB/s "
                     "written: %.3f (%s)" % (big, pre_d / scw, "met" if pre_d / scw <= 0.1
                                             else "NOT met"))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description="migration benchmark on two nodes")
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="0 1 4 16 64")
    ap.add_argument("--out", default=os.path.join("build", "bench", "mig.txt"))
    ap.add_argument("--timeout", type=int, default=3600)
    cfg = ap.parse_args()
    sizes = [int(x) for x in cfg.sizes.split()]
    out = collect(shlex.split(cfg.qemu), cfg.runs, sizes, cfg.timeout)
    text = table(out, sizes)
    print("Migration to another node (QEMU TCG, two nodes on one host; ms, medians of %d runs)"
          % cfg.runs)
    print(text)
    os.makedirs(os.path.dirname(cfg.out), exist_ok=True)
    with open(cfg.out, "w") as f:
        f.write("\n".join(m.group(0) for m in BENCH.finditer(out)) + "\n\n" + text + "\n")
    print("(BENCH lines and the table in %s)" % cfg.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
