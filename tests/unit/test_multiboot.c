// SPDX-License-Identifier: MIT
/*
 * Host tests for the multiboot2 boot-information parser in
 * kernel/multiboot.c (Multiboot2 Specification 2.0, section 3.6). A small
 * builder lays out the structure the way a boot loader does: an 8-byte
 * header (total_size, reserved), tags padded to 8 bytes, an end tag. Each
 * parse runs on an exactly sized heap copy with the bytes past total_size
 * poisoned, so ASan reports any read outside the structure. Covered: every
 * tag the kernel uses, the documented limits, malformed structures, and a
 * seeded sweep of 50k randomly mutated structures.
 */
#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "abi/errno.h"
#include "base/compiler.h"
#include "multiboot.h"
#include "unit.h"

/* Tag types, Multiboot2 Specification 2.0, 3.6. */
#define TAG_END 0
#define TAG_CMDLINE 1
#define TAG_LOADER 2
#define TAG_MODULE 3
#define TAG_BASIC_MEMINFO 4
#define TAG_MMAP 6
#define TAG_FRAMEBUFFER 8
#define TAG_ACPI_OLD 14
#define TAG_ACPI_NEW 15

#define MB_CAP 65536

struct mb {
	uint8_t buf[MB_CAP];
	size_t len;
	uint8_t pad; /* byte used to pad tags to 8 */
};

struct mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
	uint32_t rsvd;
};
BUILD_ASSERT(sizeof(struct mmap_entry) == 24);

