#!/usr/bin/env python3
"""Busybox's own upstream testsuite (1.35.0, the version of Debian's busybox-static) run with
/bin/busybox on this Linux host and on Tessera, compared test by test.

The busybox source is not part of our tree: this tool downloads Debian's source package
(the upstream tarball and Debian's packaging, which holds the static build's .config) into
build/busybox-upstream/dl/ once, checks each file's sha256 against the .dsc's (hard-coded
below), and prepares build/busybox-upstream/tree/:
  - the source tree with Debian's debian/config/pkg/static as .config (the testsuite's
    `optional` checks read it, so it must match the binary) and `busybox` a symbolic link to
    /bin/busybox (the testsuite runs $bindir/busybox and links every applet to it);
  - the first line `#!/bin/sh` of runtest and each *.tests made `#!/bin/busybox sh` (Tessera's
    /bin/sh is its own small shell; on both systems the suite then runs in busybox's ash);
  - runtest populates its directory of applet links only when it is not there yet (upstream
    removes and remakes it at each start, some 270 `ln -s`; we start runtest once per applet);
  - run.sh, the driver: a clean environment (PATH = the applet links only, umask 022, stdin
    /dev/null), then `timeout 300 sh ./runtest APPLET` for each applet, between marker lines.
On the host the driver runs in a fresh copy of the tree; on Tessera the tree is an ext2 disk
image (mke2fs -d) that init mounts at /disk, and the driver is typed into the shell. The
PASS/FAIL/SKIPPED/UNTESTED lines are compared per test (applet and name).

  busybox_upstream.py --qemu "QEMU CMD" [--subset] [--results FILE] [--applets A,B,...]
  busybox_upstream.py --prepare-only

--subset runs SUBSET (make test's representative part, see below); without it every applet.
With --results, one check per test that passes on the host (it must pass on Tessera too) is
counted, and the summary line "busybox-upstream: N passed, N failed" appended to FILE.
"""
import argparse
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_suites import Shell, Suite  # noqa: E402
from qemu_run import Qemu, normalize  # noqa: E402

POOL = "http://deb.debian.org/debian/pool/main/b/busybox/"
# name -> sha256, from busybox_1.35.0-4.dsc (Checksums-Sha256)
FILES = {
    "busybox_1.35.0.orig.tar.bz2":
        "faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694",
    "busybox_1.35.0-4.debian.tar.xz":
        "d611281ea49cfac240a5dfdb0de6f440138e3345490e087d8e39b7434a6bd819",
}
TOP = "busybox-1.35.0"
WORK = os.path.join("build", "busybox-upstream")
DL, TREE = os.path.join(WORK, "dl"), os.path.join(WORK, "tree")
GUEST_DIR = "/disk/bb"              # where the disk image's tree is on Tessera
DISK_MIB = 96
APPLET_TIMEOUT = 1200               # seconds one applet's tests may take (in-guest `timeout`)
BOOT_TIMEOUT = 60
UNKNOWN = re.compile(r"^tessera: pid \d+ \(.*?\): unknown system call (\d+)\n", re.M)
RESULT = re.compile(r"^(PASS|FAIL|SKIPPED|UNTESTED): (.*?)\s*$")
MARK = re.compile(r"^BBUP (APPLET|END) (\S+)(?: (\d+))?\s*$")

# make test's part: applets whose tests exercise files, links, pipes, processes, /proc and
# text processing, about 300 tests that take a minute or two under TCG (the whole suite,
# some 900 tests, takes many minutes: its checksum and bc tests start thousands of programs).
SUBSET = ["cat", "cut", "echo", "ln", "mv", "od", "pidof", "printf", "readlink", "realpath",
          "sed", "seq", "sort", "tail", "tar", "taskset", "test", "tr", "uniq", "wc", "xargs"]

