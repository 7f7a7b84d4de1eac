#!/usr/bin/env python3
"""The block-device suite: Tessera's virtio-blk driver against the disk image file itself.

Before the boot the host writes seeded pseudo-random sectors into a fresh image at random
offsets; in one boot Tessera
  - reads them back through the driver's function ids (every region in flight at once) and
    through /dev/vda with unmodified busybox dd and hexdump, and prints checksums;
  - writes seeded data through the function ids (several MiB, every region in flight at
    once) and through /dev/vda with busybox dd (aligned with fsync, and at unaligned byte
    offsets and lengths);
and after the poweroff the host reads the image at the same offsets and compares. The data
pattern and checksum are user/lib/blkpat.h's (splitmix64 per sector, FNV-1a 64).

  blk_suite.py --qemu "QEMU CMD" [--results FILE] [--seed N]
"""
import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_suites import Shell, Suite, host_suite_main  # noqa: E402
from qemu_run import Qemu  # noqa: E402

SUITE_TIMEOUT = 150
CMD_TIMEOUT = 40
DISK_MIB = 64
SECTORS = DISK_MIB * 2048
M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
DRIVER_READY = re.compile(r"virtio-blk: unit 0: (\d+) sectors")


def sector_bytes(seed, s):
    st = (seed ^ (s * GOLDEN)) & M64
    words = []
    for _ in range(64):
        st = (st + GOLDEN) & M64
        z = st
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        words.append(z ^ (z >> 31))
    return b"".join(w.to_bytes(8, "little") for w in words)


def pattern(seed, sector, count):
    return b"".join(sector_bytes(seed, sector + i) for i in range(count))


