// SPDX-License-Identifier: MIT
/*
 * Multiboot2 information parser (Multiboot2 Specification 2.0, 3.6). Every
 * size is checked against the structure's total size before use; tags we do
 * not need are skipped. Host unit tests feed it hand-made structures.
 */
#include "multiboot.h"

#include "abi/errno.h"
#include "base/compiler.h"
#include "base/string.h"

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
	uint32_t rsvd;
};
BUILD_ASSERT(sizeof(struct mb2_mmap_entry) == 24);

struct boot_info boot_info;

static void copy_str(char *dst, size_t dstsz, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen);

	if (n >= dstsz) {
		n = dstsz - 1;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void parse_mmap(const uint8_t *tag, uint32_t size, struct boot_info *bi)
{
	uint32_t entry_size;

	if (size < 16) {
		return;
	}
	memcpy(&entry_size, tag + 8, 4);
	if (entry_size < sizeof(struct mb2_mmap_entry)) {
		return;
	}
	/* Written as a subtraction: off + entry_size can wrap around. */
	for (uint32_t off = 16; entry_size <= size - off; off += entry_size) {
		struct mb2_mmap_entry e;

		if (bi->mmap_count == BOOT_MMAP_MAX) {
			break;
		}
		memcpy(&e, tag + off, sizeof(e));
		if (e.len == 0) {
			continue;
		}
		bi->mmap[bi->mmap_count].base = e.base;
		bi->mmap[bi->mmap_count].len = e.len;
		bi->mmap[bi->mmap_count].type = e.type;
		bi->mmap_count++;
	}
}

int multiboot_parse(const void *mbi, size_t max_size, struct boot_info *bi)
{
	const uint8_t *p = mbi;
	uint32_t total;
	/* 64-bit, so that off + a tag size near 4 GiB cannot wrap. */
	size_t off = 8;

	memset(bi, 0, sizeof(*bi));
	if (max_size < 16) {
		return -EINVAL;
	}
	memcpy(&total, p, 4);
	if (total < 16 || total > max_size) {
		return -EINVAL;
	}
	bi->mbi_size = total;
	while (off + sizeof(struct mb2_tag) <= total) {
		struct mb2_tag t;

		memcpy(&t, p + off, sizeof(t));
		if (t.type == MB2_TAG_END) {
			return 0;
		}
		if (t.size < sizeof(t) || t.size > total - off) {
			return -EINVAL;
		}
		switch (t.type) {
		case MB2_TAG_CMDLINE:
			copy_str(bi->cmdline, sizeof(bi->cmdline),
				 (const char *)p + off + 8, t.size - 8);
			break;
		case MB2_TAG_LOADER:
			copy_str(bi->loader, sizeof(bi->loader),
				 (const char *)p + off + 8, t.size - 8);
			break;
		case MB2_TAG_MODULE:
			if (t.size >= 16 &&
			    bi->module_count < BOOT_MODULES_MAX) {
				struct boot_module *m =
					&bi->modules[bi->module_count];
				uint32_t s;
				uint32_t e;

				memcpy(&s, p + off + 8, 4);
				memcpy(&e, p + off + 12, 4);
				if (e >= s) {
					m->start = s;
					m->end = e;
					copy_str(m->name, sizeof(m->name),
						 (const char *)p + off + 16,
						 t.size - 16);
					bi->module_count++;
				}
			}
			break;
		case MB2_TAG_MMAP:
			parse_mmap(p + off, t.size, bi);
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* Prefer the ACPI 2.0+ RSDP when both are given. */
			if (t.type == MB2_TAG_ACPI_NEW || bi->rsdp_len == 0) {
				size_t n = MIN((size_t)t.size - 8,
					       sizeof(bi->rsdp_copy));

				memcpy(bi->rsdp_copy, p + off + 8, n);
				bi->rsdp_len = n;
			}
			break;
		default:
			break;
		}
		off += ALIGN_UP(t.size, 8u);
	}
	/* Ran off the end without an end tag. */
	return -EINVAL;
}