static void put32(struct mb *b, size_t off, uint32_t v)
{
	memcpy(b->buf + off, &v, 4);
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

static void mb_init(struct mb *b)
{
	memset(b->buf, 0, sizeof(b->buf));
	b->len = 8;
	b->pad = 0;
}

static void mb_put(struct mb *b, const void *data, size_t n)
{
	memcpy(b->buf + b->len, data, n);
	b->len += n;
}

/* Starts a tag; returns its offset for mb_tag_end(). */
static size_t mb_tag_begin(struct mb *b, uint32_t type)
{
	size_t off = b->len;

	put32(b, off, type);
	put32(b, off + 4, 0);
	b->len += 8;
	return off;
}

/* Sets the tag's size to what was written and pads to 8 bytes. */
static void mb_tag_end(struct mb *b, size_t off)
{
	put32(b, off + 4, (uint32_t)(b->len - off));
	while (b->len % 8) {
		b->buf[b->len++] = b->pad;
	}
}

static void mb_string_tag(struct mb *b, uint32_t type, const char *s)
{
	size_t off = mb_tag_begin(b, type);

	mb_put(b, s, strlen(s) + 1);
	mb_tag_end(b, off);
}

static void mb_module(struct mb *b, uint32_t start, uint32_t end,
		      const char *name)
{
	size_t off = mb_tag_begin(b, TAG_MODULE);

	mb_put(b, &start, 4);
	mb_put(b, &end, 4);
	mb_put(b, name, strlen(name) + 1);
	mb_tag_end(b, off);
}

/* A memory map tag; entries are @entry_size bytes apart (>= 24). */
static void mb_mmap(struct mb *b, const struct mmap_entry *e, size_t n,
		    uint32_t entry_size)
{
	size_t off = mb_tag_begin(b, TAG_MMAP);
	uint32_t version = 0;

	mb_put(b, &entry_size, 4);
	mb_put(b, &version, 4);
	for (size_t i = 0; i < n; i++) {
		memset(b->buf + b->len, 0xee, entry_size);
		memcpy(b->buf + b->len, &e[i], sizeof(e[i]));
		b->len += entry_size;
	}
	mb_tag_end(b, off);
}

static void mb_acpi(struct mb *b, uint32_t type, const uint8_t *rsdp, size_t n)
{
	size_t off = mb_tag_begin(b, type);

	mb_put(b, rsdp, n);
	mb_tag_end(b, off);
}

/* Appends the end tag and fills in total_size. */
static void mb_finish(struct mb *b)
{
	size_t off = mb_tag_begin(b, TAG_END);

	mb_tag_end(b, off);
	put32(b, 0, (uint32_t)b->len);
	put32(b, 4, 0);
}

static struct boot_info bi;

/*
 * Parses @len bytes of @data from an exactly sized heap copy, passing
 * @max_size (at most @len) as the readable size. Bytes past the header's
 * total_size (but not the header) are poisoned so that reading them is an
 * ASan error, too.
 * @bi is filled with junk first so that missing initialisation shows.
 */
static int parse_bytes(const uint8_t *data, size_t len, size_t max_size)
{
	uint8_t *copy = malloc(len ? len : 1);
	uint32_t total = 0;
	int err;

	memcpy(copy, data, len);
	if (len >= 4) {
		total = get32(data, 0);
	}
	/* The 8-byte header itself is always readable. */
	total = MAX(total, 8u);
	if (total < len) {
		__asan_poison_memory_region(copy + total, len - total);
	}
	memset(&bi, 0xa5, sizeof(bi));
	err = multiboot_parse(copy, max_size, &bi);
	__asan_unpoison_memory_region(copy, len);
	free(copy);
	return err;
}

static int parse(const struct mb *b)
{
	return parse_bytes(b->buf, b->len, b->len);
}

/* Common invariants of any parse result, valid or not. */
static bool info_sane(void)
{
	if (strnlen(bi.cmdline, sizeof(bi.cmdline)) == sizeof(bi.cmdline) ||
	    strnlen(bi.loader, sizeof(bi.loader)) == sizeof(bi.loader)) {
		return false;
	}
	if (bi.mmap_count > BOOT_MMAP_MAX ||
	    bi.module_count > BOOT_MODULES_MAX ||
	    bi.rsdp_len > sizeof(bi.rsdp_copy)) {
		return false;
	}
	for (size_t i = 0; i < bi.mmap_count; i++) {
		if (bi.mmap[i].len == 0) {
			return false;
		}
	}
	for (size_t i = 0; i < bi.module_count; i++) {
		const struct boot_module *m = &bi.modules[i];

		if (m->end < m->start ||
		    strnlen(m->name, sizeof(m->name)) == sizeof(m->name)) {
			return false;
		}
	}
	return true;
}

UNIT_TEST(mb_end_tag_only_gives_empty_info)
{
	static struct mb b;

	mb_init(&b);
	mb_finish(&b);
	UNIT_EQ(b.len, 16);
	UNIT_EQ(parse(&b), 0);
	UNIT_STREQ(bi.cmdline, "");
	UNIT_STREQ(bi.loader, "");
	UNIT_EQ(bi.mmap_count, 0);
	UNIT_EQ(bi.module_count, 0);
	UNIT_EQ(bi.rsdp_len, 0);
	UNIT_EQ(bi.mbi_size, 16);
	UNIT_ASSERT(info_sane());
}

UNIT_TEST(mb_cmdline_and_loader_name_are_copied)
{
	static struct mb b;

	mb_init(&b);
	/* 8 + 10 bytes: the next tag starts after 6 bytes of padding. */
	mb_string_tag(&b, TAG_LOADER, "GRUB 2.12");
	mb_string_tag(&b, TAG_CMDLINE, "cpus=2 -v");
	mb_finish(&b);
	UNIT_EQ(get32(b.buf, 8 + 4), 8 + 10);
	UNIT_EQ(parse(&b), 0);
	UNIT_STREQ(bi.cmdline, "cpus=2 -v");
	UNIT_STREQ(bi.loader, "GRUB 2.12");
	UNIT_EQ(bi.mbi_size, b.len);
	UNIT_ASSERT(info_sane());
}

UNIT_TEST(mb_unknown_tags_are_skipped)
{
	static struct mb b;
	static const uint8_t junk[13] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	uint32_t meminfo[2] = {639, 523264};
	size_t off;

	mb_init(&b);
	off = mb_tag_begin(&b, TAG_BASIC_MEMINFO);
	mb_put(&b, meminfo, sizeof(meminfo));
	mb_tag_end(&b, off);
	off = mb_tag_begin(&b, TAG_FRAMEBUFFER);
	mb_put(&b, junk, sizeof(junk));
	mb_tag_end(&b, off);
	off = mb_tag_begin(&b, 0x7777);
	mb_tag_end(&b, off);
	mb_string_tag(&b, TAG_CMDLINE, "after");
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_STREQ(bi.cmdline, "after");
}

UNIT_TEST(mb_tags_after_the_end_tag_are_ignored)
{
	static struct mb b;

	mb_init(&b);
	mb_string_tag(&b, TAG_CMDLINE, "first");
	mb_finish(&b);
	/* A well-formed tag past the end tag, inside total_size. */
	mb_string_tag(&b, TAG_CMDLINE, "second");
	mb_module(&b, 0x1000, 0x2000, "late");
	put32(&b, 0, (uint32_t)b.len);
	UNIT_EQ(parse(&b), 0);
	UNIT_STREQ(bi.cmdline, "first");
	UNIT_EQ(bi.module_count, 0);
}

UNIT_TEST(mb_modules_are_recorded_in_order)
{
	static struct mb b;

	mb_init(&b);
	mb_module(&b, 0x200000, 0x234567, "init");
	mb_string_tag(&b, TAG_CMDLINE, "x");
	mb_module(&b, 0x300000, 0x300000, ""); /* empty is fine */
	mb_module(&b, 0x400000, 0x401000, "rv6 --root=/dev/blk0");
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(bi.module_count, 3);
	UNIT_EQ(bi.modules[0].start, 0x200000);
	UNIT_EQ(bi.modules[0].end, 0x234567);
	UNIT_STREQ(bi.modules[0].name, "init");
	UNIT_EQ(bi.modules[1].start, 0x300000);
	UNIT_EQ(bi.modules[1].end, 0x300000);
	UNIT_STREQ(bi.modules[1].name, "");
	UNIT_EQ(bi.modules[2].start, 0x400000);
	UNIT_EQ(bi.modules[2].end, 0x401000);
	UNIT_STREQ(bi.modules[2].name, "rv6 --root=/dev/blk0");
	UNIT_ASSERT(info_sane());
}

UNIT_TEST(mb_module_names_are_truncated_and_count_is_capped)
{
	static struct mb b;
	char name[200];
	char want[64];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(want, 'n', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	mb_init(&b);
	mb_module(&b, 0x1000, 0x2000, name);
	for (uint32_t i = 1; i < BOOT_MODULES_MAX + 10; i++) {
		mb_module(&b, i << 20, (i << 20) + 4096, "m");
	}
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(bi.module_count, BOOT_MODULES_MAX);
	UNIT_STREQ(bi.modules[0].name, want);
	UNIT_EQ(bi.modules[BOOT_MODULES_MAX - 1].start,
		(uint64_t)(BOOT_MODULES_MAX - 1) << 20);
	UNIT_ASSERT(info_sane());
}

UNIT_TEST(mb_module_with_end_before_start_is_dropped)
{
	static struct mb b;

	mb_init(&b);
	mb_module(&b, 0x5000, 0x4fff, "backwards");
	mb_module(&b, 0x6000, 0x7000, "good");
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(bi.module_count, 1);
	UNIT_STREQ(bi.modules[0].name, "good");
	UNIT_EQ(bi.modules[0].start, 0x6000);
	UNIT_ASSERT(info_sane());
}

UNIT_TEST(mb_module_tag_too_short_is_dropped)
{
	static struct mb b;
	uint32_t start = 0x1000;
	size_t off;

	mb_init(&b);
	/* Only the start field: 12 bytes, no end, no name. */
	off = mb_tag_begin(&b, TAG_MODULE);
	mb_put(&b, &start, 4);
	mb_tag_end(&b, off);
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(bi.module_count, 0);
}

UNIT_TEST(mb_mmap_entries_are_copied_and_empty_ones_skipped)
{
	static struct mb b;
	static const struct mmap_entry e[] = {
		{0x0, 0x9fc00, BOOT_MEM_RAM, 0},
		{0x9fc00, 0x400, BOOT_MEM_RESERVED, 0},
		{0xa0000, 0, BOOT_MEM_RAM, 0}, /* empty */
		{0x100000, 0x1fee0000, BOOT_MEM_RAM, 0},
		{0x1ffe0000, 0x20000, BOOT_MEM_ACPI, 0},
		{0x100000000ull, 0x40000000ull, BOOT_MEM_RAM, 0},
	};

	mb_init(&b);
	mb_mmap(&b, e, ARRAY_SIZE(e), 24);
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(bi.mmap_count, 5);
	UNIT_EQ(bi.mmap[0].base, 0);
	UNIT_EQ(bi.mmap[0].len, 0x9fc00);
	UNIT_EQ(bi.mmap[0].type, BOOT_MEM_RAM);
	UNIT_EQ(bi.mmap[1].type, BOOT_MEM_RESERVED);
	UNIT_EQ(bi.mmap[2].base, 0x100000);
	UNIT_EQ(bi.mmap[2].len, 0x1fee0000);
	UNIT_EQ(bi.mmap[3].type, BOOT_MEM_ACPI);
	UNIT_EQ(bi.mmap[4].base, 0x100000000ull);
	UNIT_EQ(bi.mmap[4].len, 0x40000000ull);
	UNIT_ASSERT(info_sane());
}

UNIT_TEST(mb_mmap_honours_a_larger_entry_size)
{
	static struct mb b;
	static const struct mmap_entry e[] = {
		{0x1000, 0x2000, BOOT_MEM_RAM, 0},
		{0x5000, 0x1000, BOOT_MEM_NVS, 0},
		{0x9000, 0x3000, BOOT_MEM_BAD, 0},
	};

	mb_init(&b);
	mb_mmap(&b, e, ARRAY_SIZE(e), 40);
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(bi.mmap_count, 3);
	UNIT_EQ(bi.mmap[1].base, 0x5000);
	UNIT_EQ(bi.mmap[1].type, BOOT_MEM_NVS);
	UNIT_EQ(bi.mmap[2].base, 0x9000);
	UNIT_EQ(bi.mmap[2].len, 0x3000);
	UNIT_EQ(bi.mmap[2].type, BOOT_MEM_BAD);
}

UNIT_TEST(mb_mmap_beyond_the_limit_is_truncated)
{
	static struct mb b;
	static struct mmap_entry e[BOOT_MMAP_MAX + 72];

	for (size_t i = 0; i < ARRAY_SIZE(e); i++) {
		e[i].base = (uint64_t)i << 24;
		e[i].len = 0x1000 + i;
		e[i].type = BOOT_MEM_RAM;
	}
	mb_init(&b);
	mb_mmap(&b, e, ARRAY_SIZE(e), 24);
	mb_string_tag(&b, TAG_CMDLINE, "still parsed");
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(bi.mmap_count, BOOT_MMAP_MAX);
	for (size_t i = 0; i < BOOT_MMAP_MAX; i++) {
		UNIT_EQ(bi.mmap[i].base, (uint64_t)i << 24);
		UNIT_EQ(bi.mmap[i].len, 0x1000 + i);
	}
	UNIT_STREQ(bi.cmdline, "still parsed");
}

UNIT_TEST(mb_mmap_entry_size_below_24_is_ignored)
{
	static const uint32_t sizes[] = {0, 1, 8, 16, 23};
	static struct mb b;
	static const struct mmap_entry e = {0x1000, 0x1000, BOOT_MEM_RAM, 0};

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t off;

		mb_init(&b);
		off = mb_tag_begin(&b, TAG_MMAP);
		mb_put(&b, &sizes[i], 4);
		put32(&b, b.len, 0);
		b.len += 4;
		mb_put(&b, &e, sizeof(e));
		mb_put(&b, &e, sizeof(e));
		mb_tag_end(&b, off);
		mb_string_tag(&b, TAG_CMDLINE, "ok");
		mb_finish(&b);
		UNIT_EQ(parse(&b), 0);
		UNIT_EQ(bi.mmap_count, 0);
		UNIT_STREQ(bi.cmdline, "ok");
	}
}

UNIT_TEST(mb_mmap_huge_entry_size_stays_inside_the_tag)
{
	static const uint32_t sizes[] = {0xfffffff0u, 0xffffffe8u, 0xffffffffu,
					 0x80000000u};
	static struct mb b;
	static const struct mmap_entry e = {0x7000, 0x1000, BOOT_MEM_RAM, 0};

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t off;

		/* An empty mmap tag, then a tag that looks like an entry. */
		mb_init(&b);
		mb_mmap(&b, NULL, 0, sizes[i]);
		off = mb_tag_begin(&b, 0x1234);
		mb_put(&b, &e, sizeof(e));
		mb_tag_end(&b, off);
		mb_finish(&b);
		UNIT_EQ(parse(&b), 0);
		UNIT_EQ(bi.mmap_count, 0);

		/* The mmap tag last, no end tag: nothing past it is read. */
		mb_init(&b);
		mb_mmap(&b, NULL, 0, sizes[i]);
		put32(&b, 0, (uint32_t)b.len);
		UNIT_EQ(parse(&b), -EINVAL);
	}
}

