#!/usr/bin/env python3
"""The migration suite (docs/migration.md): a cluster of three Tessera nodes on one
multicast Ethernet (QEMU's -netdev socket,mcast=, a random group port per run, no disks),
driven through node 1's shell and /bin/migtest, checked on every node's console.

  - the nodes see each other (`nodes`);
  - mcksum (a checksum over data, BSS, heap, stack, mmap, FPU and TLS) run unmoved, then
    moved A -> B -> C -> A in the middle of its run by its parent on A: the same result,
    every line of its output on A's console (none on B's or C's), the parent's wait gets
    its exit status;
  - the same with pre-copy (memory sent while it runs, then what it wrote meanwhile);
  - a process moved to B is killed from A: its parent on A sees SIGTERM;
  - processes that cannot move (socket, open file, children, ICA, OS server, vfork child,
    threads, init, oneself) are refused with their reason and go on where they were;
  - the uniform interface on C's resources from A: list, info, rights checked there with
    the caller's uid, changemod, delete (its parent on A sees SIGKILL), an unreachable node;
  - hostile images (every field out of range in turn) refused by t_mig_create;
  - a process of A's moved to B, then `drain 2` from A: it moves on and ends right, B's
    processes that cannot move are listed with their reasons;
  - HVS across machines: a process moved into a named space on B shares it with B's process
    there; a whole space (two processes) moved A -> C lands in one space there and both end
    with the right result;
  - three CPU-bound processes on A and `balance on`: one of them moves to B or C;
  - C killed (QEMU stopped) while a 24 MiB process is on its way there: the move fails, the
    process goes on on A and ends once, with the right result; a process of A's running on
    C ends with C (A reports it killed to its parent once C is unheard for 15 s);
  - A and B restarted with the network server's fault switch on (5 % of the frames dropped,
    2 % duplicated, 5 % reordered, each way) and the node servers on it: A -> B -> A still
    gives the right result exactly once (each move completes or rolls back).

  mig_suite.py --qemu "QEMU CMD" [--results FILE]
"""
import argparse
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_suites import Shell, Suite, host_suite_main  # noqa: E402
from qemu_run import Qemu, normalize  # noqa: E402

NODES = 3
BOOT_TIMEOUT = 120
CMD_TIMEOUT = 120
SUITE_TIMEOUT = 480
DONE = re.compile(r"MCKSUM DONE (\S+ \S+)")


def node_args(qemu, n, group, count=NODES):
    """The QEMU command line of node n of count: no disks, one NIC on the multicast group."""
    out, skip = [], False
    for i, a in enumerate(qemu):
        nxt = qemu[i + 1] if i + 1 < len(qemu) else ""
        if skip:
            skip = False
            continue
        if a in ("-drive", "-netdev") or (a == "-device" and nxt.split(",")[0] in
                                          ("virtio-blk-pci", "virtio-net-pci", "e1000e", "edu")):
            skip = True
            continue
        out.append(a)
    return out + ["-append", "node=%d nodes=%d" % (n, count),
                  "-netdev", "socket,id=n0,mcast=%s" % group, "-device",
                  "virtio-net-pci,netdev=n0,disable-legacy=off,disable-modern=off,"
                  "mac=52:54:00:12:35:%02x" % n]


class Cluster:
    def __init__(self, qemu):
        group = "230.0.0.1:%d" % random.randrange(20000, 60000)
        self.group = group
        self.vms = [Qemu(node_args(qemu, n, group), "mig-node%d" % n, SUITE_TIMEOUT)
                    for n in range(1, NODES + 1)]
        self.shs = [Shell(vm) for vm in self.vms]
        self.closed = set()

    def close(self, n, ok):
        if n not in self.closed:
            self.closed.add(n)
            self.vms[n - 1].close(ok)

    def boot(self):
        why = [sh.boot() for sh in self.shs]
        for n, vm in enumerate(self.vms, 1):
            # the node server's line may come before the shell's prompt or after it
            line = "node: node %d of %d" % (n, NODES)
            for _ in range(30):
                if line in normalize(vm.text):
                    break
                time.sleep(1)
            else:
                why[n - 1] = why[n - 1] or "no node server"
        return "; ".join("node %d: %s" % (n, w) for n, w in enumerate(why, 1) if w)

    def run(self, n, cmd, timeout=CMD_TIMEOUT):
        return self.shs[n - 1].run(cmd, timeout) or ""

    def console(self, n):
        return normalize(self.vms[n - 1].text)


def migtest(suite, c, cmd, timeout=CMD_TIMEOUT):
    """Run migtest on node 1 and count its PASS/FAIL lines as this suite's checks."""
    out = c.run(1, "migtest " + cmd, timeout)
    seen = False
    for m in re.finditer(r"MIGTEST (\S+) (PASS|FAIL)(?:: (.*))?", out):
        seen = True
        suite.check("%s (migtest %s)" % (m.group(1), cmd.split()[0]), m.group(2) == "PASS",
                    m.group(3) or "", out)
    if not seen or "MIGTEST DONE" not in out:
        suite.check("migtest %s ran to its end" % cmd, False, "no MIGTEST DONE", out)
    return out


