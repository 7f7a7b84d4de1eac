/* BAR decoding and q35 interrupt routing (see pci_decode.h). */
#include "kernel/dev/pci_decode.h"
#include "abi/errno.h"
#include "abi/srv.h"

bool pci_bar_is_wide(uint32_t old)
{
	return !(old & 1) && ((old >> 1) & 3) == 2;
}

void pci_bar_decode(uint32_t old, uint32_t mask, uint32_t old_hi, uint32_t mask_hi,
		    struct pci_bar *out)
{
	*out = (struct pci_bar){ .kind = TBAR_NONE };
	if (old & 1) {                     /* I/O: 16-bit port numbers on x86 */
		uint32_t m = mask & ~3u & 0xffffu;
		if (!m)
			return;
		*out = (struct pci_bar){ TBAR_IO, old & 0xfffcu, (~m + 1) & 0xffffu, false };
		return;
	}
	bool wide = pci_bar_is_wide(old);
	uint64_t m = mask & ~0xfu;
	m |= wide ? (uint64_t)mask_hi << 32 : (m ? 0xffffffff00000000ull : 0);
	if (!m)
		return;
	uint64_t base = (old & ~0xfu) | (wide ? (uint64_t)old_hi << 32 : 0);
	*out = (struct pci_bar){ TBAR_MEM, base, ~m + 1, wide };
}

int pci_q35_gsi(uint8_t bus, uint8_t slot, uint8_t pin, uint8_t *gsi)
{
	if (pin < 1 || pin > 4 || bus != 0 || slot > 31)
		return -ENOSPC;
	unsigned p = pin - 1u;
	unsigned pirq = slot < 25 ? (slot + p) % 4 + 4 : p;
	*gsi = (uint8_t)(16 + pirq);
	return 0;
}
