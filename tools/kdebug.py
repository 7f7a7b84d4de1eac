#!/usr/bin/env python3
"""Asks a stalled Tessera guest what it is doing (docs/fuzzing.md, "When a boot stalls").

A harness that sees a guest stop printing calls dump(vm) on its Qemu (started with
monitor=True). Through QEMU's monitor it reads the CPU registers (enough when the guest is
stuck with interrupts off), then sends an NMI: the kernel's NMI handler (kernel/proc/kdebug.c)
prints a DBG line for every execution (state, wait channel, kernel return addresses) and every
process. dump() returns those lines with each kernel address followed by its function name,
taken from the kernel's symbols with addr2line. It never fails: what it cannot get, it says.
"""
import bisect
import re
import subprocess
import time

DUMP_S = 40     # give QEMU this much time beyond a harness's own limit, to ask it
KADDR = re.compile(r"\b(ffffffff8[0-9a-f]{7})\b")


def symbol_table(elf):
    """(addresses, names) of the kernel's functions and variables, sorted, from nm."""
    try:
        out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return [], []
    addrs, names = [], []
    for line in out.split("\n"):
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTdDbBrR" and not parts[2].startswith("."):
            addrs.append(int(parts[0], 16))
            names.append(parts[2])
    return addrs, names


def symbolize(lines, elf):
    """Adds <symbol+offset> after every kernel address in lines. On DBG exec lines the
    addresses after "stack" are return addresses: the call is the byte before them."""
    addrs, names = symbol_table(elf)
    if not addrs:
        return lines

    def name(hexaddr, back):
        a = int(hexaddr, 16) - back
        i = bisect.bisect_right(addrs, a) - 1
        if i < 0:
            return hexaddr
        return "%s<%s+%#x>" % (hexaddr, names[i], a + back - addrs[i])

    out = []
    for line in lines:
        head, sep, tail = line.partition(" stack")
        head = KADDR.sub(lambda m: name(m.group(1), 0), head)
        tail = KADDR.sub(lambda m: name(m.group(1), 1), tail)
        out.append(head + sep + tail)
    return out


def registers(vm):
    """The interesting part of `info registers`: RIP, RSP, RFLAGS, CPL, CR3, HLT state."""
    text = vm.hmp("info registers")
    keep = []
    for line in text.split("\n"):
        if re.match(r"\s*(RAX|RSI|R8|R12|RIP|CS |CR0|EFL)", line) or "HLT" in line:
            keep.append("  " + line.strip())
    return keep or ["  " + text.split("\n")[0]]


def dump(vm, elf="build/tessera.elf", wait=15):
    """Report lines: registers (sampled twice), then the kernel's own dump, symbolized."""
    out = ["CPU state from the QEMU monitor:"]
    out += registers(vm)
    time.sleep(1)
    out += ["a second later:"] + registers(vm)
    lapic = [line.strip() for line in vm.hmp("info lapic").split("\n")
             if re.match(r"\s*(LVT0|LVTT|Timer|ISR|IRR|TPR|SPIV)", line)]
    out += ["local APIC (ISR: vectors in service, never acknowledged; IRR: pending):"]
    out += ["  " + line for line in lapic]
    out += ["8259 PICs (the timer is IRQ 0):"]
    out += ["  " + line.strip() for line in vm.hmp("info pic").split("\n")
            if line.strip().startswith("pic")]
    start = len(vm.text)
    reply = vm.hmp("nmi")
    if reply:
        out.append("nmi: " + reply)
    m = vm.expect(r"DBG END \d+", wait, fail_on=None)
    text = vm.text[start:].replace("\r\n", "\n").replace("\r", "")
    dbg = [line for line in text.split("\n") if line.startswith("DBG ")]
    if not m:
        out.append("the kernel did not finish its NMI dump within %d s%s" %
                   (wait, " (got %d lines)" % len(dbg) if dbg else ""))
    return symbolize(out + dbg, elf)