UNIT_TEST(mb_new_acpi_rsdp_is_preferred_in_either_order)
{
	static struct mb b;
	uint8_t old_rsdp[20];
	uint8_t new_rsdp[36];

	memset(old_rsdp, 0x11, sizeof(old_rsdp));
	memcpy(old_rsdp, "RSD PTR ", 8);
	memset(new_rsdp, 0x22, sizeof(new_rsdp));
	memcpy(new_rsdp, "RSD PTR ", 8);

	/* Old only. */
	mb_init(&b);
	mb_acpi(&b, TAG_ACPI_OLD, old_rsdp, sizeof(old_rsdp));
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(bi.rsdp_len, 20);
	UNIT_ASSERT(memcmp(bi.rsdp_copy, old_rsdp, 20) == 0);

	/* Old, then new. */
	mb_init(&b);
	mb_acpi(&b, TAG_ACPI_OLD, old_rsdp, sizeof(old_rsdp));
	mb_acpi(&b, TAG_ACPI_NEW, new_rsdp, sizeof(new_rsdp));
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(bi.rsdp_len, 36);
	UNIT_ASSERT(memcmp(bi.rsdp_copy, new_rsdp, 36) == 0);

	/* New, then old. */
	mb_init(&b);
	mb_acpi(&b, TAG_ACPI_NEW, new_rsdp, sizeof(new_rsdp));
	mb_acpi(&b, TAG_ACPI_OLD, old_rsdp, sizeof(old_rsdp));
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(bi.rsdp_len, 36);
	UNIT_ASSERT(memcmp(bi.rsdp_copy, new_rsdp, 36) == 0);
}

