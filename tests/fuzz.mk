# The fuzzer (docs/fuzzing.md): /bin/fuzz is built from user/fuzz/*.c, like /bin/utest from
# user/tests/*.c (it is a guest program of several files, kept apart from the tests because it
# is not a table of pass/fail checks but a long-running generator).
#   make fuzz                      an hour: several seeds, root and uid 1000, Umode and Smode,
#                                  and the malformed-ELF generator (FUZZ_TIME=SECONDS to change)
#   make fuzz-short                the brief run that `make test` includes (about a minute)
FUZZ_TIME ?= 3600
FUZZ_SEED ?=
# more fuzz arguments, e.g. FUZZ_EXTRA="-x text" to go on past a known defect
FUZZ_EXTRA ?=
FUZZ_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard user/fuzz/*.c))
USER_BINS += $(B)/root/bin/fuzz
$(FUZZ_OBJS): user/fuzz/fuzz.h
$(B)/root/bin/fuzz: $(FUZZ_OBJS) $(ULIB)
	@mkdir -p $(dir $@)
	$(UCC) $(ULDFLAGS) $(FUZZ_OBJS) $(ULIB) -o $@

# The fuzz boots' first disk holds no file system (QEMU_FUZZ_FLAGS): with one mounted, the ext2
# server would run for the whole boot, and a long-lived server that root's workers pass ICAs
# to keeps a few pages (the reason echo is not started at boot; seen with echo on main too)
FUZZ_RUN = python3 tools/fuzz_run.py --qemu "$(QEMU) $(QEMU_FUZZ_FLAGS)"

fuzz: all test-disks
	@mkdir -p $(TEST_LOGS)
	@$(FUZZ_RUN) --time $(FUZZ_TIME) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) \
		$(if $(FUZZ_EXTRA),--extra "$(FUZZ_EXTRA)")
	@$(NETFUZZ_SUITE) --frames $(NETFUZZ_FRAMES) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

fuzz-short: all test-disks
	@mkdir -p $(TEST_LOGS)
	@$(FUZZ_RUN) --short $(if $(FUZZ_EXTRA),--extra "$(FUZZ_EXTRA)")

.PHONY: fuzz fuzz-short
