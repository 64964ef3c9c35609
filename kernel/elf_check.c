// SPDX-License-Identifier: MIT
/*
 * Domain image validation: checks every byte of an ELF64 domain image that
 * the loader will act on, and produces a load plan (kernel/elf_check.h).
 * Specs: System V gABI 4.1 ("ELF Header", "Program Header", "Note Section",
 * "Dynamic Section"), x86-64 psABI 1.0 ("Relocation Types"). Nothing in the
 * image is trusted: every read is preceded by a range check of its whole
 * extent done with overflow-free arithmetic, multi-byte fields are copied
 * out (the image may be unaligned), and every loop is bounded by a header
 * count or the image size. Section headers are ignored.
 *
 * Relocation policy: every R_X86_64_RELATIVE target must lie in a writable
 * PT_LOAD, and PT_GNU_RELRO must lie inside one writable PT_LOAD, so the
 * loader maps writable segments writable, relocates, then write-protects
 * the RELRO pages. Nothing read-only is ever written by the loader.
 */
#include "elf_check.h"

#include <stdarg.h>
#include <stdbool.h>

#include "abi/errno.h"
#include "abi/layout.h"
#include "base/fmt.h"

#define PAGE LAYOUT_PAGE_SIZE

/* gABI: e_ident. */
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define EI_OSABI 7
#define EI_ABIVERSION 8
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ELFOSABI_SYSV 0
#define ET_DYN 3
#define EM_X86_64 62

/* gABI: program header types and flags. */
#define PT_NULL 0
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_NOTE 4
#define PT_SHLIB 5
#define PT_PHDR 6
#define PT_TLS 7
#define PT_GNU_EH_FRAME 0x6474e550u
#define PT_GNU_STACK 0x6474e551u
#define PT_GNU_RELRO 0x6474e552u
#define PT_GNU_PROPERTY 0x6474e553u
#define PF_X (1u << 0)
#define PF_W (1u << 1)
#define PF_R (1u << 2)

/* gABI: dynamic tags. */
#define DT_NULL 0
#define DT_NEEDED 1
#define DT_PLTRELSZ 2
#define DT_PLTGOT 3
#define DT_HASH 4
#define DT_STRTAB 5
#define DT_SYMTAB 6
#define DT_RELA 7
#define DT_RELASZ 8
#define DT_RELAENT 9
#define DT_STRSZ 10
#define DT_SYMENT 11
#define DT_INIT 12
#define DT_FINI 13
#define DT_SONAME 14
#define DT_RPATH 15
#define DT_SYMBOLIC 16
#define DT_REL 17
#define DT_RELSZ 18
#define DT_RELENT 19
#define DT_PLTREL 20
#define DT_DEBUG 21
#define DT_TEXTREL 22
#define DT_JMPREL 23
#define DT_BIND_NOW 24
#define DT_INIT_ARRAY 25
#define DT_FINI_ARRAY 26
#define DT_INIT_ARRAYSZ 27
#define DT_FINI_ARRAYSZ 28
#define DT_RUNPATH 29
#define DT_FLAGS 30
#define DT_PREINIT_ARRAY 32
#define DT_PREINIT_ARRAYSZ 33
#define DT_RELRSZ 35
#define DT_RELR 36
#define DT_RELRENT 37
#define DT_GNU_HASH 0x6ffffef5
#define DT_VERSYM 0x6ffffff0
#define DT_RELACOUNT 0x6ffffff9
#define DT_RELCOUNT 0x6ffffffa
#define DT_FLAGS_1 0x6ffffffb
#define DT_VERDEF 0x6ffffffc
#define DT_VERDEFNUM 0x6ffffffd
#define DF_TEXTREL 0x4

/* x86-64 psABI. */
#define R_X86_64_RELATIVE 8

#define PN_XNUM 0xffff
#define ELF_MAX_NOTES 4u /* PT_NOTE headers scanned, bounds the work */

struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};
BUILD_ASSERT(sizeof(struct elf64_ehdr) == 64);

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};
BUILD_ASSERT(sizeof(struct elf64_phdr) == 56);

struct elf64_dyn {
	int64_t d_tag;
	uint64_t d_val;
};
BUILD_ASSERT(sizeof(struct elf64_dyn) == 16);

struct elf64_rela {
	uint64_t r_offset;
	uint64_t r_info;
	int64_t r_addend;
};
BUILD_ASSERT(sizeof(struct elf64_rela) == ELF_RELA_SIZE);

