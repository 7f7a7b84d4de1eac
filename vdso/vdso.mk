# The vDSO (vdso/vdso.c): a shared object linked by vdso/vdso.lds, checked by
# tools/vdso_check.sh, and embedded in the kernel (kernel/proc/vdso_blob.S), which copies it
# into pages mapped into every space (kernel/proc/vdso.c).
VDSO_CFLAGS := $(WARN) -O2 -fPIC -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fcf-protection=none -mgeneral-regs-only -I.
VDSO_LDFLAGS := -nostdlib -shared -Wl,-T,vdso/vdso.lds -Wl,--hash-style=both \
	-Wl,-soname=linux-vdso.so.1 -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--no-undefined
VDSO_SO := $(B)/vdso/vdso.so
VDSO_KOBJ := $(B)/k/kernel/proc/vdso_blob.o

$(VDSO_SO): vdso/vdso.c vdso/vdso.lds abi/vdso.h abi/linux.h tools/vdso_check.sh
	@mkdir -p $(dir $@)
	gcc $(VDSO_CFLAGS) $(VDSO_LDFLAGS) vdso/vdso.c -o $@.tmp
	tools/vdso_check.sh $@.tmp
	mv $@.tmp $@

$(VDSO_KOBJ): kernel/proc/vdso_blob.S $(VDSO_SO)
	@mkdir -p $(dir $@)
	$(KCC) $(KCFLAGS) -Wa,-I$(B)/vdso -c $< -o $@

