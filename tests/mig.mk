# The migration suite (tools/mig_suite.py, docs/migration.md): three nodes on one multicast
# Ethernet, processes moved between them, refused, killed across nodes; a node killed in the
# middle of a migration; a lossy link.
#   make mig-test
MIG_SUITE = python3 tools/mig_suite.py --qemu "$(QEMU) $(QEMU_FLAGS)"

mig-test: all
	@mkdir -p $(B)/test-logs
	@$(MIG_SUITE) --results $(B)/test-logs/mig.out

.PHONY: mig-test
