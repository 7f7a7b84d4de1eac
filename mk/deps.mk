# Installs the Debian packages the build needs, once, when a tool is missing.
DEPS_TOOLS := $(QEMU) musl-gcc cpio busybox ab bash-static zsh-static diet
DEPS_MISSING := $(strip $(foreach t,$(DEPS_TOOLS),$(if $(shell command -v $(t) 2>/dev/null),,$(t))))

deps:
ifneq ($(DEPS_MISSING),)
	@echo "Missing: $(DEPS_MISSING); installing Debian packages (tools/install-deps.sh)"
	tools/install-deps.sh
endif
