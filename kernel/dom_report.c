// SPDX-License-Identifier: MIT
/*
 * Domain crash reports: what failed and where, the registers, and a
 * backtrace through the domain's frame pointers, symbolized as
 * "domain!function+0xoff/0xsize" from the image's own .symtab. The image
 * is untrusted input even though it is signed: every section header,
 * symbol and string is bounds-checked against the signed bytes, and stack
 * reads go through copy_from_user().
 */
#include "abi/errno.h"
#include "arch/x86_64/idt.h"
#include "base/fmt.h"
#include "base/string.h"
#include "console.h"
#include "dom.h"
#include "percpu.h"

#define SHT_SYMTAB 2
#define STT_FUNC 2
#define DOM_BACKTRACE_MAX 16

struct elf64_ehdr_sh {
	uint8_t ident[16];
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint64_t entry;
	uint64_t phoff;
	uint64_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};
BUILD_ASSERT(sizeof(struct elf64_ehdr_sh) == 64);

struct elf64_shdr {
	uint32_t name;
	uint32_t type;
	uint64_t flags;
	uint64_t addr;
	uint64_t offset;
	uint64_t size;
	uint32_t link;
	uint32_t info;
	uint64_t addralign;
	uint64_t entsize;
};
BUILD_ASSERT(sizeof(struct elf64_shdr) == 64);

struct elf64_sym {
	uint32_t name;
	uint8_t info;
	uint8_t other;
	uint16_t shndx;
	uint64_t value;
	uint64_t size;
};
BUILD_ASSERT(sizeof(struct elf64_sym) == 24);

static bool within(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

/* Find the symbol table and its strings; false if absent or malformed. */
static bool find_symtab(const uint8_t *img, size_t size,
			struct elf64_shdr *symtab, struct elf64_shdr *strtab)
{
	struct elf64_ehdr_sh eh;

	if (size < sizeof(eh)) {
		return false;
	}
	memcpy(&eh, img, sizeof(eh));
	if (eh.shentsize != sizeof(struct elf64_shdr) || eh.shnum == 0 ||
	    !within(eh.shoff, (uint64_t)eh.shnum * sizeof(struct elf64_shdr),
		    size)) {
		return false;
	}
	for (uint16_t i = 0; i < eh.shnum; i++) {
		memcpy(symtab, img + eh.shoff + (uint64_t)i * sizeof(*symtab),
		       sizeof(*symtab));
		if (symtab->type != SHT_SYMTAB) {
			continue;
		}
		if (symtab->link >= eh.shnum ||
		    symtab->entsize != sizeof(struct elf64_sym) ||
		    !within(symtab->offset, symtab->size, size)) {
			return false;
		}
		memcpy(strtab,
		       img + eh.shoff +
			       (uint64_t)symtab->link * sizeof(*strtab),
		       sizeof(*strtab));
		return within(strtab->offset, strtab->size, size);
	}
	return false;
}

void dom_symbolize(const struct dom *d, uint64_t addr, char *buf, size_t n)
{
	struct elf64_shdr symtab;
	struct elf64_shdr strtab;
	uint64_t rel = addr - d->base;
	const char *best = NULL;
	uint64_t best_val = 0;
	uint64_t best_size = 0;

	if (addr >= d->base && rel < DOM_IMAGE_MAX &&
	    find_symtab(d->image, d->image_size, &symtab, &strtab)) {
		uint64_t count = symtab.size / sizeof(struct elf64_sym);

		for (uint64_t i = 0; i < count; i++) {
			struct elf64_sym s;
			const char *nm;

			memcpy(&s, d->image + symtab.offset + i * sizeof(s),
			       sizeof(s));
			if ((s.info & 0xf) != STT_FUNC ||
			    s.name >= strtab.size || rel < s.value ||
			    rel - s.value >= MAX(s.size, 1)) {
				continue;
			}
			nm = (const char *)d->image + strtab.offset + s.name;
			/* The name must end inside the string table. */
			if (strnlen(nm, strtab.size - s.name) ==
			    strtab.size - s.name) {
				continue;
			}
			best = nm;
			best_val = s.value;
			best_size = s.size;
			break;
		}
	}
	if (best) {
		fmt_snprintf(buf, n, "%s!%s+0x%lx/0x%lx", d->mf->name, best,
			     rel - best_val, best_size);
	} else if (addr >= d->base && rel < DOM_REGION_SIZE) {
		fmt_snprintf(buf, n, "%s!0x%lx", d->mf->name, rel);
	} else {
		fmt_snprintf(buf, n, "%#lx", addr);
	}
}

static void print_user_backtrace(struct dom *d, uint64_t rip, uint64_t rbp)
{
	char buf[128];

	kprintf("  backtrace:\n");
	dom_symbolize(d, rip, buf, sizeof(buf));
	kprintf("    [<%016lx>] %s\n", rip, buf);
	for (int i = 0; i < DOM_BACKTRACE_MAX && rbp; i++) {
		uint64_t frame[2];

		if ((rbp & 7) || dom_copy_in(d, frame, rbp, sizeof(frame))) {
			break;
		}
		if (frame[1] == 0) {
			break;
		}
		dom_symbolize(d, frame[1] - 1, buf, sizeof(buf));
		kprintf("    [<%016lx>] %s\n", frame[1], buf);
		if (frame[0] <= rbp) {
			break;
		}
		rbp = frame[0];
	}
}

void dom_report_crash(struct dom *d, const struct trap_frame *tf,
		      const char *what)
{
	kprintf("\n*** DOMAIN FAILED: %s (id %lu, module %s) on cpu %u: %s\n",
		d->mf->name, d->id, d->module, this_cpu()->id, what);
	if (tf) {
		char buf[128];

		dom_symbolize(d, tf->rip, buf, sizeof(buf));
		kprintf("  at %s\n", buf);
		trap_print_frame(tf);
		print_user_backtrace(d, tf->rip, tf->rbp);
	}
	kprintf("  the kernel and other domains carry on; %s is being torn "
		"down\n",
		d->mf->name);
}