UNIT_TEST(mb_oversized_acpi_tag_is_clipped_to_the_rsdp)
{
	static struct mb b;
	uint8_t blob[100];

	for (size_t i = 0; i < sizeof(blob); i++) {
		blob[i] = (uint8_t)i;
	}
	mb_init(&b);
	mb_acpi(&b, TAG_ACPI_NEW, blob, sizeof(blob));
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(bi.rsdp_len, sizeof(bi.rsdp_copy));
	UNIT_ASSERT(memcmp(bi.rsdp_copy, blob, sizeof(bi.rsdp_copy)) == 0);
}

UNIT_TEST(mb_rejects_bad_total_size)
{
	static struct mb b;

	mb_init(&b);
	mb_string_tag(&b, TAG_CMDLINE, "abc");
	mb_finish(&b);
	/* A readable size below the header and end tag. */
	UNIT_EQ(parse_bytes(b.buf, b.len, 15), -EINVAL);
	UNIT_EQ(parse_bytes(b.buf, b.len, 0), -EINVAL);
	/* total_size below 16. */
	for (uint32_t t = 0; t < 16; t++) {
		put32(&b, 0, t);
		UNIT_EQ(parse_bytes(b.buf, b.len, b.len), -EINVAL);
	}
	/* total_size larger than what may be read. */
	put32(&b, 0, (uint32_t)b.len);
	UNIT_EQ(parse_bytes(b.buf, b.len, b.len - 1), -EINVAL);
	UNIT_EQ(parse_bytes(b.buf, b.len, b.len - 8), -EINVAL);
	put32(&b, 0, 0xffffffffu);
	UNIT_EQ(parse_bytes(b.buf, b.len, b.len), -EINVAL);
	/* Back to the truth: fine. */
	put32(&b, 0, (uint32_t)b.len);
	UNIT_EQ(parse_bytes(b.buf, b.len, b.len), 0);
	UNIT_STREQ(bi.cmdline, "abc");
}

