# The network suite (tools/net_suite.py): the network server and its virtio-net driver
# against QEMU's user network and python peers on the host, through /bin/nettest (the
# TFN_NET_* ids directly). One boot with the test boots' devices and a forwarded port.
#   make net-test
NET_SUITE = python3 tools/net_suite.py --qemu "$(QEMU) $(QEMU_TEST_FLAGS)"

net-test: all test-disks
	@mkdir -p $(B)/test-logs
	@$(NET_SUITE) --results $(B)/test-logs/net.out

.PHONY: net-test