struct elf64_nhdr {
	uint32_t n_namesz;
	uint32_t n_descsz;
	uint32_t n_type;
};
BUILD_ASSERT(sizeof(struct elf64_nhdr) == 12);

/* State of one elf_check() call. */
struct ctx {
	const uint8_t *img;
	uint64_t size;
	const struct elf_limits *lim;
	struct elf_plan *plan;
	const char *why;
	struct elf64_ehdr eh;
	bool have_dynamic;
	struct elf64_phdr dynamic;
	bool have_relro;
	struct elf64_phdr relro;
};

/* --- Reasons ------------------------------------------------------------- */

/* Record a rejection reason (truncated to fit why_buf) and return @err. */
static int __printf(3, 4) fail(struct ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(c->plan->why_buf, sizeof(c->plan->why_buf), fmt, ap);
	va_end(ap);
	c->why = c->plan->why_buf;
	return err;
}

/* --- Safe access ---------------------------------------------------------- */

/* True if [off, off + len) lies inside [0, limit). */
static bool range_ok(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

/* Copy @len image bytes at @off to @dst, or return false if out of range. */
static bool read_at(const struct ctx *c, uint64_t off, void *dst, uint64_t len)
{
	if (!range_ok(off, len, c->size)) {
		return false;
	}
	__builtin_memcpy(dst, c->img + off, len);
	return true;
}

static bool is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* --- ELF header ----------------------------------------------------------- */

static int check_ehdr(struct ctx *c)
{
	const struct elf64_ehdr *eh = &c->eh;
	uint64_t phsize;

	if (!read_at(c, 0, &c->eh, sizeof(c->eh))) {
		return fail(c, -ENOEXEC, "image is smaller than an ELF header");
	}
	if (eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' ||
	    eh->e_ident[2] != 'L' || eh->e_ident[3] != 'F') {
		return fail(c, -ENOEXEC, "bad ELF magic");
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
		return fail(c, -ENOEXEC, "ELF class is %u, not ELFCLASS64",
			    eh->e_ident[EI_CLASS]);
	}
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB) {
		return fail(c, -ENOEXEC,
			    "ELF data encoding is %u, not ELFDATA2LSB",
			    eh->e_ident[EI_DATA]);
	}
	if (eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT) {
		return fail(c, -ENOEXEC, "ELF version is not EV_CURRENT");
	}
	if (eh->e_ident[EI_OSABI] != ELFOSABI_SYSV ||
	    eh->e_ident[EI_ABIVERSION] != 0) {
		return fail(c, -ENOEXEC, "OS ABI is %u, not ELFOSABI_SYSV",
			    eh->e_ident[EI_OSABI]);
	}
	if (eh->e_type != ET_DYN) {
		return fail(c, -ENOEXEC,
			    "e_type is %u, not ET_DYN (link with -pie)",
			    eh->e_type);
	}
	if (eh->e_machine != EM_X86_64) {
		return fail(c, -ENOEXEC, "e_machine is %u, not EM_X86_64",
			    eh->e_machine);
	}
	if (eh->e_flags != 0) {
		return fail(c, -ENOEXEC, "e_flags is 0x%x, not 0", eh->e_flags);
	}
	if (eh->e_ehsize != sizeof(struct elf64_ehdr)) {
		return fail(c, -ENOEXEC, "e_ehsize is %u, not 64",
			    eh->e_ehsize);
	}
	if (eh->e_phentsize != sizeof(struct elf64_phdr)) {
		return fail(c, -ENOEXEC, "e_phentsize is %u, not 56",
			    eh->e_phentsize);
	}
	if (eh->e_phnum == 0) {
		return fail(c, -ENOEXEC, "no program headers");
	}
	if (eh->e_phnum == PN_XNUM) {
		return fail(
			c, -ENOEXEC,
			"extended program header numbering is not supported");
	}
	if (eh->e_phnum > c->lim->max_phnum) {
		return fail(c, -E2BIG, "%u program headers, limit is %u",
			    eh->e_phnum, c->lim->max_phnum);
	}
	if (eh->e_phoff < sizeof(struct elf64_ehdr) ||
	    !IS_ALIGNED(eh->e_phoff, 8)) {
		return fail(
			c, -ENOEXEC,
			"e_phoff 0x%lx is inside the ELF header or misaligned",
			eh->e_phoff);
	}
	phsize = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	if (!range_ok(eh->e_phoff, phsize, c->size)) {
		return fail(c, -ENOEXEC,
			    "program headers at 0x%lx extend past the image",
			    eh->e_phoff);
	}
	return 0;
}

