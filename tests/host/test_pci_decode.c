// HOST-TEST-SOURCES: kernel/dev/pci_decode.c
/*
 * Host tests of PCI enumeration's arithmetic (kernel/dev/pci_decode.c): BARs of every kind
 * (I/O, 32-bit memory, 64-bit memory below and above 4 GiB, prefetchable, absent) decoded
 * from their value and the write-ones read-back, and QEMU's q35 INTx routing, checked
 * against the values QEMU's own tables give.
 */
#include "kernel/dev/pci_decode.h"
#include "abi/errno.h"
#include "abi/srv.h"
#include "tests/host/harness.h"

TEST(pci_bar_io)
{
	struct pci_bar b;
	pci_bar_decode(0xc001, 0xffffff81, 0, 0, &b);        /* 128 ports at 0xc000 */
	CHECK_EQ(b.kind, TBAR_IO);
	CHECK_EQ(b.base, 0xc000);
	CHECK_EQ(b.size, 0x80);
	CHECK(!b.wide);
	pci_bar_decode(0x0701, 0x0000ffc1, 0, 0, &b);        /* 16-bit decoder: 64 ports */
	CHECK_EQ(b.base, 0x700);
	CHECK_EQ(b.size, 0x40);
}

TEST(pci_bar_mem32)
{
	struct pci_bar b;
	pci_bar_decode(0xfebd5000, 0xfffff000, 0, 0, &b);    /* 4 KiB */
	CHECK_EQ(b.kind, TBAR_MEM);
	CHECK_EQ(b.base, 0xfebd5000);
	CHECK_EQ(b.size, 0x1000);
	CHECK(!b.wide && !pci_bar_is_wide(0xfebd5000));
	pci_bar_decode(0xfd000008, 0xff000008, 0, 0, &b);    /* 16 MiB, prefetchable */
	CHECK_EQ(b.base, 0xfd000000);
	CHECK_EQ(b.size, 0x1000000);
}

TEST(pci_bar_mem64)
{
	struct pci_bar b;
	CHECK(pci_bar_is_wide(0xfe00000c));
	pci_bar_decode(0xfe00000c, 0xffffc00c, 0, 0xffffffff, &b);   /* 16 KiB below 4 GiB */
	CHECK_EQ(b.kind, TBAR_MEM);
	CHECK(b.wide);
	CHECK_EQ(b.base, 0xfe000000);
	CHECK_EQ(b.size, 0x4000);
	pci_bar_decode(0x0000000c, 0x0000000c, 0x8, 0xfffffff8, &b);  /* 32 GiB at 32 GiB */
	CHECK_EQ(b.base, 0x800000000ull);
	CHECK_EQ(b.size, 0x800000000ull);
}

TEST(pci_bar_absent)
{
	struct pci_bar b;
	pci_bar_decode(0, 0, 0, 0, &b);
	CHECK_EQ(b.kind, TBAR_NONE);
	CHECK_EQ(b.size, 0);
	pci_bar_decode(1, 1, 0, 0, &b);                      /* I/O bit but nothing writable */
	CHECK_EQ(b.kind, TBAR_NONE);
}

TEST(pci_q35_routing)
{
	uint8_t gsi = 0;
	/* lpc_ich9.c: irr[slot][intx] = (slot + intx) % 4 + 4, gsi = pirq + 16 */
	CHECK_EQ(pci_q35_gsi(0, 1, 1, &gsi), 0);
	CHECK_EQ(gsi, 21);
	CHECK_EQ(pci_q35_gsi(0, 3, 1, &gsi), 0);
	CHECK_EQ(gsi, 23);
	CHECK_EQ(pci_q35_gsi(0, 4, 1, &gsi), 0);
	CHECK_EQ(gsi, 20);
	CHECK_EQ(pci_q35_gsi(0, 4, 4, &gsi), 0);
	CHECK_EQ(gsi, 23);
	CHECK_EQ(pci_q35_gsi(0, 31, 2, &gsi), 0);             /* chipset: PIRQB */
	CHECK_EQ(gsi, 17);
	CHECK_EQ(pci_q35_gsi(0, 5, 0, &gsi), -ENOSPC);
	CHECK_EQ(pci_q35_gsi(0, 5, 5, &gsi), -ENOSPC);
	CHECK_EQ(pci_q35_gsi(1, 0, 1, &gsi), -ENOSPC);
}
