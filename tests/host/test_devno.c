// HOST-TEST-SOURCES:
/*
 * Host test of Linux's device-number encoding as Tessera keeps it (abi/linux.h): major,
 * minor and makedev agree with the host C library's (glibc's) over the whole 12:20 range,
 * st_rdev is 32 bits, and numbers below 256:256 read as the old 8:8 encoding.
 */
#include "abi/linux.h"
#include "tests/host/harness.h"
#include <stddef.h>
#include <sys/sysmacros.h>

TEST(devno_matches_libc)
{
	static const uint32_t majors[] = { 0, 1, 5, 8, 253, 255, 256, 259, 0xabc, 0xfff };
	static const uint32_t minors[] = { 0, 3, 16, 255, 256, 70000, 0xabcde, 0xfffff };
	for (size_t i = 0; i < sizeof(majors) / sizeof(majors[0]); i++)
		for (size_t j = 0; j < sizeof(minors) / sizeof(minors[0]); j++) {
			uint32_t d = linux_makedev(majors[i], minors[j]);
			CHECK_EQ(d, makedev(majors[i], minors[j]));
			CHECK_EQ(linux_dev_major(d), majors[i]);
			CHECK_EQ(linux_dev_minor(d), minors[j]);
			CHECK_EQ(major(d), majors[i]);
			CHECK_EQ(minor(d), minors[j]);
		}
	CHECK_EQ(linux_makedev(1, 3), 0x103);
	CHECK_EQ(linux_makedev(253, 16), 0xfd10);
	/* every 32-bit value is some number, and makes itself again */
	for (uint64_t v = 0; v <= 0xffffffffu; v += 0x10001u) {
		uint32_t d = (uint32_t)v;
		CHECK_EQ(linux_makedev(linux_dev_major(d), linux_dev_minor(d)), d);
	}
}
