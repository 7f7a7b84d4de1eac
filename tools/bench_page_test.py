#!/usr/bin/env python3
"""The `benchpage` suite of `make test`: from a results.json of a real `make bench` run kept
in tests/bench/, the figures, the tables, the comparison and report.html are made again, and
the page is loaded in a real browser (headless Chromium) that must lay it out and load every
image (naturalWidth > 0). No QEMU boot; about ten seconds.

    tools/bench_page_test.py [--fixture tests/bench/results.json] [--plot-python /usr/bin/python3]
                             [--chromium chromium]

Prints "PASS benchpage: test" / "FAIL benchpage: test: reason" lines and then
"benchpage: N passed, N failed" (counted by tools/guest_suites.py total); exit status 1 on any
failure. Needs Debian's python3-matplotlib and chromium (tools/install-deps.sh).
"""
import argparse
import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

TOOLS = os.path.dirname(os.path.abspath(__file__))
SUITE = "benchpage"
BROWSER_TIMEOUT = 120
# Headless Chromium as root on a machine without a desktop or network (the machine notes).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
# Appended to a copy of the page: once everything has loaded, it writes what it found into
# the page, where --dump-dom shows it.
MARKER_SCRIPT = """<script>
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var good = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  var bad = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); });
  var out = document.createElement("pre");
  out.textContent = "PAGE-TEST images=" + imgs.length + " loaded=" + good.length +
    " tables=" + document.querySelectorAll("table").length +
    " height=" + document.body.scrollHeight +
    " broken=" + bad.map(function (i) { return i.getAttribute("src"); }).join(",") + " END";
  document.body.appendChild(out);
});
</script>
"""
MARKER_RE = re.compile(r"PAGE-TEST images=(\d+) loaded=(\d+) tables=(\d+) height=(\d+) "
                       r"broken=(\S*) END")


class Suite:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, test, ok, reason=""):
        if ok:
            self.passed += 1
            print("PASS %s: %s" % (SUITE, test), flush=True)
        else:
            self.failed += 1
            print("FAIL %s: %s: %s" % (SUITE, test, reason), flush=True)
        return ok


def run(argv, timeout=120):
    """(exit status, stdout + stderr) of a command; status None when it could not start or
    ran out of time (its whole process group is then killed)."""
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)
    except OSError as e:
        return None, str(e)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, "timed out after %d s\n%s" % (timeout, out)
    return proc.returncode, out


def tail(text, n=6):
    return " | ".join(text.strip().splitlines()[-n:])