RUN_SH = r"""#!/bin/busybox sh
# Runs busybox's testsuite one applet at a time (written by tools/busybox_upstream.py).
# Usage: run.sh [APPLET...] (default: every applet that has tests)
if [ -z "$BBUP_CLEAN" ]; then
	exec /bin/busybox env -i BBUP_CLEAN=1 /bin/busybox sh "$0" "$@"
fi
cd "${0%/*}" || exit 1
root=$(pwd)
umask 022
links=$root/runtest-tempdir-links
rm -rf "$links" && mkdir "$links" || exit 1
/bin/busybox --install -s "$links" || exit 1
export PATH="$links"
cd testsuite || exit 1
[ $# -ne 0 ] || set -- busybox $(busybox --list)
for a in "$@"; do
	[ -e "$a.tests" ] || [ -d "$a" ] || continue
	echo "BBUP APPLET $a"
	timeout @TIMEOUT@ sh ./runtest "$a" </dev/null 2>&1
	echo "BBUP END $a $?"
done
echo "BBUP DONE"
"""


def fail(why):
    print("busybox-upstream: %s" % why, flush=True)
    return None


def download(name):
    """Path of the verified file in DL (downloaded unless a good copy is there), else None
    after saying why."""
    path = os.path.join(DL, name)
    if os.path.exists(path) and sha256(path) == FILES[name]:
        return path
    os.makedirs(DL, exist_ok=True)
    url = POOL + name
    try:
        with urllib.request.urlopen(url, timeout=60) as r, open(path + ".part", "wb") as f:
            shutil.copyfileobj(r, f)
    except (urllib.error.URLError, OSError) as e:
        return fail("cannot download %s: %s" % (url, getattr(e, "reason", e)))
    got = sha256(path + ".part")
    if got != FILES[name]:
        return fail("%s from %s has sha256 %s, expected %s (busybox_1.35.0-4.dsc)"
                    % (name, url, got, FILES[name]))
    os.replace(path + ".part", path)
    return path


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def edit(path, old, new, count=1):
    """Replace old by new in the file; the prepared tree must be what this tool expects."""
    with open(path) as f:
        text = f.read()
    if text.count(old) != count:
        raise ValueError("%s: expected %d of %r" % (path, count, old))
    with open(path, "w") as f:
        f.write(text.replace(old, new))


def prepare():
    """TREE from the verified downloads (made afresh unless it was prepared by this very
    tool: a stamp records the downloads' sums and the driver); True when ready."""
    paths = [download(n) for n in FILES]
    if None in paths:
        return False
    stamp = hashlib.sha256((" ".join(sorted(FILES.values())) + RUN_SH + str(APPLET_TIMEOUT) +
                            open(__file__).read()).encode()).hexdigest()
    stamp_path = os.path.join(TREE, ".prepared")
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
        return True
    shutil.rmtree(TREE, ignore_errors=True)
    os.makedirs(TREE)
    for p in paths:
        with tarfile.open(p) as t:
            t.extractall(TREE)
    src = os.path.join(TREE, TOP)
    shutil.copy(os.path.join(TREE, "debian", "config", "pkg", "static"),
                os.path.join(src, ".config"))
    shutil.rmtree(os.path.join(TREE, "debian"))
    os.symlink("/bin/busybox", os.path.join(src, "busybox"))
    ts = os.path.join(src, "testsuite")
    for name in sorted(os.listdir(ts)):
        if name == "runtest" or name.endswith(".tests"):
            edit(os.path.join(ts, name), "#!/bin/sh\n", "#!/bin/busybox sh\n")
    edit(os.path.join(ts, "runtest"), 'rm -rf "$LINKSDIR" 2>/dev/null\n', "")
    edit(os.path.join(ts, "runtest"), 'mkdir "$LINKSDIR" 2>/dev/null\nfor i in $implemented',
         'mkdir "$LINKSDIR" 2>/dev/null\ntest -e "$LINKSDIR/busybox" || for i in $implemented')
    with open(os.path.join(src, "run.sh"), "w") as f:
        f.write(RUN_SH.replace("@TIMEOUT@", str(APPLET_TIMEOUT)))
    os.chmod(os.path.join(src, "run.sh"), 0o755)
    with open(stamp_path, "w") as f:
        f.write(stamp)
    return True


# ---- results ---------------------------------------------------------------------------------

