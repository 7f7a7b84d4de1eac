/*
 * Legacy virtio-pci transport over port I/O (see vio.h). The ports are the claimed device's
 * BAR0: the kernel opened exactly those to this process, so in/out here cannot reach any
 * other device. The device initialisation order is the spec's (3.1.1, legacy variant:
 * no FEATURES_OK step).
 */
#include "user/libsrv/vio.h"
#include <errno.h>

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

void vio_start(struct vio *v, uint32_t want, uint32_t *got)
{
	outb(v->io + VIO_STATUS, 0);
	outb(v->io + VIO_STATUS, VIO_S_ACKNOWLEDGE);
	outb(v->io + VIO_STATUS, VIO_S_ACKNOWLEDGE | VIO_S_DRIVER);
	uint32_t offered = inl(v->io + VIO_DEV_FEATURES);
	*got = offered & want;
	outl(v->io + VIO_DRV_FEATURES, *got);
	if (v->msix) /* no interrupt for configuration changes: nothing here reacts to them */
		outw(v->io + VIO_MSI_CONFIG, VIO_NO_VECTOR);
}

uint16_t vio_queue_size(const struct vio *v, uint16_t q)
{
	outw(v->io + VIO_QUEUE_SEL, q);
	return inw(v->io + VIO_QUEUE_SIZE);
}

int vio_queue_setup(const struct vio *v, uint16_t q, uint64_t pa, uint16_t vector)
{
	if ((pa & 4095) || (pa >> 12) > UINT32_MAX)
		return -EINVAL;
	outw(v->io + VIO_QUEUE_SEL, q);
	if (v->msix) {
		outw(v->io + VIO_MSI_QUEUE, vector);
		if (inw(v->io + VIO_MSI_QUEUE) != vector)
			return -EIO;
	}
	outl(v->io + VIO_QUEUE_PFN, (uint32_t)(pa >> 12));
	return 0;
}

void vio_ready(const struct vio *v)
{
	outb(v->io + VIO_STATUS, VIO_S_ACKNOWLEDGE | VIO_S_DRIVER | VIO_S_DRIVER_OK);
}

void vio_fail(const struct vio *v)
{
	outb(v->io + VIO_STATUS, inb(v->io + VIO_STATUS) | VIO_S_FAILED);
}

void vio_notify(const struct vio *v, uint16_t q)
{
	outw(v->io + VIO_QUEUE_NOTIFY, q);
}

uint8_t vio_isr(const struct vio *v)
{
	return inb(v->io + VIO_ISR);
}

static uint16_t cfg_base(const struct vio *v)
{
	return (uint16_t)(v->io + (v->msix ? 24 : 20));
}

uint32_t vio_cfg32(const struct vio *v, unsigned off)
{
	return inl((uint16_t)(cfg_base(v) + off));
}

uint64_t vio_cfg64(const struct vio *v, unsigned off)
{
	/* two halves; capacity only changes on a resize, which this driver does not follow */
	uint64_t lo = inl((uint16_t)(cfg_base(v) + off));
	uint64_t hi = inl((uint16_t)(cfg_base(v) + off + 4));
	return hi << 32 | lo;
}
