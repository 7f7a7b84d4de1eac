# The block-device suite (tools/blk_suite.py): Tessera's virtio-blk driver and /dev/vda
# against the image file, read and written by the host before and after one boot (its own
# fresh image, in place of the test boots' disks).
#   make blk-test
BLK_SUITE = python3 tools/blk_suite.py --qemu "$(QEMU) $(QEMU_FLAGS)"

blk-test: all
	@mkdir -p $(B)/test-logs
	@$(BLK_SUITE) --results $(B)/test-logs/blk.out

.PHONY: blk-test
