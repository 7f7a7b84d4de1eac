# The busybox suite (tools/busybox_suite.py): Debian's busybox-static on Tessera against the
# same binary on the host, one test per command line (every image has /bin/busybox).
#   make busybox-test
busybox-test: all test-disks
	@mkdir -p $(B)/test-logs
	@python3 tools/busybox_suite.py --qemu "$(QEMU) $(QEMU_TEST_FLAGS)" \
		--results $(B)/test-logs/busybox.out

.PHONY: busybox-test
