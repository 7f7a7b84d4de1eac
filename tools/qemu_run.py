#!/usr/bin/env python3
"""Boots QEMU headless and talks to the guest through its first serial port.

Used by the test suites (tools/guest_suites.py) and the benchmarks (tools/bench_report.py), and
usable by hand. What it guarantees:
  - a hard timeout: QEMU is killed when it runs longer, whatever the guest does;
  - every console byte goes to a log under build/test-logs/, with the host-clock time of its
    arrival, so "time from QEMU start to marker X" is measured on the host;
  - input can be typed into the console slowly, or after waiting for the shell prompt, so a
    guest with a small receive buffer loses nothing;
  - the log of a failed run is kept and its path printed; the log of a good run is removed;
  - on request (monitor=True), QEMU's human monitor on a private socket (Qemu.hmp), through
    which tools/kdebug.py asks a stalled guest what it is doing.

Command-line use (one boot; waits for each --expect in turn, types the matching --input after
it, prints the time of each marker; exit status 0 if all were seen):
  tools/qemu_run.py --name smoke --timeout 60 --expect '\\$ ' --input 'ls /bin' \\
      --expect '\\$ ' --input poweroff --wait-exit \\
      -- qemu-system-x86_64 -machine q35 ... -kernel build/tessera.elf -initrd build/tessera.img
"""
import argparse
import bisect
import codecs
import os
import re
import shlex
import shutil
import socket
import tempfile
import subprocess
import sys
import threading
import time

