# Driver processes: every directory drivers/NAME/ is the program /bin/NAME, linked with the
# virtio code of the server library (user/libsrv) and libtessera. See docs/servers.md.
DRV_NAMES := $(notdir $(patsubst %/,%,$(dir $(wildcard drivers/*/*.c))))
DRV_NAMES := $(sort $(DRV_NAMES))
DRV_LIBSRV_OBJS := $(B)/user/libsrv/virtq.o $(B)/user/libsrv/vio.o
DRV_HDRS := $(wildcard drivers/*/*.h user/libsrv/*.h) $(UHDRS)
USER_BINS += $(patsubst %,$(B)/root/bin/%,$(DRV_NAMES))

$(B)/drivers/%.o: drivers/%.c $(DRV_HDRS) $(TSYS_NR_H) | deps
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) -c $< -o $@

$(DRV_LIBSRV_OBJS): $(DRV_HDRS)

define DRV_RULE
$(B)/root/bin/$(1): $(patsubst %.c,$(B)/%.o,$(wildcard drivers/$(1)/*.c)) $(DRV_LIBSRV_OBJS) $(ULIB)
	@mkdir -p $$(dir $$@)
	$$(UCC) $$(ULDFLAGS) $$^ -o $$@
endef
$(foreach d,$(DRV_NAMES),$(eval $(call DRV_RULE,$(d))))