/* --- Program headers ------------------------------------------------------ */

static void read_phdr(const struct ctx *c, unsigned int i,
		      struct elf64_phdr *ph)
{
	uint64_t off = c->eh.e_phoff + (uint64_t)i * sizeof(*ph);

	/* check_ehdr() proved the whole table is inside the image. */
	__builtin_memcpy(ph, c->img + off, sizeof(*ph));
}

static uint64_t seg_page_start(const struct elf_segment *s)
{
	return ALIGN_DOWN(s->vaddr, PAGE);
}

/* Segments end below DOM_IMAGE_MAX, so this cannot overflow. */
static uint64_t seg_page_end(const struct elf_segment *s)
{
	return ALIGN_UP(s->vaddr + s->memsz, PAGE);
}

static int check_load(struct ctx *c, unsigned int i,
		      const struct elf64_phdr *ph)
{
	struct elf_plan *plan = c->plan;
	struct elf_segment *s;
	uint32_t f = ph->p_flags;

	if (f & ~(PF_R | PF_W | PF_X)) {
		return fail(c, -ENOEXEC, "segment %u has unknown flags 0x%x", i,
			    f);
	}
	if ((f & (PF_R | PF_W | PF_X)) == 0) {
		return fail(c, -ENOEXEC, "segment %u has no access flags", i);
	}
	if ((f & PF_W) && (f & PF_X)) {
		return fail(c, -EPERM,
			    "segment %u is writable and executable (W^X)", i);
	}
	if (plan->nsegs == ELF_MAX_SEGMENTS) {
		return fail(c, -E2BIG, "more than %u PT_LOAD segments",
			    ELF_MAX_SEGMENTS);
	}
	if (ph->p_memsz == 0) {
		return fail(c, -ENOEXEC, "segment %u is empty", i);
	}
	if (ph->p_filesz > ph->p_memsz) {
		return fail(c, -ENOEXEC, "segment %u has p_filesz > p_memsz",
			    i);
	}
	if (!is_pow2(ph->p_align) || ph->p_align < PAGE ||
	    ph->p_align > DOM_REGION_SIZE) {
		return fail(c, -ENOEXEC, "segment %u has bad p_align 0x%lx", i,
			    ph->p_align);
	}
	if ((ph->p_vaddr & (ph->p_align - 1)) !=
	    (ph->p_offset & (ph->p_align - 1))) {
		return fail(
			c, -ENOEXEC,
			"segment %u p_vaddr and p_offset differ modulo p_align",
			i);
	}
	if (!range_ok(ph->p_offset, ph->p_filesz, c->size)) {
		return fail(c, -ENOEXEC,
			    "segment %u file range extends past the image", i);
	}
	if (!range_ok(ph->p_vaddr, ph->p_memsz, DOM_IMAGE_MAX)) {
		return fail(c, -ENOEXEC,
			    "segment %u lies outside the image area [0, 0x%lx)",
			    i, (unsigned long)DOM_IMAGE_MAX);
	}

	s = &plan->segs[plan->nsegs];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->prot = ((f & PF_R) ? ELF_PROT_R : 0) |
		  ((f & PF_W) ? ELF_PROT_W : 0) | ((f & PF_X) ? ELF_PROT_X : 0);
	if (plan->nsegs > 0 && seg_page_start(s) < seg_page_end(s - 1)) {
		return fail(c, -ENOEXEC,
			    "segment %u overlaps or precedes the previous "
			    "segment at page granularity",
			    i);
	}
	plan->nsegs++;
	return 0;
}

