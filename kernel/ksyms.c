// SPDX-License-Identifier: MIT
/* Symbol lookup over the .ksyms table (see ksyms.h): binary search. */
#include "ksyms.h"

#include "base/string.h"

extern const struct ksyms_header ksyms_table;

static const struct ksyms_header *table(void)
{
	if (ksyms_table.magic != KSYMS_MAGIC) {
		return NULL;
	}
	return &ksyms_table;
}

size_t ksyms_count(void)
{
	const struct ksyms_header *h = table();

	return h ? h->count : 0;
}

const char *ksyms_lookup(uint64_t addr, uint64_t *off, uint64_t *size)
{
	const struct ksyms_header *h = table();
	const uint64_t *addrs;
	const uint32_t *sizes;
	const uint32_t *names;
	const char *strings;
	size_t lo = 0;
	size_t hi;

	if (!h || h->count == 0) {
		return NULL;
	}
	addrs = (const void *)((const char *)h + h->addrs_off);
	sizes = (const void *)((const char *)h + h->sizes_off);
	names = (const void *)((const char *)h + h->names_off);
	strings = (const char *)h + h->strings_off;
	hi = h->count;
	/* Last symbol whose address is <= addr. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (addrs[mid] <= addr) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	if (addr < addrs[lo]) {
		return NULL;
	}
	/* Past the end of a sized symbol: not inside any function. */
	if (sizes[lo] && addr - addrs[lo] >= sizes[lo] &&
	    addr - addrs[lo] > 0x10000) {
		return NULL;
	}
	*off = addr - addrs[lo];
	if (size) {
		*size = sizes[lo];
	}
	return strings + names[lo];
}

uint64_t ksyms_address(const char *name)
{
	const struct ksyms_header *h = table();
	const uint64_t *addrs;
	const uint32_t *names;
	const char *strings;

	if (!h) {
		return 0;
	}
	addrs = (const void *)((const char *)h + h->addrs_off);
	names = (const void *)((const char *)h + h->names_off);
	strings = (const char *)h + h->strings_off;
	for (size_t i = 0; i < h->count; i++) {
		if (strcmp(strings + names[i], name) == 0) {
			return addrs[i];
		}
	}
	return 0;
}