def reference(c, args):
    m = DONE.search(c.run(1, "mcksum " + args))
    return m.group(1) if m else None


def chain(suite, c):
    c.want12 = reference(c, "12 1")
    want = reference(c, "20 1")
    suite.check("mcksum unmoved", want and c.want12, "no MCKSUM DONE line")
    start = len(c.console(1)), len(c.console(2)), len(c.console(3))
    out = migtest(suite, c, "chain 20 1 500 2 3 1")      # ~10 s: still running at the end
    dones = DONE.findall(out)
    suite.check("moved A -> B -> C -> A: the same result, once", dones == [want],
                "got %r, want %r" % (dones, want), out)
    rounds = re.findall(r"mcksum: round (\d+)/20", out)
    suite.check("its output on A's console, every round in order",
                rounds == [str(i) for i in range(1, 21)], "rounds %r" % rounds)
    elsewhere = [n for n in (2, 3) if "mcksum: round" in c.console(n)[start[n - 1]:]]
    suite.check("nothing of it on B's or C's console", not elsewhere,
                "output on node(s) %r" % elsewhere)
    out = migtest(suite, c, "chainpre 20 1 500 3 1")
    dones = DONE.findall(out)
    suite.check("with pre-copy, A -> C -> A: the same result, once", dones == [want],
                "got %r, want %r" % (dones, want), out)


def drain(suite, c, want):
    """A process of A's moved to B, then B drained from A: it goes on elsewhere; B's
    unmovable processes are listed with their reasons."""
    c.run(1, "vm create drainme")
    m = re.search(r"pid (\d+) in", c.run(1, "vm start drainme mcksum 12 1 500"))
    pid = m.group(1) if m else "0"
    start = len(c.console(1))
    moved = c.run(1, "migrate %s 2" % pid)
    out = c.run(1, "drain 2")
    suite.check("drain 2: its visitor moves on", re.search(
        r"drain: pid \d+ \(mcksum\) -> node [13]", out) and "1 moved" in out, "", moved + out)
    suite.check("drain 2: what cannot move is listed with its reason",
                "(init) stays: it is init" in out and "(node) stays: it serves function ids" in out
                and "(sh) stays: it is waiting for console input" in out,
                "", out)
    end = c.vms[0].expect(r"MCKSUM DONE \S+ \S+", 60)
    dones = DONE.findall(c.console(1)[start:])
    suite.check("... and ends with the right result, once", end and dones == [want],
                "got %r, want %r" % (dones, want))
    left = c.run(2, "ps")
    suite.check("... and B has nothing of it left", "mcksum" not in left, "", left)


def space_of(ps_out, name_rx):
    """The SPACE column of the ps rows whose node and name columns match name_rx."""
    return [m.group(1) for m in re.finditer(r"^\s*\d+\s+\d+\s+\S+\s+\d+\s+(\S+)\s+\S+\s+"
                                           + name_rx, ps_out, re.M)]


def spaces(suite, c, want):
    """HVS across machines: into a named space on B; a whole space with its processes."""
    c.run(2, "vm create shared2")
    c.run(2, "vm start shared2 migbench spin")
    c.run(1, "vm create one")
    m = re.search(r"pid (\d+) in", c.run(1, "vm start one migbench hog 1 0"))
    out = c.run(1, "migrate -s shared2 %s 2" % (m.group(1) if m else "0"))
    ps = c.run(2, "ps")
    both = space_of(ps, r"-\s+migbench") + space_of(ps, r"from 1:\d+\s+migbench")
    suite.check("into a named space on B: it shares it with B's process there",
                len(both) == 2 and both[0] == both[1] and "-> node 2" in out, "", out + ps)
    for pid in re.findall(r"^\s*(\d+)\s.*migbench", ps, re.M):
        c.run(2, "busybox kill -9 %s" % pid)      # B's own, and the visitor
    c.run(1, "vm create whole")
    start = len(c.console(1))
    c.run(1, "vm start whole mcksum 12 1 400")
    c.run(1, "vm start whole mcksum 12 1 400")
    out = c.run(1, "migrate -S whole 3")
    ps = c.run(3, "ps")
    sp = space_of(ps, r"from 1:\d+\s+mcksum")
    suite.check("a whole space (two processes) A -> C: both there, in one space",
                "space whole -> node 3" in out and len(sp) == 2 and sp[0] == sp[1], "", out + ps)
    for _ in range(2):
        c.vms[0].expect(r"MCKSUM DONE \S+ \S+", 60)
    dones = DONE.findall(c.console(1)[start:])
    suite.check("... and both end with the right result", dones == [want, want],
                "got %r, want %r twice" % (dones, want))


