#!/usr/bin/python3
"""The papers' figures, redrawn from a `make bench` run's results.json (SVG and PNG).

    tools/bench_figs.py build/bench/results.json OUTDIR

One figure per paper figure that the tables of tools/bench_report.py reproduce, plus the two
of issue 10 (tables I and J). In each: Tessera's series as the median of its runs with an
error bar from the fastest to the slowest run; Linux's series from the same run where there is
one; the paper's published values, where the paper gives numbers, as black hollow diamonds or
a dashed black line labelled with the paper's machine. Differences and ratios of two medians
(e.g. "saved vs no reuse") are drawn without error bars: they are not runs of their own.

Needs Debian's python3-matplotlib, which only Debian's own /usr/bin/python3 can import (a
python3 of pyenv or a venv earlier on PATH cannot): hence the #! line above.
Only what is in the JSON is used, so an old run's figures can be redrawn without booting.
"""
import json
import os
import sys

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullLocator
except ImportError:
    sys.exit("bench_figs: matplotlib is missing: apt-get install python3-matplotlib (Debian's "
             "package; run this with /usr/bin/python3, which is the python that sees it)")

HVS = "paper (Pentium III 750 MHz)"
META = "paper (its PC)"
DMSM = "paper (Pentium 4 2.6 GHz)"
DMSM_HZ = 2.6e9
TESS = ("#1f5fa8", "#5aa0e6", "#0b2f5c", "#7a56c2")     # Tessera series, darkest first
LINUX = ("#d9731a", "#f0a860")
PAPER = "black"
DPI = 100


class Data:
    """The BENCH values of a results.json: medians and the runs behind them."""

    def __init__(self, results):
        self.values, self.sizes = results["values"], results.get("sizes", {})

    def med(self, src, key):
        try:
            return float(self.values.get(src, {})[key])
        except (KeyError, TypeError, ValueError):
            return None

    def runs(self, src, key):
        text = self.values.get(src, {}).get(key + "_runs")
        try:
            return sorted(float(x) for x in text.split()) if text else None
        except ValueError:
            return None

    def stat(self, src, key, div=1.0):
        """(median, fastest, slowest) divided by div; the median thrice without runs."""
        m = self.med(src, key)
        if m is None:
            return None
        r = self.runs(src, key) or [m]
        return m / div, min(r[0], m) / div, max(r[-1], m) / div


def series(ax, data, xs, src, keys, label, color, div=1.0, marker="o", shift=1.0, **kw):
    """One measured series: the median of each key at its x, an error bar from the fastest to
    the slowest run. Points without a value are left out; returns the medians drawn. shift
    multiplies x a little so that the error bars of series on a log axis do not hide each
    other."""
    pts = [(x * shift, data.stat(src, k, div)) for x, k in zip(xs, keys)]
    pts = [(x, s) for x, s in pts if s is not None]
    if not pts:
        return []
    x = [p[0] for p in pts]
    y = [p[1][0] for p in pts]
    err = [[s[0] - s[1] for _, s in pts], [s[2] - s[0] for _, s in pts]]
    ax.errorbar(x, y, yerr=err, label=label, color=color, marker=marker, capsize=3,
                markersize=5, linewidth=1.4, **kw)
    return y


def paper_points(ax, xs, ys, label):
    ax.plot(xs, ys, linestyle="none", marker="D", markersize=8, markerfacecolor="none",
            markeredgecolor=PAPER, markeredgewidth=1.5, label=label)


def paper_line(ax, y, label, xmin=0.0, xmax=1.0):
    ax.axhline(y, xmin=xmin, xmax=xmax, color=PAPER, linestyle="--", linewidth=1.3, label=label)


def diff_series(ax, xs, a, b, label, color, marker="s"):
    """a - b of two lists of medians (None where missing), no error bars; on a linear axis,
    since a difference can be negative."""
    pts = [(x, p - q) for x, p, q in zip(xs, a, b) if p is not None and q is not None]
    ax.axhline(0, color="0.6", linewidth=0.8)
    if pts:
        ax.plot([p[0] for p in pts], [p[1] for p in pts], color=color, marker=marker,
                linewidth=1.4, label=label)


def log2_axis(ax, ticks, labels):
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels(labels)


