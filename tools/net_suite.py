#!/usr/bin/env python3
"""The network suite: Tessera's network server and virtio-net driver against QEMU's user
network and python peers on the host, through /bin/nettest, which calls the server's
TFN_NET_* ids directly (no kernel socket layer needed).

One boot with the test boots' devices, whose NIC gets a forwarded port: host 127.0.0.1:FWD
(a free port) -> guest 5001. In it:
  - ping the gateway 10.0.2.2 through a TNET_PING socket;
  - UDP datagrams to a host echo server (the guest reaches the host's 127.0.0.1:P as
    10.0.2.2:P);
  - 10 MiB over TCP guest -> host and host -> guest, the guest connecting to 10.0.2.2, and
    again with the host connecting through the forwarded port to a guest listener; CRC-32 and
    length compared on both sides;
  - the server replaced live (docs/replacement.md) 10 times during each of three 8 MiB TCP
    transfers (`nettest -R`): guest -> host through the TFN_NET_* ids, host -> guest and
    guest -> host through Linux sockets (the kernel's socket layer); CRC-32 and length
    compared on both sides; ping after, and svc shows the state version and the count;
  - TCP and UDP over 127.0.0.1 inside the guest;
  - the server stopped and started again with svc: new sockets work, no handle left open;
  - `net dhcp`: a lease from QEMU's DHCP server, and ping after it;
  - the server restarted with its fault switch on (service net-lossy: 5% of the frames each
    way dropped, 2% duplicated, 5% reordered): 10 MiB guest -> host and 2 MiB host -> guest
    (slirp's TCP is the slow sender there) intact, drops and retransmissions counted.
Then two Tessera nodes (no disks) on one Ethernet through QEMU's multicast socket backend
(`make run NET=mcast`; a random group port per run) ping each other and move 2 MB over TCP.

  net_suite.py --qemu "QEMU CMD" [--results FILE] [--seed N] [--mib N]
"""
import argparse
import os
import random
import re
import socket
import sys
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_suites import Shell, Suite, host_suite_main  # noqa: E402
from qemu_run import Qemu  # noqa: E402

SUITE_TIMEOUT = 420
CMD_TIMEOUT = 90
LOSSY_TIMEOUT = 150
LOSSY_IN_MIB = 2
GUEST_PORT = 5001
M64 = (1 << 64) - 1