UNIT_TEST(mb_rejects_tag_size_below_8)
{
	static struct mb b;

	for (uint32_t size = 0; size < 8; size++) {
		mb_init(&b);
		mb_string_tag(&b, TAG_CMDLINE, "abc");
		mb_finish(&b);
		/* The cmdline tag sits at offset 8. */
		put32(&b, 12, size);
		UNIT_EQ(parse(&b), -EINVAL);
	}
}

UNIT_TEST(mb_rejects_tag_running_past_total_size)
{
	static struct mb b;

	mb_init(&b);
	mb_string_tag(&b, TAG_CMDLINE, "abc");
	mb_finish(&b);
	/* Total is 32: the cmdline tag at 8 may be at most 24 bytes. */
	put32(&b, 12, 25);
	UNIT_EQ(parse(&b), -EINVAL);
	put32(&b, 12, 0xfffffff8u);
	UNIT_EQ(parse(&b), -EINVAL);
	put32(&b, 12, 24);
	UNIT_EQ(parse(&b), -EINVAL); /* swallows the end tag */
	put32(&b, 12, 12);
	UNIT_EQ(parse(&b), 0);
}

UNIT_TEST(mb_rejects_missing_end_tag)
{
	static struct mb b;

	mb_init(&b);
	mb_string_tag(&b, TAG_CMDLINE, "abc");
	mb_module(&b, 0x1000, 0x2000, "m");
	put32(&b, 0, (uint32_t)b.len);
	UNIT_EQ(parse(&b), -EINVAL);
	/* A total_size that cuts off the end tag. */
	mb_finish(&b);
	put32(&b, 0, (uint32_t)b.len - 8);
	UNIT_EQ(parse(&b), -EINVAL);
	put32(&b, 0, (uint32_t)b.len - 4);
	UNIT_EQ(parse(&b), -EINVAL);
	/* Header only. */
	mb_init(&b);
	put32(&b, 0, 16);
	b.len = 16;
	put32(&b, 8, TAG_CMDLINE);
	put32(&b, 12, 8);
	UNIT_EQ(parse(&b), -EINVAL);
}

