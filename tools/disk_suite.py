#!/usr/bin/env python3
"""The disk suite (issue 13): Tessera's ext2 server and the kernel's forwarding, checked by the
host's e2fsprogs on the image files themselves.

  - seeded random workloads (create, write at random offsets, sparse writes past the end,
    truncate, rename across directories and replacing, unlink, mkdir, rmdir, hard links,
    chmod, fsync) run in Tessera by /bin/diskplay on fresh images of 1 KiB and 4 KiB blocks;
    after the poweroff `e2fsck -fn` must exit 0, and the tree, types, modes, sizes, hard-link
    groups (debugfs ls) and content checksums (debugfs rdump) must equal what the same
    workload gives on a host directory;
  - files persist across a reboot: a second boot prints the checksum of every file, which
    must match, and reads a file the host wrote into the image with `debugfs -w`; device
    nodes the host made with debugfs are listed with their numbers and used, and nodes
    Tessera makes are read back by debugfs (e2fsck clean);
  - busybox works on /disk (cp -r, ls -lR, find, du, tar, mv, rm -r), and a second disk is
    mounted at /mnt with busybox mount and unmounted with umount (then checked by the host),
    and mounted again with -o nodev, where a device node does not open;
  - QEMU killed in the middle of a workload: `e2fsck -fy` repairs the image, Tessera mounts it
    again and every file fsynced before the kill has its content;
  - a full disk and a full inode table give ENOSPC, corrupted images never crash the server
    or the kernel (tools/disk_faults.py).

  disk_suite.py --qemu "QEMU CMD" [--results FILE] [--seed N]
"""
import argparse
import hashlib
import os
import random
import re
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import disk_faults  # noqa: E402
from guest_suites import Shell, Suite, host_suite_main  # noqa: E402
from qemu_run import Qemu  # noqa: E402

BOOT_TIMEOUT = 240
CMD_TIMEOUT = 200
DISK_MIB = 128
MODES = [0o644, 0o600, 0o755, 0o640, 0o444]


def disk_args(qemu, images):
    """The QEMU command line with our images as its virtio disks (vda, vdb, ...)."""
    out, skip = [], False
    for i, a in enumerate(qemu):
        if skip:
            skip = False
            continue
        nxt = qemu[i + 1] if i + 1 < len(qemu) else ""
        if a == "-drive" or (a == "-device" and ("virtio-blk" in nxt or nxt == "edu")):
            skip = True
            continue
        out.append(a)
    for n, image in enumerate(images):
        out += ["-drive", "file=%s,format=raw,if=none,id=vd%d" % (image, n),
                "-device", "virtio-blk-pci,drive=vd%d,disable-legacy=off,disable-modern=off" % n]
    return out


def mkfs(image, block_size, seed_dir=None):
    with open(image, "wb") as f:
        f.truncate(DISK_MIB << 20)
    cmd = ["mke2fs", "-q", "-F", "-t", "ext2", "-b", str(block_size)]
    if seed_dir:
        cmd += ["-d", seed_dir]
    subprocess.run(cmd + [image], check=True, stdout=subprocess.DEVNULL)


def pattern(off, length, seed):
    return bytes(((o * 131 + seed * 7 + (o >> 9)) & 0xff) for o in range(off, off + length))


# ---- the workload: generated from a seed, replayed in Tessera and on a host directory --------

