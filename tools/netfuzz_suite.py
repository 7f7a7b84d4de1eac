#!/usr/bin/env python3
"""The malformed-frame fuzzer (issue 14): a seeded host program sends broken Ethernet frames
to Tessera's virtio-net NIC through QEMU's UDP socket backend (-netdev socket,udp=...: each
frame one datagram each way), so they reach the driver, the network server's stack and,
through it, the kernel's socket layer exactly as frames from a wire would.

The host side is a tiny stack of its own at 10.0.2.2 (it answers the guest's ARP) that
crafts every frame: truncated and oversized frames, unknown EtherTypes, ARP junk (bad sizes,
opcodes, addresses), IPv4 with bad versions, header lengths, total lengths, checksums,
options, fragments, TTL 0; ICMP, UDP and TCP with bad lengths, checksums (half of the frames
have right checksums, so they get past the first checks), TCP with random flags, bad data
offsets, junk options (MSS, window scale, SACK, unknown kinds, truncated ones) and segments
out of any window aimed at a live connection and at a listener. Afterwards the guest must
still answer: ping (ICMP echo) and a TCP exchange with bench/netbench's sink (handshake,
data, FIN, the byte count back), made by the same host stack; the network server must be
the same process as before (it did not die), and the kernel must not have panicked.

  netfuzz_suite.py --qemu "QEMU CMD" [--frames N] [--seed S] [--results FILE]
"""
import argparse
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_suites import Shell, Suite, host_suite_main  # noqa: E402
from qemu_run import Qemu  # noqa: E402

SUITE_TIMEOUT = 900
CMD_TIMEOUT = 60
GUEST_IP = bytes([10, 0, 2, 15])
HOST_IP = bytes([10, 0, 2, 2])
HOST_MAC = bytes([0x52, 0x55, 0x0a, 0x00, 0x02, 0x02])
BCAST = b"\xff" * 6
SINK_PORT = 5001
LIVE_PORT = 5004             # busybox nc -l: the live connection the fuzzer aims at
NETBENCH = "netbench %d 5002 5003" % SINK_PORT
NC = "busybox sh -c 'busybox nc -l -p %d > /dev/null &'" % LIVE_PORT


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def eth(dst, etype, payload, src=HOST_MAC):
    return dst + src + struct.pack("!H", etype) + payload


def ipv4(proto, payload, src=HOST_IP, dst=GUEST_IP, ident=0, flags_frag=0x4000, ttl=64,
         options=b"", version=4, ihl=None, total=None, good_csum=True):
    ihl = ihl if ihl is not None else 5 + len(options) // 4
    total = total if total is not None else 20 + len(options) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", (version << 4) | (ihl & 15), 0, total & 0xffff, ident,
                    flags_frag, ttl, proto, 0, src, dst) + options
    c = csum(h) if good_csum else random.getrandbits(16)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def l4_csum(proto, seg, src=HOST_IP, dst=GUEST_IP):
    return csum(src + dst + struct.pack("!BBH", 0, proto, len(seg)) + seg)


def tcp(sport, dport, seq, ack, flags, data=b"", window=65535, options=b"", off=None,
        good_csum=True, src=HOST_IP):
    off = off if off is not None else 5 + len(options) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                    (off & 15) << 4, flags & 0xff, window, 0, 0) + options
    seg = h + data
    c = l4_csum(6, seg, src) if good_csum else random.getrandbits(16)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(sport, dport, data, length=None, good_csum=True):
    length = length if length is not None else 8 + len(data)
    seg = struct.pack("!HHHH", sport, dport, length & 0xffff, 0) + data
    c = l4_csum(17, seg) if good_csum else random.getrandbits(16)
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def icmp(typ, code, rest, good_csum=True):
    m = struct.pack("!BBH", typ, code, 0) + rest
    c = csum(m) if good_csum else random.getrandbits(16)
    return m[:2] + struct.pack("!H", c) + m[4:]


def arp(op, sha, spa, tha, tpa, htype=1, ptype=0x0800, hlen=6, plen=4):
    return struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + sha + spa + tha + tpa


class Wire:
    """The host's end of the guest's Ethernet: one UDP socket, a datagram per frame."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        g = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        g.bind(("127.0.0.1", 0))
        self.guest_port = g.getsockname()[1]
        g.close()
        self.guest_mac = None
        self.sent = 0

    def send(self, frame):
        try:
            self.sock.sendto(frame, ("127.0.0.1", self.guest_port))
            self.sent += 1
        except OSError:
            pass

    def frames(self, timeout):
        """Frames from the guest until timeout (answering its ARP for 10.0.2.2)."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            self.sock.settimeout(left)
            try:
                f, _ = self.sock.recvfrom(65536)
            except (socket.timeout, OSError):
                return
            if len(f) < 14:
                continue
            if self.guest_mac is None or f[6:12] != self.guest_mac:
                self.guest_mac = f[6:12]
            if f[12:14] == b"\x08\x06" and len(f) >= 42 and f[20:22] == b"\x00\x01" and \
                    f[38:42] == HOST_IP:
                self.send(eth(f[6:12], 0x0806, arp(2, HOST_MAC, HOST_IP, f[6:12], f[28:32])))
                continue
            yield f

    def drain(self, t=0.2):
        for _ in self.frames(t):
            pass


