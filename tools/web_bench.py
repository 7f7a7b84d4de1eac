#!/usr/bin/env python3
"""The network benchmarks of issue 14, Tessera against Linux in the same QEMU (q35, TCG,
virtio-net on QEMU's user network, the same forwarded ports), measured from the host:

  Table O (network): TCP throughput host -> guest and guest -> host (16 MiB through a
  forwarded port, bench/netbench.c in the guest), TCP connect + one request + close (ab -c 1
  against busybox httpd's static page), UDP round trip (64 bytes). Goals: throughput at least
  0.8x Linux's, connection latency at most 1.25x Linux's.

  Table W (the HVS web evaluation, seed 002 section 5.3, figure 10): mean response time of
  busybox httpd, unmodified, running the CGI /bin/cgihello (an access counter) per request,
  ApacheBench at concurrency 4, 8, 12, 16, 20, in the three placement modes of /bin/place
  (unix, tender, hvs: docs/network.md) and on Linux. Goals: Tender+HVS faster than Tender and
  Tender faster than UNIX-compatible at every concurrency, the best Tessera mode faster than
  Linux; the paper measured Tender+HVS 2-6% faster than Tender.

Tessera boots once: three httpd daemons, one per mode, take turns within each concurrency
(and the order rotates from round to round), so a slow spell of the host falls on all modes.
Linux boots once (Debian's kernel, its virtio_net module, the same busybox, CGI and netbench
files in an initramfs). Every response time comes from ab's per-request record (-g): the mean
(what the paper reports), the median, and how many requests took a second or more (a SYN
dropped at a full listen queue costs the client's SYN retransmission timeout).

  web_bench.py --qemu "QEMU CMD booting Tessera" --root build/root [--requests N]
               [--rounds R] [--json FILE]
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_suites import Shell  # noqa: E402
from qemu_run import Qemu  # noqa: E402

CONCURRENCY = (4, 8, 12, 16, 20)
MODES = ("unix", "tender", "hvs")
MODE_PORT = {"unix": 8001, "tender": 8002, "hvs": 8003}
SINK, SOURCE, UDPECHO = 5001, 5002, 5003
XFER = 16 << 20
XFER_RUNS = 3
UDP_RTTS = 200
CONNECT_REQS = 300
CMD_TIMEOUT = 60
BOOT_TIMEOUT = 120
RUN_TIMEOUT = 3600
LINUX_APPEND = "console=ttyS0 quiet panic=-1"
NET_MODULES = ["failover", "net_failover", "virtio_ring", "virtio", "virtio_pci_legacy_dev",
               "virtio_pci_modern_dev", "virtio_pci", "virtio_net"]
NIC = "virtio-net-pci,netdev=net0,disable-legacy=off,disable-modern=off"
LINUX_INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
for m in %s; do insmod /lib/modules/$m.ko 2>/dev/null; done
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
echo "LINUX-KERNEL $(uname -r)"
mkdir -p /tmp /www/cgi-bin
echo static > /www/index.html
cp /bin/cgihello /www/cgi-bin/hello
httpd -p %d -h /www
netbench %d %d %d
echo WEB-READY
exec sleep 100000
""" % (" ".join(NET_MODULES), MODE_PORT["unix"], SINK, SOURCE, UDPECHO)


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Ports:
    """Host ports forwarded to the guest's: web (one per mode), sink, source, UDP echo."""

    def __init__(self):
        self.web = {m: free_port() for m in MODES}
        self.sink, self.source = free_port(), free_port()
        self.udp = free_port(socket.SOCK_DGRAM)

    def netdev(self):
        fwd = ["tcp:127.0.0.1:%d-:%d" % (self.web[m], MODE_PORT[m]) for m in MODES]
        fwd += ["tcp:127.0.0.1:%d-:%d" % (self.sink, SINK),
                "tcp:127.0.0.1:%d-:%d" % (self.source, SOURCE),
                "udp:127.0.0.1:%d-:%d" % (self.udp, UDPECHO)]
        return ["-netdev", "user,id=net0," + ",".join("hostfwd=" + f for f in fwd),
                "-device", NIC]


