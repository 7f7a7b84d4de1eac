/*
 * The legacy virtio-pci transport (virtio 1.x spec, section 4.1.4.8 "Legacy Interfaces: A
 * Note on PCI Device Layout"), shared by virtio driver processes: the registers in I/O BAR0 of
 * a transitional device, which the driver's device claim opened to it (t_dev_claim). Why
 * legacy: a driver process gets its device's BARs and interrupt vectors from the claim but
 * not its PCI configuration space, where the modern interface keeps the capabilities that
 * locate its registers; the legacy registers sit at fixed offsets of BAR0.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Register offsets in BAR0 */
#define VIO_DEV_FEATURES 0      /* 32 bits: what the device offers (feature bits 0..31) */
#define VIO_DRV_FEATURES 4      /* 32 bits: what the driver accepts */
#define VIO_QUEUE_PFN 8         /* 32 bits: physical page number of the selected queue, 0 off */
#define VIO_QUEUE_SIZE 12       /* 16 bits, read-only: entries of the selected queue */
#define VIO_QUEUE_SEL 14        /* 16 bits */
#define VIO_QUEUE_NOTIFY 16     /* 16 bits: write a queue index to notify */
#define VIO_STATUS 18           /* 8 bits: device status, 0 resets */
#define VIO_ISR 19              /* 8 bits: reading it acknowledges an INTx interrupt */
#define VIO_MSI_CONFIG 20       /* 16 bits, only while MSI-X is on: config-change vector */
#define VIO_MSI_QUEUE 22        /* 16 bits, only while MSI-X is on: selected queue's vector */
#define VIO_NO_VECTOR 0xffffu

/* Device status bits */
#define VIO_S_ACKNOWLEDGE 1u
#define VIO_S_DRIVER 2u
#define VIO_S_DRIVER_OK 4u
#define VIO_S_FAILED 128u

struct vio {
	uint16_t io;            /* BAR0's first port */
	bool msix;              /* MSI-X is on: the device configuration starts at 24, not 20 */
};

/* Resets the device, says a driver is here and accepts want & what it offers (*got). */
void vio_start(struct vio *v, uint32_t want, uint32_t *got);
/* Entries of queue q (0: the queue does not exist). */
uint16_t vio_queue_size(const struct vio *v, uint16_t q);
/* Gives queue q its ring (physical pa, 4096-aligned, below 2^44) and, with MSI-X, the vector
 * its completions raise. -EINVAL for a bad pa, -EIO if the device refuses the vector. */
int vio_queue_setup(const struct vio *v, uint16_t q, uint64_t pa, uint16_t vector);
void vio_ready(const struct vio *v);
void vio_fail(const struct vio *v);
void vio_notify(const struct vio *v, uint16_t q);
/* Reads (so acknowledges) the interrupt status: bit 0 a queue, bit 1 the configuration. */
uint8_t vio_isr(const struct vio *v);
/* The device-specific configuration, little-endian as the legacy interface keeps it. */
uint32_t vio_cfg32(const struct vio *v, unsigned off);
uint64_t vio_cfg64(const struct vio *v, unsigned off);
