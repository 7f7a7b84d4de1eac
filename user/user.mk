# User space: libtessera (native calls over musl), /bin programs, the in-guest test suite
# (/bin/utest), the compatibility programs and the data files of the image.
# Programs are static position-independent executables that the kernel relocates at load.
UCC := musl-gcc
UCFLAGS := $(WARN) -O2 -fPIE -I. -Iuser/lib -I$(B)/user/include -D_GNU_SOURCE
# musl on Debian has no rcrt1.o: link with -static -pie by hand.
ULDFLAGS := -Wl,-static -Wl,-pie -Wl,--no-dynamic-linker -Wl,-z,text -fPIE

# Call numbers TSYS_<name>, generated from the one list of system calls.
TSYS_NR_H := $(B)/user/include/tsys_nr.h
$(TSYS_NR_H): abi/syscalls.def user/user.mk
	@mkdir -p $(dir $@)
	{ echo '/* Generated from abi/syscalls.def by user/user.mk: do not edit. */'; \
	  echo '#pragma once'; \
	  sed -n 's/^SYSCALL(\([0-9]*\), *\([A-Za-z0-9_]*\), *[0-9]*).*/#define TSYS_\2 \1/p' $<; \
	} > $@.tmp && mv $@.tmp $@

ULIB_SRCS := $(wildcard user/lib/*.c)
ULIB := $(B)/user/libtessera.a
ULIB_OBJS := $(patsubst %.c,$(B)/%.o,$(ULIB_SRCS))
UHDRS := $(wildcard user/lib/*.h user/tests/*.h user/libsrv/*.h) abi/syscalls.def \
	abi/tessera.h abi/errno.h abi/srv.h abi/fnids.def abi/node.h abi/nodeproto.h abi/netproto.h

$(B)/user/%.o: user/%.c $(UHDRS) $(TSYS_NR_H) | deps
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) -c $< -o $@

$(ULIB): $(ULIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Every user/bin/NAME.c is the program /bin/NAME.
UBIN_NAMES := $(basename $(notdir $(wildcard user/bin/*.c)))
USER_BINS := $(patsubst %,$(B)/root/bin/%,$(UBIN_NAMES))

# Keep the objects make would otherwise delete as intermediates.
.SECONDARY: $(patsubst %,$(B)/user/bin/%.o,$(UBIN_NAMES))
$(B)/root/bin/%: $(B)/user/bin/%.o $(ULIB)
	@mkdir -p $(dir $@)
	$(UCC) $(ULDFLAGS) $< $(ULIB) -o $@

# The in-guest test suite: user/tests/*.c together make /bin/utest.
UTEST_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard user/tests/*.c))
USER_BINS += $(B)/root/bin/utest
$(B)/root/bin/utest: $(UTEST_OBJS) $(ULIB)
	@mkdir -p $(dir $@)
	$(UCC) $(ULDFLAGS) $(UTEST_OBJS) $(ULIB) -o $@

# Compatibility programs: plain POSIX C, built as static PIE (/bin/NAME-pie) and as plain
# static (/bin/NAME-static, and build/compat/NAME-static to run on the host for comparison).
COMPAT_NAMES := $(basename $(notdir $(wildcard user/compat/*.c)))
COMPAT_BINS := $(foreach n,$(COMPAT_NAMES),$(B)/root/bin/$(n)-pie $(B)/root/bin/$(n)-static)
COMPAT_HOST := $(patsubst %,$(B)/compat/%-static,$(COMPAT_NAMES))
USER_BINS += $(COMPAT_BINS)

$(B)/root/bin/%-pie: user/compat/%.c user/compat/compat.h | deps
	@mkdir -p $(dir $@)
	$(UCC) $(WARN) -O2 -fPIE $(ULDFLAGS) $< -o $@
$(B)/compat/%-static: user/compat/%.c user/compat/compat.h | deps
	@mkdir -p $(dir $@)
	$(UCC) $(WARN) -O2 -static $< -o $@
$(B)/root/bin/%-static: $(B)/compat/%-static
	@mkdir -p $(dir $@)
	cp $< $@

compat: $(COMPAT_HOST)
.PHONY: compat

# Data files shipped in the image: everything under user/root/ keeps its path; symbolic links
# (/etc/mtab) stay links.
ROOT_SRC := $(shell find user/root -type f -o -type l 2>/dev/null)
ROOT_FILES := $(patsubst user/root/%,$(B)/root/%,$(ROOT_SRC))
$(B)/root/%: user/root/%
	@mkdir -p $(dir $@)
	rm -f $@ && cp -P $< $@

# Malformed programs for the exec tests (each must be refused with ENOEXEC), made from a
# real binary so they are close to valid: cut inside the program headers, cut inside the
# segments, a 32-bit class byte, a foreign machine, a dynamically linked host program, and a
# fixed-address program linked inside the system-wide address range (kernel/mm/uva.h).
# All are executable (mode 755), so a refusal can only come from their content.
BADELF_DIR := $(B)/root/data/bad
BADELF := $(addprefix $(BADELF_DIR)/,trunc-hdr.elf trunc-body.elf elf32.elf arm.elf dynamic.elf \
	high-nonpie.elf)
ROOT_FILES += $(BADELF)
$(BADELF_DIR)/trunc-hdr.elf: $(B)/root/bin/hello
	@mkdir -p $(dir $@)
	head -c 100 $< > $@ && chmod 755 $@
$(BADELF_DIR)/trunc-body.elf: $(B)/root/bin/hello
	@mkdir -p $(dir $@)
	head -c 6000 $< > $@ && chmod 755 $@
$(BADELF_DIR)/elf32.elf: $(B)/root/bin/hello
	@mkdir -p $(dir $@)
	cp $< $@.tmp && printf '\001' | dd of=$@.tmp bs=1 seek=4 conv=notrunc status=none && mv $@.tmp $@
$(BADELF_DIR)/arm.elf: $(B)/root/bin/hello
	@mkdir -p $(dir $@)
	cp $< $@.tmp && printf '\050\000' | dd of=$@.tmp bs=1 seek=18 conv=notrunc status=none && mv $@.tmp $@
$(BADELF_DIR)/dynamic.elf: user/tests/data/dynamic.c
	@mkdir -p $(dir $@)
	gcc $(WARN) -O2 $< -o $@
$(BADELF_DIR)/high-nonpie.elf: user/tests/data/high_nonpie.c
	@mkdir -p $(dir $@)
	gcc $(WARN) -O2 -fno-pie -no-pie -static -nostdlib -ffreestanding \
		-Wl,-Ttext-segment=0x500000000000 -Wl,--build-id=none $< -o $@

include user/srv.mk
