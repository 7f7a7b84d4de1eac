#!/usr/bin/env python3
"""report.html of a `make bench` run: every table and figure on one page, with how the run was
made (QEMU command lines and version, kernel versions, Tessera's commit, date) and every goal
verdict, so that the folder can be kept and shared (images are referenced relatively).

    tools/bench_html.py RESULTS_JSON OUT_HTML [--figs DIR]

DIR (default figs) is where tools/bench_figs.py drew the figures, relative to OUT_HTML's
folder; its figures.json says which figure belongs to which table. Standard library only.
"""
import argparse
import html
import json
import os
import re
import sys

STYLE = """
body { font-family: sans-serif; max-width: 1150px; margin: 1em auto; padding: 0 1em;
       color: #222; line-height: 1.4; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.85em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.45em; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
.met { color: #13702b; font-weight: bold; }
.notmet { color: #b3261e; font-weight: bold; }
.na { color: #777; }
.note { font-size: 0.9em; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.85em; color: #444; }
code { font-size: 0.95em; word-break: break-all; }
"""
VERDICT_CLASS = {"met": "met", "not met": "notmet", "n/a": "na"}
HOW_TO_READ = (
    "A cell is the median of the runs with the fastest and slowest run in brackets; a figure "
    "draws the median as a point and the fastest-slowest range as its error bar. Trust a "
    "difference only where the ranges do not overlap. Black hollow diamonds and dashed black "
    "lines are the paper's published values on the paper's machine: compare shapes and "
    "ratios with them, not absolute times (QEMU here is software emulation, TCG).")


def esc(text):
    return html.escape(str(text), quote=True)


def verdict_span(text):
    """The text with its verdict words (met / not met) coloured."""
    return re.sub(r"\b(not met|met)\b", lambda m: '<span class="%s">%s</span>' % (
        VERDICT_CLASS[m.group(1)], m.group(1)), esc(text))


def anchor(title):
    m = re.match(r"([A-Z])\. ", title)
    return "table-" + (m.group(1) if m else re.sub(r"\W+", "-", title.lower()).strip("-"))


def letter(title):
    m = re.match(r"([A-Z])\. ", title)
    return m.group(1) if m else None


def table_html(item):
    head = "".join("<th>%s</th>" % esc(h) for h in item["header"])
    body = []
    for row in item["rows"]:
        cells = []
        for h, c in zip(item["header"], row):
            cells.append("<td>%s</td>" % (verdict_span(c) if h.startswith("goal") else esc(c)))
        body.append("<tr>%s</tr>" % "".join(cells))
    return "<table><tr>%s</tr>\n%s</table>" % (head, "\n".join(body))


def figure_html(fig, figdir):
    png = "%s/%s.png" % (figdir, fig["name"])
    svg = "%s/%s.svg" % (figdir, fig["name"])
    return ('<figure id="fig-%s"><a href="%s"><img src="%s" alt="%s"></a>'
            '<figcaption><b>%s.</b> %s (<a href="%s">SVG</a>)</figcaption></figure>' % (
                esc(fig["name"]), esc(svg), esc(png), esc(fig["title"]), esc(fig["title"]),
                esc(fig["caption"]), esc(svg)))


def section_html(sec, figs, figdir):
    out = ['<h2 id="%s">%s</h2>' % (anchor(sec["title"]), esc(sec["title"]))]
    for item in sec["items"]:
        if "note" in item:
            out.append('<p class="note">%s</p>' % esc(item["note"]))
        elif "header" in item:
            out.append(table_html(item))
        elif "goal" in item:
            out.append('<p class="goal">%s</p>' % verdict_span(item["goal"]))
    out += [figure_html(f, figdir) for f in figs]
    return "\n".join(out)


def run_html(data):
    meta = data.get("meta", {})
    rows = [("date", meta.get("date")), ("Tessera commit", meta.get("tessera_commit")),
            ("Linux kernel", "%s (%s)" % (meta.get("linux_kernel"),
                                          meta.get("linux_kernel_file"))),
            ("QEMU", meta.get("qemu_version")),
            ("QEMU, Tessera", meta.get("qemu_tessera")),
            ("QEMU, Tessera with 1 GiB (table J)", meta.get("qemu_tessera_nproc")),
            ("QEMU, Linux", meta.get("qemu_linux")), ("host", meta.get("host")),
            ("every boot produced its numbers", "yes" if data.get("ok") else "no")]
    body = "\n".join("<tr><th>%s</th><td><code>%s</code></td></tr>" % (esc(k), esc(v))
                     for k, v in rows if v is not None)
    return '<h2 id="run">The run</h2>\n<table>%s</table>' % body


def goals_html(data):
    """Every goal verdict of the run in one list, each linked to its table."""
    items, count = [], {"met": 0, "not met": 0, "n/a": 0}
    for sec in data.get("tables", []):
        for g in sec["goals"]:
            count[g["verdict"]] = count.get(g["verdict"], 0) + 1
            items.append('<li><a href="#%s">%s</a>: %s</li>' % (
                anchor(sec["title"]), esc(sec["title"].split(" (")[0]), verdict_span(g["text"])))
    head = "%d met, %d not met, %d n/a" % (count["met"], count["not met"], count["n/a"])
    return '<h2 id="goals">Goal verdicts: %s</h2>\n<ul>%s</ul>' % (head, "\n".join(items))


def load_figures(html_path, figdir):
    path = os.path.join(os.path.dirname(os.path.abspath(html_path)), figdir, "figures.json")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def page(data, figs, figdir):
    """The whole page: the run, the verdicts, then each table with its figures."""
    meta = data.get("meta", {})
    secs = data.get("tables", [])
    placed = {letter(s["title"]) for s in secs}
    toc = " | ".join('<a href="#%s">%s</a>' % (anchor(s["title"]), esc(s["title"].split(" (")[0]))
                     for s in secs)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>Tessera benchmarks, %s</title>" % esc(meta.get("date", "?")),
             "<style>%s</style></head><body>" % STYLE,
             "<h1>Tessera against Linux: <code>make bench</code> of %s</h1>" % esc(
                 meta.get("date", "?")),
             "<p>%s</p>" % toc, "<p>%s</p>" % esc(HOW_TO_READ), run_html(data), goals_html(data)]
    if figs is None:
        parts.append("<p>No figures: tools/bench_figs.py has not drawn them (is Debian's "
                     "python3-matplotlib installed?).</p>")
    for sec in secs:
        mine = [f for f in figs or [] if f["section"] == letter(sec["title"])]
        parts.append(section_html(sec, mine, figdir))
    rest = [f for f in figs or [] if f["section"] not in placed]
    if rest:
        parts.append("<h2>Other figures</h2>\n" + "\n".join(figure_html(f, figdir) for f in rest))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("out")
    ap.add_argument("--figs", default="figs", help="figure folder, relative to OUT's folder")
    args = ap.parse_args()
    with open(args.results) as f:
        data = json.load(f)
    figs = load_figures(args.out, args.figs)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(page(data, figs, args.figs))
    print("bench_html: %s (%d figures)" % (args.out, len(figs or [])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
