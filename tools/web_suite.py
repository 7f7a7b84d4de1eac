#!/usr/bin/env python3
"""The web suite (issue 14, the HVS web evaluation): Debian's busybox httpd, unmodified,
running the CGI /bin/cgihello in the three placement modes of /bin/place, reached from the
host through forwarded ports.

One boot with the test boots' devices; three httpd daemons, one per mode, each started by
`place -m MODE busybox httpd -p PORT -h DIR` and forwarded from a free host port. Checked:
  - `place` shows each daemon with its mode;
  - each mode does what it says, as the CGI reports it: unix (vfork carried out as fork,
    execve in the child's own space), tender (execve into a fresh space), hvs (execve into
    httpd's own space: the CGI's space is its parent's);
  - every page the host's curl gets is right (query echoed, one more call each time);
  - ApacheBench at concurrency 8 against each mode: every page complete and of the right
    length, and the access counter, shared by all the CGIs, ends at exactly the number of
    calls made (its lock works under concurrent requests);
  - no zombie is left behind (httpd ignores SIGCHLD), the kernel did not panic.

  web_suite.py --qemu "QEMU CMD" [--results FILE] [--requests N]
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_suites import Shell, Suite, host_suite_main  # noqa: E402
from qemu_run import Qemu  # noqa: E402

SUITE_TIMEOUT = 300
CMD_TIMEOUT = 60
MODES = ("unix", "tender", "hvs")
GUEST_PORT = {"unix": 8001, "tender": 8002, "hvs": 8003}
# what the CGI's placement line must say in each mode: exec how, and whether it shares
# httpd's (its parent's) space
EXPECT = {"unix": ("in-place", "no"), "tender": ("new-space", "no"),
          "hvs": ("parent-space", "yes")}
PAGE_RE = re.compile(r"hello from a CGI: call (\d+), query '([^']*)', pid \d+\n"
                     r"placement: mode (\S+) +exec (\S+) +space (\d+) parent-space (\d+) "
                     r"shared (\S+)\n")


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def net_args(qemu, fwd):
    """The QEMU command line with its user-network NIC given the forwarded ports."""
    extra = "".join(",hostfwd=tcp:127.0.0.1:%d-:%d" % (h, g) for h, g in fwd)
    out = list(qemu)
    for i, a in enumerate(out):
        if a.startswith("user,id="):
            out[i] = a + extra
            return out
    return out + ["-netdev", "user,id=net0" + extra,
                  "-device", "virtio-net-pci,netdev=net0,disable-legacy=off,disable-modern=off"]


def curl(port, path):
    r = subprocess.run(["curl", "-s", "-m", "20", "http://127.0.0.1:%d%s" % (port, path)],
                       capture_output=True, text=True, timeout=30)
    return r.stdout


def ab(port, n, c):
    """(complete, failed, stdout) of ApacheBench's n requests at concurrency c."""
    r = subprocess.run(["ab", "-q", "-s", "30", "-n", str(n), "-c", str(c),
                        "http://127.0.0.1:%d/cgi-bin/hello?ab=1" % port],
                       capture_output=True, text=True, timeout=240)
    complete = re.search(r"Complete requests:\s+(\d+)", r.stdout)
    failed = re.search(r"Failed requests:\s+(\d+)", r.stdout)
    return (int(complete.group(1)) if complete else 0,
            int(failed.group(1)) if failed else -1, r.stdout + r.stderr)


def start_httpds(sh):
    out = ""
    for m in MODES:
        out += sh.run("busybox sh -c 'mkdir -p /tmp/web-%s/cgi-bin && "
                      "cp /bin/cgihello /tmp/web-%s/cgi-bin/hello'" % (m, m), CMD_TIMEOUT) or ""
        out += sh.run("place -m %s busybox httpd -p %d -h /tmp/web-%s"
                      % (m, GUEST_PORT[m], m), CMD_TIMEOUT) or ""
    return out


def check_place(suite, sh):
    """`place` lists one busybox (httpd) per mode: their pids by mode."""
    out = sh.run("place", CMD_TIMEOUT) or ""
    ps = sh.run("ps", CMD_TIMEOUT) or ""
    names = {int(r.split()[0]): r.split()[-1] for r in ps.split("\n")[1:] if r.split()}
    modes = {}
    for row in out.split("\n")[1:]:
        f = row.split()
        if len(f) >= 2 and f[0].isdigit() and names.get(int(f[0])) == "busybox":
            modes.setdefault(f[1], []).append(int(f[0]))
    suite.check("place: one httpd in each mode (unix, tender, hvs)",
                all(len(modes.get(m, [])) == 1 for m in MODES), "modes %r" % modes, out + ps)


def run(cfg):
    suite = Suite("web")
    t0 = time.monotonic()
    host = {m: free_port() for m in MODES}
    vm = Qemu(net_args(cfg.qemu, [(host[m], GUEST_PORT[m]) for m in MODES]), "guest-web",
              SUITE_TIMEOUT)
    sh = Shell(vm)
    why = sh.boot()
    suite.check("boot", not why, why)
    calls = 0
    if not why:
        sh.run("rm -f /tmp/cgihello.count", CMD_TIMEOUT)
        out = start_httpds(sh)
        page = ""
        for _ in range(20):               # the daemons may still be starting
            page = curl(host["hvs"], "/cgi-bin/hello?warm=1")
            if page:
                break
            time.sleep(0.5)
        calls += 1 if page else 0
        suite.check("busybox httpd started in the three modes", bool(page), "no page", out)
        check_place(suite, sh)
        for m in MODES:
            page = curl(host[m], "/cgi-bin/hello?mode=%s" % m)
            got = PAGE_RE.search(page)
            calls += 1 if got else 0
            how, shared = EXPECT[m]
            ok = got and int(got.group(1)) == calls and got.group(2) == "mode=%s" % m and \
                got.group(3) == m and got.group(4) == how and got.group(7) == shared and \
                (got.group(5) == got.group(6)) == (shared == "yes")
            suite.check("%s: the CGI's page to curl (call %d, exec %s, shares httpd's space: %s)"
                        % (m, calls, how, shared), bool(ok), "curl got %r" % page)
        for m in MODES:
            complete, failed, text = ab(host[m], cfg.requests, 8)
            calls += complete
            suite.check("%s: ab -n %d -c 8, every page complete and alike" % (m, cfg.requests),
                        complete == cfg.requests and failed == 0,
                        "complete %d, failed %d" % (complete, failed), text[-1500:])
        count = (sh.run("cat /tmp/cgihello.count", CMD_TIMEOUT) or "").strip()
        suite.check("the access counter counted every call (%d) under concurrency" % calls,
                    count == str(calls), "counter file says %r" % count)
        ps = sh.run("ps", CMD_TIMEOUT) or ""
        zombies = ps.count("zombie")
        suite.check("no zombies left by httpd's children", zombies == 0,
                    "%d zombies" % zombies, ps[-2000:])
    if sh.alive:
        sh.poweroff()
    vm.wait_exit(20)
    suite.check("no kernel panic", not vm.panicked(), "KERNEL PANIC on the console")
    vm.close(suite.failed == 0)
    print("  (web suite: %.1f s)" % (time.monotonic() - t0))
    return suite


def main():
    ap = argparse.ArgumentParser(description="busybox httpd and its CGI in three modes")
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--results", help="also write the summary line to this file")
    ap.add_argument("--requests", type=int, default=200, help="ab requests per mode")
    return host_suite_main(ap, run)


if __name__ == "__main__":
    sys.exit(main())
