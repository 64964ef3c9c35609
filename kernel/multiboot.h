/* SPDX-License-Identifier: MIT */
/*
 * What the kernel takes from the multiboot2 boot information: command line,
 * memory map, ACPI RSDP and modules (domain images). The information is
 * copied into struct boot_info before the frame allocator reuses memory.
 * Spec: Multiboot2 Specification version 2.0, section 3.6.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define BOOT_MMAP_MAX 128
#define BOOT_MODULES_MAX 32
#define BOOT_CMDLINE_MAX 1024

enum boot_mem_type {
	BOOT_MEM_RAM = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3,
	BOOT_MEM_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_mem_region {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

struct boot_module {
	uint64_t start; /* physical */
	uint64_t end;	/* physical, exclusive */
	char name[64];
};

struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];
	struct boot_mem_region mmap[BOOT_MMAP_MAX];
	size_t mmap_count;
	struct boot_module modules[BOOT_MODULES_MAX];
	size_t module_count;
	uint8_t rsdp_copy[36]; /* the RSDP as the loader gave it */
	size_t rsdp_len;
	uint64_t mbi_phys;
	uint64_t mbi_size;
	char loader[64];
};

extern struct boot_info boot_info;

/*
 * Parse the multiboot2 information at @mbi (virtual address, @max_size
 * readable bytes). Returns 0 or -EINVAL when the structure is malformed.
 */
int multiboot_parse(const void *mbi, size_t max_size, struct boot_info *bi);