# ---- measurements from the host ------------------------------------------------------------

def ab_run(port, path, n, c):
    """Per-request (connect, total) times (ms) of ab -n n -c c, and its failed-request
    count."""
    with tempfile.NamedTemporaryFile(prefix="ab-", suffix=".tsv") as g:
        r = subprocess.run(["ab", "-q", "-r", "-s", "60", "-n", str(n), "-c", str(c), "-g", g.name,
                            "http://127.0.0.1:%d%s" % (port, path)],
                           capture_output=True, text=True, timeout=RUN_TIMEOUT)
        rows = open(g.name).read().split("\n")[1:]
    times = [(float(x.split("\t")[2]), float(x.split("\t")[4])) for x in rows
             if x.count("\t") >= 5]
    failed = re.search(r"Failed requests:\s+(\d+)", r.stdout)
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", r.stdout)
    if len(times) < n:
        print("web_bench: ab got %d of %d answers from port %d: %s" % (
            len(times), n, port, (r.stdout + r.stderr)[-300:].strip()))
    # a page of another length, or an error page, is a failed request
    return times, (int(failed.group(1)) if failed else n) + (int(non2xx.group(1)) if non2xx else 0)


def tcp_in(port):
    """Seconds to send XFER bytes and have the guest confirm them all."""
    data = bytes(range(256)) * 4096
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), 60) as s:
        s.settimeout(120)
        left = XFER
        while left:
            n = min(left, len(data))
            s.sendall(data[:n])
            left -= n
        s.shutdown(socket.SHUT_WR)
        got = b""
        while len(got) < 8:
            b = s.recv(8 - len(got))
            if not b:
                break
            got += b
    dt = time.monotonic() - t0
    return dt if len(got) == 8 and struct.unpack("<Q", got)[0] == XFER else None


def tcp_out(port):
    """Seconds to ask the guest for XFER bytes and receive them all."""
    t0 = time.monotonic()
    total = 0
    with socket.create_connection(("127.0.0.1", port), 60) as s:
        s.settimeout(120)
        s.sendall(struct.pack("<Q", XFER))
        while True:
            b = s.recv(1 << 16)
            if not b:
                break
            total += len(b)
    dt = time.monotonic() - t0
    return dt if total == XFER else None


def udp_rtts(port):
    """Round-trip times (us) of 64-byte datagrams, one at a time (lost ones are skipped)."""
    out = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1.0)
        for i in range(UDP_RTTS + 20):
            msg = struct.pack("<Q", i) * 8
            t0 = time.monotonic()
            s.sendto(msg, ("127.0.0.1", port))
            try:
                while True:
                    b, _ = s.recvfrom(2048)
                    if b == msg:
                        break
            except socket.timeout:
                continue
            if i >= 20:                     # the first ones warm the path (ARP, slirp)
                out.append((time.monotonic() - t0) * 1e6)
    return out


def wait_port(port, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), 5):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def net_table_runs(ports, res, sys_name):
    """Table O's numbers for one system, into res[sys_name]."""
    r = {}
    ins = [x for x in (tcp_in(ports.sink) for _ in range(XFER_RUNS)) if x]
    outs = [x for x in (tcp_out(ports.source) for _ in range(XFER_RUNS)) if x]
    if ins:
        r["tcp_in_mibps"] = XFER / (1 << 20) / statistics.median(ins)
    if outs:
        r["tcp_out_mibps"] = XFER / (1 << 20) / statistics.median(outs)
    times, failed = ab_run(ports.web["unix"], "/index.html", CONNECT_REQS, 1)
    if times and not failed:
        r["connect_ms"] = statistics.mean(x[1] for x in times)
        r["connect_median_ms"] = statistics.median(x[1] for x in times)
    rtts = udp_rtts(ports.udp)
    if rtts:
        r["udp_rtt_us"] = statistics.median(rtts)
    res.setdefault(sys_name, {}).update(r)
    for k, v in sorted(r.items()):
        print("BENCH %s_%s %.3f" % (sys_name, k, v), flush=True)


