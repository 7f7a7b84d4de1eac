#!/usr/bin/env python3
"""Two `make bench` runs side by side: the ratio B/A of every number both results.json files
have, flagged where the difference is larger than the runs' own spread.

    tools/bench_compare.py A.json B.json [--flagged]

A number is flagged when the fastest-slowest ranges of its runs in A and in B do not overlap
(every run of B slower than every run of A, or faster); numbers printed without their runs
cannot be judged ("no runs"). Medians of one configuration move by 10-30 % between runs on a
loaded host, which is why the ranges, not the ratio, decide. Exit status 0 (it reports).
"""
import argparse
import json
import re
import sys

TIME_KEY = re.compile(r"_(ns|us|s)(_\d+)?$")     # cbox_rt_ns_64, spawn_us, boot_s


def median_and_range(values, key):
    """(median, fastest, slowest) of key, or None when it is not a number."""
    try:
        med = float(values[key])
    except (KeyError, TypeError, ValueError):
        return None
    try:
        runs = [float(x) for x in values.get(key + "_runs", "").split()]
    except ValueError:
        runs = []
    if not runs:
        return med, None, None
    return med, min(runs), max(runs)


def judge(key, a, b):
    """The flag of one number: empty when the ranges overlap."""
    if a[1] is None or b[1] is None:
        return "no runs"
    time = TIME_KEY.search(key) is not None
    if b[1] > a[2]:
        return "B slower" if time else "B higher"
    if b[2] < a[1]:
        return "B faster" if time else "B lower"
    return ""


def num(x):
    return "%.0f" % x if abs(x) >= 1000 else "%.3g" % x


def cell(s):
    return num(s[0]) if s[1] is None else "%s [%s-%s]" % (num(s[0]), num(s[1]), num(s[2]))


def natural(key):
    """Sort key that puts text_4 before text_16 (numbers compared as numbers)."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", key)]


SETTING = re.compile(r"^(runs|os|kernel)$|_(iters|rounds|done|dirty_pages|supported|method|"
                     r"samples_per_visit)$")


def compare(a, b):
    """Rows [boot, key, A, B, B/A, flag], the keys found in only one of the runs, and the
    settings (iterations, sizes, ...) that differ."""
    rows, only, settings = [], {"A": 0, "B": 0}, []
    for src in sorted(set(a["values"]) | set(b["values"])):
        va, vb = a["values"].get(src) or {}, b["values"].get(src) or {}
        for key in sorted(set(va) | set(vb), key=natural):
            if key.endswith("_runs"):
                continue
            sa, sb = median_and_range(va, key), median_and_range(vb, key)
            if SETTING.search(key) or (sa is None and sb is None):
                if va.get(key) != vb.get(key):
                    settings.append("%s %s: A %s, B %s" % (src, key, va.get(key, "-"),
                                                           vb.get(key, "-")))
                continue
            if sa is None or sb is None:
                only["B" if sa is None else "A"] += 1
                continue
            ratio = "%.2f" % (sb[0] / sa[0]) if sa[0] else "-"
            rows.append([src, key, cell(sa), cell(sb), ratio, judge(key, sa, sb)])
    return rows, only, settings


def describe(name, data):
    m = data.get("meta", {})
    return "%s: %s, Tessera %s, Linux %s" % (name, m.get("date", "?"),
                                             (m.get("tessera_commit") or "?")[:12],
                                             m.get("linux_kernel", "?"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--flagged", action="store_true", help="only the flagged numbers")
    args = ap.parse_args()
    with open(args.a) as f:
        a = json.load(f)
    with open(args.b) as f:
        b = json.load(f)
    rows, only, settings = compare(a, b)
    print(describe("A", a))
    print(describe("B", b))
    print("| boot | key | A median [fastest-slowest] | B median [fastest-slowest] | B/A | "
          "ranges apart |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        if not args.flagged or r[5] not in ("", "no runs"):
            print("| " + " | ".join(r) + " |")
    flags = [r[5] for r in rows]
    kinds = sorted(set(f for f in flags if f and f != "no runs"))
    print("%d numbers compared, %d flagged (%s), %d without runs; %d only in A, %d only in B" % (
        len(rows), sum(1 for f in flags if f and f != "no runs"),
        ", ".join("%s: %d" % (k, flags.count(k)) for k in kinds) or "none",
        flags.count("no runs"), only["A"], only["B"]))
    for line in settings:
        print("differs (a setting or a word): " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
