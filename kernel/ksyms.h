/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own symbol table, for symbolized backtraces. The build links
 * the kernel twice: the second link embeds a table of every text symbol of
 * the first (tools/mksyms.py), in the last section of the image so that no
 * other address moves.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Layout of the .ksyms section, written by tools/mksyms.py. */
struct ksyms_header {
	uint64_t magic; /* KSYMS_MAGIC */
	uint64_t count;
	uint64_t addrs_off; /* uint64_t[count], sorted, from header */
	uint64_t sizes_off; /* uint32_t[count] */
	uint64_t names_off; /* uint32_t[count] offsets into strings */
	uint64_t strings_off;
};

#define KSYMS_MAGIC 0x31534d59534b4443ull /* "CDKSYMS1" */

/*
 * Find the symbol containing @addr. Returns its name and sets *off to the
 * offset inside it (and *size to its size), or returns NULL.
 */
const char *ksyms_lookup(uint64_t addr, uint64_t *off, uint64_t *size);
/* Address of the symbol called @name, 0 if there is none. */
uint64_t ksyms_address(const char *name);
size_t ksyms_count(void);