/* First pass: classify and check every program header on its own. */
static int check_phdrs(struct ctx *c)
{
	struct elf64_phdr ph;
	unsigned int nnotes = 0;
	int err;

	for (unsigned int i = 0; i < c->eh.e_phnum; i++) {
		read_phdr(c, i, &ph);
		switch (ph.p_type) {
		case PT_NULL:
		case PT_PHDR:
		case PT_GNU_EH_FRAME:
		case PT_GNU_PROPERTY:
			break;
		case PT_LOAD:
			err = check_load(c, i, &ph);
			if (err) {
				return err;
			}
			break;
		case PT_DYNAMIC:
			if (c->have_dynamic) {
				return fail(c, -ENOEXEC,
					    "more than one PT_DYNAMIC");
			}
			c->have_dynamic = true;
			c->dynamic = ph;
			break;
		case PT_INTERP:
			return fail(c, -ENOEXEC,
				    "PT_INTERP present: domains have no "
				    "dynamic linker");
		case PT_NOTE:
			if (++nnotes > ELF_MAX_NOTES) {
				return fail(c, -ENOEXEC,
					    "more than %u PT_NOTE headers",
					    ELF_MAX_NOTES);
			}
			break;
		case PT_TLS:
			return fail(c, -ENOEXEC,
				    "PT_TLS present: thread-local storage is "
				    "not supported");
		case PT_GNU_STACK:
			if (ph.p_flags & PF_X) {
				return fail(c, -EPERM,
					    "PT_GNU_STACK asks for an "
					    "executable stack (W^X)");
			}
			break;
		case PT_GNU_RELRO:
			if (c->have_relro) {
				return fail(c, -ENOEXEC,
					    "more than one PT_GNU_RELRO");
			}
			c->have_relro = true;
			c->relro = ph;
			break;
		default:
			return fail(
				c, -ENOEXEC,
				"program header %u has unsupported type 0x%x",
				i, ph.p_type);
		}
	}
	return 0;
}

/* The segment whose memory holds [vaddr, vaddr + len), or NULL. */
static const struct elf_segment *seg_holding(const struct elf_plan *plan,
					     uint64_t vaddr, uint64_t len,
					     bool file_backed)
{
	for (uint32_t i = 0; i < plan->nsegs; i++) {
		const struct elf_segment *s = &plan->segs[i];
		uint64_t sz = file_backed ? s->filesz : s->memsz;

		if (vaddr >= s->vaddr && range_ok(vaddr - s->vaddr, len, sz)) {
			return s;
		}
	}
	return NULL;
}

/* Second pass: relations between segments, entry point and RELRO. */
static int check_layout(struct ctx *c)
{
	struct elf_plan *plan = c->plan;
	const struct elf_segment *s;
	bool have_exec = false;
	uint64_t pages = 0;

	if (plan->nsegs == 0) {
		return fail(c, -ENOEXEC, "no PT_LOAD segment");
	}
	for (uint32_t i = 0; i < plan->nsegs; i++) {
		s = &plan->segs[i];
		pages += (seg_page_end(s) - seg_page_start(s)) / PAGE;
		if (s->prot & ELF_PROT_X) {
			have_exec = true;
		}
	}
	if (!have_exec) {
		return fail(c, -ENOEXEC, "no executable segment");
	}
	if (pages > c->lim->max_image_pages) {
		return fail(c, -E2BIG, "image needs %lu pages, limit is %lu",
			    pages, c->lim->max_image_pages);
	}
	plan->image_pages = pages;
	plan->image_end = seg_page_end(&plan->segs[plan->nsegs - 1]);

	s = seg_holding(plan, c->eh.e_entry, 1, true);
	if (!s || !(s->prot & ELF_PROT_X)) {
		return fail(
			c, -ENOEXEC,
			"entry point 0x%lx is not inside an executable segment",
			c->eh.e_entry);
	}
	plan->entry = c->eh.e_entry;

	if (c->have_relro && c->relro.p_memsz != 0) {
		uint64_t start = c->relro.p_vaddr;
		uint64_t end;

		s = seg_holding(plan, start, c->relro.p_memsz, false);
		if (!s || !(s->prot & ELF_PROT_W)) {
			return fail(c, -ENOEXEC,
				    "PT_GNU_RELRO is not inside one writable "
				    "segment");
		}
		end = start + c->relro.p_memsz;
		/*
		 * Protect whole pages only. A page partly outside the RELRO
		 * range stays writable, unless the part outside lies beyond
		 * the segment: segments never share pages, so such a page
		 * holds nothing else.
		 */
		start = start == s->vaddr ? ALIGN_DOWN(start, PAGE)
					  : ALIGN_UP(start, PAGE);
		end = end == s->vaddr + s->memsz ? ALIGN_UP(end, PAGE)
						 : ALIGN_DOWN(end, PAGE);
		if (start < end) {
			plan->relro_start = start;
			plan->relro_end = end;
		}
	}
	return 0;
}

