# The busybox suite (tools/busybox_suite.py): Debian's busybox-static on Tessera against the
# same binary on the host, one test per command line (every image has /bin/busybox).
#   make busybox-test
busybox-test: all test-disks
	@mkdir -p $(B)/test-logs
	@python3 tools/busybox_suite.py --qemu "$(QEMU) $(QEMU_TEST_FLAGS)" \
		--results $(B)/test-logs/busybox.out

.PHONY: busybox-test

# Busybox's own upstream testsuite (tools/busybox_upstream.py): the testsuite of 1.35.0 (the
# version of Debian's busybox-static; downloaded into build/busybox-upstream/ once, sha256
# checked) runs with /bin/busybox on the host and on Tessera (the tree on an ext2 disk); every
# test that passes on the host must pass on Tessera. `make test` runs a representative subset
# (--subset); this target runs every applet's tests and keeps both outputs in
# build/test-logs/busybox-upstream.{host,tessera}.
#   make busybox-upstream
BB_UPSTREAM = python3 tools/busybox_upstream.py --qemu "$(QEMU) $(QEMU_TEST_FLAGS)"

busybox-upstream: all
	@mkdir -p $(B)/test-logs
	@$(BB_UPSTREAM) --log $(B)/test-logs/busybox-upstream

.PHONY: busybox-upstream
