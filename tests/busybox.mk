# The busybox suite (tools/busybox_suite.py): Debian's busybox-static on Tessera against the
# same binary on the host, one test per command line. The image gets /bin/busybox.
#   make busybox-test
BUSYBOX_BIN ?= /bin/busybox

busybox-test:
	@$(MAKE) --no-print-directory all EXTRA_BINS="$(EXTRA_BINS) $(BUSYBOX_BIN)"
	@mkdir -p $(B)/test-logs
	@python3 tools/busybox_suite.py --qemu "$(QEMU) $(QEMU_FLAGS)" \
		--results $(B)/test-logs/busybox.out

.PHONY: busybox-test
