# The HVS web evaluation (docs/network.md, issue 14): Debian's busybox httpd, unmodified,
# running the CGI /bin/cgihello in the three placement modes (/bin/place).
#   make web-test    tools/web_suite.py: each mode does what it says, pages to the host's
#                    curl, the access counter right under concurrent ApacheBench requests
# The CGI is a self-relocating static PIE (musl's rcrt1.o): the same file runs on Linux (the
# bench's initramfs) and, under Tender+HVS, at addresses of its own in httpd's space. It
# asks Tessera for its placement by call number, so it needs no libtessera.
# musl's own start files: the directory of the specs file the musl-gcc wrapper names
MUSL_LIB = $(patsubst %/musl-gcc.specs,%,$(shell grep -o '[^ "]*musl-gcc.specs' $$(command -v musl-gcc)))
CGI_BIN := $(B)/root/bin/cgihello
$(CGI_BIN): user/bin/cgihello.c abi/tessera.h | deps
	@mkdir -p $(dir $@)
	musl-gcc $(WARN) -O2 -fPIE -I. -D_GNU_SOURCE -nostartfiles $(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o $< \
		$(MUSL_LIB)/crtn.o -Wl,-static -Wl,-pie -Wl,--no-dynamic-linker -Wl,-z,text -o $@

WEB_SUITE = python3 tools/web_suite.py --qemu "$(QEMU) $(QEMU_TEST_FLAGS)"

web-test: all test-disks
	@mkdir -p $(B)/test-logs
	@$(WEB_SUITE) --results $(B)/test-logs/web.out

.PHONY: web-test

# The guest's side of the network benchmark (tools/web_bench.py): static non-PIE, so the
# Linux boot runs the very same file.
NETBENCH_BIN := $(B)/root/bin/netbench
USER_BINS += $(NETBENCH_BIN) $(CGI_BIN)
$(NETBENCH_BIN): bench/netbench.c | deps
	@mkdir -p $(dir $@)
	musl-gcc $(WARN) -O2 -D_GNU_SOURCE -static $< -o $@

# Tables N (network) and W (the HVS web evaluation) of `make bench`, alone:
#   make web-bench [WEB_REQUESTS=N]   N ab requests per cell (default 600, in 3 rounds)
WEB_REQUESTS ?= 600
WEB_BENCH = python3 tools/web_bench.py --qemu "$(QEMU) $(QEMU_FLAGS)" --root $(B)/root \
	--requests $(WEB_REQUESTS) --rounds 3

web-bench: all
	@mkdir -p $(B)/bench
	$(WEB_BENCH) --json $(B)/bench/web.json

.PHONY: web-bench

# One CGI request's process work in each mode, without the network (table W0): Tessera only.
CGISPAWN_BIN := $(B)/root/bin/cgispawn
USER_BINS += $(CGISPAWN_BIN)
$(CGISPAWN_BIN): bench/cgispawn.c $(ULIB) $(TSYS_NR_H) | deps
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) $(ULDFLAGS) $< $(ULIB) -o $@
