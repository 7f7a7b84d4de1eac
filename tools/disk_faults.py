"""The disk suite's fault cases (issue 13; run by tools/disk_suite.py):

  - full: a small image filled to its last block, then to its last inode, through ordinary
    programs (busybox dd, sh): each gets ENOSPC ("No space left on device"), the file system
    goes on working (a file written after the deletions reads back right) and the host's
    `e2fsck -fn` finds nothing wrong;
  - corrupt: seeded random bytes in the superblock, the group descriptors, the bitmaps, some
    inodes, a directory block and indirect blocks of a fresh image. Tessera boots on each
    damaged image, reads, lists, writes and deletes on it, and must neither panic nor lose the
    ext2 server: mount refuses or the calls fail with an error, and the system still runs.
"""
import os
import random
import re
import subprocess

CMD_TIMEOUT = 120


def make_image(path, mib, block_size, inodes=None, seed_dir=None):
    with open(path, "wb") as f:
        f.truncate(mib << 20)
    cmd = ["mke2fs", "-q", "-F", "-t", "ext2", "-b", str(block_size)]
    cmd += ["-N", str(inodes)] if inodes else []
    cmd += ["-d", seed_dir] if seed_dir else []
    subprocess.run(cmd + [path], check=True, stdout=subprocess.DEVNULL)


def debugfs(image, req, write=False):
    cmd = ["debugfs"] + (["-w"] if write else []) + ["-R", req, image]
    return subprocess.run(cmd, capture_output=True, text=True).stdout


def fsck(image):
    r = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr)[-600:]


# ---- a full disk ------------------------------------------------------------------------------

FULL_SCRIPT = """if dd if=/dev/zero of=/disk/big bs=1024 count=16384 2>/tmp/dd.err
then echo DD COMPLETED; else echo DD FAILED; fi
cat /tmp/dd.err
rm /disk/big
i=0
while echo x > /disk/n$i 2>/tmp/n.err; do i=$((i+1)); done
echo MADE $i FILES
cat /tmp/n.err
rm /disk/n*
seq 1 20000 > /disk/after && echo AFTER WRITTEN
echo FULL SCRIPT DONE
"""


def full_case(cfg, suite, tmp, boot, end):
    """ENOSPC for blocks, then for inodes, on an 8 MiB image with 48 inodes."""
    image = os.path.join(tmp, "full.img")
    make_image(image, 8, 1024, inodes=48)
    script = os.path.join(tmp, "full.sh")
    with open(script, "w") as f:
        f.write(FULL_SCRIPT)
    debugfs(image, "write %s full.sh" % script, write=True)
    vm, sh = boot(cfg, [image], "full", suite)
    out = sh.run("busybox sh /disk/full.sh", CMD_TIMEOUT * 2) or ""
    enospc = out.count("No space left on device")
    suite.check("full: a write past the last free block fails with ENOSPC",
                "DD FAILED" in out and enospc >= 1, out[-400:])
    made = re.search(r"MADE (\d+) FILES", out)
    suite.check("full: creating past the last free inode fails with ENOSPC",
                made is not None and 20 <= int(made.group(1)) <= 48 and enospc >= 2,
                out[-400:])
    suite.check("full: the file system works on after ENOSPC",
                "AFTER WRITTEN" in out and "FULL SCRIPT DONE" in out, out[-300:])
    end(suite, vm, sh, "full")
    rc, log = fsck(image)
    suite.check("full: e2fsck -fn exits 0", rc == 0, log)
    want = "".join("%d\n" % i for i in range(1, 20001))
    suite.check("full: the file written after the deletions reads back on the host",
                debugfs(image, "cat /after") == want, "debugfs cat /after differs")


# ---- corrupted images -------------------------------------------------------------------------

def seed_tree(root):
    os.makedirs(os.path.join(root, "d", "sub"))
    for i in range(40):                           # a directory of several blocks
        with open(os.path.join(root, "d", "file-with-a-long-name-%02d" % i), "w") as f:
            f.write("content %d\n" % i * (i + 1))
    with open(os.path.join(root, "big"), "wb") as f:   # single and double indirect blocks
        f.write(bytes((i * 7) & 0xff for i in range(300 * 1024)))
    with open(os.path.join(root, "small"), "w") as f:
        f.write("small file\n")
    os.symlink("d/sub", os.path.join(root, "link"))


def inode_location(image, path):
    """(block, byte offset in it) of the inode of path, from debugfs imap."""
    out = debugfs(image, "imap %s" % path)
    m = re.search(r"located at block (\d+), offset (0x[0-9a-f]+)", out)
    return (int(m.group(1)), int(m.group(2), 16)) if m else None