/*
 * A structure of 4 GiB - 1 bytes whose one tag ends just short of 4 GiB:
 * the next tag offset must not wrap to 0 and re-read the header as a tag.
 * Only the first page is touched; the rest is reserved address space.
 */
UNIT_TEST(mb_tag_offset_does_not_wrap_at_4gib)
{
	const size_t len = 0xffffffffu;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint32_t hdr[2] = {0xffffffffu, 16}; /* total, "reserved" */
	uint32_t tag[2] = {0x1234, 0xfffffff7u};
	uint32_t end[2] = {TAG_END, 8};
	int err;

	if (p == MAP_FAILED) {
		printf("# skipped: cannot reserve 4 GiB of address space\n");
		return;
	}
	memcpy(p, hdr, 8);
	memcpy(p + 8, tag, 8);
	/* Where a wrapped parser would land after the header "tag". */
	memcpy(p + 16, end, 8);
	err = multiboot_parse(p, len, &bi);
	munmap(p, len);
	UNIT_EQ(err, -EINVAL);
}

UNIT_TEST(mb_unterminated_cmdline_is_bounded_by_its_tag)
{
	static struct mb b;
	static const char text[] = "root=blk0 dbg"; /* 13 bytes, no NUL */
	size_t off;

	mb_init(&b);
	b.pad = 'Z';
	off = mb_tag_begin(&b, TAG_CMDLINE);
	mb_put(&b, text, 13);
	mb_tag_end(&b, off);
	off = mb_tag_begin(&b, TAG_LOADER);
	mb_put(&b, "LDR", 3); /* no NUL either */
	mb_tag_end(&b, off);
	b.pad = 0;
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_STREQ(bi.cmdline, "root=blk0 dbg");
	UNIT_STREQ(bi.loader, "LDR");

	/* An unterminated module name, as the last bytes before the end. */
	mb_init(&b);
	b.pad = 'Z';
	off = mb_tag_begin(&b, TAG_MODULE);
	put32(&b, b.len, 0x1000);
	put32(&b, b.len + 4, 0x3000);
	b.len += 8;
	mb_put(&b, "abcdef", 6);
	mb_tag_end(&b, off);
	b.pad = 0;
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(bi.module_count, 1);
	UNIT_STREQ(bi.modules[0].name, "abcdef");
}