def parse(text):
    """{(applet, test name): PASS|FAIL|SKIPPED|UNTESTED} and the applets whose runtest did not
    end by itself ({applet: why})."""
    results, broken, applet = {}, {}, None
    for line in normalize(text).split("\n"):
        m = MARK.match(line)
        if m:
            applet = m.group(2) if m.group(1) == "APPLET" else None
            if m.group(1) == "END" and m.group(3) in ("124", "137", "143"):
                broken[m.group(2)] = "timed out after %d s" % APPLET_TIMEOUT
            continue
        m = RESULT.match(line)
        if m and applet:
            key, n = (applet, m.group(2)), 2
            while key in results:           # a name repeated within one applet's tests
                key, n = (applet, "%s #%d" % (m.group(2), n)), n + 1
            results[key] = m.group(1)
    return results, broken


def applet_seconds(vm):
    """{applet: seconds between its markers}, by the host's clock (a TCG guest's own clock
    falls behind on a loaded host)."""
    secs, start = {}, {}
    for m in re.finditer(r"BBUP (APPLET|END) (\S+)", vm.text):
        if m.group(1) == "APPLET":
            start[m.group(2)] = vm.time_at(m.start())
        elif m.group(2) in start:
            secs[m.group(2)] = vm.time_at(m.start()) - start[m.group(2)]
    return secs


def host_run(applets):
    """Console-like output of run.sh on this host, in a fresh copy of the tree."""
    copy = os.path.join(WORK, "host-%d" % os.getpid())
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(os.path.join(TREE, TOP), copy, symlinks=True)
    r = subprocess.run(["/bin/busybox", "sh", os.path.abspath(os.path.join(copy, "run.sh"))]
                       + applets, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env={})
    shutil.rmtree(copy, ignore_errors=True)
    return r.stdout.decode(errors="replace")


def disk_args(qemu, image):
    """The QEMU command line with image as its only virtio disk (vda, mounted at /disk)."""
    out, skip = [], False
    for i, a in enumerate(qemu):
        nxt = qemu[i + 1] if i + 1 < len(qemu) else ""
        if skip:
            skip = False
            continue
        if a == "-drive" or (a == "-device" and "virtio-blk" in nxt):
            skip = True
            continue
        out.append(a)
    return out + ["-drive", "file=%s,format=raw,if=none,id=vd0" % image, "-device",
                  "virtio-blk-pci,drive=vd0,disable-legacy=off,disable-modern=off"]


def make_disk():
    image = os.path.join(WORK, "disk-%d.img" % os.getpid())
    seed = os.path.join(WORK, "disk-seed-%d" % os.getpid())
    shutil.rmtree(seed, ignore_errors=True)
    os.makedirs(seed)
    shutil.copytree(os.path.join(TREE, TOP), os.path.join(seed, "bb"), symlinks=True)
    with open(image, "wb") as f:
        f.truncate(DISK_MIB << 20)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-d", seed, image],
                   check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(seed)
    return image


def guest_run(cfg, applets, suite, secs):
    """Output of run.sh on Tessera (None if the boot failed: a check says why); secs gets
    each applet's time."""
    image = make_disk()
    timeout = cfg.guest_timeout
    vm = Qemu(disk_args(cfg.qemu, image), "guest-busybox-upstream-%d" % os.getpid(),
              timeout + BOOT_TIMEOUT)
    sh = Shell(vm)
    why = sh.boot()
    suite.check("boot to prompt", not why, why)
    out = None
    if not why:
        cmd = "busybox sh %s/run.sh %s" % (GUEST_DIR, " ".join(applets))
        out = sh.run(cmd, timeout)
        if out is None:
            out = normalize(vm.text)
            suite.check("run.sh ends", False, "no prompt within %d s (%s)"
                        % (timeout, vm.end_reason() or "hung or too slow"))
        elif "BBUP DONE" not in out:
            suite.check("run.sh ends", False, "no BBUP DONE line", out[-2000:])
        if sh.alive:
            sh.poweroff()
        secs.update(applet_seconds(vm))
    suite.check("no kernel panic", not vm.panicked(), "KERNEL PANIC on the console")
    vm.close(suite.failed == 0)
    os.unlink(image)
    return out


