# Test suites that boot Tessera in QEMU (tools/guest_suites.py over tools/qemu_run.py), and the
# top-level `make test`, which runs every suite and ends with ONE line "N passed, N failed".
#   make test                       host unit tests + guest + shell + compat suites
#   make guest-test                 only the QEMU suites; pick some with SUITES="shell compat"
# Console logs of failed boots are kept under build/test-logs/ (their paths are printed).
# EXTRA_BINS given on the command line go into the image through `all`, as for `make run`.
SUITES ?= guest shell compat
TEST_LOGS := $(B)/test-logs
GUEST_SUITES = python3 tools/guest_suites.py

guest-test: all
	@mkdir -p $(TEST_LOGS)
	@$(GUEST_SUITES) run --qemu "$(QEMU) $(QEMU_FLAGS)" $(SUITES)

# Every suite runs even when an earlier one fails; the total decides the exit status. The
# host suite's make status is kept too: a host build that fails without printing its summary
# line still counts as a failure (its summary line is then missing).
test: all
	@mkdir -p $(TEST_LOGS)
	@rm -f $(TEST_LOGS)/host-test.out $(TEST_LOGS)/suites.out
	@$(MAKE) --no-print-directory host-test 2>&1 | tee $(TEST_LOGS)/host-test.out
	@$(GUEST_SUITES) run --qemu "$(QEMU) $(QEMU_FLAGS)" --results $(TEST_LOGS)/suites.out \
		guest shell compat || true
	@$(GUEST_SUITES) total --require host,guest,shell,compat \
		$(TEST_LOGS)/host-test.out $(TEST_LOGS)/suites.out

.PHONY: guest-test test