# ---- what the guest must still do -----------------------------------------------------------

def ping(wire, ident, tries=5):
    """True when the guest answers an ICMP echo request."""
    for seq in range(tries):
        payload = struct.pack("!HH", ident, seq) + b"fuzz-ping-%d" % seq
        wire.send(eth(wire.guest_mac or BCAST, 0x0800, ipv4(1, icmp(8, 0, payload))))
        for f in wire.frames(2.0):
            if f[12:14] == b"\x08\x00" and f[23] == 1 and len(f) >= 42 and f[34] == 0 and \
                    f[38:42] == payload[:4]:
                return True
    return False


class TcpClient:
    """Just enough TCP to open a connection to the guest, send data and a FIN, and read the
    answer up to the guest's FIN."""

    def __init__(self, wire, dport, rng):
        self.w, self.dport = wire, dport
        self.sport = rng.randrange(20000, 60000)
        self.iss = rng.getrandbits(32)
        self.snd = self.iss
        self.rcv = None
        self.got = b""
        self.fin = False

    def seg(self, flags, data=b"", seq=None):
        s = self.snd if seq is None else seq
        return eth(self.w.guest_mac, 0x0800,
                   ipv4(6, tcp(self.sport, self.dport, s, self.rcv or 0, flags, data)))

    def segments(self, timeout):
        for f in self.w.frames(timeout):
            if f[12:14] != b"\x08\x00" or f[23] != 6:
                continue
            ihl = (f[14] & 15) * 4
            t = f[14 + ihl:]
            total = struct.unpack("!H", f[16:18])[0]
            sport, dport, seq, ack, offfl, flags = struct.unpack("!HHIIBB", t[:14])
            if sport != self.dport or dport != self.sport:
                continue
            yield seq, ack, flags, t[(offfl >> 4) * 4:total - ihl]

    def connect(self):
        for _ in range(4):
            self.w.send(self.seg(0x02))                     # SYN
            for seq, ack, flags, _ in self.segments(2.0):
                if flags & 0x12 == 0x12 and ack == (self.iss + 1) & 0xffffffff:
                    self.snd = ack
                    self.rcv = (seq + 1) & 0xffffffff
                    self.w.send(self.seg(0x10))             # ACK
                    return True
        return False

    def send_and_close(self, data):
        self.w.send(self.seg(0x18, data))                   # PSH ACK
        self.snd = (self.snd + len(data)) & 0xffffffff
        self.w.send(self.seg(0x11))                         # FIN ACK
        self.snd = (self.snd + 1) & 0xffffffff

    def read_to_fin(self, timeout):
        end = time.monotonic() + timeout
        while not self.fin and time.monotonic() < end:
            for seq, ack, flags, data in self.segments(1.0):
                if seq == self.rcv and data:
                    self.got += data
                    self.rcv = (self.rcv + len(data)) & 0xffffffff
                if flags & 0x01 and seq + len(data) & 0xffffffff == self.rcv:
                    self.rcv = (self.rcv + 1) & 0xffffffff
                    self.fin = True
                self.w.send(self.seg(0x10))
                if self.fin:
                    break
            else:
                if not self.fin:                            # nothing new: nudge
                    self.w.send(self.seg(0x10))
        return self.got


def tcp_exchange(wire, rng, size=3000):
    """A connection to netbench's sink: size bytes and a FIN, then its count of them back."""
    c = TcpClient(wire, SINK_PORT, rng)
    if not c.connect():
        return "no handshake"
    data = bytes(rng.getrandbits(8) for _ in range(size))
    for i in range(0, size, 1000):
        c.w.send(c.seg(0x18, data[i:i + 1000]))
        c.snd = (c.snd + len(data[i:i + 1000])) & 0xffffffff
    c.send_and_close(b"")
    c.snd = (c.snd - 0) & 0xffffffff
    got = c.read_to_fin(15)
    if len(got) < 8:
        return "answer %r" % got
    n = struct.unpack("<Q", got[:8])[0]
    return "" if n == size else "count %d for %d bytes" % (n, size)


# ---- the fuzzer ------------------------------------------------------------------------------

