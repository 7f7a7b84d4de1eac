# Tessera build. `make run` boots the OS in QEMU on this terminal; `make test` runs every test;
# `make bench` compares with Linux in the same QEMU. Each part of the tree has its own .mk.
.DEFAULT_GOAL := all
B := build
QEMU ?= qemu-system-x86_64
MEM ?= 256M
EXTRA_BINS ?=

# Common warnings for every piece of C in the tree (kernel, user, host tests).
WARN := -std=c11 -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes

include mk/deps.mk
include kernel/kernel.mk
include user/user.mk
include tests/tests.mk
include bench/bench.mk
include bench/meta.mk
include bench/mig.mk

# ---- the boot image: a cpio (newc) archive of build/root, passed to QEMU as -initrd ----------
# Debian's busybox-static is part of every image (/bin/busybox): real Unix tools to try. It is
# named in the recipe only, so that `deps` can install it first on a fresh machine.
BUSYBOX := /bin/busybox
# Debian's glibc static shells (bash-static, zsh-static) too: real glibc programs to run
# (tests/glibc.mk compares their scripts' output with Linux's).
GLIBC_SHELLS := /bin/bash-static /bin/zsh-static
$(B)/tessera.img: $(USER_BINS) $(ROOT_FILES) $(EXTRA_BINS) tools/mkimage.sh | deps
	tools/mkimage.sh $(B)/root $@ $(BUSYBOX) $(GLIBC_SHELLS) $(EXTRA_BINS)

all: $(B)/tessera.elf $(B)/tessera.img

QEMU_FLAGS := -machine q35 -cpu max -m $(MEM) -smp 1 -display none -no-reboot \
	-kernel $(B)/tessera.elf -initrd $(B)/tessera.img

# ---- disks: virtio-blk, transitional (legacy and modern interface), on q35's root bus --------
# $(call qemu_disk,FILE,ID) attaches a raw image file with MSI-X; qemu_disk_intx one without
# MSI-X (vectors=0: INTx through the I/O APIC). Every QEMU that boots Tessera with a disk
# (run, the test suites, bench boots) takes its flags from here.
DISK ?= $(B)/disk.img
DISK_SIZE ?= 64M
qemu_disk = -drive file=$(1),format=raw,if=none,id=$(2) \
	-device virtio-blk-pci,drive=$(2),disable-legacy=off,disable-modern=off
qemu_disk_intx = -drive file=$(1),format=raw,if=none,id=$(2) \
	-device virtio-blk-pci,drive=$(2),disable-legacy=off,disable-modern=off,vectors=0
# ---- network: virtio-net, transitional, on q35's root bus (docs/network.md) ---------------------
# NET=user (the default): QEMU's user network (10.0.2.0/24, gateway and host 10.0.2.2, DNS
# 10.0.2.3), host ports forwarded to the guest: NET_FWD lists host:guest TCP pairs, each on
# 127.0.0.1. NET=mcast: several Tessera nodes on one host share one Ethernet through a UDP
# multicast group (NODE=1,2,... gives each its own MAC); NET=0: no network device.
NET ?= user
NET_FWD ?= 8080:80
NODE ?= 1
NET_MCAST ?= 230.0.0.1:24014
qemu_nic = -device virtio-net-pci,netdev=$(1),disable-legacy=off,disable-modern=off$(2)
qemu_net_user = -netdev user,id=$(1)$(subst $(space),,$(foreach f,$(2),$(comma)hostfwd=tcp:127.0.0.1:$(subst :,-:,$(f)))) \
	$(call qemu_nic,$(1))
qemu_net_mcast = -netdev socket,id=$(1),mcast=$(NET_MCAST) \
	$(call qemu_nic,$(1),$(comma)mac=52:54:00:12:35:$(shell printf %02x $(NODE)))
comma := ,
space := $(subst ,, )
QEMU_NET_user = $(call qemu_net_user,net0,$(NET_FWD))
QEMU_NET_mcast = $(call qemu_net_mcast,net0)
QEMU_NET_0 = -nic none
# The test boots' NIC: user networking, no forwarded port (several QEMUs run at once; the
# network suite, tools/net_suite.py, adds its own on a free port). A -netdev takes away q35's
# default e1000e, which the device tests claim (user/tests/t_dev.c): it is put back, on a
# user network of its own.
QEMU_TEST_NET = $(call qemu_net_user,net0,) -netdev user,id=net1 -device e1000e,netdev=net1

# The test boots' disks, made fresh for each run of the suites (tests/guest.mk), and QEMU's
# "edu" teaching device, whose INTx interrupt software can raise (the INTx tests, t_dev.c).
TEST_DISK := $(B)/test-disk.img
TEST_DISK2 := $(B)/test-disk2.img
TEST_DISK_RAW := $(B)/test-disk-raw.img
QEMU_TEST_FLAGS = $(QEMU_FLAGS) $(call qemu_disk,$(TEST_DISK),vda) \
	$(call qemu_disk_intx,$(TEST_DISK2),vdb) -device edu $(QEMU_TEST_NET)
QEMU_FUZZ_FLAGS = $(QEMU_FLAGS) $(call qemu_disk,$(TEST_DISK_RAW),vda) \
	$(call qemu_disk_intx,$(TEST_DISK2),vdb) -device edu

# made once (DISK=path: that file, if absent) and kept between runs: what Tessera wrote
# stays on it. An ext2 file system, which init mounts at /disk (docs/storage.md).
$(DISK):
	@mkdir -p $(dir $@)
	truncate -s $(DISK_SIZE) $@
	mke2fs -q -F -t ext2 $@

run: all $(DISK)
	@$(if $(filter user,$(NET)),$(foreach f,$(NET_FWD),echo "net: host 127.0.0.1:$(word 1,$(subst :, ,$(f))) -> Tessera port $(word 2,$(subst :, ,$(f)))";))
	@$(if $(filter mcast,$(NET)),echo "net: node $(NODE) on multicast $(NET_MCAST) (set its address: net addr 10.0.3.$(NODE)/24)")
	$(QEMU) $(QEMU_FLAGS) $(call qemu_disk,$(DISK),vda) $(QEMU_NET_$(NET)) -serial mon:stdio

# ---- several nodes (docs/migration.md): make cluster N=3 boots N nodes on one multicast
# Ethernet, node 1 on this terminal, the others' consoles in build/cluster/ (PANES=1: tmux panes)
N ?= 3
PANES ?=
cluster: all
	python3 tools/cluster.py --nodes $(N) --qemu "$(QEMU) $(QEMU_FLAGS)" $(if $(PANES),--tmux)
.PHONY: cluster

# fresh test disks (an earlier run's writes must not decide a test): the first an empty ext2
# file system (mounted at /disk: user/tests/t_disk.c), the others zero-filled (the raw one is
# the fuzz boots' first disk)
test-disks:
	@mkdir -p $(B)
	@rm -f $(TEST_DISK) $(TEST_DISK2) $(TEST_DISK_RAW)
	@truncate -s $(DISK_SIZE) $(TEST_DISK) $(TEST_DISK_RAW)
	@mke2fs -q -F -t ext2 $(TEST_DISK)
	@truncate -s 1M $(TEST_DISK2)

clean:
	rm -rf $(B)

.PHONY: all run clean test bench deps test-disks