def stat_blocks(image, path, kind):
    """Block numbers of path tagged (IND), (DIND) or (TIND) by debugfs stat, or its data
    blocks for kind "DATA"."""
    out = debugfs(image, "stat %s" % path)
    ext = out.split("BLOCKS:", 1)[-1]
    if kind == "DATA":
        return [int(b) for b in re.findall(r"\(\d+(?:-\d+)?\):(\d+)", ext)]
    return [int(b) for b in re.findall(r"\(%s\):(\d+)" % kind, ext)]


def group0(image):
    out = debugfs(image, "stats")
    nums = {}
    for key, rx in (("bbitmap", r"Block bitmap at (\d+)"), ("ibitmap", r"Inode bitmap at (\d+)")):
        m = re.search(rx, out)
        if m:
            nums[key] = int(m.group(1))
    return nums


def scribble(f, rng, offset, length, count):
    """count random bytes at random places in [offset, offset + length)."""
    for _ in range(count):
        f.seek(offset + rng.randrange(length))
        f.write(bytes([rng.randrange(256)]))


def corruptions(image, rng, bs):
    """(name, [(byte offset, length, random bytes)]) of each damaged copy to make."""
    g = group0(image)
    inodes = [inode_location(image, p) for p in ("/d", "/big", "/d/file-with-a-long-name-07",
                                                 "/link")]
    dirblk = stat_blocks(image, "/d", "DATA")[:2]
    ind = stat_blocks(image, "/big", "IND") + stat_blocks(image, "/big", "DIND")
    return [
        ("superblock", [(1024, 256, 12)]),
        ("group descriptors", [(2 * bs if bs == 1024 else bs, 32, 10)]),
        ("bitmaps", [(g.get("bbitmap", 3) * bs, bs, 40), (g.get("ibitmap", 4) * bs, bs, 8)]),
        ("inodes and blocks", [(b * bs + off, 128, 24) for b, off in filter(None, inodes)] +
         [(b * bs, bs, 64) for b in dirblk + ind]),
    ]


CORRUPT_CMDS = [
    "busybox ls -lR /disk",
    "busybox sh -c 'for f in /disk/big /disk/small /disk/d/* /disk/link/*; do "
    "busybox cat $f > /dev/null; echo read $f rc=$?; done'",
    "busybox sh -c 'echo new > /disk/newfile; mkdir /disk/nd; echo more >> /disk/small; "
    "busybox truncate -s 100 /disk/big; echo writes done'",
    "busybox sh -c 'mv /disk/small /disk/d/moved; rm -r /disk/d; rm -f /disk/big; "
    "busybox ls /disk; echo removes done'",
    "busybox sync",
]


def ext2_running(sh):
    """Whether the ext2 server is alive, from the shell's own ps (busybox ps needs /proc)."""
    out = sh.run("ps") or ""
    return any(line.split()[-1:] == ["ext2"] for line in out.splitlines())


def corrupt_one(cfg, suite, tmp, base, name, damage, rng, boot):
    image = os.path.join(tmp, "corrupt-%s.img" % name.replace(" ", "-"))
    with open(base, "rb") as f:
        data = f.read()
    with open(image, "wb") as f:
        f.write(data)
        for offset, length, count in damage:
            scribble(f, rng, offset, length, count)
    label = "corrupt %s" % name
    vm, sh = boot(cfg, [image], label, suite)
    server = ext2_running(sh)
    mounted = "mounted at /disk" in vm.text
    outs = [sh.run(cmd, CMD_TIMEOUT) for cmd in CORRUPT_CMDS]
    hung = [cmd for cmd, out in zip(CORRUPT_CMDS, outs) if out is None]
    print("  %s: %s, ext2 server %s; %d error lines" % (
        label, "mounted" if mounted else "mount refused", "running" if server else "absent",
        sum(len(re.findall(r"rror|rc=[1-9]|Invalid|No such|can't", o or "")) for o in outs)))
    suite.check("%s: reads, writes and deletes end (errors allowed)" % label, not hung,
                "no prompt after %r (%s)" % (hung[:1], vm.end_reason() or "hung"))
    suite.check("%s: the ext2 server still runs" % label, not server or ext2_running(sh),
                "ext2 was running after boot and is gone")
    alive = sh.run("echo still-alive") or ""
    suite.check("%s: no panic, the system runs on" % label,
                not vm.panicked() and "still-alive" in alive, "panic or no shell")
    vm.close(suite.failed == 0)


def corrupt_cases(cfg, suite, tmp, seed, boot):
    rng = random.Random(seed)
    root = os.path.join(tmp, "corrupt-tree")
    seed_tree(root)
    base = os.path.join(tmp, "corrupt-base.img")
    make_image(base, 4, 1024, seed_dir=root)
    for name, damage in corruptions(base, rng, 1024):
        corrupt_one(cfg, suite, tmp, base, name, damage, rng, boot)