UNIT_TEST(mb_overlong_cmdline_is_truncated)
{
	static struct mb b;
	static char line[3000];
	static char want[BOOT_CMDLINE_MAX];

	for (size_t i = 0; i < sizeof(line) - 1; i++) {
		line[i] = (char)('a' + i % 26);
	}
	line[sizeof(line) - 1] = '\0';
	memcpy(want, line, BOOT_CMDLINE_MAX - 1);
	want[BOOT_CMDLINE_MAX - 1] = '\0';
	mb_init(&b);
	mb_string_tag(&b, TAG_CMDLINE, line);
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_EQ(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	UNIT_STREQ(bi.cmdline, want);

	/* Exactly the limit minus one fits whole; one more is cut. */
	line[BOOT_CMDLINE_MAX - 1] = '\0';
	mb_init(&b);
	mb_string_tag(&b, TAG_CMDLINE, line);
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_STREQ(bi.cmdline, want);
	line[BOOT_CMDLINE_MAX - 1] = 'x';
	line[BOOT_CMDLINE_MAX] = '\0';
	mb_init(&b);
	mb_string_tag(&b, TAG_CMDLINE, line);
	mb_finish(&b);
	UNIT_EQ(parse(&b), 0);
	UNIT_STREQ(bi.cmdline, want);
}

static uint64_t rng_state;

/* SplitMix64: small, deterministic, good enough for test input. */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t rng_below(size_t n)
{
	return (size_t)(rng_next() % n);
}

/* A structure with every tag kind, the seed of the mutation sweep. */
static void build_seed(struct mb *b, unsigned int variant)
{
	static const struct mmap_entry e[] = {
		{0x0, 0x9fc00, BOOT_MEM_RAM, 0},
		{0x9fc00, 0x400, BOOT_MEM_RESERVED, 0},
		{0x100000, 0x7ee0000, BOOT_MEM_RAM, 0},
		{0x7fe0000, 0x20000, BOOT_MEM_ACPI, 0},
	};
	uint8_t rsdp[36];

	memset(rsdp, 0x42, sizeof(rsdp));
	mb_init(b);
	mb_string_tag(b, TAG_CMDLINE, "cpus=4 profile=test");
	if (variant & 1) {
		mb_string_tag(b, TAG_LOADER, "GRUB 2.12");
	}
	mb_module(b, 0x200000, 0x210000, "init");
	mb_mmap(b, e, ARRAY_SIZE(e), variant & 2 ? 32 : 24);
	mb_acpi(b, TAG_ACPI_OLD, rsdp, 20);
	if (variant & 4) {
		mb_acpi(b, TAG_ACPI_NEW, rsdp, 36);
	}
	mb_module(b, 0x300000, 0x300100, "second module");
	if (variant & 8) {
		/* An empty memory map right before the end tag. */
		mb_mmap(b, e, 0, 24);
	}
	mb_finish(b);
}

/* Values that tend to sit on a boundary of some size check. */
static uint32_t interesting(void)
{
	static const uint32_t v[] = {
		0,	     1,		  7,	       8,	    9,
		15,	     16,	  17,	       23,	    24,
		25,	     31,	  32,	       36,	    40,
		64,	     0x7fffffffu, 0x80000000u, 0xfffffff0u, 0xfffffff8u,
		0xfffffffcu, 0xffffffffu,
	};

	return v[rng_below(ARRAY_SIZE(v))];
}

UNIT_TEST(mb_random_mutations_never_read_out_of_bounds)
{
	static struct mb seed;
	static uint8_t buf[MB_CAP];
	size_t results[2] = {0, 0};

	rng_state = 0x6d62326d75746174ull;
	for (int iter = 0; iter < 50000; iter++) {
		size_t len;
		size_t nmut = 1 + rng_below(6);
		int err;

		build_seed(&seed, (unsigned int)rng_below(16));
		len = seed.len;
		memcpy(buf, seed.buf, len);
		for (size_t k = 0; k < nmut; k++) {
			size_t at = rng_below(len);

			switch (rng_below(5)) {
			case 0:
				buf[at] ^= (uint8_t)(1u << rng_below(8));
				break;
			case 1:
				buf[at] = (uint8_t)rng_next();
				break;
			case 2: {
				/* A size-ish field: any 4-aligned word. */
				uint32_t v = interesting();

				at &= ~(size_t)3;
				if (at + 4 <= len) {
					memcpy(buf + at, &v, 4);
				}
				break;
			}
			case 3: {
				/* total_size near the real one. */
				uint32_t v =
					(uint32_t)len - (uint32_t)rng_below(40);

				memcpy(buf, &v, 4);
				break;
			}
			default:
				/* Cut the buffer short. */
				len = 16 + rng_below(len - 15);
				break;
			}
		}
		err = parse_bytes(buf, len, len);
		UNIT_ASSERT(err == 0 || err == -EINVAL);
		UNIT_ASSERT(info_sane());
		results[err == 0]++;
	}
	/* The sweep exercised both outcomes in earnest. */
	UNIT_ASSERT(results[0] > 5000);
	UNIT_ASSERT(results[1] > 5000);
}
