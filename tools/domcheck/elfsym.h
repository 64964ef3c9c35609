/* SPDX-License-Identifier: MIT */
/*
 * Host-only reading of a domain image's section table and symbol table
 * (System V gABI 4.1, "Sections" and "Symbol Table"): enough to check that
 * an image kept its .symtab and lost its debug sections, and to name the
 * function at an address as the kernel's domain backtraces do. Used by
 * tools/domcheck and tests/unit/test_rt_images.c; every read is range
 * checked, so malformed input gives an error, never a crash.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elfsym_table {
	const uint8_t *img;
	size_t size;
	uint64_t symoff;  /* file offset of .symtab */
	uint64_t nsyms;	  /* entries in it, including the null symbol */
	uint64_t stroff;  /* file offset of its string table */
	uint64_t strsize; /* bytes in that string table */
	bool has_debug;	  /* some section is named .debug_* */
};

/*
 * Finds the symbol table of the ELF64 image of @size bytes at @img.
 * Returns 0; -ENOEXEC if the section headers are malformed or out of
 * range; -ENOENT if there is no (non-empty) SHT_SYMTAB. @t->has_debug is
 * valid whenever the section headers could be read (0 or -ENOENT).
 */
int elfsym_open(const void *img, size_t size, struct elfsym_table *t);

/*
 * The name of the function symbol whose [value, value + size) holds
 * @addr (an image offset), storing @addr - value in @off; NULL if none.
 */
const char *elfsym_lookup(const struct elfsym_table *t, uint64_t addr,
			  uint64_t *off);

/* Value of the symbol named @name in @val. Returns 0 or -ENOENT. */
int elfsym_find(const struct elfsym_table *t, const char *name, uint64_t *val);
