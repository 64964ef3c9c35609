/* SPDX-License-Identifier: MIT */
/*
 * The domain manifest: what a domain is and what the loader grants it. It is
 * a fixed binary record in an ELF note inside the signed image, so privileges
 * cannot change without re-signing (ARCHITECTURE.md, "Domains"). The kernel
 * validates it with manifest_parse() (kernel/manifest.c).
 *
 * Note format (System V gABI, "Note Section"): three 32-bit words namesz,
 * descsz and type, then the name padded to 4 bytes, then the descriptor.
 * Ours is name "Cordon" (namesz 7), type MANIFEST_NOTE_TYPE, and the
 * descriptor is struct manifest_desc: little-endian, fixed-width fields,
 * no implicit padding.
 *
 * A domain declares its manifest once, in any of its C files:
 *
 *	DOMAIN_MANIFEST(.name = "hello", .version = 1,
 *			.mem_pages = 256, .threads = 4,
 *			.restart = MANIFEST_RESTART_NEVER);
 *
 * The linker script must place section ".note.cordon" in a PT_NOTE segment
 * (see tests/elf/domain.ld).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

#define MANIFEST_NOTE_NAME "Cordon"
#define MANIFEST_NOTE_NAMESZ 7u	       /* "Cordon" and its NUL */
#define MANIFEST_NOTE_TYPE 0x31464d43u /* "CMF1" in memory order */
#define MANIFEST_SECTION ".note.cordon"

#define MANIFEST_MAGIC 0x4e414d43u /* "CMAN" in memory order */
#define MANIFEST_ABI_VERSION 1u

#define MANIFEST_NAME_LEN 32u /* including the NUL */
#define MANIFEST_MAX_EXPORTS 8u
#define MANIFEST_MAX_IMPORTS 8u
#define MANIFEST_MAX_DEVICES 8u

/* What the kernel does when the domain fails (ARCHITECTURE.md, "Recovery"). */
enum manifest_restart {
	MANIFEST_RESTART_NEVER = 0,   /* stay dead */
	MANIFEST_RESTART_ALWAYS = 1,  /* restart at once, up to a limit */
	MANIFEST_RESTART_BACKOFF = 2, /* restart after growing delays */
};

/* manifest_desc.flags */
#define MANIFEST_F_INIT (1u << 0) /* may use domain-management calls */
#define MANIFEST_F_ALL MANIFEST_F_INIT

/* manifest_device.flags: what the grant covers. */
#define MANIFEST_DEV_MMIO (1u << 0)   /* BARs mapped into the region */
#define MANIFEST_DEV_DMA (1u << 1)    /* DMA memory, physical addresses */
#define MANIFEST_DEV_IRQ (1u << 2)    /* MSI/MSI-X interrupts */
#define MANIFEST_DEV_CONFIG (1u << 3) /* PCI configuration space */
#define MANIFEST_DEV_ALL                                           \
	(MANIFEST_DEV_MMIO | MANIFEST_DEV_DMA | MANIFEST_DEV_IRQ | \
	 MANIFEST_DEV_CONFIG)

/* An interface the domain exports or imports, named as in idl/. */
struct manifest_iface {
	char name[MANIFEST_NAME_LEN]; /* NUL-terminated, [a-z0-9_-] */
	uint64_t fingerprint;	      /* idlc's fingerprint, nonzero */
	uint32_t version;	      /* the interface's @version */
	uint32_t reserved;	      /* zero */
};
BUILD_ASSERT(sizeof(struct manifest_iface) == 48);

/* A PCI function the domain may drive. */
struct manifest_device {
	uint16_t vendor; /* PCI vendor ID, not 0 or 0xffff */
	uint16_t device; /* PCI device ID */
	uint32_t flags;	 /* MANIFEST_DEV_*, nonzero */
};
BUILD_ASSERT(sizeof(struct manifest_device) == 8);

/*
 * The note descriptor. Entries at index >= their count must be all zero,
 * and so must every byte after a name's NUL, so that one manifest has
 * exactly one encoding.
 */
struct manifest_desc {
	uint32_t magic;		      /* MANIFEST_MAGIC */
	uint32_t abi;		      /* MANIFEST_ABI_VERSION */
	char name[MANIFEST_NAME_LEN]; /* domain name, [a-z0-9_-] */
	uint32_t version;	      /* the domain's own version */
	uint32_t flags;		      /* MANIFEST_F_* */
	uint32_t mem_pages;	      /* memory quota, 4 KiB pages */
	uint32_t threads;	      /* thread quota */
	uint32_t restart;	      /* enum manifest_restart */
	uint32_t max_restarts;	      /* restarts allowed per window */
	uint32_t restart_window_ms;   /* the window */
	uint32_t restart_backoff_ms;  /* first backoff delay (BACKOFF) */
	uint32_t nexports;
	uint32_t nimports;
	uint32_t ndevices;
	uint32_t reserved; /* zero */
	struct manifest_iface exports[MANIFEST_MAX_EXPORTS];
	struct manifest_iface imports[MANIFEST_MAX_IMPORTS];
	struct manifest_device devices[MANIFEST_MAX_DEVICES];
};
BUILD_ASSERT(sizeof(struct manifest_desc) == 920);
BUILD_ASSERT(offsetof(struct manifest_desc, name) == 8);
BUILD_ASSERT(offsetof(struct manifest_desc, nexports) == 72);
BUILD_ASSERT(offsetof(struct manifest_desc, exports) == 88);
BUILD_ASSERT(offsetof(struct manifest_desc, imports) == 472);
BUILD_ASSERT(offsetof(struct manifest_desc, devices) == 856);

/*
 * The whole note as a domain's object file carries it. Packed because the
 * descriptor follows the 20 bytes of header and name with no padding; the
 * note itself is 4-byte aligned as the gABI requires.
 */
struct manifest_note {
	uint32_t namesz; /* MANIFEST_NOTE_NAMESZ */
	uint32_t descsz; /* sizeof(struct manifest_desc) */
	uint32_t type;	 /* MANIFEST_NOTE_TYPE */
	char name[8];	 /* "Cordon", NUL-padded to 4 bytes */
	struct manifest_desc desc;
} __packed __aligned(4);
BUILD_ASSERT(sizeof(struct manifest_note) == 940);
BUILD_ASSERT(offsetof(struct manifest_note, desc) == 20);

/* An interface entry for .exports or .imports. */
#define MANIFEST_IFACE(iname, fp, ver)                                 \
	{                                                              \
		.name = (iname), .fingerprint = (fp), .version = (ver) \
	}

/* A device entry for .devices. */
#define MANIFEST_DEVICE(ven, dev, fl)                           \
	{                                                       \
		.vendor = (ven), .device = (dev), .flags = (fl) \
	}

/*
 * Declare the domain's manifest: the arguments are designated initializers
 * for struct manifest_desc (all but magic and abi, which this fills in).
 * Counts are not derived: set .nexports, .nimports and .ndevices to match
 * the arrays, the loader rejects a mismatch.
 */
#define DOMAIN_MANIFEST(...)                                           \
	static const struct manifest_note domain_manifest_note_ __used \
	__section(MANIFEST_SECTION) __aligned(4) = {                   \
		.namesz = MANIFEST_NOTE_NAMESZ,                        \
		.descsz = sizeof(struct manifest_desc),                \
		.type = MANIFEST_NOTE_TYPE,                            \
		.name = MANIFEST_NOTE_NAME,                            \
		.desc = {.magic = MANIFEST_MAGIC,                      \
			 .abi = MANIFEST_ABI_VERSION,                  \
			 __VA_ARGS__},                                 \
	}
