# Programs built with dietlibc (Debian's dietlibc-dev): an old-style C library that finds the
# vDSO on its own and falls back to the legacy vsyscall page (docs/exec.md). /bin/dietclock
# is run by the vDSO tests (user/tests/t_vdso.c).
DIET_BINS := $(B)/root/bin/dietclock
USER_BINS += $(DIET_BINS)

$(B)/root/bin/%: user/diet/%.c | deps
	@mkdir -p $(dir $@)
	diet -Os gcc -std=c11 -Wall -Wextra -Werror -O2 -static $< -o $@ 2>&1 | \
		grep -v "warning: the printf functions add several kilobytes of bloat\|in function .vprintf." || true
	@test -x $@