LOG_DIR = os.path.join("build", "test-logs")
PANIC = "KERNEL PANIC"
# Always added: the console on our pipes, no monitor, and the device t_poweroff writes to so
# the guest's exit code becomes QEMU's exit status ((code << 1) | 1).
CONSOLE_FLAGS = ["-serial", "stdio", "-monitor", "none",
                 "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def debug_exit_code(status):
    """The guest's t_poweroff code from QEMU's exit status, or None if it did not use it."""
    if status is None or status <= 0 or status & 1 == 0:
        return None
    return status >> 1


class Qemu:
    """One QEMU process. Output is collected by a reader thread into self.text."""

    def __init__(self, argv, name, timeout, log_dir=LOG_DIR, monitor=False):
        os.makedirs(log_dir, exist_ok=True)
        flags = CONSOLE_FLAGS
        self.monitor_dir = None
        if monitor:
            self.monitor_dir = tempfile.mkdtemp(prefix="tessera-mon-")
            self.monitor_path = os.path.join(self.monitor_dir, "hmp")
            flags = [("unix:%s,server=on,wait=off" % self.monitor_path) if f == "none" else f
                     for f in CONSOLE_FLAGS]
        self.name = name
        self.log_path = os.path.join(log_dir, name + ".log")
        self.log = open(self.log_path, "w", encoding="utf-8", errors="replace")
        self.log.write("# " + " ".join(shlex.quote(a) for a in argv + flags) + "\n")
        self.log.flush()
        self.text = ""
        self.ends = []        # end offset in self.text of each chunk received
        self.times = []       # host time (seconds since start) of each chunk
        self.pos = 0          # where the next expect() starts searching
        self.stderr = b""
        self.timed_out = False
        self.cond = threading.Condition()
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.start = time.monotonic()
        self.proc = subprocess.Popen(argv + flags, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.eof = False
        self.watchdog = threading.Timer(timeout, self._timeout)
        self.watchdog.daemon = True
        self.watchdog.start()
        self.readers = [threading.Thread(target=self._read_stdout, daemon=True),
                        threading.Thread(target=self._read_stderr, daemon=True)]
        for t in self.readers:
            t.start()

    def elapsed(self):
        return time.monotonic() - self.start

    def _timeout(self):
        if self.proc.poll() is None:
            self.timed_out = True
            self.proc.kill()

    def _read_stdout(self):
        fd = self.proc.stdout.fileno()
        while True:
            data = os.read(fd, 4096)
            t = self.elapsed()
            s = self.decoder.decode(data, final=not data)
            with self.cond:
                if s:
                    self.text += s
                    self.ends.append(len(self.text))
                    self.times.append(t)
                    self.log.write(s)
                    self.log.flush()
                if not data:
                    self.eof = True
                self.cond.notify_all()
            if not data:
                return

    def _read_stderr(self):
        self.stderr = self.proc.stderr.read()

    def time_at(self, offset):
        """Host time (s since QEMU start) at which the character at offset arrived."""
        with self.cond:
            i = bisect.bisect_right(self.ends, offset)
            return self.times[min(i, len(self.times) - 1)] if self.times else None

    def expect(self, pattern, timeout, fail_on=PANIC):
        """Wait until regex `pattern` appears after self.pos; returns the match (and moves
        self.pos past it) or None on timeout, end of output, or the fail_on text."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = rx.search(self.text, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                if fail_on and fail_on in self.text[self.pos:]:
                    return None
                left = deadline - time.monotonic()
                if self.eof or left <= 0:
                    return None
                self.cond.wait(min(left, 0.5))

    def expect_progressing(self, pattern, timeout, stall_s, factor):
        """expect(), but past `timeout` it waits on, up to factor * timeout, while output
        arrived in the last stall_s seconds: a starved TCG guest on a loaded host runs slowly
        but prints on; a hung one falls silent. The QEMU's own limit must allow for it."""
        deadline = time.monotonic() + timeout
        while True:
            m = self.expect(pattern, max(0.0, deadline - time.monotonic()))
            if m or self.eof or (PANIC in self.text[self.pos:]):
                return m
            with self.cond:
                last = self.times[-1] if self.times else 0.0
            if self.elapsed() - last > stall_s or self.elapsed() >= factor * timeout:
                return None
            deadline = time.monotonic() + min(stall_s, factor * timeout - self.elapsed())

    def panicked(self):
        with self.cond:
            return PANIC in self.text

    def send(self, text, char_delay=0.002):
        """Type text into the console one byte at a time (the guest UART has a tiny FIFO)."""
        try:
            for b in text.encode():
                self.proc.stdin.write(bytes([b]))
                self.proc.stdin.flush()
                if char_delay:
                    time.sleep(char_delay)
            return True
        except (BrokenPipeError, OSError):
            return False

    def hmp(self, command, timeout=10):
        """One command to QEMU's human monitor (needs monitor=True); its reply text, or an
        explanation of why there is none."""
        if not self.monitor_dir:
            return "(no monitor)"
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(timeout)
                s.connect(self.monitor_path)
                self._hmp_read(s)                   # the banner, up to the first prompt
                s.sendall(command.encode() + b"\n")
                reply = self._hmp_read(s)
        except OSError as e:
            return "(monitor: %s)" % e
        reply = re.sub(r"\x1b\[[0-9;]*[A-Za-z]|\x1b.", "", reply).replace("\r", "")
        lines = reply.split("\n")
        return "\n".join(lines[1:] if lines and command in lines[0] else lines).strip()

    @staticmethod
    def _hmp_read(s):
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data[:-len(b"(qemu) ")].decode(errors="replace") if data.endswith(
            b"(qemu) ") else data.decode(errors="replace")

    def wait_exit(self, timeout):
        """QEMU's exit status, or None if it is still running after timeout seconds."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def drain(self, timeout=5):
        """After QEMU has exited: wait until its last output is in self.text."""
        for t in self.readers:
            t.join(timeout)

    def end_reason(self):
        """Why QEMU is no longer running ("" while it runs), for failure messages."""
        status = self.proc.poll()
        if status is None:
            return ""
        if self.timed_out:
            return "timeout: QEMU killed after %.0f s" % self.watchdog.interval
        self.readers[1].join(2)
        err = self.stderr.decode(errors="replace").strip().split("\n")[0]
        return "QEMU exited with status %d%s" % (status, ": " + err if err else "")

    def close(self, ok, keep=False):
        """Stop QEMU (if still running); keep the log if the run failed (or keep is set)."""
        self.watchdog.cancel()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for t in self.readers:
            t.join(5)
        with self.cond:
            if self.stderr:
                self.log.write("\n# qemu stderr:\n" + self.stderr.decode(errors="replace"))
            self.log.write("\n# qemu exit status %s%s\n" %
                           (self.proc.returncode, " (killed: timeout)" if self.timed_out else ""))
            self.log.close()
        if self.monitor_dir:
            shutil.rmtree(self.monitor_dir, ignore_errors=True)
        if not ok:
            print("  console log: " + self.log_path, flush=True)
        elif not keep:
            os.unlink(self.log_path)


def normalize(text):
    """Serial output has CR LF line ends (and may have stray CRs): make it plain text."""
    return text.replace("\r\n", "\n").replace("\r", "")


def main():
    ap = argparse.ArgumentParser(description="Boot QEMU once, check console markers.")
    ap.add_argument("--name", default="qemu-run", help="log name under build/test-logs/")
    ap.add_argument("--timeout", type=float, default=60, help="hard limit for the whole run (s)")
    ap.add_argument("--expect", action="append", default=[],
                    help="regex that must appear, in order (repeatable)")
    ap.add_argument("--input", action="append", default=[],
                    help="a line typed after the previous --expect matched (repeatable)")
    ap.add_argument("--eol", default="\r", help="what ends a typed line (default CR)")
    ap.add_argument("--wait-exit", action="store_true",
                    help="after the last marker, QEMU must exit by itself")
    ap.add_argument("--keep-log", action="store_true", help="keep the log of a good run too")
    ap.add_argument("qemu", nargs=argparse.REMAINDER, help="-- qemu command line")
    args = ap.parse_args()
    argv = args.qemu[1:] if args.qemu[:1] == ["--"] else args.qemu
    if not argv:
        ap.error("missing QEMU command line after --")
    vm = Qemu(argv, args.name, args.timeout)
    ok = True
    for i, pattern in enumerate(args.expect):
        m = vm.expect(pattern, args.timeout)
        if not m:
            print("MISSING %r" % pattern)
            ok = False
            break
        print("TIME %.3f %s" % (vm.time_at(m.end() - 1), pattern))
        if i < len(args.input):
            vm.send(args.input[i] + args.eol)
    if ok and args.wait_exit:
        status = vm.wait_exit(args.timeout)
        print("EXIT %s" % status)
        ok = status is not None and not vm.timed_out
    if vm.panicked():
        print("KERNEL PANIC seen")
        ok = False
    vm.close(ok, keep=args.keep_log)
    if ok and args.keep_log:
        print("log: " + vm.log_path)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