def cgi_cells(ports, modes, cfg, res, sys_name):
    """Table W's cells for one system: per concurrency, each mode once per round, the order
    rotating from round to round."""
    per_round = max(1, cfg.requests // cfg.rounds)
    for m in modes:                         # warm-up: reusable tables, program caches
        ab_run(ports.web[m], "/cgi-bin/hello?w=1", 20, 4)
    for c in CONCURRENCY:
        times = {m: [] for m in modes}
        failed = {m: 0 for m in modes}
        for rnd in range(cfg.rounds):
            order = modes[rnd % len(modes):] + modes[:rnd % len(modes)]
            for m in order:
                t, f = ab_run(ports.web[m], "/cgi-bin/hello?ab=%d" % c, per_round, c)
                times[m] += t
                failed[m] += f
        for m in modes:
            t = times[m]
            if not t:
                continue
            served = [total - conn for conn, total in t]
            cell = {"ab_mean_ms": statistics.mean(x[1] for x in t),
                    "mean_ms": statistics.mean(served), "median_ms": statistics.median(served),
                    "slow": sum(1 for x in served if x >= 1000),
                    "slow_connects": sum(1 for x in t if x[0] >= 1000),
                    "n": len(t), "failed": failed[m]}
            res.setdefault(sys_name, {})["c%d_%s" % (c, m)] = cell
            print("BENCH web_%s_c%d_%s %s" % (sys_name, c, m, " ".join(
                "%s %.1f" % kv for kv in sorted(cell.items()))), flush=True)


# ---- the two systems ------------------------------------------------------------------------

def tessera(cfg, res):
    ports = Ports()
    vm = Qemu(shlex.split(cfg.qemu) + ports.netdev(), "webbench-tessera", RUN_TIMEOUT)
    sh = Shell(vm)
    ok = False
    if sh.boot():
        print("web_bench: Tessera did not boot")
    else:
        sh.run("busybox sh -c 'mkdir -p /tmp/www/cgi-bin && echo static > /tmp/www/index.html"
               " && cp /bin/cgihello /tmp/www/cgi-bin/hello'", CMD_TIMEOUT)
        for m in MODES:
            sh.run("place -m %s busybox httpd -p %d -h /tmp/www" % (m, MODE_PORT[m]),
                   CMD_TIMEOUT)
        sh.run("netbench %d %d %d" % (SINK, SOURCE, UDPECHO), CMD_TIMEOUT)
        out = sh.run("cgispawn 15 30", 600) or ""
        for key, med, lo, hi in re.findall(r"BENCH cgispawn_(\w+)_us (\S+) (\S+) (\S+)", out):
            res.setdefault("tessera", {})["spawn_" + key] = [float(med), float(lo), float(hi)]
        print(out.strip())
        if wait_port(ports.web["hvs"]) and wait_port(ports.sink):
            net_table_runs(ports, res, "tessera")
            cgi_cells(ports, MODES, cfg, res, "tessera")
            count = (sh.run("cat /tmp/cgihello.count", CMD_TIMEOUT) or "").strip()
            print("web_bench: Tessera's access counter: %s" % count)
            ok = True
        else:
            print("web_bench: Tessera's httpd or netbench did not answer")
        sh.run("poweroff", 20)
    vm.wait_exit(20)
    vm.close(ok, keep=True)
    return ok


def linux_initrd(tmp, root):
    kernel = sorted(glob.glob("/boot/vmlinuz-*"))[-1]
    version = os.path.basename(kernel)[len("vmlinuz-"):]
    d = os.path.join(tmp, "initrd")
    for sub in ("bin", "proc", "dev", "sys", "tmp", "lib/modules"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    shutil.copy("/bin/busybox", os.path.join(d, "bin/busybox"))
    for prog in ("cgihello", "netbench"):
        shutil.copy(os.path.join(root, "bin", prog), os.path.join(d, "bin", prog))
    deps = open("/lib/modules/%s/modules.dep" % version).read()
    for m in NET_MODULES:
        path = re.search(r"^(\S*/%s\.ko(?:\.xz)?):" % m, deps, re.M)
        if path:
            shutil.copy("/lib/modules/%s/%s" % (version, path.group(1)),
                        os.path.join(d, "lib/modules/%s.ko" % m))
    with open(os.path.join(d, "init"), "w") as f:
        f.write(LINUX_INIT)
    os.chmod(os.path.join(d, "init"), 0o755)
    out = os.path.join(tmp, "initrd.cpio")
    files = subprocess.run("cd %s && find ." % d, shell=True, capture_output=True,
                           text=True).stdout
    with open(out, "wb") as f:
        subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=d, input=files.encode(),
                       stdout=f, check=True)
    shutil.copy(kernel, os.path.join(tmp, "vmlinuz"))
    return os.path.join(tmp, "vmlinuz"), out


def linux(cfg, res):
    ports = Ports()
    with tempfile.TemporaryDirectory(prefix="webbench") as tmp:
        kernel, initrd = linux_initrd(tmp, cfg.root)
        base = shlex.split(cfg.qemu)
        i = base.index("-kernel")
        argv = base[:i] + ["-kernel", kernel, "-initrd", initrd, "-append", LINUX_APPEND] + \
            ports.netdev()
        vm = Qemu(argv, "webbench-linux", RUN_TIMEOUT)
        ok = vm.expect(r"WEB-READY", BOOT_TIMEOUT) is not None
        kv = re.search(r"LINUX-KERNEL (\S+)", vm.text)
        res.setdefault("meta", {})["linux_kernel"] = kv.group(1) if kv else "?"
        if ok and wait_port(ports.web["unix"]):
            net_table_runs(ports, res, "linux")
            ports.web = {"linux": ports.web["unix"]}
            cgi_cells(ports, ("linux",), cfg, res, "linux")
        else:
            print("web_bench: Linux's httpd did not come up")
            ok = False
        vm.close(ok, keep=True)
    return ok


# ---- the tables ----------------------------------------------------------------------------

def ratio(a, b):
    return a / b if a and b else None


def fmt(v, f="%.1f"):
    return f % v if v is not None else "-"


def table_n(res):
    t, lx = res.get("tessera", {}), res.get("linux", {})
    print("\nTable O: network, Tessera vs Linux in the same QEMU (virtio-net, user network)")
    print("%-44s %10s %10s %7s %s" % ("", "Tessera", "Linux", "ratio", "goal"))
    rows = (("TCP host -> guest, 16 MiB (MiB/s)", "tcp_in_mibps", 0.8, True),
            ("TCP guest -> host, 16 MiB (MiB/s)", "tcp_out_mibps", 0.8, True),
            ("connect + request + close, ab -c 1 (ms)", "connect_ms", 1.25, False),
            ("UDP round trip, 64 B (us)", "udp_rtt_us", None, False))
    for label, key, goal, higher in rows:
        r = ratio(t.get(key), lx.get(key))
        if goal is None or r is None:
            verdict = "-" if goal is None else "n/a"
        elif higher:
            verdict = ("met" if r >= goal else "not met") + " (>= %.2fx)" % goal
        else:
            verdict = ("met" if r <= goal else "not met") + " (<= %.2fx)" % goal
        print("%-44s %10s %10s %7s %s" % (label, fmt(t.get(key)), fmt(lx.get(key)),
                                          fmt(r, "%.2f"), verdict))


def table_w0(res):
    t = res.get("tessera", {})
    cells = [t.get("spawn_" + m) for m in MODES]
    print("\nTable W0: one CGI request's process work inside Tessera, without the network "
          "(bench/cgispawn.c:\nfork a connection process, which makes /bin/cgihello by vfork + "
          "execve, reads its page, waits for it), us per request, median [fastest-slowest] "
          "of 15 runs")
    print("%26s %26s %26s" % ("UNIX-compatible", "Tender", "Tender+HVS"))
    print("%26s %26s %26s" % tuple("%.0f [%.0f-%.0f]" % tuple(c) if c else "-" for c in cells))
    if all(cells):
        print("Tender / UNIX-compatible %.2f, Tender+HVS / Tender %.2f" % (
            cells[1][0] / cells[0][0], cells[2][0] / cells[1][0]))


def table_w(res):
    t, lx = res.get("tessera", {}), res.get("linux", {})
    print("\nTable W: HVS web evaluation (seed 002, 5.3, fig. 10): busybox httpd + CGI per "
          "request, ApacheBench from the host.\nCell: mean response time from connection "
          "set-up to the last byte (ms) [median; requests >= 1 s] (ab's own mean, which also\n"
          "counts the client's connect: QEMU's user network listens on the host with a "
          "backlog of 1, so a burst of connects\nwaits out the host's SYN retransmission "
          "timeout whatever the guest)")
    print("%4s %27s %27s %27s %27s %9s" % ("c", "UNIX-compatible", "Tender", "Tender+HVS",
                                           "Linux", "HVS gain"))
    goals = {"hvs<tender": [], "tender<unix": [], "best<linux": []}
    for c in CONCURRENCY:
        cells = [t.get("c%d_%s" % (c, m)) for m in MODES] + [lx.get("c%d_linux" % c)]
        # a cell with more than 1 % failed pages (errors, or pages of another length) does
        # not measure the CGI: marked "!", left out of the verdicts
        cells = [x if x and x["failed"] <= x["n"] / 100 else (dict(x, bad=True) if x else None)
                 for x in cells]
        text = ["%s%.1f [%.0f; %d] (%.0f)" % ("!" if x.get("bad") else "", x["mean_ms"],
                                                x["median_ms"], x["slow"], x["ab_mean_ms"])
                if x else "-" for x in cells]
        u, te, h, li = [x["mean_ms"] if x and not x.get("bad") else None for x in cells]
        gain = (te - h) / te * 100 if te and h else None
        print("%4d %27s %27s %27s %27s %8s%%" % (c, *text, fmt(gain)))
        if te and h:
            goals["hvs<tender"].append(h < te)
        if te and u:
            goals["tender<unix"].append(te < u)
        if li and any((u, te, h)):
            goals["best<linux"].append(min(x for x in (u, te, h) if x) < li)
    print("paper (Apache 1.3.33, Pentium III): Tender+HVS 2-6% faster than Tender; "
          "UNIX-compatible slowest.  !: more than 1% failed pages, not counted")
    names = {"hvs<tender": "Tender+HVS faster than Tender at every concurrency",
             "tender<unix": "Tender faster than UNIX-compatible at every concurrency",
             "best<linux": "best Tessera mode faster than Linux at every concurrency"}
    for k, v in goals.items():
        verdict = "n/a" if len(v) < len(CONCURRENCY) else \
            "met" if all(v) else "not met (%d of %d)" % (sum(v), len(v))
        print("goal: %s: %s" % (names[k], verdict))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--root", default="build/root", help="Tessera's staging tree")
    ap.add_argument("--requests", type=int, default=400, help="ab requests per cell")
    ap.add_argument("--rounds", type=int, default=2, help="turns per concurrency")
    ap.add_argument("--json", help="write the numbers here")
    ap.add_argument("--only", choices=("tessera", "linux"), help="boot one system only")
    ap.add_argument("--replay", help="print the tables of a saved --json file")
    cfg = ap.parse_args()
    if cfg.replay:
        with open(cfg.replay) as f:
            res = json.load(f)
        table_n(res)
        table_w0(res)
        table_w(res)
        return 0
    res = {"meta": {"date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                    "requests": cfg.requests, "rounds": cfg.rounds}}
    ok = True
    if cfg.only != "linux":
        ok &= tessera(cfg, res)
    if cfg.only != "tessera":
        ok &= linux(cfg, res)
    table_n(res)
    table_w0(res)
    table_w(res)
    if cfg.json:
        os.makedirs(os.path.dirname(cfg.json) or ".", exist_ok=True)
        with open(cfg.json, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
