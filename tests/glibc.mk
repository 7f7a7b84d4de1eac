# The glibc suite (tools/glibc_suite.py): Debian's bash-static and zsh-static run the scripts
# of user/root/data/sh/ on Tessera and on the host; the outputs must be the same.
#   make glibc-test
include user/diet/diet.mk

GLIBC_SUITE = python3 tools/glibc_suite.py --qemu "$(QEMU) $(QEMU_TEST_FLAGS)"

glibc-test: all test-disks
	@mkdir -p $(B)/test-logs
	@$(GLIBC_SUITE) --results $(B)/test-logs/glibc.out

.PHONY: glibc-test
