# Host unit tests: kernel modules built with the host gcc under ASan/UBSan and tested as
# ordinary programs. Every tests/host/test_NAME.c becomes build/host/test_NAME; its first
# line names the kernel files it links with:
#     // HOST-TEST-SOURCES: kernel/res/res.c kernel/lib/kprintf.c
# so adding a test needs no change here. `make host-test` builds and runs them all.
HOST_CC := gcc
HOST_B := $(B)/host
HOST_CFLAGS := $(WARN) -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-I. -Iarch/x86_64/include -I$(HOST_B) -DHOST_TEST
HOST_TESTS := $(basename $(notdir $(wildcard tests/host/test_*.c)))
HOST_BINS := $(addprefix $(HOST_B)/,$(HOST_TESTS))

# kernel/lib/string.c defines memcpy, strlen, ... under their libc names; linking it as is
# would replace libc's (and ASan's) versions. Only strlcpy, which glibc 2.36 lacks, is kept
# global; the object is built for every test and the listed string.c is replaced by it.
HOST_KSTRING := $(HOST_B)/kstring.o

# The harness sets kprintf_sink, so kernel/lib/kprintf.c is linked into every test.
host_sources = $(shell sed -n '1s|^// HOST-TEST-SOURCES:||p' tests/host/$(1).c)
host_objs = $(patsubst %.c,$(HOST_B)/obj/%.o,tests/host/$(1).c tests/host/harness.c \
	kernel/lib/kprintf.c \
	$(filter-out kernel/lib/string.c kernel/lib/kprintf.c,$(call host_sources,$(1)))) \
	$(HOST_KSTRING)

$(HOST_B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(HOST_KSTRING): kernel/lib/string.c kernel/lib/string.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -ffreestanding -c $< -o $@.tmp.o
	objcopy --keep-global-symbol=strlcpy $@.tmp.o $@
	rm -f $@.tmp.o

define HOST_TEST_RULE
$(HOST_B)/$(1): $(call host_objs,$(1))
	$$(HOST_CC) $$(HOST_CFLAGS) $$^ -o $$@
endef
$(foreach t,$(HOST_TESTS),$(eval $(call HOST_TEST_RULE,$(t))))
HOST_OBJS := $(sort $(foreach t,$(HOST_TESTS),$(call host_objs,$(t))))
-include $(HOST_OBJS:.o=.d)

# ---- test_elf: real executables built with musl, described by readelf -------------------
HOST_FX_SRC := tests/host/fixtures/elfprog.c
HOST_PIE_FLAGS := -fPIE -Wl,-static -Wl,-pie -Wl,--no-dynamic-linker -Wl,-z,text
HOST_FX := $(HOST_B)/fx_static $(HOST_B)/fx_pie $(HOST_B)/fx_relr

$(HOST_B)/fx_static: $(HOST_FX_SRC) | deps
	@mkdir -p $(dir $@)
	musl-gcc $(WARN) -O1 -static $< -o $@
$(HOST_B)/fx_pie: $(HOST_FX_SRC) | deps
	@mkdir -p $(dir $@)
	musl-gcc $(WARN) -O1 $(HOST_PIE_FLAGS) $< -o $@
# the same program with its relative relocations packed as DT_RELR
$(HOST_B)/fx_relr: $(HOST_FX_SRC) | deps
	@mkdir -p $(dir $@)
	musl-gcc $(WARN) -O1 $(HOST_PIE_FLAGS) -Wl,-z,pack-relative-relocs $< -o $@

$(HOST_B)/elf_fixtures.h: tests/host/gen_elf_fixtures.sh $(HOST_FX)
	tests/host/gen_elf_fixtures.sh $@ static=$(HOST_B)/fx_static pie=$(HOST_B)/fx_pie \
		relr=$(HOST_B)/fx_relr

$(filter $(HOST_B)/obj/tests/host/test_elf%,$(HOST_OBJS)): $(HOST_B)/elf_fixtures.h

# ---- running: each binary's last line is "N passed, N failed"; when a binary dies without
# it (sanitizer report, panic), its finished tests count and the one that died fails.
host-test: $(HOST_BINS)
	@pass=0; fail=0; \
	for t in $(HOST_BINS); do \
		echo "== $$t"; \
		$$t >$$t.log 2>&1; rc=$$?; \
		grep -v '^ok ' $$t.log || true; \
		line=$$(grep -E '^[0-9]+ passed, [0-9]+ failed$$' $$t.log | tail -n 1); \
		if [ -z "$$line" ]; then \
			echo "$$t: died (exit $$rc) before its summary; see $$t.log"; \
			pass=$$((pass + $$(grep -c '^ok ' $$t.log))); \
			fail=$$((fail + 1 + $$(grep -c '^FAIL ' $$t.log))); continue; \
		fi; \
		p=$${line%% passed*}; f=$${line#*, }; f=$${f%% failed}; \
		[ $$rc -ne 0 ] && [ $$f -eq 0 ] && f=1; \
		pass=$$((pass + p)); fail=$$((fail + f)); \
	done; \
	echo "host: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

.PHONY: host-test
