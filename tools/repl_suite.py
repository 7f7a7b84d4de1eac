#!/usr/bin/env python3
"""The replacement suite (issue 15, docs/replacement.md): live replacement of the ext2 server
and the block drivers under load, checked on the disks by the host.

One boot with two fresh disks: an ext2 image at /disk (unit 0) and a raw disk (unit 1).
/bin/replstress runs four file clients on /disk and a block client on unit 1 (numbered,
verifiable operations, each checked in the guest at once) while it replaces the ext2 server
and both block drivers a few hundred times in a seeded order. Then, on the host:
  - every replacement succeeded, and every client stopped with all its operations verified;
  - `e2fsck -fn` finds the image clean after the poweroff;
  - every client's files hold exactly what the client's operation stream says they must
    (computed here from the seed and the number of operations it did), read with debugfs;
  - every region of the raw disk holds the sectors its last write put there.

  repl_suite.py --qemu "QEMU CMD" [--results FILE] [--seed N] [--replacements N]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_suites import Shell, Suite, host_suite_main  # noqa: E402
from qemu_run import Qemu  # noqa: E402
from disk_suite import disk_args, fsck  # noqa: E402
from blk_suite import sector_bytes  # noqa: E402

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
CLIENTS, FILES, MAXF, MAXOFF = 4, 8, 20000, 16384
REGIONS, REG_SECTORS, BATCH = 32, 64, 4
BOOT_TIMEOUT = 240
RUN_TIMEOUT = 600


def mix(x):
    z = (x + GOLDEN) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def client_files(seed, c, nops):
    """What client c's files hold after nops operations (replstress.c's file_op)."""
    files = [bytearray() for _ in range(FILES)]
    for k in range(1, nops + 1):
        r = mix((seed * 1000003 + c * 7919 + k) & M64)
        kind, i = r % 16, (r >> 8) % FILES
        if kind <= 8:
            off, ln = (r >> 16) % MAXOFF, 1 + (r >> 32) % 3000
            ln = min(ln, MAXF - off)
            f = files[i]
            if off > len(f):
                f.extend(bytes(off - len(f)))
            f[off:off + ln] = bytes(((c * 31 + k * 7 + j * 13) & 0xff) for j in range(ln))
        elif kind <= 10:
            size, f = (r >> 16) % MAXF, files[i]
            if size > len(f):
                f.extend(bytes(size - len(f)))
            else:
                del f[size:]
        elif kind == 11:
            j = (r >> 16) % FILES
            files[i], files[j] = files[j], files[i]
    return files


def region_seeds(seed, rounds):
    """The seed of the last write of every region of unit 1 (replstress.c's blk_round)."""
    seeds = [0] * REGIONS
    for t in range(rounds):
        picks = []
        for m in range(2 * BATCH):
            r = mix((seed * 31 + t * 8 + m) & M64) % REGIONS
            while r in picks:
                r = (r + 1) % REGIONS
            picks.append(r)
        for m in range(BATCH):
            seeds[picks[m]] = t * BATCH + m + 1
    return seeds


def check_files(suite, image, seed, ops, tmp):
    out = os.path.join(tmp, "dump")
    os.makedirs(out)
    for c in range(CLIENTS):
        subprocess.run(["debugfs", "-R", "rdump /c%d %s" % (c, out), image],
                       capture_output=True)
    bad = []
    for c in range(CLIENTS):
        want = client_files(seed, c, ops.get(c, 0))
        for i in range(FILES):
            path = os.path.join(out, "c%d" % c, "f%d" % i)
            got = open(path, "rb").read() if os.path.exists(path) else None
            if got != bytes(want[i]):
                bad.append("c%d/f%d (%s bytes, want %d)"
                           % (c, i, "no" if got is None else len(got), len(want[i])))
    suite.check("every client's files hold what its operations wrote", not bad,
                "differ: %s" % ", ".join(bad[:6]))


def check_raw(suite, image, seed, rounds):
    seeds, bad = region_seeds(seed, rounds), []
    with open(image, "rb") as f:
        data = f.read()
    for reg in range(REGIONS):
        for s in range(REG_SECTORS):
            sector = reg * REG_SECTORS + s
            want = sector_bytes(seeds[reg], sector) if seeds[reg] else bytes(512)
            if data[sector * 512:(sector + 1) * 512] != want:
                bad.append(sector)
    suite.check("every region of unit 1 holds its last write (%d rounds)" % rounds, not bad,
                "%d sectors differ, first %s" % (len(bad), bad[:4]))


def run_stress(cfg, suite, tmp, fs_image, raw_image):
    vm = Qemu(disk_args(cfg.qemu, [fs_image, raw_image]), "repl-stress",
              BOOT_TIMEOUT + RUN_TIMEOUT)
    sh = Shell(vm)
    why = sh.boot()
    suite.check("boot to a shell", not why, why)
    if why:
        vm.close(False)
        return None
    sh.run("svc start virtio-blk1", 60)
    t0 = time.monotonic()
    out = sh.run("replstress -s %d -n %d -d 25" % (cfg.seed, cfg.replacements),
                 RUN_TIMEOUT) or ""
    took = time.monotonic() - t0
    status = sh.poweroff()
    suite.check("poweroff, no panic", status is not None and not vm.panicked(),
                "panic or no poweroff (status %r)" % status)
    vm.close(suite.failed == 0)
    print("  (replstress: %.1f s)" % took)
    return out


def parse(suite, out, n):
    ops = {int(m.group(1)): int(m.group(2)) for m in re.finditer(r"CLIENT (\d) OPS (\d+)", out)}
    rounds = re.search(r"BLK ROUNDS (\d+)", out)
    repl = re.findall(r"REPL (\S+) (\d+) (\d+) (\d+) (\d+)", out)
    fail = re.search(r"REPLSTRESS FAIL.*", out)
    suite.check("replstress: every replacement and every operation verified",
                "REPLSTRESS OK" in out and not fail, fail.group(0) if fail else out[-300:])
    done = sum(int(r[1]) for r in repl)
    suite.check("%d replacements done (ext2 and both drivers)" % done,
                done == n and len(repl) == 3, "%d of %d, targets %s" % (done, n, repl))
    suite.check("four file clients and the block client reported",
                len(ops) == CLIENTS and rounds is not None, "ops %s" % ops)
    for name, count, lo, med, hi in repl:
        print("  %-12s %4s replacements: min %s us, median %s us, max %s us"
              % (name, count, lo, med, hi))
    print("  operations: %s, block rounds %s" % (ops, rounds.group(1) if rounds else "?"))
    return ops, int(rounds.group(1)) if rounds else 0


def run(cfg):
    suite = Suite("repl")
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="replsuite") as tmp:
        fs_image, raw_image = os.path.join(tmp, "fs.img"), os.path.join(tmp, "raw.img")
        with open(fs_image, "wb") as f:
            f.truncate(64 << 20)
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", fs_image], check=True)
        with open(raw_image, "wb") as f:
            f.truncate(2 << 20)
        out = run_stress(cfg, suite, tmp, fs_image, raw_image)
        if out is not None:
            ops, rounds = parse(suite, out, cfg.replacements)
            rc, log = fsck(fs_image)
            suite.check("e2fsck -fn: the image is clean", rc == 0, log)
            check_files(suite, fs_image, cfg.seed, ops, tmp)
            check_raw(suite, raw_image, cfg.seed, rounds)
    print("  (repl suite: seed %d, %.1f s)" % (cfg.seed, time.monotonic() - t0))
    return suite


def main():
    ap = argparse.ArgumentParser(description="live server replacement under load")
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--results", help="also write the summary line to this file")
    ap.add_argument("--seed", type=int, default=None, help="the suite's seed (default: random)")
    ap.add_argument("--replacements", type=int, default=300)
    return host_suite_main(ap, run)


if __name__ == "__main__":
    sys.exit(main())
