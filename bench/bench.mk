# Benchmarks against Linux in the same QEMU configuration. bench/bench.c is ONE static non-PIE
# musl binary that runs unchanged on both systems; it goes into the Tessera image as /bin/bench
# and into a busybox initramfs booted with Debian's Linux kernel.
#   make bench        Tessera and Linux, prints the comparison tables (tools/bench_report.py):
#                     issue 2's table, the HVS tables A-D of issue 3, metamorphosis tables
#                     E-G of issue 4, the running-mode table H of issue 5, the fork
#                     table I and table J of issue 10 (process creation with 10, 1000,
#                     4000 live processes); keeps the numbers in build/bench/results.json,
#                     draws the papers' figures into build/bench/figs/ and writes
#                     build/bench/report.html (README.md, "Figures, the page, and comparing runs")
#                     and then tables O and W of issue 14 (network; the HVS web evaluation,
#                     tools/web_bench.py, tests/web.mk: numbers in build/bench/web.json)
#   make bench-linux  only the Linux side (no Tessera kernel needed)
#   make bench-keep   the last run becomes tests/bench/results.json and the README's figure
BENCH_BIN := $(B)/root/bin/bench
USER_BINS += $(BENCH_BIN)

# Not PIE: Linux must run the very same file (Debian's musl has no rcrt1.o for static PIE).
# The pipe round trips come from bench/ipc_bench.c, compiled in without its main().
$(BENCH_BIN): bench/bench.c bench/ipc_bench.c bench/ipc_bench.h abi/syscalls.def abi/tessera.h \
		| deps
	@mkdir -p $(dir $@)
	musl-gcc $(WARN) -O2 -static -I. -DIPC_BENCH_NO_MAIN bench/bench.c bench/ipc_bench.c -o $@

# Tessera-only benchmarks of the mechanisms (native calls, so PIE programs over libtessera).
TESSERA_BENCHES := $(B)/root/bin/hvs_bench $(B)/root/bin/nproc_bench $(B)/root/bin/srv_bench
USER_BINS += $(TESSERA_BENCHES)
$(B)/root/bin/%: bench/%.c $(ULIB) $(TSYS_NR_H) | deps
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) $(ULDFLAGS) $< $(ULIB) -o $@

# Container round trips (bench/ipc_bench.c): static PIE so that its echo child can also run
# in the parent's own space (cbox_rt_same_ns); uses native calls, so Tessera only.
IPC_BENCH_BIN := $(B)/root/bin/ipcbench
USER_BINS += $(IPC_BENCH_BIN)
$(IPC_BENCH_BIN): bench/ipc_bench.c bench/ipc_bench.h abi/syscalls.def abi/tessera.h | deps
	@mkdir -p $(dir $@)
	musl-gcc $(WARN) -O2 -fPIE -I. $(ULDFLAGS) $< -o $@

# Running-mode switch (bench/runmode_bench.c, docs/runmode.md): static non-PIE like bench.c,
# so Linux can run the very same file (only its Umode numbers apply there).
RM_BENCH_BIN := $(B)/root/bin/runmode_bench
USER_BINS += $(RM_BENCH_BIN)
$(RM_BENCH_BIN): bench/runmode_bench.c bench/bench_util.h abi/syscalls.def abi/tessera.h | deps
	@mkdir -p $(dir $@)
	musl-gcc $(WARN) -O2 -static -I. $< -o $@