def junk(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def tcp_options(rng):
    kinds = [b"\x02\x04" + struct.pack("!H", rng.choice((0, 1, 88, 536, 1460, 65535))),
             b"\x02" + bytes([rng.choice((0, 1, 3, 255))]),          # MSS, bad length
             b"\x03\x03" + bytes([rng.choice((0, 7, 14, 15, 200))]),  # window scale
             b"\x04\x02", b"\x05" + bytes([rng.choice((2, 10, 34, 255))]) + junk(rng, 8),
             b"\x08\x0a" + junk(rng, 8), b"\x01", b"\x00",
             bytes([rng.randrange(9, 256), rng.randrange(0, 256)]) + junk(rng, rng.randrange(6))]
    o = b"".join(rng.choice(kinds) for _ in range(rng.randrange(1, 6)))
    o = o[:40]
    return o + b"\x00" * (-len(o) % 4)


class Fuzzer:
    def __init__(self, wire, rng, live):
        self.w, self.rng, self.live = wire, rng, live   # live: (sport, snd, rcv) of a conn

    def good(self):
        return self.rng.random() < 0.5

    def l2(self, payload, etype=0x0800):
        r = self.rng
        dst = r.choice((self.w.guest_mac, self.w.guest_mac, BCAST, junk(r, 6)))
        return eth(dst, etype, payload, src=r.choice((HOST_MAC, junk(r, 6))))

    def frame_raw(self):
        r = self.rng
        # never empty: QEMU's socket backend takes an empty datagram for the end of the
        # connection and stops reading the socket (the guest would hear nothing more)
        n = r.choice((1, 13, 14, 15, 59, 60, 61, 1514, 1515, 1518, 2048, 4000, 9000,
                      r.randrange(1, 1600)))
        return junk(r, n)

    def frame_arp(self):
        r = self.rng
        spa = r.choice((junk(r, 4), bytes([10, 0, 2, r.randrange(3, 255)]), b"\0" * 4,
                        b"\xff" * 4, GUEST_IP))
        body = arp(r.choice((1, 2, 0, 3, 65535)), junk(r, 6), spa, junk(r, 6),
                   r.choice((GUEST_IP, junk(r, 4))), htype=r.choice((1, 1, 6, 0)),
                   ptype=r.choice((0x0800, 0x0800, 0x86dd)), hlen=r.choice((6, 6, 0, 255)),
                   plen=r.choice((4, 4, 0, 16)))
        return self.l2(body[:r.choice((len(body), r.randrange(0, len(body) + 1)))], 0x0806)

    def frame_ip(self):
        r = self.rng
        proto = r.choice((1, 6, 17, 0, 2, 41, 255))
        payload = junk(r, r.randrange(0, 200))
        opts = r.choice((b"", b"", junk(r, 4 * r.randrange(1, 11)), b"\x01\x01\x01\x00",
                         b"\x07\x27" + junk(r, 2)))
        return self.l2(ipv4(proto, payload, options=opts, version=r.choice((4, 4, 4, 6, 0)),
                            ihl=r.choice((None, None, 0, 4, 15, r.randrange(16))),
                            total=r.choice((None, None, 0, 19, 20, 65535, r.randrange(65536))),
                            flags_frag=r.choice((0x4000, 0x2000, 0x2000 | r.randrange(8192),
                                                 r.randrange(65536))),
                            ttl=r.choice((64, 0, 1)), good_csum=self.good(),
                            src=r.choice((HOST_IP, junk(r, 4), b"\xff" * 4, GUEST_IP)),
                            dst=r.choice((GUEST_IP, GUEST_IP, b"\xff" * 4, junk(r, 4),
                                          bytes([127, 0, 0, 1])))))

    def frame_icmp(self):
        r = self.rng
        body = icmp(r.choice((8, 0, 3, 5, 11, 13, r.randrange(256))), r.randrange(16),
                    junk(r, r.randrange(0, 1400)), good_csum=self.good())
        return self.l2(ipv4(1, body[:r.choice((len(body), r.randrange(len(body) + 1)))],
                            flags_frag=r.choice((0x4000, 0x2000, 0))))

    def frame_udp(self):
        r = self.rng
        data = junk(r, r.randrange(0, 1400))
        body = udp(r.randrange(65536), r.choice((5003, 67, 68, 53, r.randrange(65536))), data,
                   length=r.choice((None, None, 0, 7, 8, 65535, r.randrange(65536))),
                   good_csum=self.good())
        return self.l2(ipv4(17, body))

    def frame_tcp(self):
        r = self.rng
        sport, snd, rcv = self.live
        if r.random() < 0.5:    # at the live connection: in, near and far out of its window
            seq = r.choice((snd, snd + r.randrange(-70000, 70000), r.getrandbits(32)))
            ack = r.choice((rcv, rcv + r.randrange(-70000, 70000), r.getrandbits(32)))
            sp, dp = sport, LIVE_PORT
        else:                   # at the listener or anywhere
            seq, ack = r.getrandbits(32), r.getrandbits(32)
            sp, dp = r.randrange(65536), r.choice((SINK_PORT, 5002, r.randrange(65536)))
        opts = tcp_options(r) if r.random() < 0.5 else b""
        seg = tcp(sp, dp, seq, ack, r.getrandbits(8), junk(r, r.choice((0, 1, 100, 1400))),
                  window=r.choice((0, 1, 65535, r.randrange(65536))), options=opts,
                  off=r.choice((None, None, None, 0, 4, 15, r.randrange(16))),
                  good_csum=self.good())
        return self.l2(ipv4(6, seg[:r.choice((len(seg), len(seg), r.randrange(len(seg) + 1)))]))

    def one(self):
        kind = self.rng.choice((self.frame_raw, self.frame_arp, self.frame_ip, self.frame_icmp,
                                self.frame_udp, self.frame_tcp, self.frame_tcp, self.frame_tcp))
        self.w.send(kind())


def net_pid(sh):
    ps = sh.run("ps", CMD_TIMEOUT) or ""
    for row in ps.split("\n"):
        f = row.split()
        if f and f[-1] == "net" and f[0].isdigit():
            return int(f[0])
    return None


def socket_args(qemu, wire):
    out = list(qemu)
    dev = "socket,id=net0,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (wire.port,
                                                                      wire.guest_port)
    for i, a in enumerate(out):
        if a.startswith("user,id=net0"):
            out[i] = dev
            return out
    return out + ["-netdev", dev, "-device",
                  "virtio-net-pci,netdev=net0,disable-legacy=off,disable-modern=off"]


