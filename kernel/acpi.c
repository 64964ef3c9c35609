// SPDX-License-Identifier: MIT
/*
 * ACPI: RSDP -> XSDT (or RSDT) -> MADT (see acpi.h). Tables are read
 * through the direct map; a table whose checksum or length is wrong is
 * ignored with a warning rather than trusted.
 */
#include "acpi.h"

#include "abi/errno.h"
#include "arch/x86_64/vm.h"
#include "base/compiler.h"
#include "base/string.h"
#include "console.h"
#include "pmm.h"

struct acpi_sdt_header {
	char sig[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;
BUILD_ASSERT(sizeof(struct acpi_sdt_header) == 36);

#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_OVERRIDE 2
#define MADT_X2APIC 9
#define MADT_FLAGS_PCAT_COMPAT 1
#define MADT_LAPIC_ENABLED 1
#define MADT_LAPIC_ONLINE_CAPABLE 2
#define ACPI_TABLE_MAX (1u << 20)

struct acpi_info acpi;

static bool checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++) {
		sum += b[i];
	}
	return sum == 0;
}

/* The table at @pa, if it is in RAM we map and its checksum is good. */
static const struct acpi_sdt_header *table_at(uint64_t pa)
{
	const struct acpi_sdt_header *h;

	if (pa == 0 || pa + sizeof(*h) > MAX(pmm_max_phys(), 4ul << 30)) {
		return NULL;
	}
	h = phys_to_virt(pa);
	if (h->length < sizeof(*h) || h->length > ACPI_TABLE_MAX) {
		return NULL;
	}
	if (!checksum_ok(h, h->length)) {
		kprintf("warning: ACPI table %.4s at %#lx has a bad checksum; "
			"ignored\n",
			h->sig, pa);
		return NULL;
	}
	return h;
}

static void parse_madt(const struct acpi_sdt_header *h)
{
	const uint8_t *p = (const uint8_t *)h;
	uint32_t lapic32;
	uint32_t flags;
	size_t off = sizeof(*h) + 8;

	if (h->length < off) {
		return;
	}
	memcpy(&lapic32, p + sizeof(*h), 4);
	memcpy(&flags, p + sizeof(*h) + 4, 4);
	acpi.lapic_addr = lapic32;
	acpi.has_8259 = flags & MADT_FLAGS_PCAT_COMPAT;
	while (off + 2 <= h->length) {
		uint8_t type = p[off];
		uint8_t len = p[off + 1];

		if (len < 2 || off + len > h->length) {
			kprintf("warning: malformed MADT entry at offset %zu\n",
				off);
			return;
		}
		if (type == MADT_LAPIC && len >= 8) {
			uint32_t fl;

			memcpy(&fl, p + off + 4, 4);
			if ((fl & (MADT_LAPIC_ENABLED |
				   MADT_LAPIC_ONLINE_CAPABLE)) &&
			    acpi.ncpus < ACPI_MAX_CPUS) {
				if (fl & MADT_LAPIC_ENABLED) {
					acpi.lapic_ids[acpi.ncpus++] =
						p[off + 3];
				}
			}
		} else if (type == MADT_X2APIC && len >= 16) {
			uint32_t id;
			uint32_t fl;

			memcpy(&id, p + off + 4, 4);
			memcpy(&fl, p + off + 8, 4);
			if ((fl & MADT_LAPIC_ENABLED) &&
			    acpi.ncpus < ACPI_MAX_CPUS && id < 255) {
				acpi.lapic_ids[acpi.ncpus++] = id;
			}
		} else if (type == MADT_IOAPIC && len >= 12 &&
			   acpi.nioapics < ACPI_MAX_IOAPICS) {
			struct acpi_ioapic *io = &acpi.ioapics[acpi.nioapics++];

			io->id = p[off + 2];
			memcpy(&io->addr, p + off + 4, 4);
			memcpy(&io->gsi_base, p + off + 8, 4);
		} else if (type == MADT_OVERRIDE && len >= 10 &&
			   acpi.noverrides < ACPI_MAX_OVERRIDES) {
			struct acpi_override *o =
				&acpi.overrides[acpi.noverrides++];

			o->irq = p[off + 3];
			memcpy(&o->gsi, p + off + 4, 4);
			memcpy(&o->flags, p + off + 8, 2);
		}
		off += len;
	}
}

int acpi_init(const void *rsdp, unsigned long rsdp_len)
{
	const uint8_t *r = rsdp;
	uint64_t root_pa;
	size_t entry_size;
	const struct acpi_sdt_header *root;

	if (rsdp_len < 20 || memcmp(r, "RSD PTR ", 8) != 0 ||
	    !checksum_ok(r, 20)) {
		return -ENOENT;
	}
	acpi.revision = r[15];
	memcpy(acpi.oem, r + 9, 6);
	acpi.oem[6] = '\0';
	if (acpi.revision >= 2 && rsdp_len >= 36 && checksum_ok(r, 36)) {
		memcpy(&root_pa, r + 24, 8);
		entry_size = 8;
	} else {
		uint32_t rsdt;

		memcpy(&rsdt, r + 16, 4);
		root_pa = rsdt;
		entry_size = 4;
	}
	root = table_at(root_pa);
	if (!root) {
		return -ENOENT;
	}
	for (size_t off = sizeof(*root); off + entry_size <= root->length;
	     off += entry_size) {
		uint64_t pa = 0;
		const struct acpi_sdt_header *t;

		memcpy(&pa, (const uint8_t *)root + off, entry_size);
		t = table_at(pa);
		if (t && memcmp(t->sig, "APIC", 4) == 0) {
			parse_madt(t);
		}
	}
	acpi.found = acpi.ncpus > 0;
	return acpi.found ? 0 : -ENOENT;
}

uint32_t acpi_isa_irq_to_gsi(uint8_t irq, uint16_t *flags)
{
	for (unsigned int i = 0; i < acpi.noverrides; i++) {
		if (acpi.overrides[i].irq == irq) {
			if (flags) {
				*flags = acpi.overrides[i].flags;
			}
			return acpi.overrides[i].gsi;
		}
	}
	if (flags) {
		*flags = 0;
	}
	return irq;
}