/* --- Notes and the manifest ----------------------------------------------- */

/*
 * Walk the notes of one PT_NOTE segment. A note is a 12-byte header, the
 * name padded to @align and the descriptor padded to @align (4 unless the
 * segment is 8-aligned, as GNU property notes are). Records the manifest
 * note's descriptor in *@desc_off / *@desc_len; *@found counts them.
 */
static int scan_notes(struct ctx *c, unsigned int i,
		      const struct elf64_phdr *ph, unsigned int *found,
		      uint64_t *desc_off, uint64_t *desc_len)
{
	static const char owner[MANIFEST_NOTE_NAMESZ] = MANIFEST_NOTE_NAME;
	uint64_t align;
	uint64_t off;
	uint64_t end;

	if (!range_ok(ph->p_offset, ph->p_filesz, c->size)) {
		return fail(c, -ENOEXEC,
			    "PT_NOTE %u file range extends past the image", i);
	}
	if (ph->p_align <= 4) {
		align = 4;
	} else if (ph->p_align == 8) {
		align = 8;
	} else {
		return fail(c, -ENOEXEC, "PT_NOTE %u has bad p_align 0x%lx", i,
			    ph->p_align);
	}

	off = ph->p_offset;
	end = ph->p_offset + ph->p_filesz;
	/* Each step consumes at least 12 bytes, so this terminates. */
	while (end - off >= sizeof(struct elf64_nhdr)) {
		struct elf64_nhdr nh;
		uint64_t name_off;
		uint64_t desc;
		uint64_t next;
		char name[MANIFEST_NOTE_NAMESZ];

		__builtin_memcpy(&nh, c->img + off, sizeof(nh));
		name_off = off + sizeof(nh);
		desc = name_off + ALIGN_UP((uint64_t)nh.n_namesz, align);
		if (desc > end || nh.n_descsz > end - desc) {
			return fail(c, -ENOEXEC,
				    "PT_NOTE %u has a note extending past the "
				    "segment",
				    i);
		}
		next = desc + ALIGN_UP((uint64_t)nh.n_descsz, align);

		if (nh.n_namesz == MANIFEST_NOTE_NAMESZ) {
			__builtin_memcpy(name, c->img + name_off, sizeof(name));
			if (__builtin_memcmp(name, owner, sizeof(name)) == 0) {
				if (nh.n_type != MANIFEST_NOTE_TYPE) {
					return fail(
						c, -ENOEXEC,
						"unknown Cordon note type 0x%x",
						nh.n_type);
				}
				if (++*found > 1) {
					return fail(
						c, -ENOEXEC,
						"more than one manifest note");
				}
				*desc_off = desc;
				*desc_len = nh.n_descsz;
			}
		}
		if (next >= end) {
			break;
		}
		off = next;
	}
	return 0;
}

static int check_manifest(struct ctx *c)
{
	struct elf64_phdr ph;
	unsigned int found = 0;
	uint64_t desc_off = 0;
	uint64_t desc_len = 0;
	const char *mwhy = NULL;
	int err;

	for (unsigned int i = 0; i < c->eh.e_phnum; i++) {
		read_phdr(c, i, &ph);
		if (ph.p_type != PT_NOTE) {
			continue;
		}
		err = scan_notes(c, i, &ph, &found, &desc_off, &desc_len);
		if (err) {
			return err;
		}
	}
	if (found == 0) {
		return fail(c, -ENOEXEC, "no Cordon manifest note");
	}
	/* scan_notes() proved the descriptor is inside the image. */
	err = manifest_parse(c->img + desc_off, desc_len, &c->plan->manifest,
			     &mwhy);
	if (err) {
		return fail(c, err, "manifest: %s", mwhy);
	}
	return 0;
}

/* --- Dynamic section and relocations -------------------------------------- */

struct dyn_info {
	bool have_rela;
	bool have_relasz;
	bool have_relaent;
	bool have_relacount;
	uint64_t rela;
	uint64_t relasz;
	uint64_t relaent;
	uint64_t relacount;
};

/* Store a once-only tag's value; a repeated tag is ambiguous. */
static int dyn_once(struct ctx *c, bool *have, uint64_t *dst,
		    const struct elf64_dyn *d)
{
	if (*have) {
		return fail(c, -ENOEXEC, "dynamic tag 0x%lx appears twice",
			    (unsigned long)d->d_tag);
	}
	*have = true;
	*dst = d->d_val;
	return 0;
}

