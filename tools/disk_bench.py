#!/usr/bin/env python3
"""The disk benchmark (issue 13): bench/disk_bench.c, one static binary, on Tessera (the ext2
server behind the kernel's forwarding, the virtio-blk driver process) and on Linux (Debian's
kernel, its ext2 driver through ext4.ko, virtio_blk), each booted in the same QEMU with a
fresh 128 MiB ext2 image of 4 KiB blocks; runs alternate, medians are printed.

  disk_bench.py --qemu "QEMU CMD (Tessera)" --bin build/root/bin/disk_bench [--runs N]
"""
import argparse
import glob
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from disk_suite import disk_args, mkfs  # noqa: E402
from qemu_run import Qemu  # noqa: E402

KEYS = [("disk_seq_write_kibps", "16 MiB write + fsync (KiB/s)", 0.8),
        ("disk_seq_read_cold_kibps", "16 MiB read after remount (KiB/s)", 0.8),
        ("disk_seq_read_warm_kibps", "16 MiB read, warm (KiB/s)", 0.8),
        ("disk_create_per_s", "1000 x 1 KiB create+write+close (/s)", 0.5),
        ("disk_stat_per_s", "1000 stat (/s)", 0.5),
        ("disk_read_per_s", "1000 open+read+close (/s)", 0.5),
        ("disk_unlink_per_s", "1000 unlink (/s)", 0.5)]
MODULES = ["virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev",
           "virtio_pci", "virtio_blk", "crc16", "crc32c_generic", "mbcache", "jbd2", "ext4"]
INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
for m in %s; do insmod /lib/modules/$m.ko 2>/dev/null; done
mkdir -p /mnt
mount -t ext2 /dev/vda /mnt && /bin/disk_bench /dev/vda /mnt
echo DISKBENCH-END
poweroff -f
""" % " ".join(MODULES)


def linux_initrd(tmp, bench_bin):
    kernel = sorted(glob.glob("/boot/vmlinuz-*"))[-1]
    version = os.path.basename(kernel)[len("vmlinuz-"):]
    root = os.path.join(tmp, "initrd")
    for d in ("bin", "proc", "dev", "lib/modules"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy("/bin/busybox", os.path.join(root, "bin/busybox"))
    shutil.copy(bench_bin, os.path.join(root, "bin/disk_bench"))
    deps = open("/lib/modules/%s/modules.dep" % version).read()
    for m in MODULES:
        path = re.search(r"^(\S*/%s\.ko(?:\.xz)?):" % m, deps, re.M)
        if path:
            shutil.copy("/lib/modules/%s/%s" % (version, path.group(1)),
                        os.path.join(root, "lib/modules/%s.ko" % m))
    with open(os.path.join(root, "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(root, "init"), 0o755)
    out = os.path.join(tmp, "initrd.cpio")
    files = subprocess.run("cd %s && find ." % root, shell=True, capture_output=True,
                           text=True).stdout
    with open(out, "wb") as f:
        subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root, input=files.encode(),
                       stdout=f, check=True)
    shutil.copy(kernel, os.path.join(tmp, "vmlinuz"))
    return os.path.join(tmp, "vmlinuz"), out


def one_run(argv, name, done):
    vm = Qemu(argv, name, 600)
    ok = vm.expect(done, 600)
    vm.wait_exit(30)
    text = vm.text
    vm.close(ok is not None)
    return {k: float(v) for k, v in re.findall(r"BENCH (\w+) ([\d.]+)", text)}


def measure(qemu, bench_bin, runs):
    """Runs alternate between the two systems, each on a fresh image; returns (tessera,
    linux): each key's median, and under KEY_runs every run's value (bench_report.py's
    format)."""
    results = {"tessera": [], "linux": []}
    with tempfile.TemporaryDirectory(prefix="diskbench") as tmp:
        kernel, initrd = linux_initrd(tmp, bench_bin)
        i = qemu.index("-kernel")
        linux = qemu[:i] + ["-kernel", kernel, "-initrd", initrd, "-append",
                            "console=ttyS0 quiet panic=-1"]
        image = os.path.join(tmp, "disk.img")
        for r in range(runs):
            mkfs(image, 4096)
            results["tessera"].append(one_run(
                disk_args(qemu + ["-append", "run=/bin/disk_bench -- /dev/vda /disk"], [image]),
                "diskbench-tessera-%d" % r, r"BENCH disk_done"))
            mkfs(image, 4096)
            results["linux"].append(one_run(disk_args(linux, [image]), "diskbench-linux-%d" % r,
                                            r"DISKBENCH-END"))
    out = []
    for system in ("tessera", "linux"):
        vals = {}
        for key, _, _ in KEYS:
            got = sorted(x[key] for x in results[system] if key in x)
            if got:
                vals[key] = "%.0f" % statistics.median(got)
                vals[key + "_runs"] = " ".join("%.0f" % v for v in got)
        out.append(vals)
    return out[0], out[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--runs", type=int, default=3)
    cfg = ap.parse_args()
    tess, linux = measure(shlex.split(cfg.qemu), cfg.bin, cfg.runs)
    print("Disk benchmark (issue 13): ext2, 4 KiB blocks, virtio-blk, medians of %d runs"
          % cfg.runs)
    print("%-40s %12s %12s %7s %6s" % ("", "Tessera", "Linux", "ratio", "goal"))
    for key, label, goal in KEYS:
        t, lx = tess.get(key), linux.get(key)
        if not t or not lx:
            print("%-40s %12s %12s" % (label, t or "-", lx or "-"))
            continue
        tm, lm = float(t), float(lx)
        print("%-40s %12.0f %12.0f %7.2f %6s" % (label, tm, lm, tm / lm,
                                                 "ok" if tm / lm >= goal else "<%.1f" % goal))
        print("BENCH %s tessera %.0f linux %.0f" % (key, tm, lm))
    return 0


if __name__ == "__main__":
    sys.exit(main())