def balance(suite, c):
    """Three CPU-bound processes on A, `balance on`: one of them goes to another node."""
    pids = []
    for i in range(3):
        c.run(1, "vm create spin%d" % i)
        m = re.search(r"pid (\d+) in", c.run(1, "vm start spin%d migbench spin" % i))
        pids.append(m.group(1) if m else "0")
    on = c.run(1, "balance on")
    moved, out = False, ""
    for _ in range(20):                        # the loads' averages take a few seconds
        time.sleep(2)
        out = c.run(1, "ps")
        moved = re.search(r"remote\s+0 -\s+-\s+at [23]:\d+\s+migbench", out)
        if moved:
            break
    off = c.run(1, "balance off")
    suite.check("balance on: a CPU-bound process of the busy node moves", moved and
                "balance: on" in on and "balance: off" in off, "", on + out + off)
    for pid in pids:
        c.run(1, "busybox kill -9 %s" % pid)


def lossy(suite, c):
    """A and B's network servers restarted with the fault switch, their node servers too."""
    for n in (1, 2):
        start = len(c.vms[n - 1].text)
        for cmd in ("svc stop node", "svc stop net", "svc start net-lossy", "svc start node"):
            c.run(n, cmd)
        for _ in range(30):                   # the new node server's line
            if "node: node %d of" % n in c.vms[n - 1].text[start:]:
                break
            time.sleep(1)
    time.sleep(2)
    want = reference(c, "10 1")
    out = migtest(suite, c, "chain 10 1 300 2 1", 240) if want else ""
    dones = DONE.findall(out)
    suite.check("lossy link (5/2/5 %): A -> B -> A, the result exactly once", dones == [want],
                "got %r, want %r" % (dones, want), out)


def node_killed(suite, c):
    want = reference(c, "8 24")
    c.run(1, "vm create lost")
    m = re.search(r"pid (\d+) in", c.run(1, "vm start lost migbench hog 1 0"))
    lost = m.group(1) if m else "0"
    moved = c.run(1, "migrate %s 3" % lost)
    vm = c.vms[0]
    start = vm.pos
    vm.send("migtest big 24 3\r")
    moving = vm.expect(r"MIGTEST MOVING pid \d+", CMD_TIMEOUT)
    time.sleep(0.4)
    c.close(3, True)                           # node 3 is gone, whatever it was doing
    end = vm.expect(r"MIGTEST DONE \d+ failed", 180)
    out = normalize(vm.text[start:])
    c.shs[0].alive = vm.expect(r"tessera:\S*\$ ", 10) is not None
    suite.check("C killed mid-migration: the move fails", moving and
                re.search(r"MIGTEST big: move (?!ok)", out), "", out)
    dones = DONE.findall(out)
    suite.check("... and the process ends on A, once, with the right result",
                end and dones == [want] and "big-wait PASS" in out,
                "got %r, want %r" % (dones, want), out)
    lost_rx = re.compile(r"node: node 3 is lost: 1 of this node's processes ended with it")
    gone = False
    for _ in range(40):                       # C unheard for 15 s (it may be said already)
        gone = lost_rx.search(normalize(vm.text[start:]))
        if gone:
            break
        time.sleep(1)
    ps = c.run(1, "ps")
    suite.check("a process of A's that ran on C ends with C (its stub reaped on A)",
                "-> node 3" in moved and gone and not re.search(r"^\s*%s\s" % lost, ps, re.M),
                "", moved + ps)


def run(cfg):
    suite = Suite("mig")
    t0 = time.monotonic()
    c = Cluster(cfg.qemu)
    why = c.boot()
    suite.check("three nodes boot with their node servers", not why, why)
    if not why:
        time.sleep(2)                          # a round of announcements
        out = c.run(1, "nodes")
        ups = re.findall(r"^\s*(\d)\s+10\.0\.3\.\d+\s+up", out, re.M)
        suite.check("nodes lists three nodes up", sorted(ups) == ["1", "2", "3"], "", out)
        chain(suite, c)
        migtest(suite, c, "kill 2")
        migtest(suite, c, "refuse 2")
        migtest(suite, c, "res 3")
        migtest(suite, c, "bad -")
        drain(suite, c, c.want12)
        spaces(suite, c, c.want12)
        balance(suite, c)
        node_killed(suite, c)
        lossy(suite, c)
    for n, vm in enumerate(c.vms, 1):
        suite.check("no kernel panic on node %d" % n, not vm.panicked(), "KERNEL PANIC")
    for n in range(1, NODES + 1):
        c.close(n, suite.failed == 0)
    print("  (mig suite: %.1f s)" % (time.monotonic() - t0))
    return suite


def main():
    ap = argparse.ArgumentParser(description="process migration in a three-node cluster")
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--results", help="also write the summary line to this file")
    return host_suite_main(ap, run)


if __name__ == "__main__":
    sys.exit(main())
