# User space: libtessera (native calls over musl), /bin programs, the in-guest test suite.
# Programs are static position-independent executables that the kernel relocates at load.
UCC := musl-gcc
UCFLAGS := $(WARN) -O2 -fPIE -I. -Iuser/lib -D_GNU_SOURCE
# musl on Debian has no rcrt1.o: link with -static -pie by hand.
ULDFLAGS := -Wl,-static -Wl,-pie -Wl,--no-dynamic-linker -Wl,-z,text -fPIE

ULIB_SRCS := $(wildcard user/lib/*.c)
ULIB := $(B)/user/libtessera.a
ULIB_OBJS := $(patsubst %.c,$(B)/%.o,$(ULIB_SRCS))

$(B)/user/%.o: user/%.c $(wildcard user/lib/*.h) abi/syscalls.def abi/tessera.h | deps
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) -c $< -o $@

$(ULIB): $(ULIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Every user/bin/NAME.c is the program /bin/NAME.
UBIN_NAMES := $(basename $(notdir $(wildcard user/bin/*.c)))
USER_BINS := $(patsubst %,$(B)/root/bin/%,$(UBIN_NAMES))

$(B)/root/bin/%: $(B)/user/bin/%.o $(ULIB)
	@mkdir -p $(dir $@)
	$(UCC) $(ULDFLAGS) $< $(ULIB) -o $@

# Data files shipped in the image: everything under user/root/ keeps its path.
ROOT_SRC := $(shell find user/root -type f 2>/dev/null)
ROOT_FILES := $(patsubst user/root/%,$(B)/root/%,$(ROOT_SRC))
$(B)/root/%: user/root/%
	@mkdir -p $(dir $@)
	cp $< $@
