# The replacement suite (tools/repl_suite.py, docs/replacement.md): the ext2 server and both
# block drivers replaced a few hundred times while four file clients and a block client work
# on two fresh disks; the host checks the images afterwards (e2fsck -fn, every file's and
# every region's content against what the seeded operations must have left).
#   make repl-test [REPL_SEED=N] [REPL_N=replacements]
REPL_SUITE = python3 tools/repl_suite.py --qemu "$(QEMU) $(QEMU_FLAGS)" \
	$(if $(REPL_SEED),--seed $(REPL_SEED)) $(if $(REPL_N),--replacements $(REPL_N))

repl-test: all
	@mkdir -p $(B)/test-logs
	@$(REPL_SUITE) --results $(B)/test-logs/repl.out

.PHONY: repl-test
