# Metamorphosis benchmarks: programs of 4 KiB to 1 MiB of text (static PIE for Tessera's
# change of program, plain static for Linux's execve), and meta_bench, one static binary for
# both systems.
TEXT_KIBS := 4 16 64 256 1024
TEXT_PROGS := $(foreach k,$(TEXT_KIBS),$(B)/root/bin/text_$(k) $(B)/root/bin/text_$(k)-static)
META_BENCH := $(B)/root/bin/meta_bench
USER_BINS += $(TEXT_PROGS) $(META_BENCH)

$(B)/root/bin/text_%-static: bench/textprog.c | deps
	@mkdir -p $(dir $@)
	musl-gcc $(WARN) -O2 -static -DTEXT_KIB=$* $< -o $@

$(B)/root/bin/text_%: bench/textprog.c | deps
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) $(ULDFLAGS) -DTEXT_KIB=$* $< -o $@

# Not PIE: the same file runs on Linux (where it times fork + execve + wait).
$(META_BENCH): bench/meta_bench.c $(ULIB) $(TSYS_NR_H) | deps
	@mkdir -p $(dir $@)
	$(UCC) $(WARN) -O2 -static -I. -Iuser/lib -I$(B)/user/include -D_GNU_SOURCE $< $(ULIB) -o $@

# The Linux comparison initramfs (bench/bench.mk) carries meta_bench and the static text
# programs it execs there (/bin/text_N-static).
LINUX_BENCH_BINS += $(META_BENCH) $(filter %-static,$(TEXT_PROGS))
$(LINUX_INITRD): $(META_BENCH) $(filter %-static,$(TEXT_PROGS))