def run(cfg):
    suite = Suite("netfuzz")
    t0 = time.monotonic()
    rng = random.Random(cfg.seed)
    random.seed(cfg.seed)
    print("  netfuzz: seed %d, %d frames" % (cfg.seed, cfg.frames))
    wire = Wire()
    vm = Qemu(socket_args(cfg.qemu, wire), "guest-netfuzz", SUITE_TIMEOUT)
    sh = Shell(vm)
    why = sh.boot()
    suite.check("boot", not why, why)
    if not why:
        out = (sh.run(NETBENCH, CMD_TIMEOUT) or "") + (sh.run(NC, CMD_TIMEOUT) or "")
        pid0 = net_pid(sh)
        wire.send(eth(BCAST, 0x0806, arp(1, HOST_MAC, HOST_IP, b"\0" * 6, GUEST_IP)))
        wire.drain(0.5)
        suite.check("before: the guest answers ping", ping(wire, 1), "no echo reply", out)
        suite.check("before: a TCP exchange with netbench's sink", tcp_exchange(wire, rng) == "")
        live = TcpClient(wire, LIVE_PORT, rng)
        live_ok = live.connect()
        fz = Fuzzer(wire, rng, (live.sport, live.snd, live.rcv or 0))
        for i in range(cfg.frames):
            fz.one()
            if i % 200 == 199:
                wire.drain(0.01)                     # keep up with the guest's answers
        wire.drain(1.0)
        # a forged ARP may have taught the guest another MAC for 10.0.2.2: correct it
        wire.send(eth(BCAST, 0x0806, arp(1, HOST_MAC, HOST_IP, b"\0" * 6, GUEST_IP)))
        wire.drain(0.5)
        suite.check("after %d malformed frames: the guest answers ping" % cfg.frames,
                    ping(wire, 2), "no echo reply")
        res = tcp_exchange(wire, rng)
        suite.check("after: a TCP exchange with netbench's sink", res == "", res)
        suite.check("a live connection to aim at (busybox nc -l)", live_ok, "no handshake")
        pid1 = net_pid(sh)
        suite.check("the network server is the same process (pid %s) as before" % pid0,
                    pid0 is not None and pid0 == pid1, "before %s, after %s" % (pid0, pid1))
    if sh.alive:
        sh.poweroff()
    vm.wait_exit(20)
    suite.check("no kernel panic", not vm.panicked(), "KERNEL PANIC on the console")
    vm.close(suite.failed == 0)
    print("  (netfuzz suite: %d frames sent, %.1f s)" % (wire.sent, time.monotonic() - t0))
    return suite


def main():
    ap = argparse.ArgumentParser(description="malformed frames into Tessera's network")
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--results", help="also write the summary line to this file")
    ap.add_argument("--frames", type=int, default=5000)
    ap.add_argument("--seed", type=int)
    return host_suite_main(ap, run)


if __name__ == "__main__":
    sys.exit(main())
