#!/usr/bin/env python3
"""make cluster N=3: N Tessera nodes in QEMU on this host (docs/migration.md).

Node i boots with `node=i nodes=N` on its command line and one virtio-net NIC on a UDP
multicast group (QEMU's -netdev socket,mcast=: one Ethernet for all of them, no
coordinator); its node server gives it 10.0.3.i. Node 1's console is this terminal; the
others' go to build/cluster/nodeI.log. With PANES=1 (and tmux installed) every node gets a
pane of a tmux session instead. When node 1 powers off (or this is interrupted) the others
are stopped.

  cluster.py --nodes N --qemu "QEMU CMD" [--group ADDR:PORT] [--tmux]
"""
import argparse
import os
import random
import shlex
import shutil
import subprocess
import sys

LOG_DIR = os.path.join("build", "cluster")


def node_argv(qemu, n, count, group):
    mac = "52:54:00:12:35:%02x" % n
    return qemu + ["-append", "node=%d nodes=%d" % (n, count),
                   "-netdev", "socket,id=n0,mcast=%s" % group,
                   "-device", "virtio-net-pci,netdev=n0,disable-legacy=off,"
                   "disable-modern=off,mac=" + mac]


def with_tmux(cmds):
    session = "tessera-cluster-%d" % os.getpid()
    first = True
    for n, argv in cmds:
        line = " ".join(shlex.quote(a) for a in argv + ["-serial", "mon:stdio"])
        if first:
            subprocess.check_call(["tmux", "new-session", "-d", "-s", session, "-n", "cluster",
                                   line])
            first = False
        else:
            subprocess.check_call(["tmux", "split-window", "-t", session, line])
            subprocess.check_call(["tmux", "select-layout", "-t", session, "tiled"])
    os.execvp("tmux", ["tmux", "attach", "-t", session])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--group", default="230.0.0.1:%d" % random.randrange(20000, 60000))
    ap.add_argument("--tmux", action="store_true")
    cfg = ap.parse_args()
    if not 1 <= cfg.nodes <= 16:
        sys.exit("cluster: 1 to 16 nodes")
    qemu = shlex.split(cfg.qemu)
    cmds = [(n, node_argv(qemu, n, cfg.nodes, cfg.group)) for n in range(1, cfg.nodes + 1)]
    print("cluster: %d nodes on multicast %s, 10.0.3.1-%d" % (cfg.nodes, cfg.group, cfg.nodes))
    if cfg.tmux and shutil.which("tmux"):
        with_tmux(cmds)
    os.makedirs(LOG_DIR, exist_ok=True)
    others = []
    for n, argv in cmds[1:]:
        log = os.path.join(LOG_DIR, "node%d.log" % n)
        print("cluster: node %d console in %s" % (n, log))
        others.append(subprocess.Popen(argv + ["-serial", "file:" + log, "-monitor", "none"],
                                       stdin=subprocess.DEVNULL))
    try:
        subprocess.call(cmds[0][1] + ["-serial", "mon:stdio"])
    finally:
        for p in others:
            p.terminate()
        for p in others:
            p.wait()


if __name__ == "__main__":
    main()