# ---- Linux side: initramfs of busybox-static + bench, Debian's newest installed kernel -------
LINUX_ROOT := $(B)/bench/linux-root
LINUX_INITRD := $(B)/bench/linux-initrd.cpio
LINUX_KERNEL_SRC := $(shell ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
LINUX_KERNEL := $(B)/bench/$(or $(notdir $(LINUX_KERNEL_SRC)),vmlinuz-missing)

# Applets become symlinks at build time, so /init needs no setup before printing its marker.
# Other fragments add static binaries to LINUX_BENCH_BINS (copied to /bin by base name) and
# make the initramfs depend on them (bench/meta.mk: meta_bench and the text_N-static programs).
$(LINUX_INITRD): $(BENCH_BIN) $(RM_BENCH_BIN) bench/linux-init.sh tools/mkimage.sh | deps
	rm -rf $(LINUX_ROOT)
	mkdir -p $(LINUX_ROOT)/bin $(LINUX_ROOT)/proc $(LINUX_ROOT)/dev $(LINUX_ROOT)/sys \
		$(LINUX_ROOT)/tmp
	cp "$$(command -v busybox)" $(LINUX_ROOT)/bin/busybox
	for a in $$($(LINUX_ROOT)/bin/busybox --list); do \
		[ "$$a" = busybox ] || ln -s busybox $(LINUX_ROOT)/bin/$$a; done
	cp $(BENCH_BIN) $(LINUX_ROOT)/bin/bench
	cp $(RM_BENCH_BIN) $(LINUX_ROOT)/bin/runmode_bench
	$(if $(LINUX_BENCH_BINS),cp $(LINUX_BENCH_BINS) $(LINUX_ROOT)/bin/)
	$(if $(LINUX_MODULES),mkdir -p $(LINUX_ROOT)/lib/modules && \
		cp $(LINUX_MODULES) $(LINUX_ROOT)/lib/modules/)
	cp bench/linux-init.sh $(LINUX_ROOT)/init
	tools/mkimage.sh $(LINUX_ROOT) $@

# Debian installs /boot/vmlinuz-* readable by root only on some systems: copy it once.
$(LINUX_KERNEL): | deps
	@mkdir -p $(dir $@)
	@k="$(LINUX_KERNEL_SRC)"; \
	if [ -z "$$k" ]; then \
		echo "bench: no /boot/vmlinuz-*: install linux-image-amd64 (tools/install-deps.sh)"; \
		exit 1; \
	elif [ -r "$$k" ]; then cp "$$k" $@; \
	elif sudo -n true 2>/dev/null; then \
		sudo cp "$$k" $@ && sudo chown "$$(id -u):$$(id -g)" $@; \
	else \
		echo "bench: $$k is not readable: run 'sudo chmod a+r $$k' or make bench as root"; \
		exit 1; \
	fi

# Linux gets the same machine as Tessera: QEMU_FLAGS without Tessera's kernel and image.
BENCH_QEMU_BASE = $(filter-out -kernel -initrd $(B)/tessera.elf $(B)/tessera.img,$(QEMU_FLAGS))
BENCH_LINUX_ARGS = --linux-kernel $(LINUX_KERNEL) --linux-initrd $(LINUX_INITRD) \
	--qemu-base "$(QEMU) $(BENCH_QEMU_BASE)"

# Tessera boots once per benchmark program (prompt, /bin/bench, /bin/hvs_bench, /bin/ipcbench,
# /bin/meta_bench, /bin/runmode_bench, /bin/nproc_bench with 1 GiB, srv_bench, blk_bench), then
# three times with a fresh ext2 disk for table M, alternating with Linux (tools/disk_bench.py);
# the sizes of the programs in tables C and E come from the staging tree and the busybox put
# into both images.
# The raw numbers go to $(BENCH_OUT)/results.json, from which tools/bench_figs.py draws the
# figures ($(BENCH_OUT)/figs/) and tools/bench_html.py writes report.html; those two run even
# when a boot failed (its cells and points are missing), and the status is that of the boots.
BENCH_OUT := $(B)/bench
BENCH_JSON := $(BENCH_OUT)/results.json
# Debian's python3-matplotlib is importable by Debian's /usr/bin/python3 only (not by a python3
# of pyenv or a venv that may come first on PATH).
PLOT_PYTHON ?= /usr/bin/python3
BENCH_PAGE = $(PLOT_PYTHON) tools/bench_figs.py $(BENCH_JSON) $(BENCH_OUT)/figs && \
	python3 tools/bench_html.py $(BENCH_JSON) $(BENCH_OUT)/report.html

bench: all $(LINUX_INITRD) $(LINUX_KERNEL)
	@rm -f $(BENCH_JSON)
	python3 tools/bench_report.py $(BENCH_LINUX_ARGS) --tessera "$(QEMU) $(QEMU_FLAGS)" \
		--root $(B)/root --busybox $(BUSYBOX) --json $(BENCH_JSON); st=$$?; \
	[ -f $(BENCH_JSON) ] && $(BENCH_PAGE) || st=1; \
	$(WEB_BENCH) --json $(BENCH_OUT)/web.json || st=1; exit $$st

bench-linux: $(LINUX_INITRD) $(LINUX_KERNEL)
	python3 tools/bench_report.py $(BENCH_LINUX_ARGS) --json $(BENCH_JSON)

.PHONY: bench-linux

# After a `make bench` worth keeping: its results.json becomes the benchpage suite's input
# (tests/bench/results.json) and its figure of metamorphosis figures 9-10 the README's.
README_FIG := meta_fig09_10_program
bench-keep:
	@test -f $(BENCH_JSON) || { echo "bench-keep: no $(BENCH_JSON): run make bench"; exit 1; }
	cp $(BENCH_JSON) tests/bench/results.json
	$(PLOT_PYTHON) tools/bench_figs.py tests/bench/results.json $(BENCH_OUT)/kept-figs
	@mkdir -p docs/figs
	cp $(BENCH_OUT)/kept-figs/$(README_FIG).png docs/figs/$(README_FIG).png

.PHONY: bench-keep

# Raw disk throughput (bench/blk_bench.c, table L): static non-PIE like bench.c, so Linux runs
# the very same file on the same disk image; it calls the driver's function ids on Tessera.
BLK_BENCH_BIN := $(B)/root/bin/blk_bench
USER_BINS += $(BLK_BENCH_BIN)
$(BLK_BENCH_BIN): bench/blk_bench.c bench/bench_util.h abi/syscalls.def abi/srv.h abi/fnids.def \
		| deps
	@mkdir -p $(dir $@)
	musl-gcc $(WARN) -O2 -static -I. $< -o $@
LINUX_BENCH_BINS += $(BLK_BENCH_BIN)
$(LINUX_INITRD): $(BLK_BENCH_BIN)
# Debian's kernel has virtio-pci and virtio-blk as modules: the initramfs carries the ones
# /dev/vda needs, of the kernel's own version, loaded in dependency order by its /init.
LINUX_KVER := $(patsubst vmlinuz-%,%,$(notdir $(LINUX_KERNEL_SRC)))
LINUX_MODULES := $(foreach m,virtio/virtio_ring virtio/virtio virtio/virtio_pci_legacy_dev \
	virtio/virtio_pci_modern_dev virtio/virtio_pci block/virtio_blk, \
	$(wildcard /lib/modules/$(LINUX_KVER)/kernel/drivers/$(m).ko))
