# The socket suite (tools/sock_suite.py): Debian's busybox wget, nc and httpd, unmodified, on
# Tessera's Linux sockets, against a python HTTP server, a TCP server and curl on the host.
# One boot with the test boots' devices and two forwarded ports.
#   make sock-test
SOCK_SUITE = python3 tools/sock_suite.py --qemu "$(QEMU) $(QEMU_TEST_FLAGS)"

sock-test: all test-disks
	@mkdir -p $(B)/test-logs
	@$(SOCK_SUITE) --results $(B)/test-logs/sock.out

.PHONY: sock-test