def log_y(ax):
    """A log y axis labelled with plain numbers (1, 2, 5, 10, 20, ...), readable at a glance."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "%g" % v))


def finish(ax, xlabel, ylabel, legend=True):
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)


def meds(data, src, keys, div=1.0):
    return [None if data.med(src, k) is None else data.med(src, k) / div for k in keys]


def bars(ax, data, groups, names, colors, div=1.0, dots=False):
    """Grouped bars: groups = [(group label, [(src, key) or None per name])]; error bars from
    the runs. dots: markers instead of bars (on a log axis a bar's length means nothing).
    Returns the x centre of each group."""
    span = 0.5 if dots else 0.8
    width = span / len(names)
    centres = list(range(len(groups)))
    for j, (name, color) in enumerate(zip(names, colors)):
        xs, ys, lo, hi = [], [], [], []
        for i, (_, cells) in enumerate(groups):
            s = data.stat(*cells[j], div=div) if cells[j] else None
            if s is None:
                continue
            xs.append(i - span / 2 + width * (j + 0.5))
            ys.append(s[0])
            lo.append(s[0] - s[1])
            hi.append(s[2] - s[0])
        if xs and dots:
            ax.errorbar(xs, ys, yerr=[lo, hi], capsize=3, color=color, label=name,
                        marker="o", linestyle="none", markersize=6)
        elif xs:
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, color=color, label=name,
                   error_kw={"elinewidth": 1})
    ax.set_xticks(centres)
    ax.set_xticklabels([g[0] for g in groups])
    return centres


def no_numbers(ax, text="the paper gives no numbers for this figure"):
    ax.text(0.5, 0.97, text, transform=ax.transAxes, ha="center", va="top", fontsize=8,
            color="0.35")


# ---- HVS (seed 002 section 5; tables A-D) -------------------------------------------------

MSG_SIZES = (1, 64, 1024, 4096)
MOVE_MIB = (0, 1, 4, 16, 64)


def hvs_fig5(data, fig):
    ax, ax2 = fig.subplots(1, 2)
    keys = {k: [k % n for n in MSG_SIZES] for k in
            ("cbox_rt_same_ns_%d", "cbox_rt_ns_%d", "pipe_rt_ns_%d", "pipe_rt_thread_ns_%d")}
    series(ax, data, MSG_SIZES, "ipc", keys["cbox_rt_same_ns_%d"],
           "Tessera container box, same space", TESS[0], 1000)
    series(ax, data, MSG_SIZES, "ipc", keys["cbox_rt_ns_%d"],
           "Tessera container box, different spaces", TESS[1], 1000)
    series(ax, data, MSG_SIZES, "tess", keys["pipe_rt_ns_%d"], "Tessera pipe, two processes",
           TESS[3], 1000, marker="^", linestyle=":")
    series(ax, data, MSG_SIZES, "linux", keys["pipe_rt_ns_%d"], "Linux pipe, two processes",
           LINUX[0], 1000, marker="^")
    series(ax, data, MSG_SIZES, "linux", keys["pipe_rt_thread_ns_%d"],
           "Linux pipe, two threads", LINUX[1], 1000, marker="v", linestyle=":")
    log_y(ax)
    log2_axis(ax, MSG_SIZES, ["1", "64", "1K", "4K"])
    ax.set_title("round trip", fontsize=10)
    finish(ax, "message size (bytes)", "time per round trip (us)")
    diff_series(ax2, MSG_SIZES, meds(data, "ipc", keys["cbox_rt_ns_%d"], 1000),
                meds(data, "ipc", keys["cbox_rt_same_ns_%d"], 1000),
                "Tessera: different spaces - same space", TESS[0])
    paper_line(ax2, 4.0, HVS + ": about 4 us at every size")
    ax2.set_ylim(bottom=0)
    log2_axis(ax2, MSG_SIZES, ["1", "64", "1K", "4K"])
    ax2.set_title("what one space saves", fontsize=10)
    finish(ax2, "message size (bytes)", "different - same space (us)")


def hvs_fig6(data, fig):
    ax, ax2 = fig.subplots(1, 2)
    ex = ["move_existing_%dmib_us" % m for m in MOVE_MIB]
    new = ["move_new_%dmib_us" % m for m in MOVE_MIB]
    series(ax, data, MOVE_MIB, "hvs", ex, "Tessera: into an existing space", TESS[0])
    series(ax, data, MOVE_MIB, "hvs", new, "Tessera: into a new space", TESS[1])
    paper_line(ax, 100, HVS + ": into an existing space < 100 us")
    log_y(ax)
    ax.set_title("procmove", fontsize=10)
    finish(ax, "heap touched beyond the program's image (MiB)", "time per move (us)")
    diff_series(ax2, MOVE_MIB, meds(data, "hvs", new), meds(data, "hvs", ex),
                "Tessera: new - existing space", TESS[0])
    paper_line(ax2, 700, HVS + ": about 700 us to make the space")
    ax2.set_ylim(top=1000)
    ax2.set_title("what an existing space saves", fontsize=10)
    finish(ax2, "heap touched beyond the program's image (MiB)", "new - existing space (us)")


CREATE_PROGS = ("true", "utest", "busybox")


def kib_of(data, name):
    size = data.sizes.get(name)
    return None if size is None else max(size / 1024.0, 1.0)


def hvs_fig7(data, fig):
    ax, ax2 = fig.subplots(1, 2)
    progs = [p for p in CREATE_PROGS if kib_of(data, p)]
    xs = [kib_of(data, p) for p in progs]
    ex = ["create_existing_%s_us" % p for p in progs]
    new = ["create_new_%s_us" % p for p in progs]
    series(ax, data, xs, "hvs", ex, "Tessera: into an existing space", TESS[0])
    series(ax, data, xs, "hvs", new, "Tessera: into a new space", TESS[1])
    bench_kib = kib_of(data, "bench")
    if bench_kib:
        series(ax, data, [bench_kib], "tess", ["spawn_us"],
               "Tessera: /bin/bench (static, not PIE: a new space)", TESS[3], marker="s")
        lx = [(bench_kib, "spawn_us")]
        if kib_of(data, "busybox"):
            lx.append((kib_of(data, "busybox"), "spawn_busybox_us"))
        series(ax, data, [x for x, _ in lx], "linux", [k for _, k in lx],
               "Linux posix_spawn+waitpid, same file", LINUX[0], marker="^", linestyle="none")
    for x, p in zip(xs + ([bench_kib] if bench_kib else []), progs + ["bench"]):
        ax.annotate(p, (x, 1), xycoords=("data", "axes fraction"), xytext=(0, -2),
                    textcoords="offset points", ha="center", va="top", fontsize=7,
                    color="0.35")
    ax.set_xscale("log")
    log_y(ax)
    ax.set_title("proccreate + exit + wait", fontsize=10)
    finish(ax, "program file size (KiB)", "time (us)")
    diff_series(ax2, xs, meds(data, "hvs", new), meds(data, "hvs", ex),
                "Tessera: new - existing space", TESS[0])
    paper_line(ax2, 700, HVS + ": an existing space saves 700-800 us")
    paper_line(ax2, 800, None)
    ax2.set_xscale("log")
    ax2.set_xlim(ax.get_xlim())
    ax2.set_ylim(top=1000)
    ax2.set_title("what an existing space saves", fontsize=10)
    finish(ax2, "program file size (KiB)", "new - existing space (us)")


def hvs_table2(data, fig):
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    groups = [("Tessera\nhvs_bench, PCID off", [("hvs", "switch_same_pcid0_ns"),
                                                ("hvs", "switch_cross_pcid0_ns")]),
              ("Tessera\nsched_yield (/bin/bench)", [("tess", "yield_thread_ns"),
                                                     ("tess", "yield_proc_ns")]),
              ("Linux\nsched_yield (/bin/bench)", [("linux", "yield_thread_ns"),
                                                   ("linux", "yield_proc_ns")])]
    bars(ax, data, groups, ["one space (Linux: two threads)",
                            "different spaces (Linux: two processes)"], TESS[:2], 1000)
    paper_points(ax, [-0.2, 0.2], [4.885, 6.102], HVS + ": 4.885 / 6.102 us")
    ax.set_title("time per switch", fontsize=10)
    finish(ax, "", "time per switch (us)")
    names, ratios = [], []
    for label, cells in groups:
        a, b = data.med(*cells[0]), data.med(*cells[1])
        if a is not None and b:
            names.append(label)
            ratios.append(a / b)
    ax2.bar(range(len(names)), ratios, 0.5, color=TESS[0])
    ax2.set_xticks(range(len(names)))
    ax2.set_xticklabels(names, fontsize=8)
    paper_line(ax2, 0.80, HVS + ": 0.80")
    ax2.set_ylim(0, 1.05)
    ax2.set_title("one space / different spaces", fontsize=10)
    finish(ax2, "", "ratio of the medians")


# ---- metamorphosis (seed 000 section 5; tables E and G) --------------------------------------

TEXT_KIBS = (4, 16, 64, 256, 1024)
KIB_LABELS = ["4K", "16K", "64K", "256K", "1M"]


def chprog(data, fig, kind, label, paper=None):
    """A change-of-program figure: no reuse against one kind of reuse by text size (left), and
    what that reuse saves (right) next to what the paper says it saves."""
    ax, ax2 = fig.subplots(1, 2)
    base = ["chprog_noreuse_%dk_us" % k for k in TEXT_KIBS]
    keys = ["chprog_%s_%dk_us" % (kind, k) for k in TEXT_KIBS]
    series(ax, data, TEXT_KIBS, "meta", base, "Tessera: no reuse", TESS[1], linestyle="--",
           shift=0.93)
    series(ax, data, TEXT_KIBS, "meta", keys, "Tessera: " + label, TESS[0])
    series(ax, data, TEXT_KIBS, "lmeta", ["linux_forkexec_%dk_us" % k for k in TEXT_KIBS],
           "Linux fork+execve+waitpid", LINUX[0], marker="^", shift=1.07)
    log_y(ax)
    log2_axis(ax, TEXT_KIBS, KIB_LABELS)
    ax.set_title("change of program", fontsize=10)
    finish(ax, "text size of the new program (bytes)", "time (us)")
    diff_series(ax2, TEXT_KIBS, meds(data, "meta", base), meds(data, "meta", keys),
                "Tessera: no reuse - " + label, TESS[0])
    if paper:
        paper(ax2)
    log2_axis(ax2, TEXT_KIBS, KIB_LABELS)
    ax2.set_title("what the reuse saves" + ("" if paper else " (the paper gives no numbers)"),
                  fontsize=10)
    finish(ax2, "text size of the new program (bytes)", "saved against no reuse (us)")


def paper_text_reuse(ax):
    paper_points(ax, [4, 32], [28, 198],
                 META + ", fig 10: text-region reuse\nsaves ~28 us at 4 KB, ~198 us at 32 KB")


def paper_data_reuse(ax):
    paper_points(ax, [4], [28], META + ": data reuse saves ~28 us at 4 KB")
    ax.hlines(54, 8, 1024, colors=PAPER, linestyles="--", linewidth=1.3,
              label=META + ": ~54 us from 8 KB on")


def meta_fig9_10(data, fig):
    chprog(data, fig, "program", "program + text reuse", paper_text_reuse)


def meta_fig11(data, fig):
    chprog(data, fig, "sharing", "text shared with a live process")


def meta_fig12(data, fig):
    chprog(data, fig, "regions", "data/BSS/stack region reuse", paper_data_reuse)


def meta_fig13(data, fig):
    chprog(data, fig, "keeptext", "same program, text kept")


def meta_fig14(data, fig):
    chprog(data, fig, "keepboth", "same program, text and data kept")


CHPROG_ALL = (("noreuse", "no reuse"), ("program", "program + text reuse"),
              ("regions", "region reuse"), ("sharing", "text sharing"), ("all", "all reuse"),
              ("keeptext", "text kept"), ("keepboth", "text + data kept"))


def meta_table_e(data, fig):
    ax = fig.subplots(1, 1)
    colors = plt.get_cmap("tab10").colors
    for i, (kind, label) in enumerate(CHPROG_ALL):
        series(ax, data, TEXT_KIBS, "meta", ["chprog_%s_%dk_us" % (kind, k) for k in TEXT_KIBS],
               label, colors[i % len(colors)], elinewidth=0.6, shift=1 + (i - 3) * 0.03)
    series(ax, data, TEXT_KIBS, "lmeta", ["linux_forkexec_%dk_us" % k for k in TEXT_KIBS],
           "Linux fork+execve+waitpid", "black", marker="^", linestyle=":", shift=1.12)
    log_y(ax)
    log2_axis(ax, TEXT_KIBS, KIB_LABELS)
    finish(ax, "text size of the new program (bytes)", "time (us)", legend=False)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))


def meta_fig15(data, fig):
    ax, ax2 = fig.subplots(1, 2)
    kinds = (("new", "a new space"), ("existing", "an existing space"),
             ("reusable", "a reusable space"))
    bars(ax, data, [(label, [("meta", "chspace_%s_us" % k)]) for k, label in kinds],
         ["Tessera"], TESS[:1], dots=True)
    log_y(ax)
    ax.set_title("change of space of a /bin/text_4 process", fontsize=10)
    finish(ax, "", "time (us)")
    new = data.med("meta", "chspace_new_us")
    ratios = [(label, data.med("meta", "chspace_%s_us" % k) / new) for k, label in kinds
              if new and data.med("meta", "chspace_%s_us" % k) is not None]
    ax2.bar(range(len(ratios)), [r for _, r in ratios], 0.5, color=TESS[0], label="Tessera")
    ax2.set_xticks(range(len(ratios)))
    ax2.set_xticklabels([n for n, _ in ratios])
    paper_line(ax2, 0.5, META + ": about half (~380 us less)")
    ax2.set_ylim(0, 1.1)
    ax2.set_title("against a new space", fontsize=10)
    finish(ax2, "", "/ time into a new space")


# ---- DMSM (seed 004 section 4; table H) -----------------------------------------------------

RM_CALLS = (("getpid", 34), ("read", 80), ("write", 81), ("brk", 57))


def percent_axis(ax, ys):
    """0 to a little above 100 % or the highest bar, with 100 % (no gain) marked."""
    ax.axhline(100, color="0.6", linewidth=0.8)
    ax.set_ylim(0, max([115.0] + [y * 1.12 for y in ys]))


def dmsm_fig7(data, fig):
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    groups = [(c, [("rm", "rm_%s_trap_ns" % c), ("rm", "rm_%s_call_ns" % c),
                   ("rm", "rm_%s_ssyscall_ns" % c), ("lrm", "rm_%s_trap_ns" % c)])
              for c, _ in RM_CALLS]
    bars(ax, data, groups, ["Tessera Umode trap", "Tessera Smode call",
                            "Tessera Smode syscall (unmodified)", "Linux syscall"],
         [TESS[1], TESS[0], TESS[3], LINUX[0]], dots=True)
    log_y(ax)
    ax.set_title("time per call", fontsize=10)
    finish(ax, "system call", "time per call (ns)")
    xs, ys = [], []
    for i, (c, _) in enumerate(RM_CALLS):
        trap, call = data.med("rm", "rm_%s_trap_ns" % c), data.med("rm", "rm_%s_call_ns" % c)
        if trap and call is not None:
            xs.append(i)
            ys.append(100.0 * call / trap)
    ax2.bar(xs, ys, 0.5, color=TESS[0], label="Tessera: Smode call / Umode trap")
    paper_points(ax2, range(len(RM_CALLS)), [p for _, p in RM_CALLS],
                 DMSM + ":\ncall / trap (sbrk for brk)")
    ax2.set_xticks(range(len(RM_CALLS)))
    ax2.set_xticklabels([c for c, _ in RM_CALLS])
    percent_axis(ax2, ys)
    ax2.set_title("the call form against the trap", fontsize=10)
    finish(ax2, "system call", "call / trap (%)")


def dmsm_fig8(data, fig):
    ax = fig.subplots(1, 1)
    groups = [("switch_supervisor(0)\nUmode -> Smode", [("rm", "rm_switch_to_smode_ns")]),
              ("switch_user(0)\nSmode -> Umode", [("rm", "rm_switch_to_umode_ns")]),
              ("one switch of a\nback-to-back pair", None),
              ("getpid trap,\nsame loop", [("rm", "rm_switch_loop_getpid_ns")])]
    pair = data.stat("rm", "rm_switch_pair_ns", 2.0)
    bars(ax, data, [g for g in groups if g[1]], ["Tessera"], TESS[:1])
    labels = [g[0] for g in groups if g[1]]
    if pair:
        i = len(labels)
        ax.bar([i], [pair[0]], 0.8, yerr=[[pair[0] - pair[1]], [pair[2] - pair[0]]],
               capsize=3, color=TESS[1], label="Tessera: pair / 2")
        labels.append(groups[2][0])
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, fontsize=8)
    paper_points(ax, [0, 1], [1200 / DMSM_HZ * 1e9, 1100 / DMSM_HZ * 1e9],
                 DMSM + ":\n~1200 / ~1100 clocks, as ns")
    finish(ax, "", "time per call (ns)")


def dmsm_fig9(data, fig):
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    groups = [("%d files" % n, [("rm", "rm_ls%d_umode_us" % n), ("rm", "rm_ls%d_smode_us" % n),
                                ("lrm", "rm_ls%d_umode_us" % n)]) for n in (5, 400)]
    bars(ax, data, groups, ["Tessera Umode", "Tessera Smode", "Linux"],
         [TESS[1], TESS[0], LINUX[0]], dots=True)
    log_y(ax)
    ax.set_title("time per listing", fontsize=10)
    finish(ax, "directory listed", "time per listing (us)")
    xs, ys = [], []
    for i, n in enumerate((5, 400)):
        ratio = data.med("rm", "rm_ls%d_pair_ratio_pm" % n)
        if ratio is not None:
            xs.append(i)
            ys.append(ratio / 10.0)
    ax2.bar(xs, ys, 0.5, color=TESS[0], label="Tessera: Smode / Umode\n(median of per-run ratios)")
    paper_points(ax2, [0, 1], [91, 95], DMSM + ":\nSmode / FreeBSD (5 and 408 files)")
    ax2.set_xticks([0, 1])
    ax2.set_xticklabels(["5 files", "400 files"])
    percent_axis(ax2, ys)
    ax2.set_title("Smode against Umode", fontsize=10)
    finish(ax2, "directory listed", "Smode / Umode (%)")


# ---- issue 10 (tables I and J): no paper figure ------------------------------------------------

FORK_MIB = (1, 8)
NPROC_LEVELS = (10, 1000, 4000)


def fork_fig(data, fig):
    ax = fig.subplots(1, 1)
    dirty = data.values.get("tess", {}).get("fork_dirty_pages") or \
        data.values.get("linux", {}).get("fork_dirty_pages") or "4"
    for src, who, colors in (("tess", "Tessera", TESS), ("linux", "Linux", LINUX)):
        series(ax, data, FORK_MIB, src, ["fork_%dmib_0w_us" % m for m in FORK_MIB],
               who + ": child writes nothing", colors[0])
        series(ax, data, FORK_MIB, src, ["fork_%dmib_%sw_us" % (m, dirty) for m in FORK_MIB],
               "%s: child writes %s pages" % (who, dirty), colors[1], linestyle="--")
    ax.set_xticks(FORK_MIB)
    ax.set_ylim(bottom=0)
    finish(ax, "private memory touched before the fork (MiB)", "fork + exit + wait (us)")


def nproc_fig(data, fig):
    ax = fig.subplots(1, 1)
    ys = series(ax, data, NPROC_LEVELS, "nproc",
                ["nproc_create_%d_us" % n for n in NPROC_LEVELS],
                "Tessera: create + exit + wait of /bin/true", TESS[0])
    if ys:
        ax.axhspan(min(ys), 1.2 * min(ys), color=TESS[1], alpha=0.2,
                   label="goal: every median within 20% of the fastest")
    else:
        no_numbers(ax, "no numbers in this run (the boot failed)")
    ax.set_xscale("log")
    ax.set_xlim(5, 8000)
    ax.xaxis.set_major_locator(FixedLocator(NPROC_LEVELS))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([str(n) for n in NPROC_LEVELS])
    ax.set_ylim(bottom=0)
    finish(ax, "live processes", "time (us)")


class Figure:
    def __init__(self, name, section, title, draw, size, caption):
        self.name, self.section, self.title, self.draw = name, section, title, draw
        self.size, self.caption = size, caption


WIDE, NARROW = (11, 4.4), (7.5, 4.6)
FIGURES = [
    Figure("hvs_fig5_roundtrip", "A", "HVS paper, figure 5: message round trip by size",
           hvs_fig5, WIDE, "Left: time per round trip of a message (log scale). Right: how "
           "much the same space saves over different spaces, against the paper's ~4 us."),
    Figure("hvs_fig6_procmove", "B", "HVS paper, figure 6: procmove by process size",
           hvs_fig6, WIDE, "Left: time to move a process into an existing space and into one "
           "made by the call (log scale). Right: what the existing space saves."),
    Figure("hvs_fig7_proccreate", "C", "HVS paper, figure 7: proccreate by program size",
           hvs_fig7, WIDE, "Left: create + exit + wait by program file size, next to Linux's "
           "posix_spawn of the same file. Right: what an existing space saves; the paper: "
           "700-800 us (dashed lines)."),
    Figure("hvs_table2_switch", "D", "HVS paper, table 2: process switch", hvs_table2, WIDE,
           "Left: time per switch between two processes of one space and of different spaces "
           "(Linux: two threads, two processes). Right: the ratio, against the paper's 0.80."),
    Figure("meta_fig09_10_program", "E",
           "Metamorphosis paper, figures 9-10: change of program, program and text reuse",
           meta_fig9_10, WIDE, "Left: time to change a process's program by the new program's "
           "text size. Right: what the reuse saves against no reuse, next to the paper's."),
    Figure("meta_fig11_sharing", "E",
           "Metamorphosis paper, figure 11: change of program, text shared",
           meta_fig11, WIDE, "The paper: flat whatever the text size, where no reuse grows."),
    Figure("meta_fig12_regions", "E",
           "Metamorphosis paper, figure 12: change of program, data region reuse",
           meta_fig12, WIDE, "Right: what region reuse saves, next to the paper's ~28 us at "
           "4 KB and ~54 us from 8 KB on."),
    Figure("meta_fig13_keeptext", "E",
           "Metamorphosis paper, figure 13: change of program, text kept", meta_fig13, WIDE,
           "The same program again with its text region kept."),
    Figure("meta_fig14_keepboth", "E",
           "Metamorphosis paper, figure 14: change of program, data kept", meta_fig14, WIDE,
           "The same program again with its text and data regions kept."),
    Figure("meta_table_e_all", "E", "Table E: change of program, every kind of reuse",
           meta_table_e, (10, 4.6), "Every column of table E on one plot (log scale)."),
    Figure("meta_fig15_chspace", "G", "Metamorphosis paper, figure 15: change of space",
           meta_fig15, WIDE, "Left: time to move a process into a new, an existing and a "
           "reusable space (log scale). Right: against a new space; the paper: about half."),
    Figure("dmsm_fig7_calls", "H", "DMSM paper, figure 7: system-call times", dmsm_fig7, WIDE,
           "Left: time per call in each form (log scale). Right: the Smode call as a share of "
           "the Umode trap, against the paper's call / FreeBSD trap."),
    Figure("dmsm_fig8_switch", "H", "DMSM paper, figure 8: mode switch calls", dmsm_fig8,
           NARROW, "Each switch call and a getpid trap timed in the same loop; the paper's "
           "clock counts are converted to ns at its 2.6 GHz."),
    Figure("dmsm_fig9_listing", "H", "DMSM paper, figure 9: directory listing (ls)",
           dmsm_fig9, WIDE, "Left: time per listing in Umode, Smode and on Linux (log scale). "
           "Right: Smode / Umode, against the paper's 91 % and 95 %."),
    Figure("fork_table_i", "I", "Table I: fork + exit + wait (copy-on-write fork)", fork_fig,
           NARROW, "Time per fork by touched memory, Tessera and Linux; no paper figure."),
    Figure("nproc_table_j", "J", "Table J: process creation with many live processes",
           nproc_fig, NARROW, "Create + exit + wait with 10, 1000 and 4000 live processes; "
           "the band is the goal (flat within 20 %); no paper figure."),
]


def stamp(fig, meta):
    """Which run a figure shows, in its corner, so a PNG shared alone still says it."""
    text = "Tessera %s, Linux %s, QEMU TCG; %s" % (
        (meta.get("tessera_commit") or "?")[:12], meta.get("linux_kernel", "?"),
        meta.get("date", "?"))
    fig.text(0.995, 0.005, text, ha="right", va="bottom", fontsize=7, color="0.45")


def draw_all(results, outdir):
    """Every figure as OUTDIR/NAME.svg and .png, and OUTDIR/figures.json listing them."""
    os.makedirs(outdir, exist_ok=True)
    data, listing = Data(results), []
    for f in FIGURES:
        fig = plt.figure(figsize=f.size, dpi=DPI)
        f.draw(data, fig)
        fig.suptitle(f.title, fontsize=12)
        stamp(fig, results.get("meta", {}))
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        for ext in ("svg", "png"):
            fig.savefig(os.path.join(outdir, "%s.%s" % (f.name, ext)), dpi=DPI)
        plt.close(fig)
        listing.append({"name": f.name, "section": f.section, "title": f.title,
                        "caption": f.caption})
    with open(os.path.join(outdir, "figures.json"), "w") as out:
        json.dump(listing, out, indent=1)
        out.write("\n")
    return listing


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: %s RESULTS_JSON OUTDIR" % argv[0])
    with open(argv[1]) as f:
        results = json.load(f)
    listing = draw_all(results, argv[2])
    print("bench_figs: %d figures in %s" % (len(listing), argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