class Workload:
    def __init__(self, seed, nops):
        self.rng = random.Random(seed)
        self.dirs = {""}
        self.files = {}            # path -> inode number (model)
        self.size = {}             # inode -> size
        self.next = 0
        self.ops = []
        for _ in range(nops):
            self.step()
        self.ops.append("sync")

    def name(self, parent):
        self.next += 1
        return (parent + "/" if parent else "") + "n%d" % self.next

    def pick_dir(self):
        return self.rng.choice(sorted(self.dirs))

    def new_file(self):
        path, ino = self.name(self.pick_dir()), self.next
        self.files[path], self.size[ino] = ino, 0
        self.ops.append("create %s %o" % (path, self.rng.choice(MODES[:4])))

    def write(self, path):
        ino, r = self.files[path], self.rng.random()
        size = self.size[ino]
        off = self.rng.randrange(0, size + 1) if r < 0.6 else size + self.rng.randrange(0, 1 << 20)
        length = self.rng.choice([1, 100, 4096, 5000, 20000, 70000, 300000])
        self.ops.append("write %s %d %d %d" % (path, off, length, self.rng.randrange(1, 1000)))
        self.size[ino] = max(size, off + length)

    def rename(self):
        if self.rng.random() < 0.7 or len(self.dirs) < 2:
            src = self.rng.choice(sorted(self.files))
            others = [p for p in self.files if self.files[p] != self.files[src]]
            if others and self.rng.random() < 0.3:
                dst = self.rng.choice(sorted(others))
                self.unlink_name(dst)
            else:
                dst = self.name(self.pick_dir())
            self.files[dst] = self.files.pop(src)
        else:
            src = self.rng.choice(sorted(self.dirs - {""}))
            targets = [d for d in self.dirs if d != src and not d.startswith(src + "/")]
            dst = self.name(self.rng.choice(sorted(targets)))
            self.move_dir(src, dst)
        self.ops.append("rename %s %s" % (src, dst))

    def move_dir(self, src, dst):
        def moved(p):
            return dst + p[len(src):] if p == src or p.startswith(src + "/") else p
        self.dirs = {moved(d) for d in self.dirs}
        self.files = {moved(p): i for p, i in self.files.items()}

    def unlink_name(self, path):
        ino = self.files.pop(path)
        if ino not in self.files.values():
            del self.size[ino]

    def step(self):
        r = self.rng.random()
        if not self.files or r < 0.12:
            return self.new_file()
        path = self.rng.choice(sorted(self.files))
        if r < 0.45:
            return self.write(path)
        if r < 0.52:
            n = self.rng.randrange(0, self.size[self.files[path]] * 3 // 2 + 4097)
            self.size[self.files[path]] = n
            return self.ops.append("trunc %s %d" % (path, n))
        if r < 0.62 and sum(d.count("/") < 3 for d in self.dirs) > 0:
            parent = self.rng.choice(sorted(d for d in self.dirs if d.count("/") < 3))
            d = self.name(parent)
            self.dirs.add(d)
            return self.ops.append("mkdir %s %o" % (d, self.rng.choice([0o755, 0o700, 0o750])))
        if r < 0.72:
            return self.rename()
        if r < 0.78:
            self.unlink_name(path)
            return self.ops.append("unlink %s" % path)
        if r < 0.83:
            empty = [d for d in self.dirs - {""}
                     if not any(p.startswith(d + "/") for p in list(self.files) + list(self.dirs))]
            if empty:
                d = self.rng.choice(sorted(empty))
                self.dirs.remove(d)
                return self.ops.append("rmdir %s" % d)
            return self.new_file()
        if r < 0.89:
            dst = self.name(self.pick_dir())
            self.files[dst] = self.files[path]
            return self.ops.append("link %s %s" % (path, dst))
        if r < 0.95:
            return self.ops.append("chmod %s %o" % (path, self.rng.choice(MODES)))
        return self.ops.append("fsync %s" % path)


def replay_host(ops, root):
    for line in ops:
        w = line.split()
        p = lambda s: os.path.join(root, s)  # noqa: E731
        if w[0] == "mkdir":
            os.mkdir(p(w[1]))
            os.chmod(p(w[1]), int(w[2], 8))
        elif w[0] == "create":
            os.close(os.open(p(w[1]), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            os.chmod(p(w[1]), int(w[2], 8))
        elif w[0] == "write":
            fd = os.open(p(w[1]), os.O_WRONLY)
            os.pwrite(fd, pattern(int(w[2]), int(w[3]), int(w[4])), int(w[2]))
            os.close(fd)
        elif w[0] == "trunc":
            os.truncate(p(w[1]), int(w[2]))
        elif w[0] == "rename":
            os.rename(p(w[1]), p(w[2]))
        elif w[0] == "unlink":
            os.unlink(p(w[1]))
        elif w[0] == "rmdir":
            os.rmdir(p(w[1]))
        elif w[0] == "link":
            os.link(p(w[1]), p(w[2]))
        elif w[0] == "chmod":
            os.chmod(p(w[1]), int(w[2], 8))


# ---- reading trees: the host directory, and the image through debugfs ------------------------

def fnv64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & ((1 << 64) - 1)
    return h


def host_tree(root):
    """path -> (mode, size, sha256 or None), and the hard-link groups."""
    tree, inos = {}, {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            full = os.path.join(d, n)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            sha = None
            if stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    sha = hashlib.sha256(f.read()).hexdigest()
                inos.setdefault(st.st_ino, set()).add(rel)
            tree[rel] = (st.st_mode, st.st_size if sha else 0, sha)
    return tree, {frozenset(g) for g in inos.values()}


def debugfs(image, req, write=False):
    cmd = ["debugfs"] + (["-w"] if write else []) + ["-R", req, image]
    return subprocess.run(cmd, capture_output=True, text=True).stdout


def image_tree(image, top, tmp):
    """The same as host_tree for directory top of the image (modes and links from debugfs ls,
    contents from rdump)."""
    tree, inos, todo = {}, {}, [""]
    while todo:
        rel = todo.pop()
        for line in debugfs(image, "ls -p /%s%s" % (top, "/" + rel if rel else "")).splitlines():
            m = re.match(r"^/(\d+)/(\d+)/\d+/\d+/(.*)/(\d*)/$", line)
            if not m or m.group(3) in (".", ".."):
                continue
            ino, mode, name = int(m.group(1)), int(m.group(2), 8), m.group(3)
            path = rel + "/" + name if rel else name
            if stat.S_ISDIR(mode):
                todo.append(path)
                tree[path] = (mode, 0, None)
            else:
                inos.setdefault(ino, set()).add(path)
                tree[path] = (mode, int(m.group(4) or 0), "?")
    out = os.path.join(tmp, "rdump")
    os.makedirs(out, exist_ok=True)
    debugfs(image, "rdump /%s %s" % (top, out))
    for path, (mode, size, sha) in list(tree.items()):
        if sha:
            with open(os.path.join(out, top, path), "rb") as f:
                tree[path] = (mode, size, hashlib.sha256(f.read()).hexdigest())
    return tree, {frozenset(g) for g in inos.values()}


def differences(want, got):
    (wt, wl), (gt, gl) = want, got
    diff = ["missing %s" % p for p in sorted(set(wt) - set(gt))][:5]
    diff += ["extra %s" % p for p in sorted(set(gt) - set(wt))][:5]
    for p in sorted(set(wt) & set(gt)):
        if wt[p] != gt[p]:
            diff.append("%s: host %s, image %s" % (p, wt[p][:2], gt[p][:2]))
    if wl != gl:
        diff.append("hard-link groups differ")
    return diff[:10]


def fsck(image):
    r = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr)[-600:]


# ---- boots ------------------------------------------------------------------------------------

def boot(cfg, images, name, suite):
    vm = Qemu(disk_args(cfg.qemu, images), name, BOOT_TIMEOUT + CMD_TIMEOUT * 3)
    sh = Shell(vm)
    why = sh.boot()
    if not why and not vm.expect(r"", 1):
        why = "no console"
    suite.check("%s: boot to a shell" % name, not why, why)
    return vm, sh


def end(suite, vm, sh, name):
    status = sh.poweroff()
    suite.check("%s: poweroff, no panic" % name, status is not None and not vm.panicked(),
                "panic or no poweroff (status %r)" % status)
    vm.close(suite.failed == 0)


def workload_case(cfg, suite, tmp, seed, block_size, nops):
    name = "workload-%dk-%d" % (block_size // 1024, seed)
    work = Workload(seed, nops)
    seed_dir = os.path.join(tmp, name + "-seed")
    os.makedirs(os.path.join(seed_dir, "w"))
    with open(os.path.join(seed_dir, "ops"), "w") as f:
        f.write("\n".join(work.ops) + "\n")
    image = os.path.join(tmp, name + ".img")
    mkfs(image, block_size, seed_dir)
    vm, sh = boot(cfg, [image], name, suite)
    out = sh.run("diskplay /disk/ops /disk/w", CMD_TIMEOUT) or ""
    suite.check("%s: %d operations replayed in Tessera" % (name, len(work.ops)),
                "DISKPLAY DONE %d" % len(work.ops) in out, out[-300:])
    end(suite, vm, sh, name)
    rc, log = fsck(image)
    suite.check("%s: e2fsck -fn exits 0" % name, rc == 0, log)
    host = os.path.join(tmp, name + "-host")
    os.makedirs(host)
    replay_host(work.ops, host)
    want = host_tree(host)
    diff = differences(want, image_tree(image, "w", os.path.join(tmp, name + "-dump")))
    suite.check("%s: tree, modes, sizes, links and contents as on the host (%d entries)"
                % (name, len(want[0])), not diff, "; ".join(diff))
    return image, host


def sums_of(host_root, prefix=""):
    out = set()
    for d, _, files in os.walk(host_root):
        for n in files:
            full = os.path.join(d, n)
            with open(full, "rb") as f:
                data = f.read()
            rel = prefix + os.path.relpath(full, host_root)
            out.add("SUM %s %d %016x" % (rel, len(data), fnv64(data)))
    return out


def reboot_case(cfg, suite, tmp, image, host):
    """The image of a workload boots again; a file the host put in with debugfs -w too."""
    hostfile = os.path.join(tmp, "hostfile")
    with open(hostfile, "wb") as f:
        f.write(pattern(0, 123457, 77))
    debugfs(image, "write %s hostfile" % hostfile, write=True)
    devnode_host_prep(image)
    vm, sh = boot(cfg, [image], "reboot", suite)
    out = sh.run("diskplay -s /disk/w", CMD_TIMEOUT) or ""
    got = {line.strip() for line in out.splitlines() if line.startswith("SUM ")}
    want = sums_of(host)
    suite.check("reboot: every file of the workload read back (%d)" % len(want), got == want,
                "differ: %s" % sorted(got ^ want)[:4])
    out = sh.run("busybox md5sum /disk/hostfile", CMD_TIMEOUT) or ""
    md5 = hashlib.md5(pattern(0, 123457, 77)).hexdigest()
    suite.check("reboot: the file the host wrote with debugfs -w is read", md5 in out, out[-200:])
    devnode_guest(suite, sh)
    end(suite, vm, sh, "reboot")
    devnode_host_check(suite, image)
    return hostfile


# ---- device nodes: Linux's i_block encodings both ways -----------------------------------------
# The host makes nodes with debugfs: 1:3 in the old encoding (i_block[0] = 0x103), 259:69888 in
# the new one (i_block[1], i_block[0] = 0), and one with junk in i_block[0] (0xdeadbeef: Linux
# reads its low 16 bits, 190:239). Tessera lists them, writes through the 1:3 node (to its
# /dev/null), removes the junk one, and makes its own, which debugfs and e2fsck then read.
HOST_NODES = [("mknod hnull c 1 3", None), ("mknod hbig b 8 0", "sif hbig block[0] 0"),
              ("sif hbig block[1] 0x11110300", None), ("mknod hjunk c 8 1", None),
              ("sif hjunk block[0] 0xdeadbeef", None)]
DEVNODE_SCRIPT = ("cd /disk && busybox ls -ln hnull hbig hjunk && echo gone > hnull && "
                  "echo NULLSIZE $(busybox wc -c < hnull) && rm hjunk && "
                  "busybox mknod tnull c 1 3 && busybox mknod tbig b 259 70000 && "
                  "busybox mkfifo tfifo && busybox ls -ln tnull tbig && echo DEVNODES DONE")


def devnode_host_prep(image):
    for req, more in HOST_NODES:
        debugfs(image, req, write=True)
        if more:
            debugfs(image, more, write=True)


def devnode_guest(suite, sh):
    out = sh.run("busybox sh -c '%s'" % DEVNODE_SCRIPT, CMD_TIMEOUT) or ""
    lines = {ln.split()[-1]: " ".join(ln.split()[:6]) for ln in out.splitlines()
             if ln.startswith(("c", "b")) and len(ln.split()) >= 9}
    want = {"hnull": "c--------- 1 0 0 1, 3", "hbig": "b--------- 1 0 0 259, 69888",
            "hjunk": "c--------- 1 0 0 190, 239", "tnull": "crw-r--r-- 1 0 0 1, 3",
            "tbig": "brw-r--r-- 1 0 0 259, 70000"}
    suite.check("devnodes: the host's nodes (old, new and junk encodings) listed by ls -ln, "
                "a write through the 1:3 node, Tessera's own nodes made",
                lines == want and "NULLSIZE 0" in out and "DEVNODES DONE" in out,
                "got %r; output %s" % (lines, out[-500:]))


def devnode_host_check(suite, image):
    rc, log = fsck(image)
    suite.check("devnodes: e2fsck -fn exits 0 after Tessera's nodes", rc == 0, log)
    tnull, tbig = debugfs(image, "stat /tnull"), debugfs(image, "stat /tbig")
    junk, fifo = debugfs(image, "stat /hjunk"), debugfs(image, "stat /tfifo")
    suite.check("devnodes: debugfs reads Tessera's nodes as Linux writes them (1:3 old-style, "
                "259:70000 new-style), the FIFO, and the junk node gone",
                "Type: character special" in tnull and
                "Device major/minor number: 01:03 (hex 01:03)" in tnull and
                "Type: block special" in tbig and
                "(New-style) Device major/minor number: 259:70000" in tbig and
                "Type: FIFO" in fifo and "Inode:" not in junk,
                "tnull %r tbig %r junk %r" % (tnull[-300:], tbig[-300:], junk[-200:]))


BUSYBOX_SCRIPT = """set -e
cp -r /disk/w /disk/copy
ls -lR /disk/copy > /disk/ls.out
echo LSLINES $(wc -l < /disk/ls.out)
echo FOUND $(find /disk/copy -type f | wc -l) FILES
du -s /disk/copy > /dev/null && echo DU OK
tar -cf /disk/t.tar -C /disk copy
mkdir /disk/untar
tar -xf /disk/t.tar -C /disk/untar
mv /disk/untar /disk/untar2
diskplay -s /disk/untar2/copy
rm -r /disk/copy /disk/untar2 /disk/t.tar /disk/ls.out
ls /disk
/bin/svc start virtio-blk1
mount -t ext2 /dev/vdb /mnt
cp /disk/hostfile /mnt/h
mkdir /mnt/dir
echo fromtessera > /mnt/dir/note
umount /mnt
mount -o nodev -t ext2 /dev/vdb /mnt
grep -q '^/dev/vdb /mnt ext2 rw,nodev' /proc/mounts && echo NODEV LISTED
mknod /mnt/n c 1 3
if cat /mnt/n 2>/dev/null; then echo NODEV OPENED; else echo NODEV REFUSED; fi
rm /mnt/n
umount /mnt
mount -o ro -t ext2 /dev/vdb /mnt
grep -q '^/dev/vdb /mnt ext2 ro,' /proc/mounts && echo RO LISTED
if touch /mnt/ro-new 2>/tmp/ro.err; then echo RO WRITTEN; fi
grep -q 'Read-only file system' /tmp/ro.err && echo RO REFUSED
rm /tmp/ro.err
if echo x >> /mnt/h; then echo RO APPENDED; fi
umount /mnt
mkdir -p /ut-mp/m
mount -t ext2 /dev/vdb /ut-mp/m
if mv /ut-mp /ut-mp2 2>/dev/null; then echo MOUNT MOVED; else echo MOUNT STAYS; fi
cat /ut-mp/m/dir/note
umount /ut-mp/m
rmdir /ut-mp/m /ut-mp
echo BUSYBOX SCRIPT DONE
"""


def busybox_case(cfg, suite, tmp, image, host, hostfile):
    script = os.path.join(tmp, "bb.sh")
    with open(script, "w") as f:
        f.write(BUSYBOX_SCRIPT)
    debugfs(image, "write %s bb.sh" % script, write=True)
    second = os.path.join(tmp, "second.img")
    mkfs(second, 1024)
    vm, sh = boot(cfg, [image, second], "busybox", suite)
    out = sh.run("busybox sh /disk/bb.sh", CMD_TIMEOUT) or ""
    nfiles = len(sums_of(host))
    suite.check("busybox: cp -r, ls -lR, find, du, tar, mv, rm -r, mount, umount on disks",
                "BUSYBOX SCRIPT DONE" in out and "FOUND %d FILES" % nfiles in out and
                "DU OK" in out, out[-400:])
    suite.check("busybox: a device node on a nodev mount does not open (EACCES)",
                "NODEV LISTED" in out and "NODEV REFUSED" in out, out[-400:])
    suite.check("busybox: a read-only mount (-o ro) refuses new files and writes (EROFS)",
                "RO LISTED" in out and "RO REFUSED" in out and "RO WRITTEN" not in out and
                "RO APPENDED" not in out, out[-400:])
    suite.check("busybox: a mount point made in / works; the directory above it cannot be "
                "renamed (EBUSY)", "MOUNT STAYS" in out and "fromtessera" in out, out[-400:])
    got = {line.strip() for line in out.splitlines() if line.startswith("SUM ")}
    suite.check("busybox: the tree copied and through tar is the workload's",
                got == sums_of(host), "differ: %s" % sorted(got ^ sums_of(host))[:4])
    end(suite, vm, sh, "busybox")
    for img in (image, second):
        rc, log = fsck(img)
        suite.check("busybox: e2fsck -fn of %s exits 0" % os.path.basename(img), rc == 0, log)
    with open(hostfile, "rb") as f:
        want = f.read()
    r = subprocess.run(["debugfs", "-R", "cat /h", second], capture_output=True)
    note = debugfs(second, "cat /dir/note")
    suite.check("busybox: the second disk holds what was written at /mnt",
                r.stdout == want and note == "fromtessera\n", "note %r" % note)


def crash_case(cfg, suite, tmp):
    """QEMU killed while files are being written: e2fsck -fy repairs the image, Tessera mounts
    it again, and every file fsynced before the kill has its content."""
    image = os.path.join(tmp, "crash.img")
    mkfs(image, 4096)
    n = 12
    vm = Qemu(disk_args(cfg.qemu, [image]) + ["-append", "run=/bin/diskplay -- -c /disk %d" % n],
              "crash", BOOT_TIMEOUT)
    done = vm.expect(r"FSYNCED %d\b" % (n - 1), BOOT_TIMEOUT)
    time.sleep(1.5)                  # the scratch files are being written now
    vm.proc.kill()
    vm.wait_exit(10)
    vm.close(done is not None)
    suite.check("crash: %d files fsynced, then QEMU killed mid-write" % n, done is not None,
                vm.end_reason() or "no FSYNCED lines")
    r = subprocess.run(["e2fsck", "-fy", image], capture_output=True, text=True)
    suite.check("crash: e2fsck -fy repairs the image (exit %d)" % r.returncode,
                r.returncode in (0, 1), r.stdout[-400:])
    rc, log = fsck(image)
    suite.check("crash: e2fsck -fn exits 0 after the repair", rc == 0, log)
    vm, sh = boot(cfg, [image], "crash-remount", suite)
    out = sh.run("diskplay -s /disk", CMD_TIMEOUT) or ""
    got = {line.strip() for line in out.splitlines() if re.match(r"SUM f\d+ ", line)}
    want = {"SUM f%d 50000 %016x" % (i, fnv64(pattern(0, 50000, i))) for i in range(n)}
    suite.check("crash: every fsynced file read back by Tessera after the repair",
                got == want, "differ: %s" % sorted(got ^ want)[:4])
    end(suite, vm, sh, "crash-remount")


def run(cfg):
    suite = Suite("disk")
    t0 = time.monotonic()
    rng = random.Random(cfg.seed)
    with tempfile.TemporaryDirectory(prefix="disksuite") as tmp:
        workload_case(cfg, suite, tmp, rng.randrange(1 << 20), 1024, 250)
        image, host = workload_case(cfg, suite, tmp, rng.randrange(1 << 20), 4096, 250)
        if suite.failed == 0:
            hostfile = reboot_case(cfg, suite, tmp, image, host)
            busybox_case(cfg, suite, tmp, image, host, hostfile)
        crash_case(cfg, suite, tmp)
        disk_faults.full_case(cfg, suite, tmp, boot, end)
        disk_faults.corrupt_cases(cfg, suite, tmp, rng.randrange(1 << 20), boot)
    print("  (disk suite: seed %d, %.1f s)" % (cfg.seed, time.monotonic() - t0))
    return suite


def main():
    ap = argparse.ArgumentParser(description="Tessera's ext2 disks against e2fsprogs")
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--results", help="also write the summary line to this file")
    ap.add_argument("--seed", type=int, default=None, help="the suite's seed (default: random)")
    return host_suite_main(ap, run)


if __name__ == "__main__":
    sys.exit(main())
