#!/bin/sh
# /init of the Linux comparison initramfs (bench/bench.mk): busybox plus the same static bench
# binaries that run on Tessera. The marker is printed first thing, so the host measures
# "QEMU start -> Linux runs init" from its arrival on the serial console. Each program's
# output follows a "LINUX-RUN name" line (tools/bench_report.py splits the log there, since
# the programs print some keys of the same name); LINUX-ALL-DONE ends the run.
echo LINUX-INIT-DONE
export PATH=/bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev 2>/dev/null
echo "LINUX-KERNEL $(uname -r)"
# /dev/vda for blk_bench: the virtio modules the initramfs carries (bench/bench.mk)
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
	insmod /lib/modules/$m.ko 2>/dev/null
done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
for prog in bench meta_bench runmode_bench blk_bench; do
	echo "LINUX-RUN $prog"
	/bin/$prog
	echo "BENCH-EXIT $?"
done
echo LINUX-ALL-DONE
poweroff -f
