// SPDX-License-Identifier: MIT
/*
 * Section and symbol table reading for host tools (elfsym.h). Uses the
 * host's <elf.h> for the record layouts; copies every record out of the
 * image with memcpy after a range check, so alignment does not matter.
 */
#include "elfsym.h"

#include <elf.h>
#include <string.h>

#include "abi/errno.h"

static bool range_ok(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

/* NUL-terminated string at @off of the string table, or NULL. */
static const char *str_at(const uint8_t *img, uint64_t tab, uint64_t tabsz,
			  uint64_t off)
{
	const char *s;

	if (off >= tabsz) {
		return NULL;
	}
	s = (const char *)img + tab + off;
	if (!memchr(s, '\0', tabsz - off)) {
		return NULL;
	}
	return s;
}

int elfsym_open(const void *img, size_t size, struct elfsym_table *t)
{
	const uint8_t *p = img;
	Elf64_Ehdr eh;
	Elf64_Shdr names;
	bool found = false;

	memset(t, 0, sizeof(*t));
	t->img = p;
	t->size = size;
	if (size < sizeof(eh)) {
		return -ENOEXEC;
	}
	memcpy(&eh, p, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 ||
	    eh.e_shstrndx >= eh.e_shnum ||
	    !range_ok(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr),
		      size)) {
		return -ENOEXEC;
	}
	memcpy(&names, p + eh.e_shoff + eh.e_shstrndx * sizeof(Elf64_Shdr),
	       sizeof(names));
	if (!range_ok(names.sh_offset, names.sh_size, size)) {
		return -ENOEXEC;
	}
	for (unsigned int i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		Elf64_Shdr str;
		const char *name;

		memcpy(&sh, p + eh.e_shoff + i * sizeof(Elf64_Shdr),
		       sizeof(sh));
		name = str_at(p, names.sh_offset, names.sh_size, sh.sh_name);
		if (name && strncmp(name, ".debug", 6) == 0) {
			t->has_debug = true;
		}
		if (sh.sh_type != SHT_SYMTAB || found) {
			continue;
		}
		if (sh.sh_entsize != sizeof(Elf64_Sym) ||
		    !range_ok(sh.sh_offset, sh.sh_size, size) ||
		    sh.sh_link >= eh.e_shnum) {
			return -ENOEXEC;
		}
		memcpy(&str, p + eh.e_shoff + sh.sh_link * sizeof(Elf64_Shdr),
		       sizeof(str));
		if (str.sh_type != SHT_STRTAB ||
		    !range_ok(str.sh_offset, str.sh_size, size)) {
			return -ENOEXEC;
		}
		t->symoff = sh.sh_offset;
		t->nsyms = sh.sh_size / sizeof(Elf64_Sym);
		t->stroff = str.sh_offset;
		t->strsize = str.sh_size;
		found = t->nsyms > 1;
	}
	return found ? 0 : -ENOENT;
}

/* Symbol @i, copied out. */
static Elf64_Sym sym_at(const struct elfsym_table *t, uint64_t i)
{
	Elf64_Sym s;

	memcpy(&s, t->img + t->symoff + i * sizeof(s), sizeof(s));
	return s;
}

const char *elfsym_lookup(const struct elfsym_table *t, uint64_t addr,
			  uint64_t *off)
{
	for (uint64_t i = 1; i < t->nsyms; i++) {
		Elf64_Sym s = sym_at(t, i);

		if (ELF64_ST_TYPE(s.st_info) != STT_FUNC ||
		    s.st_shndx == SHN_UNDEF || addr < s.st_value ||
		    addr - s.st_value >= s.st_size) {
			continue;
		}
		*off = addr - s.st_value;
		return str_at(t->img, t->stroff, t->strsize, s.st_name);
	}
	return NULL;
}

int elfsym_find(const struct elfsym_table *t, const char *name, uint64_t *val)
{
	for (uint64_t i = 1; i < t->nsyms; i++) {
		Elf64_Sym s = sym_at(t, i);
		const char *n =
			str_at(t->img, t->stroff, t->strsize, s.st_name);

		if (n && s.st_shndx != SHN_UNDEF && strcmp(n, name) == 0) {
			*val = s.st_value;
			return 0;
		}
	}
	return -ENOENT;
}
