# Tests: host unit tests (tests/host/host.mk) and the QEMU-booted suites (tests/guest.mk).
include tests/host/host.mk
include tests/guest.mk
include tests/busybox.mk
include tests/glibc.mk
include tests/blk.mk
include tests/fuzz.mk
include tests/benchpage.mk
include tests/disk.mk
include tests/net.mk
include tests/sock.mk
include tests/repl.mk
include tests/web.mk
include tests/netfuzz.mk
include tests/mig.mk