def fnv64(data, h=0xcbf29ce484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & M64
    return h


class Layout:
    """Non-overlapping regions of the disk, each a (sector, count), chosen by rng."""

    def __init__(self, rng):
        self.rng, self.used = rng, []

    def take(self, lo, hi, align=1):
        for _ in range(1000):
            count = self.rng.randint(lo, hi) // align * align or align
            sector = self.rng.randrange(0, SECTORS - count) // align * align
            if all(sector + count <= s or s + c <= sector for s, c in self.used):
                self.used.append((sector, count))
                return sector, count
        raise RuntimeError("no room left on the disk")


def disk_args(qemu, image):
    """The QEMU command line with our image as its only virtio disk."""
    out, skip = [], False
    for i, a in enumerate(qemu):
        if skip:
            skip = False
            continue
        nxt = qemu[i + 1] if i + 1 < len(qemu) else ""
        if a == "-drive" or (a == "-device" and "virtio-blk" in nxt):
            skip = True
            continue
        out.append(a)
    return out + ["-drive", "file=%s,format=raw,if=none,id=vd0" % image,
                  "-device", "virtio-blk-pci,drive=vd0,disable-legacy=off,disable-modern=off"]


class Plan:
    def __init__(self, seed):
        rng = random.Random(seed)
        lay = Layout(rng)
        self.host_seed, self.fn_seed, self.dd_seed = (rng.getrandbits(63) for _ in range(3))
        self.host = [lay.take(8, 2048) for _ in range(6)]            # host writes, guest reads
        self.fn = [lay.take(256, 2048) for _ in range(8)]            # guest writes, fn ids
        self.dd = lay.take(512, 1024, align=8)                       # dd bs=4096, aligned
        s, _ = lay.take(40, 40)                                      # dd bs=100: unaligned
        self.dd_off, self.dd_len = s * 512 + rng.randrange(1, 412), 100 * rng.randint(5, 30)
        hs, hc = self.host[0]
        self.hexdump_off = hs * 512 + rng.randrange(0, hc * 512 - 64)
        s, _ = self.host[1]
        self.rd_off = s * 512 + rng.randrange(1, 300)                # dd read, unaligned


def make_image(path, plan):
    with open(path, "wb") as f:
        f.truncate(DISK_MIB << 20)
        for s, c in plan.host:
            f.seek(s * 512)
            f.write(pattern(plan.host_seed, s, c))


def sums(out):
    return {(int(m.group(1)), int(m.group(2))): int(m.group(3), 16)
            for m in re.finditer(r"^SUM (\d+) (\d+) ([0-9a-f]{16})$", out, re.M)}


def host_hexdump(image, off, n):
    r = subprocess.run(["/bin/busybox", "hexdump", "-C", "-s", str(off), "-n", str(n), image],
                       stdout=subprocess.PIPE)
    return r.stdout.decode()


def guest_reads(suite, sh, plan, image):
    out = sh.run("blkio read " + " ".join("%d:%d" % r for r in plan.host), CMD_TIMEOUT) or ""
    got = sums(out)
    want = {r: fnv64(pattern(plan.host_seed, *r)) for r in plan.host}
    suite.check("fn ids: read %d host-written regions in flight at once" % len(want),
                got == want, "checksums differ", out)
    s, c = plan.host[2]
    out = sh.run("busybox sh -c 'busybox dd if=/dev/vda bs=4096 skip=%d count=%d 2>/dev/null"
                 " | blkio sum'" % (s // 8, (c + 7) // 8), CMD_TIMEOUT) or ""
    with open(image, "rb") as f:
        f.seek(s // 8 * 4096)
        want = f.read((c + 7) // 8 * 4096)
        f.seek(plan.rd_off)
        want_un = f.read(100 * 7)
    suite.check("/dev/vda: busybox dd read", "SUM - %d %016x" % (len(want), fnv64(want)) in out,
                "checksum differs", out)
    out = sh.run("busybox sh -c 'busybox dd if=/dev/vda bs=100 skip=%d count=7 2>/dev/null"
                 " | blkio sum'" % (plan.rd_off // 100), CMD_TIMEOUT) or ""
    with open(image, "rb") as f:
        f.seek(plan.rd_off // 100 * 100)
        want_un = f.read(700)
    suite.check("/dev/vda: busybox dd read at an unaligned offset",
                "SUM - 700 %016x" % fnv64(want_un) in out, "checksum differs", out)
    want = host_hexdump(image, plan.hexdump_off, 64)
    out = sh.run("busybox hexdump -C -s %d -n 64 /dev/vda" % plan.hexdump_off, CMD_TIMEOUT)
    suite.check("/dev/vda: busybox hexdump", out == want, "output differs",
                "host:\n%s\nTessera:\n%s" % (want, out))
    out = sh.run("busybox blockdev --getsize64 /dev/vda", CMD_TIMEOUT) or ""
    suite.check("/dev/vda: BLKGETSIZE64", out.strip() == str(DISK_MIB << 20), out)


def guest_writes(suite, sh, plan):
    out = sh.run("blkio write %d " % plan.fn_seed + " ".join("%d:%d" % r for r in plan.fn),
                 CMD_TIMEOUT) or ""
    got = sums(out)
    want = {r: fnv64(pattern(plan.fn_seed, *r)) for r in plan.fn}
    suite.check("fn ids: write %d regions (%.1f MiB) in flight at once"
                % (len(want), sum(c for _, c in plan.fn) / 2048), got == want,
                "the guest's checksums differ from the pattern", out)
    s, c = plan.dd
    steps = ["blkio gen %d %d %d > /tmp/a" % (plan.dd_seed, s, c),
             "busybox dd if=/tmp/a of=/dev/vda bs=4096 seek=%d conv=notrunc,fsync" % (s // 8),
             "blkio gen %d 0 8 > /tmp/b" % plan.dd_seed,
             "busybox dd if=/tmp/b of=/dev/vda bs=100 seek=%d count=%d conv=notrunc"
             % (plan.dd_off // 100, plan.dd_len // 100)]
    for cmd in steps:
        out = sh.run("busybox sh -c '%s'" % cmd, CMD_TIMEOUT)
        bad = out is None or any(w in out for w in ("rror", "killed", "exit status", "No "))
        suite.check("guest: " + cmd, not bad, "failed", out)


def check_image(suite, image, plan):
    with open(image, "rb") as f:
        data = f.read()
    bad = [r for r in plan.fn if data[r[0] * 512:(r[0] + r[1]) * 512] != pattern(plan.fn_seed, *r)]
    suite.check("host reads the regions written through fn ids", not bad,
                "regions differ: %s" % bad)
    s, c = plan.dd
    suite.check("host reads the region busybox dd wrote",
                data[s * 512:(s + c) * 512] == pattern(plan.dd_seed, s, c), "it differs")
    off = plan.dd_off // 100 * 100
    want = pattern(plan.dd_seed, 0, 8)[:plan.dd_len]
    suite.check("host reads the unaligned dd write (read-modify-write kept its neighbours)",
                data[off:off + plan.dd_len] == want and
                data[off - 1:off] == b"\0" and data[off + plan.dd_len] == 0, "it differs")
    bad = [r for r in plan.host
           if data[r[0] * 512:(r[0] + r[1]) * 512] != pattern(plan.host_seed, *r)]
    suite.check("host-written regions untouched", not bad, "regions differ: %s" % bad)


def run(cfg):
    suite = Suite("blk")
    t0 = time.monotonic()
    plan = Plan(cfg.seed)
    with tempfile.TemporaryDirectory(prefix="blksuite") as tmp:
        image = os.path.join(tmp, "disk.img")
        make_image(image, plan)
        vm = Qemu(disk_args(cfg.qemu, image), "guest-blk", SUITE_TIMEOUT)
        sh = Shell(vm)
        why = sh.boot()
        if not why:
            out = sh.run("blkio info", CMD_TIMEOUT) or ""
            if "capacity %d sectors" % SECTORS not in out:
                why = "blkio info: %r" % out
        suite.check("boot, driver serving unit 0", not why, why)
        if not why:
            guest_reads(suite, sh, plan, image)
            guest_writes(suite, sh, plan)
        if sh.alive:
            sh.poweroff()
        vm.wait_exit(20)
        suite.check("no kernel panic", not vm.panicked(), "KERNEL PANIC on the console")
        vm.close(suite.failed == 0)
        if not why:
            check_image(suite, image, plan)
    print("  (blk suite: seed %d, %.1f s)" % (cfg.seed, time.monotonic() - t0))
    return suite


def main():
    ap = argparse.ArgumentParser(description="Tessera's block driver against the image file")
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--results", help="also write the summary line to this file")
    ap.add_argument("--seed", type=int, default=None, help="the plan's seed (default: random)")
    return host_suite_main(ap, run)


if __name__ == "__main__":
    sys.exit(main())