static int dyn_entry(struct ctx *c, const struct elf64_dyn *d,
		     struct dyn_info *di)
{
	switch (d->d_tag) {
	/* Tags that mean nothing without a dynamic linker. */
	case DT_PLTGOT:
	case DT_HASH:
	case DT_STRTAB:
	case DT_SYMTAB:
	case DT_STRSZ:
	case DT_SYMENT:
	case DT_SONAME:
	case DT_RPATH:
	case DT_RUNPATH:
	case DT_SYMBOLIC:
	case DT_DEBUG:
	case DT_BIND_NOW:
	case DT_PLTREL:
	case DT_RELENT:
	case DT_GNU_HASH:
	case DT_VERSYM:
	case DT_VERDEF:
	case DT_VERDEFNUM:
	case DT_FLAGS_1:
	/* The kernel runs no initialisers; the domain runtime does. */
	case DT_INIT:
	case DT_FINI:
	case DT_INIT_ARRAY:
	case DT_FINI_ARRAY:
	case DT_INIT_ARRAYSZ:
	case DT_FINI_ARRAYSZ:
	case DT_PREINIT_ARRAY:
	case DT_PREINIT_ARRAYSZ:
		return 0;
	case DT_RELA:
		return dyn_once(c, &di->have_rela, &di->rela, d);
	case DT_RELASZ:
		return dyn_once(c, &di->have_relasz, &di->relasz, d);
	case DT_RELAENT:
		return dyn_once(c, &di->have_relaent, &di->relaent, d);
	case DT_RELACOUNT:
		return dyn_once(c, &di->have_relacount, &di->relacount, d);
	case DT_NEEDED:
		return fail(c, -ENOEXEC,
			    "DT_NEEDED present: domains cannot use shared "
			    "libraries");
	case DT_PLTRELSZ:
		if (d->d_val != 0) {
			return fail(c, -ENOEXEC,
				    "DT_PLTRELSZ is not zero: PLT relocations "
				    "are not supported");
		}
		return 0;
	case DT_JMPREL:
		return fail(
			c, -ENOEXEC,
			"DT_JMPREL present: PLT relocations are not supported");
	case DT_REL:
	case DT_RELCOUNT:
		return fail(
			c, -ENOEXEC,
			"DT_REL present: only RELA relocations are supported");
	case DT_RELSZ:
		if (d->d_val != 0) {
			return fail(c, -ENOEXEC,
				    "DT_RELSZ is not zero: only RELA "
				    "relocations are supported");
		}
		return 0;
	case DT_RELR:
	case DT_RELRSZ:
	case DT_RELRENT:
		return fail(c, -ENOEXEC,
			    "DT_RELR present: packed relocations are not "
			    "supported");
	case DT_TEXTREL:
		return fail(c, -EPERM,
			    "DT_TEXTREL present: relocations in read-only "
			    "segments (W^X)");
	case DT_FLAGS:
		if (d->d_val & DF_TEXTREL) {
			return fail(c, -EPERM,
				    "DF_TEXTREL set: relocations in read-only "
				    "segments (W^X)");
		}
		return 0;
	default:
		return fail(c, -ENOEXEC, "dynamic tag 0x%lx is not supported",
			    (unsigned long)d->d_tag);
	}
}

