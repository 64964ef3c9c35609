/* SPDX-License-Identifier: MIT */
/*
 * Address spaces and page tables (4-level, 4 KiB leaves for everything
 * created through this API). The kernel half is shared by every address
 * space; user halves are private. PCID is used when CPUID offers it (not
 * under QEMU TCG), with a per-CPU "stale" mask so that a switch flushes an
 * address space's old translations exactly when it must.
 * Spec: Intel SDM Vol. 3A, ch. 4.5 (4-level paging), 4.10 (TLBs, PCIDs).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/vm.h"
#include "base/compiler.h"
#include "spinlock.h"

/* Protection bits for aspace_map()/aspace_protect(). */
#define PROT_READ 0x1u
#define PROT_WRITE 0x2u
#define PROT_EXEC 0x4u
#define PROT_USER 0x8u
#define PROT_NOCACHE 0x10u

struct aspace {
	struct spinlock lock;
	/* Immutable after aspace_create(): */
	paddr_t pml4;
	uint16_t pcid; /* 0 when PCID is unused */
	bool is_kernel;
	uint64_t cr3_keep;  /* CR3 to load keeping its TLB entries (PCID) */
	uint64_t cr3_flush; /* CR3 to load flushing them */
	/* Protected by lock: */
	size_t pt_pages;     /* page-table pages below the PML4 */
	size_t mapped_pages; /* present leaf entries */
	/*
	 * Updated atomically. (Which CPUs have it loaded is their
	 * arch_aspace: active_cpus() in paging.c.)
	 */
	uint64_t stale_cpus; /* CPUs that must flush on next switch */
};

struct paging_stats {
	bool pcid;
	bool nx;
	bool smep;
	bool smap;
	bool pge;
	bool pku;
	size_t kernel_pt_pages;
};

/* Build the kernel page tables and switch to them (boot CPU). */
void paging_init(void);
/* Per-CPU control-register setup (NXE, PGE, SMEP, SMAP, PCIDE). */
void paging_init_cpu(void);
struct aspace *kernel_aspace(void);
void paging_get_stats(struct paging_stats *st);

int __must_check aspace_create(struct aspace **out);
/*
 * Free @as and every page-table page of its user half. Leaf frames are the
 * caller's (it mapped them); returns how many were still mapped, which a
 * caller that tracks its frames can check is 0.
 */
size_t aspace_destroy(struct aspace *as);
/* Load @as on this CPU (flushing as the PCID state requires). */
void aspace_switch(struct aspace *as);

/* Map @n pages at @va to @pa..; fails with -EEXIST if any is mapped. */
int __must_check aspace_map(struct aspace *as, vaddr_t va, paddr_t pa, size_t n,
			    unsigned int prot);
/*
 * Unmap @n pages at @va (holes are skipped). When @frames is not NULL,
 * frames[i] receives the frame of page i or 0 for a hole.
 */
int aspace_unmap(struct aspace *as, vaddr_t va, size_t n, paddr_t *frames);
/* Change protection of @n mapped pages; -ENOENT if any is not mapped. */
int __must_check aspace_protect(struct aspace *as, vaddr_t va, size_t n,
				unsigned int prot);
/*
 * A run of @n pages at @va for aspace_unmap_runs() and aspace_map_runs();
 * for a map, frames[i] is the frame of page i.
 */
struct aspace_run {
	vaddr_t va;
	size_t n;
	const paddr_t *frames;
};

/*
 * aspace_unmap() of @count runs of a user address space under one lock,
 * with one shootdown for all of them, complete on return (each run is
 * invalidated locally as aspace_unmap() would; other CPUs get one IPI
 * covering every run). -EINVAL (nothing changed) if a run is bad.
 */
int aspace_unmap_runs(struct aspace *as, const struct aspace_run *runs,
		      size_t count);
/*
 * Map each page of @count runs of a user address space to its frame with
 * @prot under one lock. A page already mapped keeps its frame and takes
 * @prot (as aspace_protect() would); if any did, TLBs are shot down
 * before return. A page that needs a page-table page the kernel cannot
 * get stays unmapped and is counted. Returns that count, or -EINVAL
 * (nothing changed) if a run or frame is bad.
 */
long aspace_map_runs(struct aspace *as, const struct aspace_run *runs,
		     size_t count, unsigned int prot);
/* Look up @va; -ENOENT when unmapped. */
int aspace_query(struct aspace *as, vaddr_t va, paddr_t *pa,
		 unsigned int *prot);

/* Map device memory uncached into the kernel half; NULL on failure. */
void *ioremap(paddr_t pa, size_t len);

/* TLB shootdown IPI handler (called from the IPI vector). */
void paging_tlb_ipi(void);