def pattern(seed, n):
    """nettest's xorshift64* stream (user/bin/nettest.c, pat_fill)."""
    x = (seed * 2 + 1) & M64
    out = bytearray()
    for _ in range((n + 7) // 8):
        x ^= x >> 12
        x ^= (x << 25) & M64
        x ^= x >> 27
        out += ((x * 0x2545F4914F6CDD1D) & M64).to_bytes(8, "little")
    return bytes(out[:n])


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def net_args(qemu, fwd):
    """The QEMU command line with its user-network NIC given a forwarded port."""
    out = list(qemu)
    for i, a in enumerate(out):
        if a.startswith("user,id="):
            out[i] = a + ",hostfwd=tcp:127.0.0.1:%d-:%d" % (fwd, GUEST_PORT)
            return out
    return out + ["-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:%d-:%d" % (fwd, GUEST_PORT),
                  "-device", "virtio-net-pci,netdev=net0,disable-legacy=off,disable-modern=off"]


class Peer(threading.Thread):
    """A host peer in a thread: its result (or the exception) in self.result."""

    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn, self.result = fn, None

    def run(self):
        try:
            self.result = self.fn()
        except Exception as e:  # the check reports it
            self.result = e


def udp_echo(sock, count):
    n = 0
    sock.settimeout(CMD_TIMEOUT)
    while n < count:
        data, addr = sock.recvfrom(65536)
        sock.sendto(data, addr)
        n += 1
    return n


def recv_all(conn):
    crc, total = 0, 0
    while True:
        b = conn.recv(1 << 16)
        if not b:
            return total, crc
        crc = zlib.crc32(b, crc)
        total += len(b)


def serve_one(lsock, action):
    lsock.settimeout(CMD_TIMEOUT)
    conn, _ = lsock.accept()
    conn.settimeout(CMD_TIMEOUT)
    with conn:
        return action(conn)


def send_data(data):
    def act(conn):
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        conn.recv(1)           # the guest's close
        return len(data)
    return act


def guest_line(out, what):
    m = re.search(r"^TCP %s (\d+) bytes crc ([0-9a-f]{8}) in (\d+) ms" % what, out or "", re.M)
    return (int(m.group(1)), int(m.group(2), 16), int(m.group(3))) if m else None


class Run:
    def __init__(self, suite, sh, vm, cfg):
        self.suite, self.sh, self.vm, self.cfg = suite, sh, vm, cfg
        self.nbytes = cfg.mib << 20
        self.data = pattern(cfg.seed, self.nbytes)
        self.crc = zlib.crc32(self.data)

    def ping_udp(self):
        out = self.sh.run("nettest ping 10.0.2.2 5", CMD_TIMEOUT) or ""
        self.suite.check("ping 10.0.2.2 (TNET_PING socket)", "PING 5/5 replies" in out, out)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        peer = Peer(lambda: udp_echo(u, 50))
        peer.start()
        out = self.sh.run("nettest udp 10.0.2.2 %d 50 1200" % u.getsockname()[1], CMD_TIMEOUT)
        peer.join(5)
        u.close()
        self.suite.check("UDP: 50 datagrams of 1200 bytes to a host echo server and back",
                         "UDP 50/50 echoed" in (out or ""), "output", out)

    def guest_connects(self):
        lsock = socket.create_server(("127.0.0.1", 0))
        port = lsock.getsockname()[1]
        peer = Peer(lambda: serve_one(lsock, recv_all))
        peer.start()
        out = self.sh.run("nettest tcpconn 10.0.2.2 %d send %d %d" % (port, self.nbytes,
                                                                     self.cfg.seed), CMD_TIMEOUT)
        peer.join(10)
        g = guest_line(out, "sent")
        self.suite.check("TCP guest -> host (guest connects to 10.0.2.2): %d MiB, CRC" % self.cfg.mib,
                         g and peer.result == (self.nbytes, self.crc) and g[1] == self.crc,
                         "host got %r, guest %r" % (peer.result, g), out)
        self.rate("guest->host", g)
        peer = Peer(lambda: serve_one(lsock, send_data(self.data)))
        peer.start()
        out = self.sh.run("nettest tcpconn 10.0.2.2 %d recv 0 0" % port, CMD_TIMEOUT)
        peer.join(10)
        g = guest_line(out, "received")
        self.suite.check("TCP host -> guest (guest connects to 10.0.2.2): %d MiB, CRC" % self.cfg.mib,
                         g and g[:2] == (self.nbytes, self.crc), "guest %r" % (g,), out)
        self.rate("host->guest", g)
        lsock.close()

    def host_connects(self):
        def wait_listening():
            m = self.vm.expect("LISTENING %d" % GUEST_PORT, CMD_TIMEOUT)
            if not m:
                raise RuntimeError("the guest never listened")
            return socket.create_connection(("127.0.0.1", self.cfg.fwd), CMD_TIMEOUT)

        def sender():
            with wait_listening() as c:
                return send_data(self.data)(c)

        def receiver():
            with wait_listening() as c:
                return recv_all(c)
        for name, fn, mode, what in (("host -> guest", sender, "recv", "received"),
                                     ("guest -> host", receiver, "send", "sent")):
            peer = Peer(fn)
            start = self.vm.pos
            peer.start()
            out = self.sh.run("nettest tcpserve %d %s %d %d" % (GUEST_PORT, mode, self.nbytes,
                                                                 self.cfg.seed), CMD_TIMEOUT)
            self.vm.pos = max(self.vm.pos, start)
            peer.join(10)
            g = guest_line(out, what)
            ok = g and g[:2] == (self.nbytes, self.crc)
            if mode == "send":
                ok = ok and peer.result == (self.nbytes, self.crc)
            self.suite.check("TCP %s through the forwarded port 127.0.0.1:%d: %d MiB, CRC"
                             % (name, self.cfg.fwd, self.cfg.mib), ok,
                             "guest %r, host %r" % (g, peer.result), out)

    def replacements(self):
        """The server replaced live during a transfer each way: nothing lost or damaged."""
        n = self.cfg.repl_n
        nbytes = self.cfg.repl_mib << 20
        data = pattern(self.cfg.seed + 1, nbytes)
        crc = zlib.crc32(data)
        lsock = socket.create_server(("127.0.0.1", 0))
        port = lsock.getsockname()[1]
        times = []
        send = "send %d %d" % (nbytes, self.cfg.seed + 1)
        for what, action, mode, cmd, args in (
                ("guest -> host (the ids directly)", recv_all, "sent", "tcpconn", send),
                ("host -> guest (Linux sockets)", send_data(data), "received", "sockconn",
                 "recv 0 0"),
                ("guest -> host (Linux sockets)", recv_all, "sent", "sockconn", send)):
            peer = Peer(lambda act=action: serve_one(lsock, act))
            peer.start()
            out = self.sh.run("nettest -R %d %s 10.0.2.2 %d %s" % (n, cmd, port, args),
                              CMD_TIMEOUT) or ""
            peer.join(10)
            g = guest_line(out, mode)
            r = re.search(r"^REPLACED (\d+)/(\d+) during (\d+) median (\d+) us max (\d+) us",
                          out, re.M)
            ok = g and g[:2] == (nbytes, crc) and r and int(r.group(1)) == n and \
                int(r.group(3)) > 0
            if mode == "sent":
                ok = ok and peer.result == (nbytes, crc)
            self.suite.check("TCP %s, %d MiB, CRC on both ends, while the server is replaced "
                             "%d times" % (what, self.cfg.repl_mib, n), ok,
                             "guest %r, host %r" % (g, peer.result), out)
            if r:
                times.append((int(r.group(3)), int(r.group(4)), int(r.group(5))))
        lsock.close()
        if times:
            print("  (replacements during the transfers: %s of %d; median %s us, max %s us)"
                  % ("+".join(str(t[0]) for t in times), 3 * n,
                     "/".join(str(t[1]) for t in times), "/".join(str(t[2]) for t in times)))
        out = self.sh.run("nettest ping 10.0.2.2 3", CMD_TIMEOUT) or ""
        self.suite.check("ping after the replacements", "PING 3/3 replies" in out, "", out)
        out = self.sh.run("svc", CMD_TIMEOUT) or ""
        m = re.search(r"^net\s+\d+\s+(\S+)\s+(\d+)\s", out, re.M)
        self.suite.check("svc lists net with state version 2 and the replacements",
                         m and m.group(1) == "2" and int(m.group(2)) >= 3 * n, "", out)

    def rate(self, what, g):
        if g:
            print("  (%s: %.1f MiB/s)" % (what, g[0] / 1048576 / max(g[2], 1) * 1000))

    def loop_and_restart(self):
        out = self.sh.run("nettest loop 4000000", CMD_TIMEOUT) or ""
        self.suite.check("loopback TCP (4 MB) and UDP inside the guest",
                         "LOOP tcp 4000000/4000000" in out and "LOOP udp ok" in out, out)
        out = self.sh.run("nettest count", CMD_TIMEOUT) or ""
        self.suite.check("no handle left open after the tests", "HANDLES tcp 0 udp 0" in out, out)
        out = (self.sh.run("svc stop net", CMD_TIMEOUT) or "") + \
            (self.sh.run("svc start net", CMD_TIMEOUT) or "")
        started = "started net" in out
        out2 = self.sh.run("nettest ping 10.0.2.2 2", CMD_TIMEOUT) or ""
        out3 = self.sh.run("nettest loop 100000", CMD_TIMEOUT) or ""
        self.suite.check("the server stopped and started with svc serves again",
                         started and "PING 2/2" in out2 and "LOOP udp ok" in out3, "",
                         out + out2 + out3)

    def lossy(self):
        """The server restarted with its fault switch on: a transfer each way survives."""
        nbytes = self.cfg.lossy_mib << 20
        data = pattern(self.cfg.seed, nbytes)
        crc = zlib.crc32(data)
        # QEMU's user network (slirp) is the sender host -> guest, and under these losses it
        # moves about 0.1 MiB/s (its BSD TCP's 500 ms timer steps, likely), so that way
        # moves less
        small = LOSSY_IN_MIB << 20
        sdata, scrc = data[:small], zlib.crc32(data[:small])
        out = (self.sh.run("svc stop net", CMD_TIMEOUT) or "") + \
            (self.sh.run("svc start net-lossy", CMD_TIMEOUT) or "")
        if not self.suite.check("the server restarted with its fault switch on (5/2/5 %)",
                                "fault switch: 5% dropped" in self.vm.text and
                                "started net-lossy" in out, "", out):
            return
        # net and net-lossy share their ids: only the one of the running server's name runs
        out = self.sh.run("svc stop net", CMD_TIMEOUT) or ""
        self.suite.check("svc tells net from net-lossy (same ids): net is not running",
                         "svc: net is not running" in out, "", out)
        lsock = socket.create_server(("127.0.0.1", 0))
        port = lsock.getsockname()[1]
        peer = Peer(lambda: serve_one(lsock, recv_all))
        peer.start()
        out = self.sh.run("nettest tcpconn 10.0.2.2 %d send %d %d" % (port, nbytes, self.cfg.seed),
                          LOSSY_TIMEOUT)
        peer.join(10)
        g = guest_line(out, "sent")
        self.suite.check("lossy link: TCP guest -> host, %d MiB intact" % self.cfg.lossy_mib,
                         g and peer.result == (nbytes, crc), "host got %r" % (peer.result,), out)
        self.rate("lossy guest->host", g)
        peer = Peer(lambda: serve_one(lsock, send_data(sdata)))
        peer.start()
        out = self.sh.run("nettest tcpconn 10.0.2.2 %d recv 0 0" % port, LOSSY_TIMEOUT)
        peer.join(10)
        lsock.close()
        g = guest_line(out, "received")
        self.suite.check("lossy link: TCP host -> guest, %d MiB intact" % LOSSY_IN_MIB,
                         g and g[:2] == (small, scrc), "guest %r" % (g,), out)
        self.rate("lossy host->guest", g)
        out = self.sh.run("net stats", CMD_TIMEOUT) or ""
        m = re.search(r"retransmitted (\d+) fast retransmits (\d+)", out)
        d = re.search(r"dropped (\d+)", out)
        self.suite.check("lossy link: frames dropped and retransmissions counted",
                         m and d and int(m.group(1)) > 0 and int(d.group(1)) > 0, "", out)
        if m and d:
            print("  (lossy link: %s frames dropped, %s retransmissions, %s fast)"
                  % (d.group(1), m.group(1), m.group(2)))
        out = (self.sh.run("svc stop net-lossy", CMD_TIMEOUT) or "") + \
            (self.sh.run("svc start net", CMD_TIMEOUT) or "")
        self.suite.check("the plain server back", "started net" in out, "", out)

    def dhcp(self):
        """net dhcp: the address comes from QEMU's DHCP server (the same 10.0.2.15)."""
        out = self.sh.run("net dhcp", CMD_TIMEOUT) or ""
        for _ in range(10):
            if "(dhcp)" in out:
                break
            time.sleep(0.5)
            out = self.sh.run("net", CMD_TIMEOUT) or ""
        self.suite.check("net dhcp: a lease from QEMU's DHCP server",
                         "inet 10.0.2.15/24 gateway 10.0.2.2 dns 10.0.2.3 (dhcp)" in out, "", out)
        out = self.sh.run("nettest ping 10.0.2.2 2", CMD_TIMEOUT) or ""
        self.suite.check("ping after DHCP", "PING 2/2" in out, "", out)


def node_args(qemu, node, group):
    """The QEMU command line with no disks and only a multicast-backend NIC."""
    out, skip = [], False
    for i, a in enumerate(qemu):
        nxt = qemu[i + 1] if i + 1 < len(qemu) else ""
        if skip:
            skip = False
            continue
        if a in ("-drive", "-netdev") or (a == "-device" and nxt.split(",")[0] in
                                          ("virtio-blk-pci", "virtio-net-pci", "e1000e")):
            skip = True
            continue
        out.append(a)
    return out + ["-netdev", "socket,id=n0,mcast=%s" % group, "-device",
                  "virtio-net-pci,netdev=n0,disable-legacy=off,disable-modern=off,"
                  "mac=52:54:00:12:35:%02x" % node]


def two_nodes(suite, cfg):
    group = "230.0.0.1:%d" % random.randrange(20000, 60000)
    vms = [Qemu(node_args(cfg.qemu, n, group), "guest-net-node%d" % n, 120) for n in (1, 2)]
    shs = [Shell(vm) for vm in vms]
    why = "; ".join(w for w in (sh.boot() for sh in shs) if w)
    for n, sh in enumerate(shs, 1):
        out = sh.run("net addr 10.0.3.%d/24" % n, CMD_TIMEOUT) or ""
        if not why and "inet 10.0.3.%d/24" % n not in out:
            why = "node %d: net addr: %r" % (n, out)
    suite.check("two nodes on the multicast backend (%s) up as 10.0.3.1 and 10.0.3.2" % group,
                not why, why)
    if not why:
        out = shs[0].run("nettest ping 10.0.3.2 3", CMD_TIMEOUT) or ""
        suite.check("node 1 pings node 2", "PING 3/3 replies" in out, "output", out)
        peer = Peer(lambda: shs[1].run("nettest tcpserve 5001 recv 2000000 9", CMD_TIMEOUT))
        peer.start()
        vms[1].expect("LISTENING 5001", CMD_TIMEOUT)
        out = shs[0].run("nettest tcpconn 10.0.3.2 5001 send 2000000 9", CMD_TIMEOUT)
        peer.join(CMD_TIMEOUT)
        sent, got = guest_line(out, "sent"), guest_line(peer.result, "received")
        want = zlib.crc32(pattern(9, 2000000))
        suite.check("node 1 -> node 2: 2 MB over TCP, CRC", sent and got and
                    sent[:2] == got[:2] == (2000000, want), "sender %r, receiver %r" % (sent, got),
                    "%s\n%s" % (out, peer.result))
    for sh, vm in zip(shs, vms):
        if sh.alive:
            sh.poweroff()
        vm.wait_exit(20)
        suite.check("no kernel panic on %s" % vm.name, not vm.panicked(), "KERNEL PANIC")
        vm.close(suite.failed == 0)


def run(cfg):
    suite = Suite("net")
    t0 = time.monotonic()
    cfg.fwd = free_port()
    vm = Qemu(net_args(cfg.qemu, cfg.fwd), "guest-net", SUITE_TIMEOUT)
    sh = Shell(vm)
    why = sh.boot()
    out = "" if why else (sh.run("net", CMD_TIMEOUT) or "")
    if not why and "inet 10.0.2.15/24 gateway 10.0.2.2" not in out:
        why = "net: %r" % out
    suite.check("boot, network server up with 10.0.2.15/24", not why, why)
    if not why:
        r = Run(suite, sh, vm, cfg)
        r.ping_udp()
        r.guest_connects()
        r.host_connects()
        r.replacements()
        r.loop_and_restart()
        r.lossy()
        r.dhcp()
    if sh.alive:
        sh.poweroff()
    vm.wait_exit(20)
    suite.check("no kernel panic", not vm.panicked(), "KERNEL PANIC on the console")
    vm.close(suite.failed == 0)
    two_nodes(suite, cfg)
    print("  (net suite: seed %d, %.1f s)" % (cfg.seed, time.monotonic() - t0))
    return suite


def main():
    ap = argparse.ArgumentParser(description="Tessera's network server against QEMU's user net")
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--results", help="also write the summary line to this file")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--mib", type=int, default=10, help="MiB per TCP transfer")
    ap.add_argument("--lossy-mib", type=int, default=10, help="MiB per transfer, lossy link")
    ap.add_argument("--repl-mib", type=int, default=8,
                    help="MiB per transfer during replacements")
    ap.add_argument("--repl-n", type=int, default=10,
                    help="replacements of the server during each of the two transfers")
    return host_suite_main(ap, run)


if __name__ == "__main__":
    sys.exit(main())