def table(host, guest):
    kinds = ("PASS", "FAIL", "SKIPPED", "UNTESTED")
    print("  %-10s %6s %8s" % ("", "host", "Tessera"))
    for k in kinds:
        print("  %-10s %6d %8d" % (k, sum(v == k for v in host.values()),
                                   sum(v == k for v in guest.values())))
    print("  %-10s %6d %8d" % ("tests", len(host), len(guest)))
    lost = sorted(t for t, v in host.items() if v == "PASS" and guest.get(t) != "PASS")
    won = sorted(t for t, v in guest.items() if v == "PASS" and host.get(t) != "PASS")
    for title, tests, other in (("pass on the host, not on Tessera", lost, guest),
                                ("pass on Tessera, not on the host", won, host)):
        print("  %s: %d" % (title, len(tests)))
        for applet, name in tests:
            print("    %s: %s (%s)" % (applet, name, other.get((applet, name), "missing")))


def run(cfg):
    suite = Suite("busybox-upstream")
    t0 = time.monotonic()
    if not os.path.exists("/bin/busybox"):
        suite.check("setup", False, "/bin/busybox is missing on the host "
                    "(Debian's busybox-static, tools/install-deps.sh)")
        return suite
    try:
        ok = prepare()
    except (OSError, ValueError, tarfile.TarError) as e:
        ok = fail("cannot prepare %s: %s" % (TREE, e))
    if not suite.check("download and prepare the testsuite", ok,
                       "see the line above (%s)" % POOL):
        return suite
    applets = cfg.applets.split(",") if cfg.applets else (SUBSET if cfg.subset else [])
    host_out = host_run(applets)
    host, host_broken = parse(host_out)
    print("  host run: %d tests (%.0f s)" % (len(host), time.monotonic() - t0), flush=True)
    t1 = time.monotonic()
    secs = {}
    out = guest_run(cfg, applets, suite, secs)
    guest, guest_broken = parse(out or "")
    print("  Tessera run: %d tests (%.0f s); slowest applets: %s" % (
        len(guest), time.monotonic() - t1, ", ".join(
            "%s %.0f s" % (a, n) for a, n in sorted(secs.items(), key=lambda x: -x[1])[:8])))
    unknown = sorted(set(UNKNOWN.findall(normalize(out or ""))), key=int)
    if cfg.log:
        with open(cfg.log + ".host", "w") as f:
            f.write(host_out)
        with open(cfg.log + ".tessera", "w") as f:
            f.write(out or "")
    for applet, why in sorted(host_broken.items()):
        print("  host: %s %s" % (applet, why))
    for applet, why in sorted(guest_broken.items()):
        suite.check("%s: runtest ends" % applet, False, why)
    table(host, guest)
    for (applet, name), v in sorted(host.items()):
        if v == "PASS":
            suite.check("%s: %s" % (applet, name), guest.get((applet, name)) == "PASS",
                        guest.get((applet, name), "not run"))
    if unknown:
        print("  unknown system calls reported: %s" % " ".join(unknown))
    print("  (busybox-upstream: %.1f s)" % (time.monotonic() - t0))
    return suite


def main():
    ap = argparse.ArgumentParser(description="busybox's testsuite on Tessera and on Linux")
    ap.add_argument("--qemu", help="QEMU command line booting Tessera")
    ap.add_argument("--subset", action="store_true", help="only make test's applets")
    ap.add_argument("--applets", help="comma-separated applets to run (default: all)")
    ap.add_argument("--guest-timeout", type=int, default=0,
                    help="seconds for the run on Tessera (default 240 with --subset, else 3600)")
    ap.add_argument("--log", help="keep both runs' output in LOG.host and LOG.tessera")
    ap.add_argument("--results", help="also append the summary line to this file")
    ap.add_argument("--prepare-only", action="store_true",
                    help="download, verify and prepare build/busybox-upstream/tree only")
    cfg = ap.parse_args()
    if cfg.prepare_only:
        return 0 if prepare() else 1
    if not cfg.qemu:
        ap.error("--qemu is required")
    cfg.qemu = shlex.split(cfg.qemu)
    cfg.guest_timeout = cfg.guest_timeout or (240 if cfg.subset else 3600)
    suite = run(cfg)
    print(suite.summary())
    if cfg.results:
        with open(cfg.results, "a") as f:
            f.write(suite.summary() + "\n")
    return 0 if suite.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