def check_figures(suite, args, fixture, outdir):
    """The JSON -> figure path: every figure bench_figs lists is drawn as PNG and SVG."""
    figdir = os.path.join(outdir, "figs")
    st, out = run([args.plot_python, os.path.join(TOOLS, "bench_figs.py"), fixture, figdir])
    if not suite.check("figures drawn from the fixture", st == 0,
                       "bench_figs.py failed (%s): %s" % (st, tail(out))):
        return None
    with open(os.path.join(figdir, "figures.json")) as f:
        figs = json.load(f)
    bad = []
    for fig in figs:
        png, svg = (os.path.join(figdir, fig["name"] + ext) for ext in (".png", ".svg"))
        with open(png, "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n" or os.path.getsize(png) < 10000:
                bad.append(png)
        with open(svg, errors="replace") as f:
            if "<svg" not in f.read(4096):
                bad.append(svg)
    suite.check("every figure as PNG and SVG (%d figures)" % len(figs), figs and not bad,
                "missing or broken: %s" % ", ".join(bad) if bad else "no figures listed")
    return figs


def check_tables(suite, fixture):
    """bench_report.py --replay still reads the JSON and prints every table it holds."""
    with open(fixture) as f:
        titles = [s["title"] for s in json.load(f)["tables"]]
    st, out = run([sys.executable, os.path.join(TOOLS, "bench_report.py"), "--replay", fixture])
    missing = [t for t in titles if t not in out]
    suite.check("tables printed again from the fixture (%d)" % len(titles),
                st == 0 and titles and not missing,
                "exit %s, missing %s: %s" % (st, missing, tail(out)))


def check_compare(suite, fixture, outdir):
    """bench_compare.py: a run against itself flags nothing; against a copy where one number
    is three times slower in every run, it flags that number and no other."""
    cmp_tool = os.path.join(TOOLS, "bench_compare.py")
    st, out = run([sys.executable, cmp_tool, fixture, fixture])
    suite.check("compare: a run against itself flags nothing",
                st == 0 and re.search(r"numbers compared, 0 flagged", out), tail(out, 3))
    with open(fixture) as f:
        data = json.load(f)
    slower = copy.deepcopy(data)
    vals = slower["values"]["ipc"]
    # slower by enough that the two runs' ranges are apart whatever the fixture's spread:
    # 3x, or more when its slowest run is more than 3x its fastest
    runs = [float(x) for x in vals["cbox_rt_same_ns_64_runs"].split()]
    factor = max(3.0, 1.5 * max(runs) / min(runs))
    vals["cbox_rt_same_ns_64"] = str(float(vals["cbox_rt_same_ns_64"]) * factor)
    vals["cbox_rt_same_ns_64_runs"] = " ".join(str(x * factor) for x in runs)
    path = os.path.join(outdir, "slower.json")
    with open(path, "w") as f:
        json.dump(slower, f)
    st, out = run([sys.executable, cmp_tool, fixture, path, "--flagged"])
    rows = [line for line in out.splitlines()[4:] if line.startswith("| ")]   # past the header
    suite.check("compare: a number %.2fx slower in every run is flagged, alone" % factor,
                st == 0 and len(rows) == 1 and "cbox_rt_same_ns_64 " in rows[0]
                and "| %.2f | B slower |" % factor in rows[0], tail(out, 4))


def check_page(suite, fixture, outdir, figs):
    """report.html is written and every image it names is on disk beside it."""
    page = os.path.join(outdir, "report.html")
    st, out = run([sys.executable, os.path.join(TOOLS, "bench_html.py"), fixture, page])
    if not suite.check("report.html written", st == 0, tail(out)):
        return None
    with open(page) as f:
        text = f.read()
    srcs = re.findall(r'<img src="([^"]+)"', text)
    missing = [s for s in srcs if not os.path.isfile(os.path.join(outdir, s))]
    suite.check("report.html names every figure, each on disk (%d)" % len(srcs),
                len(srcs) == len(figs or []) and srcs and not missing,
                "%d images for %d figures; missing: %s" % (len(srcs), len(figs or []), missing))
    return page


def browser_load(args, page, outdir):
    """The marker line of the page loaded by headless Chromium, or (None, why)."""
    probe = os.path.join(outdir, "report-probe.html")
    with open(page) as f:
        text = f.read()
    with open(probe, "w") as f:
        f.write(text.replace("</body>", MARKER_SCRIPT + "</body>"))
    argv = [args.chromium] + CHROMIUM_FLAGS + [
        "--user-data-dir=" + os.path.join(outdir, "chromium-profile"),
        "--virtual-time-budget=15000", "--window-size=1200,900", "--dump-dom",
        "file://" + os.path.abspath(probe)]
    st, out = run(argv, BROWSER_TIMEOUT)
    m = MARKER_RE.search(out)
    if m:
        return m, ""
    return None, "no result from the page (chromium exit %s): %s" % (st, tail(out))


def check_browser(suite, args, page, outdir, figs, ntables):
    test = "the page in headless Chromium: laid out, every image loaded"
    if not shutil.which(args.chromium):
        suite.check(test, False, "%s not found: install Debian's chromium (apt-get install "
                    "chromium, or tools/install-deps.sh)" % args.chromium)
        return
    m, why = browser_load(args, page, outdir)
    if not m:
        suite.check(test, False, why)
        return
    images, loaded, tables, height = (int(m.group(i)) for i in range(1, 5))
    ok = images == len(figs) and loaded == images and tables >= ntables and height > 2000
    suite.check(test + " (%d of %d images, %d tables, %d px)" % (loaded, images, tables, height),
                ok, "expected %d images all loaded, >= %d tables, a page taller than 2000 px; "
                "broken: %s" % (len(figs), ntables, m.group(5) or "none"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixture", default="tests/bench/results.json")
    ap.add_argument("--plot-python", default="/usr/bin/python3",
                    help="a python that imports Debian's python3-matplotlib")
    ap.add_argument("--chromium", default="chromium")
    ap.add_argument("--keep", help="make the page in this folder and keep it")
    args = ap.parse_args()
    suite = Suite()
    with open(args.fixture) as f:
        ntables = sum(1 for s in json.load(f)["tables"] for i in s["items"] if "header" in i)
    outdir = args.keep or tempfile.mkdtemp(prefix="benchpage-")
    os.makedirs(outdir, exist_ok=True)
    try:
        figs = check_figures(suite, args, args.fixture, outdir)
        check_tables(suite, args.fixture)
        check_compare(suite, args.fixture, outdir)
        page = check_page(suite, args.fixture, outdir, figs)
        if page and figs:
            check_browser(suite, args, page, outdir, figs, ntables)
        else:
            suite.check("the page in headless Chromium", False, "no page or no figures to load")
    finally:
        if not args.keep:
            shutil.rmtree(outdir, ignore_errors=True)
    print("%s: %d passed, %d failed" % (SUITE, suite.passed, suite.failed))
    return 1 if suite.failed else 0


if __name__ == "__main__":
    sys.exit(main())
