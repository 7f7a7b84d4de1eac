#!/usr/bin/env python3
"""The socket suite: Debian's unmodified busybox networking applets on Tessera's Linux
sockets (kernel/net over the network server), against peers on the host.

One boot with the test boots' devices, whose NIC gets two forwarded ports: host
127.0.0.1:HTTP -> guest 80 and 127.0.0.1:NC -> guest 5002. In it:
  - busybox ping reaches QEMU's gateway 10.0.2.2 (an ICMP socket);
  - busybox wget fetches a page from a python HTTP server on the host (10.0.2.2:P);
  - busybox nc sends a line to a host TCP server and prints its answer;
  - busybox nc -l -p 5002 prints what the host sends through the forwarded port;
  - busybox httpd (daemon, port 80) serves a static file and a CGI program (/bin/cgihello,
    which counts its calls in a file) to the host's curl through the forwarded port.

  sock_suite.py --qemu "QEMU CMD" [--results FILE]
"""
import argparse
import functools
import http.server
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_suites import Shell, Suite, host_suite_main  # noqa: E402
from qemu_run import Qemu  # noqa: E402

SUITE_TIMEOUT = 200
CMD_TIMEOUT = 60
NC_PORT = 5002


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def net_args(qemu, http_fwd, nc_fwd):
    fwd = ",hostfwd=tcp:127.0.0.1:%d-:80,hostfwd=tcp:127.0.0.1:%d-:%d" % (http_fwd, nc_fwd,
                                                                          NC_PORT)
    out = list(qemu)
    for i, a in enumerate(out):
        if a.startswith("user,id="):
            out[i] = a + fwd
            return out
    return out + ["-netdev", "user,id=net0" + fwd,
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


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def curl(port, path):
    r = subprocess.run(["curl", "-s", "-m", "20", "http://127.0.0.1:%d%s" % (port, path)],
                       capture_output=True, text=True, timeout=30)
    return r.stdout


class Run:
    def __init__(self, suite, sh, cfg):
        self.suite, self.sh, self.cfg = suite, sh, cfg
        self.marker = "m%08x" % random.randrange(1 << 32)

    def ping(self):
        out = self.sh.run("busybox ping -c 2 10.0.2.2", CMD_TIMEOUT) or ""
        self.suite.check("busybox ping -c 2 10.0.2.2 (QEMU's gateway answers)",
                         "2 packets received" in out, out)

    def wget(self):
        d = tempfile.mkdtemp(prefix="sock-suite-")
        with open(os.path.join(d, "page.txt"), "w") as f:
            f.write("page %s\n" % self.marker * 200)
        handler = functools.partial(Quiet, directory=d)
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        port = srv.server_address[1]
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        out = self.sh.run("busybox wget -q -O - http://10.0.2.2:%d/page.txt" % port,
                          CMD_TIMEOUT) or ""
        srv.shutdown()
        self.suite.check("busybox wget: a page from the host's python http.server (10.0.2.2)",
                         out.count("page %s" % self.marker) == 200, out[-400:])

    def nc_client(self):
        lsock = socket.create_server(("127.0.0.1", 0))
        lsock.settimeout(CMD_TIMEOUT)

        def serve():
            conn, _ = lsock.accept()
            with conn:
                conn.settimeout(CMD_TIMEOUT)
                line = b""
                while not line.endswith(b"\n"):
                    b = conn.recv(100)
                    if not b:
                        break
                    line += b
                conn.sendall(b"host got: " + line)
            return line
        peer = Peer(serve)
        peer.start()
        cmd = "busybox sh -c 'echo nc-%s | busybox nc 10.0.2.2 %d'" % (self.marker,
                                                                      lsock.getsockname()[1])
        out = self.sh.run(cmd, CMD_TIMEOUT) or ""
        peer.join(10)
        lsock.close()
        self.suite.check("busybox nc 10.0.2.2: a line to a host server and its answer back",
                         "host got: nc-%s" % self.marker in out, "host %r" % peer.result, out)

    def nc_listen(self):
        msg = "from-host %s\n" % self.marker

        def send():
            deadline = time.monotonic() + CMD_TIMEOUT
            while time.monotonic() < deadline:
                time.sleep(0.5)
                try:
                    with socket.create_connection(("127.0.0.1", self.cfg.nc_fwd), 10) as c:
                        c.settimeout(3)
                        c.sendall(msg.encode())
                        try:
                            if c.recv(1) == b"" and self.sh_done:
                                return "sent"
                        except socket.timeout:
                            return "sent"
                        return "sent"
                except OSError:
                    continue
            return "never connected"
        self.sh_done = False
        peer = Peer(send)
        peer.start()
        out = self.sh.run("busybox nc -l -p %d" % NC_PORT, CMD_TIMEOUT) or ""
        self.sh_done = True
        peer.join(10)
        self.suite.check("busybox nc -l -p %d: what the host sends through the forwarded port"
                         % NC_PORT, msg.strip() in out, "host %r" % peer.result, out)

    def httpd(self):
        setup = ("busybox sh -c 'mkdir -p /tmp/www/cgi-bin && echo static-%s > "
                 "/tmp/www/index.html && cp /bin/cgihello /tmp/www/cgi-bin/hi && "
                 "rm -f /tmp/cgihello.count'" % self.marker)
        out = (self.sh.run(setup, CMD_TIMEOUT) or "") + \
              (self.sh.run("busybox httpd -p 80 -h /tmp/www", CMD_TIMEOUT) or "")
        page = ""
        for _ in range(20):              # the daemon may still be starting
            page = curl(self.cfg.http_fwd, "/index.html")
            if page:
                break
            time.sleep(0.5)
        self.suite.check("busybox httpd: a static file to the host's curl (127.0.0.1:%d -> 80)"
                         % self.cfg.http_fwd, page.strip() == "static-%s" % self.marker,
                         "curl got %r" % page, out)
        c1 = curl(self.cfg.http_fwd, "/cgi-bin/hi?first=1")
        c2 = curl(self.cfg.http_fwd, "/cgi-bin/hi?second=2")
        self.suite.check("busybox httpd: the CGI /bin/cgihello twice (counter 1, then 2)",
                         "call 00000001, query 'first=1'" in c1 and "call 00000002, query 'second=2'" in c2,
                         "curl got %r and %r" % (c1, c2))


def run(cfg):
    suite = Suite("sock")
    t0 = time.monotonic()
    cfg.http_fwd, cfg.nc_fwd = free_port(), free_port()
    vm = Qemu(net_args(cfg.qemu, cfg.http_fwd, cfg.nc_fwd), "guest-sock", SUITE_TIMEOUT)
    sh = Shell(vm)
    why = sh.boot()
    suite.check("boot", not why, why)
    if not why:
        r = Run(suite, sh, cfg)
        r.ping()
        r.wget()
        r.nc_client()
        r.nc_listen()
        r.httpd()
    if sh.alive:
        sh.poweroff()
    vm.wait_exit(20)
    suite.check("no kernel panic", not vm.panicked(), "KERNEL PANIC on the console")
    vm.close(suite.failed == 0)
    print("  (sock suite: %.1f s)" % (time.monotonic() - t0))
    return suite


def main():
    ap = argparse.ArgumentParser(description="busybox networking on Tessera's sockets")
    ap.add_argument("--qemu", required=True, help="QEMU command line booting Tessera")
    ap.add_argument("--results", help="also write the summary line to this file")
    return host_suite_main(ap, run)


if __name__ == "__main__":
    sys.exit(main())
