#!/bin/sh
# /init of the Linux comparison initramfs (bench/bench.mk): busybox plus the same static bench
# binary that runs on Tessera. The marker is printed first thing, so the host measures
# "QEMU start -> Linux runs init" from its arrival on the serial console.
echo LINUX-INIT-DONE
export PATH=/bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev 2>/dev/null
echo "LINUX-KERNEL $(uname -r)"
/bin/bench
echo "BENCH-EXIT $?"
poweroff -f
