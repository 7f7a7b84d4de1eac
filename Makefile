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

# ---- the boot image: a cpio (newc) archive of build/root, passed to QEMU as -initrd ----------
# Debian's busybox-static is part of every image (/bin/busybox): real Unix tools to try. It is
# named in the recipe only, so that `deps` can install it first on a fresh machine.
BUSYBOX := /bin/busybox
$(B)/tessera.img: $(USER_BINS) $(ROOT_FILES) $(EXTRA_BINS) tools/mkimage.sh | deps
	tools/mkimage.sh $(B)/root $@ $(BUSYBOX) $(EXTRA_BINS)

all: $(B)/tessera.elf $(B)/tessera.img

QEMU_FLAGS := -machine q35 -cpu max -m $(MEM) -smp 1 -display none -no-reboot \
	-kernel $(B)/tessera.elf -initrd $(B)/tessera.img

run: all
	$(QEMU) $(QEMU_FLAGS) -serial mon:stdio

clean:
	rm -rf $(B)

.PHONY: all run clean test bench deps
