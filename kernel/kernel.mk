# The kernel: generic code under kernel/, machine code under arch/x86_64/, linked into one
# ELF that QEMU boots through its PVH entry note.
KCC := gcc
KCFLAGS := $(WARN) -O2 -g -ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -fno-omit-frame-pointer -fno-builtin -Wframe-larger-than=2048 \
	-I. -Iarch/x86_64/include -MMD -MP
KLDFLAGS := -nostdlib -static -no-pie -Wl,--no-dynamic-linker -Wl,-z,max-page-size=4096 \
	-Wl,--build-id=none -T arch/x86_64/linker.ld

KSRCS := $(wildcard kernel/*.c kernel/*/*.c arch/x86_64/*.c)
KASM := $(wildcard arch/x86_64/*.S)
KOBJS := $(patsubst %.c,$(B)/k/%.o,$(KSRCS)) $(patsubst %.S,$(B)/k/%.o,$(KASM))
# the vDSO image the kernel carries (vdso/vdso.mk)
include vdso/vdso.mk
KOBJS += $(VDSO_KOBJ)

$(B)/k/%.o: %.c
	@mkdir -p $(dir $@)
	$(KCC) $(KCFLAGS) -c $< -o $@

$(B)/k/%.o: %.S
	@mkdir -p $(dir $@)
	$(KCC) $(KCFLAGS) -c $< -o $@

$(B)/tessera.elf: $(KOBJS) arch/x86_64/linker.ld
	$(KCC) $(KCFLAGS) $(KLDFLAGS) $(KOBJS) -lgcc -o $@

-include $(KOBJS:.o=.d)
