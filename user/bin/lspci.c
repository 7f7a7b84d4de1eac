/* lspci: the PCI functions the kernel found (device resources): bus:slot.func, class,
 * vendor:device and a name for the known ones, interrupt, BARs and who has claimed it.
 * -v also prints each BAR's base and size. */
#include <stdio.h>
#include <string.h>
#include "abi/srv.h"
#include "libtessera.h"

static void print_bars(const struct t_dev_info *d)
{
	for (int i = 0; i < T_DEV_BARS; i++) {
		if (d->bar_kind[i] == TBAR_NONE)
			continue;
		printf("        BAR%d %s 0x%llx size 0x%llx\n", i,
		       d->bar_kind[i] == TBAR_IO ? "I/O" : "mem",
		       (unsigned long long)d->bar_base[i], (unsigned long long)d->bar_size[i]);
	}
}

static void print_device(const struct t_dev_info *d, int verbose)
{
	char irq[32];
	if (d->msix_vectors)
		snprintf(irq, sizeof(irq), "msi-x %u", (unsigned)d->msix_vectors);
	else if (d->irq_pin)
		snprintf(irq, sizeof(irq), "INT%c", 'A' + d->irq_pin - 1);
	else
		snprintf(irq, sizeof(irq), "-");
	printf("%02x:%02x.%x  %06x %-13s %04x:%04x  %-9s", d->bus, d->slot, d->func,
	       (unsigned)d->class_code, t_pci_class_name(d->class_code), d->vendor, d->device,
	       irq);
	if (d->claimant)
		printf(" claimed by %d, %llu interrupts", d->claimant,
		       (unsigned long long)d->irq_count);
	printf("  %s\n", t_pci_name(d->vendor, d->device));
	if (verbose)
		print_bars(d);
}

int main(int argc, char **argv)
{
	int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	rid_t rid = 0;
	struct t_dev_info d;
	int n = 0;
	while (t_res_next(RT_DEVICE, rid, &rid) == 0) {
		if (t_dev_info(rid, &d) == 0) {
			print_device(&d, verbose);
			n++;
		}
	}
	if (!n)
		printf("lspci: no PCI devices\n");
	return 0;
}
