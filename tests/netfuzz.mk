# The malformed-frame fuzzer (tools/netfuzz_suite.py): seeded broken frames from the host
# through QEMU's UDP socket backend into the virtio-net NIC; the network server, its driver
# and the kernel must survive, and the guest still answer ping and TCP afterwards.
#   make netfuzz-test              the short run of `make test` (5000 frames, a random seed)
#   make netfuzz [NETFUZZ_FRAMES=N] [NETFUZZ_SEED=S]   the long run (part of `make fuzz`)
NETFUZZ_FRAMES ?= 200000
NETFUZZ_SEED ?=
NETFUZZ_SUITE = python3 tools/netfuzz_suite.py --qemu "$(QEMU) $(QEMU_TEST_FLAGS)"

netfuzz-test: all test-disks
	@mkdir -p $(B)/test-logs
	@$(NETFUZZ_SUITE) --frames 5000 --results $(B)/test-logs/netfuzz.out

netfuzz: all test-disks
	@mkdir -p $(B)/test-logs
	@$(NETFUZZ_SUITE) --frames $(NETFUZZ_FRAMES) $(if $(NETFUZZ_SEED),--seed $(NETFUZZ_SEED))

.PHONY: netfuzz-test netfuzz
