/* SPDX-License-Identifier: MIT */
/*
 * Independent re-check of an accepted load plan, shared by the unit test
 * (tests/unit/test_elf_check.c) and the fuzzer (tests/fuzz/fuzz_elf.c):
 * whatever input elf_check() accepted, the plan it produced must satisfy
 * every promise kernel/elf_check.h makes to the loader. Host-only.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "abi/layout.h"
#include "elf_check.h"

#define PLAN_PAGE LAYOUT_PAGE_SIZE

static inline const struct elf_segment *plan_seg_at(const struct elf_plan *p,
						    uint64_t va, uint64_t len)
{
	for (uint32_t i = 0; i < p->nsegs; i++) {
		const struct elf_segment *s = &p->segs[i];

		if (va >= s->vaddr && va - s->vaddr <= s->memsz &&
		    len <= s->memsz - (va - s->vaddr)) {
			return s;
		}
	}
	return NULL;
}

/* NULL if @p keeps every promise for the @size-byte image @img. */
static inline const char *plan_violation(const void *img, size_t size,
					 const struct elf_limits *lim,
					 const struct elf_plan *p)
{
	const struct manifest *m = &p->manifest;
	uint64_t pages = 0;
	uint64_t prev_end = 0;
	int nexec = 0;
	const struct elf_segment *s;

	if (p->nsegs < 1 || p->nsegs > ELF_MAX_SEGMENTS) {
		return "segment count";
	}
	for (uint32_t i = 0; i < p->nsegs; i++) {
		s = &p->segs[i];
		if (s->memsz == 0 || s->filesz > s->memsz) {
			return "segment sizes";
		}
		if (s->offset > size || s->filesz > size - s->offset) {
			return "segment file range";
		}
		if (s->vaddr >= DOM_IMAGE_MAX ||
		    s->memsz > DOM_IMAGE_MAX - s->vaddr) {
			return "segment vaddr range";
		}
		if (s->prot == 0 || (s->prot & ~7u) ||
		    ((s->prot & ELF_PROT_W) && (s->prot & ELF_PROT_X))) {
			return "segment prot";
		}
		if (i > 0 && ALIGN_DOWN(s->vaddr, PLAN_PAGE) < prev_end) {
			return "segments overlap";
		}
		prev_end = ALIGN_UP(s->vaddr + s->memsz, PLAN_PAGE);
		pages += (prev_end - ALIGN_DOWN(s->vaddr, PLAN_PAGE)) /
			 PLAN_PAGE;
		nexec += (s->prot & ELF_PROT_X) != 0;
	}
	if (nexec == 0) {
		return "no executable segment";
	}
	if (p->image_end != prev_end || p->image_end > DOM_IMAGE_MAX) {
		return "image_end";
	}
	if (p->image_pages != pages || pages > lim->max_image_pages) {
		return "image_pages";
	}
	s = plan_seg_at(p, p->entry, 1);
	if (!s || !(s->prot & ELF_PROT_X) || p->entry - s->vaddr >= s->filesz) {
		return "entry";
	}
	if (p->relro_start > p->relro_end || p->relro_start % PLAN_PAGE != 0 ||
	    p->relro_end % PLAN_PAGE != 0) {
		return "relro range";
	}
	if (p->relro_start < p->relro_end) {
		/* The protected pages must belong to one writable segment. */
		int owner = -1;

		for (uint32_t i = 0; i < p->nsegs; i++) {
			s = &p->segs[i];
			if (ALIGN_DOWN(s->vaddr, PLAN_PAGE) <= p->relro_start &&
			    p->relro_end <=
				    ALIGN_UP(s->vaddr + s->memsz, PLAN_PAGE)) {
				owner = (int)i;
			}
		}
		if (owner < 0 || !(p->segs[owner].prot & ELF_PROT_W)) {
			return "relro not in one writable segment";
		}
	}
	if (p->rela_count > lim->max_relocs || p->rela_offset > size ||
	    p->rela_count > (size - p->rela_offset) / ELF_RELA_SIZE) {
		return "relocation table range";
	}
	for (uint64_t i = 0; i < p->rela_count; i++) {
		uint64_t va;
		uint64_t addend;

		elf_plan_reloc(img, p, i, &va, &addend);
		s = plan_seg_at(p, va, 8);
		if (va % 8 != 0 || !s || !(s->prot & ELF_PROT_W)) {
			return "relocation target";
		}
		if (addend > p->image_end) {
			return "relocation addend";
		}
	}
	if (m->name[0] == '\0' || m->name[MANIFEST_NAME_LEN - 1] != '\0' ||
	    m->mem_pages == 0 || m->mem_pages > MANIFEST_MEM_PAGES_MAX ||
	    m->threads == 0 || m->threads > MANIFEST_THREADS_MAX ||
	    m->nexports > MANIFEST_MAX_EXPORTS ||
	    m->nimports > MANIFEST_MAX_IMPORTS ||
	    m->ndevices > MANIFEST_MAX_DEVICES ||
	    (unsigned int)m->restart > MANIFEST_RESTART_BACKOFF) {
		return "manifest";
	}
	return NULL;
}
