/* SPDX-License-Identifier: MIT */
/*
 * Domain image validation. elf_check() inspects the signed bytes of a domain
 * image (an ELF64 x86-64 ET_DYN with only R_X86_64_RELATIVE relocations and
 * a manifest note) and, only if every check passes, fills a load plan. The
 * loader then acts on the plan alone and never parses ELF itself.
 * Specs: System V gABI 4.1 + x86-64 psABI 1.0 (ELF64, relocations).
 * Pure logic: compiled into the kernel and into host tests and fuzzers.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "abi/layout.h"
#include "base/compiler.h"
#include "manifest.h"

#define ELF_MAX_SEGMENTS 8u /* PT_LOAD segments an image may have */
#define ELF_WHY_LEN 128u    /* room for a formatted rejection reason */
#define ELF_RELA_SIZE 24u   /* sizeof(Elf64_Rela) */

/*
 * The bounds the kernel's domain loader applies (kernel/dom_load.c). Host
 * tools and tests that must judge images exactly as the loader does use
 * the same initializer.
 */
#define ELF_DOMAIN_LIMITS                                            \
	{                                                            \
		.max_phnum = 32,                                     \
		.max_image_pages = DOM_IMAGE_MAX / LAYOUT_PAGE_SIZE, \
		.max_relocs = 1u << 20,                              \
	}

/* Segment protections in struct elf_segment.prot. */
#define ELF_PROT_R (1u << 0)
#define ELF_PROT_W (1u << 1)
#define ELF_PROT_X (1u << 2)

/* Caller-chosen bounds; each one turns into -E2BIG when exceeded. */
struct elf_limits {
	uint32_t max_phnum;	  /* program headers, 1..65534 */
	uint64_t max_image_pages; /* pages spanned by PT_LOAD segments */
	uint64_t max_relocs;	  /* R_X86_64_RELATIVE entries */
};

/*
 * One PT_LOAD segment. The loader maps pages
 * [ALIGN_DOWN(vaddr, 4096), ALIGN_UP(vaddr + memsz, 4096)) at
 * region_base + that range with @prot, copies image bytes
 * [offset, offset + filesz) to vaddr and zero-fills the rest of the pages.
 * The page ranges of different segments never overlap and lie inside
 * [0, image_end).
 */
struct elf_segment {
	uint64_t vaddr;
	uint64_t memsz;	 /* > 0 */
	uint64_t offset; /* file offset, in the checked image */
	uint64_t filesz; /* <= memsz */
	uint32_t prot;	 /* ELF_PROT_*, never W with X */
};

/*
 * The load plan. All addresses are offsets from the region base. Loading
 * order: map segments (writable ones writable), apply the relocations,
 * then write-protect [relro_start, relro_end) when it is not empty. The
 * relocations are read from the same image bytes that were checked: the
 * caller must keep the image unchanged between elf_check() and loading.
 */
struct elf_plan {
	uint32_t nsegs;
	struct elf_segment segs[ELF_MAX_SEGMENTS]; /* sorted by vaddr */
	uint64_t entry;	      /* in an executable segment */
	uint64_t image_end;   /* page aligned, <= DOM_IMAGE_MAX */
	uint64_t image_pages; /* pages the segments occupy */
	uint64_t relro_start; /* page aligned */
	uint64_t relro_end;   /* page aligned; == start if none */
	uint64_t rela_offset; /* file offset of Elf64_Rela[] */
	uint64_t rela_count;  /* entries, all R_X86_64_RELATIVE */
	struct manifest manifest;
	char why_buf[ELF_WHY_LEN]; /* backs *why for formatted reasons */
};

/*
 * Check the @size bytes at @img (any alignment) against the domain image
 * rules and @lim. Reads only inside [img, img + size), in time linear in
 * the number of program headers, dynamic entries and relocations.
 *
 * Returns 0 and fills @plan, or:
 *   -ENOEXEC  not a well-formed domain image (format, ranges, relocations,
 *             unsupported ELF features, missing or malformed manifest note);
 *   -EPERM    violates W^X (W+X segment, executable stack, text relocations);
 *   -E2BIG    exceeds @lim;
 *   -EINVAL   the manifest has an invalid field (from manifest_parse()).
 * *@why is NULL on success, otherwise a short reason that stays valid as
 * long as @plan does (it may point into plan->why_buf). @plan contents are
 * unspecified after a failure.
 */
int __must_check elf_check(const void *img, size_t size,
			   const struct elf_limits *lim, struct elf_plan *plan,
			   const char **why);

/*
 * Relocation @i (< plan->rela_count) of an image that passed elf_check()
 * with @plan: the loader stores region_base + *@addend as a 64-bit value at
 * region_base + *@vaddr. Both were checked: vaddr is 8-byte aligned inside
 * a writable segment, addend lies in [0, image_end].
 */
void elf_plan_reloc(const void *img, const struct elf_plan *plan, uint64_t i,
		    uint64_t *vaddr, uint64_t *addend);
