// SPDX-License-Identifier: MIT
/*
 * Local APIC and I/O APIC (see apic.h). The legacy 8259 PICs are remapped
 * away from the exception vectors and masked entirely.
 */
#include "arch/x86_64/apic.h"

#include "abi/errno.h"
#include "acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "console.h"
#include "percpu.h"
#include "panic.h"

/* LAPIC registers (SDM Vol. 3A, table 11-1), xAPIC MMIO offsets. */
#define LAPIC_ID 0x020
#define LAPIC_VER 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define LAPIC_SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_PERIODIC (1u << 17)
#define LAPIC_DIV_16 0x3
#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_MODE_NMI (4u << 8)
#define ICR_MODE_INIT (5u << 8)
#define ICR_MODE_SIPI (6u << 8)
#define ICR_ALL_BUT_SELF (3u << 18)

#define APIC_BASE_X2APIC (1ull << 10)
#define MSR_X2APIC_BASE 0x800
#define MSR_X2APIC_ICR 0x830

/* I/O APIC (82093AA datasheet, 3.0). */
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))
#define IOAPIC_RTE_MASKED (1ull << 16)
#define IOAPIC_RTE_LEVEL (1ull << 15)
#define IOAPIC_RTE_LOW (1ull << 13)
#define MPS_POLARITY_MASK 0x3
#define MPS_POLARITY_LOW 0x3
#define MPS_TRIGGER_MASK 0xc
#define MPS_TRIGGER_LEVEL 0xc

static volatile uint32_t *lapic_mmio;
static bool x2apic;
static uint64_t online_mask;

struct ioapic {
	volatile uint32_t *mmio;
	uint32_t gsi_base;
	uint32_t nredir;
};
static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned int nioapics;
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");

static uint32_t lapic_read(uint32_t reg)
{
	if (x2apic) {
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	}
	return lapic_mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
		return;
	}
	lapic_mmio[reg / 4] = v;
	(void)lapic_mmio[LAPIC_ID / 4]; /* posted-write flush */
}

void lapic_init(uint64_t phys)
{
	x2apic = (rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC) != 0;
	if (!x2apic) {
		lapic_mmio = ioremap(phys, 4096);
		VERIFY(lapic_mmio != NULL);
	}
	/* Remap the 8259s to 0x20-0x2f, then mask every line. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void lapic_init_cpu(void)
{
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	if (x2apic) {
		return lapic_read(LAPIC_ID);
	}
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void lapic_timer_periodic(uint32_t count)
{
	lapic_write(LAPIC_TIMER_DIV, LAPIC_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_TIMER_PERIODIC);
	lapic_write(LAPIC_TIMER_INIT, count);
}

void lapic_timer_oneshot(uint32_t count)
{
	lapic_write(LAPIC_TIMER_DIV, LAPIC_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, count);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
}

uint32_t lapic_timer_current(void)
{
	return lapic_read(LAPIC_TIMER_CUR);
}

void lapic_timer_calibrate_start(void)
{
	lapic_write(LAPIC_TIMER_DIV, LAPIC_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
}

static void icr_write(uint32_t apic_id, uint32_t lo)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_ICR, ((uint64_t)apic_id << 32) | lo);
		return;
	}
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, lo);
}

bool apic_wait_icr_idle(void)
{
	if (x2apic) {
		return true;
	}
	for (int i = 0; i < 1000000; i++) {
		if (!(lapic_read(LAPIC_ICR_LO) & ICR_DELIVERY_PENDING)) {
			return true;
		}
		cpu_relax();
	}
	return false;
}

void apic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	irq_push_off();
	apic_wait_icr_idle();
	icr_write(apic_id, vector);
	this_cpu()->stats.ipis_sent++;
	irq_pop_off();
}

void apic_send_init(uint32_t apic_id)
{
	apic_wait_icr_idle();
	icr_write(apic_id, ICR_MODE_INIT | ICR_LEVEL_ASSERT);
}

void apic_send_sipi(uint32_t apic_id, uint8_t page)
{
	apic_wait_icr_idle();
	icr_write(apic_id, ICR_MODE_SIPI | ICR_LEVEL_ASSERT | page);
}

uint64_t apic_online_mask(void)
{
	return __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE);
}

void apic_set_online(unsigned int cpu)
{
	__atomic_fetch_or(&online_mask, 1ull << cpu, __ATOMIC_RELEASE);
}

void apic_stop_other_cpus(void)
{
	if (!lapic_mmio && !x2apic) {
		return;
	}
	if (apic_online_mask() & ~(1ull << this_cpu()->id)) {
		apic_wait_icr_idle();
		icr_write(0,
			  ICR_MODE_NMI | ICR_LEVEL_ASSERT | ICR_ALL_BUT_SELF);
	}
}

/* --- I/O APIC ------------------------------------------------------------ */

static uint32_t ioapic_read(struct ioapic *io, uint32_t reg)
{
	io->mmio[IOAPIC_REGSEL / 4] = reg;
	return io->mmio[IOAPIC_WIN / 4];
}

static void ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->mmio[IOAPIC_REGSEL / 4] = reg;
	io->mmio[IOAPIC_WIN / 4] = v;
}

void ioapic_init(void)
{
	for (unsigned int i = 0; i < acpi.nioapics; i++) {
		struct ioapic *io = &ioapics[nioapics];

		io->mmio = ioremap(acpi.ioapics[i].addr, 4096);
		if (!io->mmio) {
			continue;
		}
		io->gsi_base = acpi.ioapics[i].gsi_base;
		io->nredir =
			((ioapic_read(io, IOAPIC_REG_VER) >> 16) & 0xff) + 1;
		for (uint32_t n = 0; n < io->nredir; n++) {
			ioapic_write(io, IOAPIC_REDTBL(n) + 1, 0);
			ioapic_write(io, IOAPIC_REDTBL(n),
				     (uint32_t)IOAPIC_RTE_MASKED);
		}
		nioapics++;
	}
}

static struct ioapic *ioapic_for(uint32_t gsi)
{
	for (unsigned int i = 0; i < nioapics; i++) {
		if (gsi >= ioapics[i].gsi_base &&
		    gsi < ioapics[i].gsi_base + ioapics[i].nredir) {
			return &ioapics[i];
		}
	}
	return NULL;
}

int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, uint16_t flags)
{
	struct ioapic *io = ioapic_for(gsi);
	uint64_t rte = vector;
	uint32_t n;

	if (!io || vector < 32) {
		return -EINVAL;
	}
	n = gsi - io->gsi_base;
	if ((flags & MPS_POLARITY_MASK) == MPS_POLARITY_LOW) {
		rte |= IOAPIC_RTE_LOW;
	}
	if ((flags & MPS_TRIGGER_MASK) == MPS_TRIGGER_LEVEL) {
		rte |= IOAPIC_RTE_LEVEL;
	}
	spin_lock(&ioapic_lock);
	ioapic_write(io, IOAPIC_REDTBL(n) + 1, apic_id << 24);
	ioapic_write(io, IOAPIC_REDTBL(n), (uint32_t)rte);
	spin_unlock(&ioapic_lock);
	return 0;
}

void ioapic_mask(uint32_t gsi)
{
	struct ioapic *io = ioapic_for(gsi);

	if (io) {
		spin_lock(&ioapic_lock);
		ioapic_write(io, IOAPIC_REDTBL(gsi - io->gsi_base),
			     (uint32_t)IOAPIC_RTE_MASKED);
		spin_unlock(&ioapic_lock);
	}
}
