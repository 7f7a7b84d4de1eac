# The outer core's programs (docs/servers.md): libsrv (user/libsrv/: the request loop and ICA
# helpers that servers and drivers share), and every directory servers/NAME/ or
# drivers/NAME/ as one program /servers/NAME or /drivers/NAME in the image, made of all the
# .c files in it over libsrv and libtessera (static PIE, like /bin programs).
LIBSRV := $(B)/user/libsrv.a
LIBSRV_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard user/libsrv/*.c))
SRV_HDRS := $(UHDRS) $(wildcard user/libsrv/*.h servers/*/*.h) abi/srv.h abi/fnids.def

$(LIBSRV): $(LIBSRV_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# -MMD: a program's own headers (servers/ext2/bcache.h, ...) are dependencies too
$(B)/srvobj/%.o: %.c $(SRV_HDRS) $(TSYS_NR_H) | deps
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) -MMD -MP -Iuser/libsrv -c $< -o $@
-include $(shell find $(B)/srvobj -name '*.d' 2>/dev/null)

# Code a program links from another directory (a driver without a main.c of its own):
# SRV_LINK_NAME. The network server owns its virtio-net device (docs/network.md).
SRV_LINK_net := $(wildcard drivers/virtio-net/*.c)

# $(1): servers or drivers, $(2): the program's directory name
define SRV_PROGRAM
$(B)/root/$(1)/$(2): $(patsubst %.c,$(B)/srvobj/%.o,$(wildcard $(1)/$(2)/*.c) $(SRV_LINK_$(2))) $(LIBSRV) $(ULIB)
	@mkdir -p $$(dir $$@)
	$(UCC) $(ULDFLAGS) $$(filter %.o,$$^) $(LIBSRV) $(ULIB) -o $$@
USER_BINS += $(B)/root/$(1)/$(2)
endef
# a directory is a program once it has main.c or NAME.c (until then, a library in the making
# that host tests may link, as servers/ext2 was before its server loop)
srv_programs = $(foreach d,$(wildcard $(1)/*),$(if $(wildcard $(d)/main.c $(d)/$(notdir $(d)).c),$(notdir $(d))))
SERVER_NAMES := $(call srv_programs,servers)
DRIVER_NAMES := $(call srv_programs,drivers)
$(foreach n,$(sort $(SERVER_NAMES)),$(eval $(call SRV_PROGRAM,servers,$(n))))
$(foreach n,$(sort $(DRIVER_NAMES)),$(eval $(call SRV_PROGRAM,drivers,$(n))))