static int check_rela(struct ctx *c, const struct dyn_info *di)
{
	struct elf_plan *plan = c->plan;
	const struct elf_segment *s;
	uint64_t count;

	if (!di->have_rela && !di->have_relasz) {
		return 0;
	}
	if (!di->have_rela || !di->have_relasz) {
		return fail(c, -ENOEXEC,
			    "DT_RELA and DT_RELASZ must appear together");
	}
	if (!di->have_relaent || di->relaent != ELF_RELA_SIZE) {
		return fail(c, -ENOEXEC, "DT_RELAENT is missing or not 24");
	}
	if (di->relasz % ELF_RELA_SIZE != 0) {
		return fail(c, -ENOEXEC,
			    "DT_RELASZ %lu is not a multiple of 24",
			    di->relasz);
	}
	count = di->relasz / ELF_RELA_SIZE;
	if (count > c->lim->max_relocs) {
		return fail(c, -E2BIG, "%lu relocations, limit is %lu", count,
			    c->lim->max_relocs);
	}
	if (di->have_relacount && di->relacount > count) {
		return fail(c, -ENOEXEC,
			    "DT_RELACOUNT exceeds the number of relocations");
	}
	if (!IS_ALIGNED(di->rela, 8)) {
		return fail(c, -ENOEXEC,
			    "relocation table at 0x%lx is misaligned",
			    di->rela);
	}
	s = seg_holding(plan, di->rela, di->relasz, true);
	if (!s) {
		return fail(c, -ENOEXEC,
			    "relocation table at 0x%lx is not inside a "
			    "segment's file data",
			    di->rela);
	}
	/* In the image, since s->offset + s->filesz is. */
	plan->rela_offset = s->offset + (di->rela - s->vaddr);
	plan->rela_count = count;

	for (uint64_t i = 0; i < count; i++) {
		struct elf64_rela r;
		uint32_t type;
		uint32_t sym;

		__builtin_memcpy(&r, c->img + plan->rela_offset + i * sizeof(r),
				 sizeof(r));
		type = (uint32_t)r.r_info;
		sym = (uint32_t)(r.r_info >> 32);
		if (type != R_X86_64_RELATIVE) {
			return fail(c, -ENOEXEC,
				    "relocation %lu has type %u, only "
				    "R_X86_64_RELATIVE is allowed",
				    i, type);
		}
		if (sym != 0) {
			return fail(c, -ENOEXEC,
				    "relocation %lu names symbol %u, must be 0",
				    i, sym);
		}
		if (!IS_ALIGNED(r.r_offset, 8)) {
			return fail(c, -ENOEXEC,
				    "relocation %lu target 0x%lx is not 8-byte "
				    "aligned",
				    i, r.r_offset);
		}
		s = seg_holding(plan, r.r_offset, 8, false);
		if (!s || !(s->prot & ELF_PROT_W)) {
			return fail(c, -ENOEXEC,
				    "relocation %lu target 0x%lx is not in a "
				    "writable segment",
				    i, r.r_offset);
		}
		/* One past the end is a valid C pointer, so allow image_end. */
		if (r.r_addend < 0 || (uint64_t)r.r_addend > plan->image_end) {
			return fail(c, -ENOEXEC,
				    "relocation %lu addend 0x%lx is outside "
				    "the image",
				    i, (uint64_t)r.r_addend);
		}
	}
	return 0;
}

static int check_dynamic(struct ctx *c)
{
	const struct elf64_phdr *ph = &c->dynamic;
	struct dyn_info di = {0};
	uint64_t n;
	int err;

	if (!c->have_dynamic) {
		return 0;
	}
	if (!range_ok(ph->p_offset, ph->p_filesz, c->size)) {
		return fail(c, -ENOEXEC,
			    "PT_DYNAMIC file range extends past the image");
	}
	n = ph->p_filesz / sizeof(struct elf64_dyn);
	for (uint64_t i = 0; i < n; i++) {
		struct elf64_dyn d;

		__builtin_memcpy(&d, c->img + ph->p_offset + i * sizeof(d),
				 sizeof(d));
		if (d.d_tag == DT_NULL) {
			break;
		}
		err = dyn_entry(c, &d, &di);
		if (err) {
			return err;
		}
	}
	return check_rela(c, &di);
}

/* --- Entry points --------------------------------------------------------- */

int elf_check(const void *img, size_t size, const struct elf_limits *lim,
	      struct elf_plan *plan, const char **why)
{
	struct ctx c = {
		.img = img,
		.size = size,
		.lim = lim,
		.plan = plan,
	};
	int err;

	__builtin_memset(plan, 0, sizeof(*plan));
	err = check_ehdr(&c);
	if (!err) {
		err = check_phdrs(&c);
	}
	if (!err) {
		err = check_layout(&c);
	}
	if (!err) {
		err = check_manifest(&c);
	}
	if (!err) {
		err = check_dynamic(&c);
	}
	*why = err ? c.why : NULL;
	return err;
}

void elf_plan_reloc(const void *img, const struct elf_plan *plan, uint64_t i,
		    uint64_t *vaddr, uint64_t *addend)
{
	struct elf64_rela r;

	__builtin_memcpy(
		&r, (const uint8_t *)img + plan->rela_offset + i * sizeof(r),
		sizeof(r));
	*vaddr = r.r_offset;
	*addend = (uint64_t)r.r_addend;
}
