# The disk suite (tools/disk_suite.py): the ext2 server and the kernel's forwarding of file
# calls under /disk, checked on the image files by the host's e2fsprogs (e2fsck, debugfs):
# seeded workloads on 1 KiB- and 4 KiB-block images, a reboot, a file the host wrote, busybox
# and a second disk. Each boot gets fresh images of its own.
#   make disk-test [DISK_SEED=N]
DISK_SUITE = python3 tools/disk_suite.py --qemu "$(QEMU) $(QEMU_FLAGS)" \
	$(if $(DISK_SEED),--seed $(DISK_SEED))

disk-test: all
	@mkdir -p $(B)/test-logs
	@$(DISK_SUITE) --results $(B)/test-logs/disk.out

.PHONY: disk-test

# The disk benchmark (bench/disk_bench.c, tools/disk_bench.py): one static non-PIE binary run
# on Tessera and on Linux (Debian's kernel, its ext2 driver) on fresh ext2 images in the same
# QEMU. Not part of `make bench`'s report yet.
#   make disk-bench
DISK_BENCH_BIN := $(B)/root/bin/disk_bench
USER_BINS += $(DISK_BENCH_BIN)
$(DISK_BENCH_BIN): bench/disk_bench.c | deps
	@mkdir -p $(dir $@)
	musl-gcc $(WARN) -O2 -static $< -o $@

disk-bench: all
	@python3 tools/disk_bench.py --qemu "$(QEMU) $(QEMU_FLAGS)" --bin $(DISK_BENCH_BIN)

.PHONY: disk-bench
