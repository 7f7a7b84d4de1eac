# Test suites that boot Tessera in QEMU (tools/guest_suites.py over tools/qemu_run.py), and the
# top-level `make test`, which runs every suite and ends with ONE line "N passed, N failed".
#   make test                       host unit tests + guest + shell + compat suites (+ busybox,
#                                   fuzz-short and benchpage, tests/benchpage.mk, and a part
#                                   of busybox's upstream testsuite, tests/busybox.mk)
#   make guest-test                 only the QEMU suites; pick some with SUITES="shell compat"
# Console logs of failed boots are kept under build/test-logs/ (their paths are printed).
# EXTRA_BINS given on the command line go into the image through `all`, as for `make run`.
SUITES ?= guest shell compat

# The image must be rebuilt when the EXTRA_BINS list changes, not only when a listed file is
# newer than the image (a system binary such as /bin/busybox never is): the list is kept in a
# file that is rewritten only when it differs, and the image depends on it.
EXTRA_BINS_LIST := $(B)/extra-bins.list
$(EXTRA_BINS_LIST): FORCE
	@mkdir -p $(dir $@)
	@echo "$(EXTRA_BINS)" | cmp -s - $@ 2>/dev/null || echo "$(EXTRA_BINS)" > $@
$(B)/tessera.img: $(EXTRA_BINS_LIST)
FORCE:
TEST_LOGS := $(B)/test-logs
GUEST_SUITES = python3 tools/guest_suites.py
GUEST_ARGS = --qemu "$(QEMU) $(QEMU_TEST_FLAGS)" --extra-bins "$(EXTRA_BINS)"

guest-test: all test-disks
	@mkdir -p $(TEST_LOGS)
	@$(GUEST_SUITES) run $(GUEST_ARGS) $(SUITES)

# Every suite runs even when an earlier one fails, and the run always ends with the total, which
# decides the exit status. A suite that reports nothing (its build failed, or `make all`
# failed so the QEMU suites could not run on a current image) counts as one failure.
test:
	@mkdir -p $(TEST_LOGS)
	@rm -f $(TEST_LOGS)/host-test.out $(TEST_LOGS)/suites.out $(TEST_LOGS)/busybox.out \
		$(TEST_LOGS)/fuzz.out $(TEST_LOGS)/benchpage.out $(TEST_LOGS)/blk.out $(TEST_LOGS)/disk.out \
		$(TEST_LOGS)/net.out $(TEST_LOGS)/sock.out $(TEST_LOGS)/web.out $(TEST_LOGS)/netfuzz.out \
		$(TEST_LOGS)/glibc.out $(TEST_LOGS)/repl.out $(TEST_LOGS)/mig.out \
		$(TEST_LOGS)/bbup.out
	@if $(MAKE) --no-print-directory all test-disks; then \
		$(MAKE) --no-print-directory host-test 2>&1 | tee $(TEST_LOGS)/host-test.out; \
		$(GUEST_SUITES) run $(GUEST_ARGS) --results $(TEST_LOGS)/suites.out \
			guest shell compat; \
		python3 tools/busybox_suite.py --qemu "$(QEMU) $(QEMU_TEST_FLAGS)" \
			--results $(TEST_LOGS)/busybox.out; \
		$(FUZZ_RUN) --short --results $(TEST_LOGS)/fuzz.out; \
		$(BLK_SUITE) --results $(TEST_LOGS)/blk.out; \
		$(DISK_SUITE) --results $(TEST_LOGS)/disk.out; \
		$(NET_SUITE) --results $(TEST_LOGS)/net.out; \
		$(SOCK_SUITE) --results $(TEST_LOGS)/sock.out; \
		$(WEB_SUITE) --results $(TEST_LOGS)/web.out; \
		$(NETFUZZ_SUITE) --frames 5000 --results $(TEST_LOGS)/netfuzz.out; \
		$(GLIBC_SUITE) --results $(TEST_LOGS)/glibc.out; \
		$(REPL_SUITE) --results $(TEST_LOGS)/repl.out; \
		$(MIG_SUITE) --results $(TEST_LOGS)/mig.out; \
		$(BB_UPSTREAM) --subset --results $(TEST_LOGS)/bbup.out; \
	else \
		echo "FAIL build: make all failed, the QEMU suites cannot run"; \
		$(MAKE) --no-print-directory host-test 2>&1 | tee $(TEST_LOGS)/host-test.out; \
	fi; true
	@$(BENCHPAGE_TEST) 2>&1 | tee $(TEST_LOGS)/benchpage.out; true
	@$(GUEST_SUITES) total --require host,guest,shell,compat,busybox,fuzz,benchpage,blk,disk,net,sock,web,netfuzz,glibc,repl,mig,busybox-upstream \
		$(TEST_LOGS)/host-test.out $(TEST_LOGS)/suites.out $(TEST_LOGS)/busybox.out \
		$(TEST_LOGS)/fuzz.out $(TEST_LOGS)/benchpage.out $(TEST_LOGS)/blk.out $(TEST_LOGS)/disk.out \
		$(TEST_LOGS)/net.out $(TEST_LOGS)/sock.out $(TEST_LOGS)/web.out $(TEST_LOGS)/netfuzz.out \
		$(TEST_LOGS)/glibc.out $(TEST_LOGS)/repl.out $(TEST_LOGS)/mig.out $(TEST_LOGS)/bbup.out

.PHONY: guest-test test
