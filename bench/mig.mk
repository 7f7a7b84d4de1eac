# The migration benchmark (bench/migbench.c, tools/mig_bench.py, docs/migration.md): two
# nodes on one multicast Ethernet; migration time by touched memory (0, 1, 4, 16, 64 MiB),
# stop-and-copy and pre-copy, total and downtime, next to the raw transfer of the same
# bytes over the same stack and to restarting the program from scratch.
#   make bench-cluster [MIG_BENCH_RUNS=3] [MIG_BENCH_SIZES="0 1 4 16 64"]
MIG_BENCH_BIN := $(B)/root/bin/migbench
USER_BINS += $(MIG_BENCH_BIN)
MIG_BENCH_RUNS ?= 3
MIG_BENCH_SIZES ?= 0 1 4 16 64

bench-cluster: all
	python3 tools/mig_bench.py --qemu "$(QEMU) $(QEMU_FLAGS)" --runs $(MIG_BENCH_RUNS) \
		--sizes "$(MIG_BENCH_SIZES)"

.PHONY: bench-cluster
