// SPDX-License-Identifier: MIT
/*
 * Page tables and address spaces (see paging.h).
 *
 * Kernel half: the PML4 slots the kernel uses (direct map, ioremap, image)
 * get their PDPTs once, in paging_init(), and every address space copies
 * those slots, so kernel mappings made later appear everywhere without
 * touching other page tables. The direct map uses 2 MiB pages; the image
 * uses 4 KiB pages with per-section permissions; all of it is global (G)
 * and, except text, non-executable.
 *
 * User half: 4 KiB leaves; intermediate entries are P|W|U and the leaf
 * carries the real permissions.
 */
#include "arch/x86_64/paging.h"

#include "abi/errno.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "base/string.h"
#include "console.h"
#include "percpu.h"
#include "heap.h"
#include "panic.h"
#include "pmm.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define PML4_IDX(va) (((va) >> 39) & 511)
#define PDPT_IDX(va) (((va) >> 30) & 511)
#define PD_IDX(va) (((va) >> 21) & 511)
#define PT_IDX(va) (((va) >> 12) & 511)

#define CR3_NOFLUSH (1ull << 63)
#define PCID_MAX 4096
#define TLB_FLUSH_ALL_THRESHOLD 32

static struct aspace kernel_as;
static struct paging_stats pstats;
static uint64_t nx_bit; /* PTE_NX when EFER.NXE can be set */

/* PCID allocator: bit set = in use. PCID 0 is the kernel's. */
static struct spinlock pcid_lock = SPINLOCK_INIT("pcid");
static uint64_t pcid_map[PCID_MAX / 64];

static uint64_t *table_va(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR);
}

static bool is_user_addr(vaddr_t va)
{
	return va < USER_TOP;
}

static bool is_canonical(vaddr_t va)
{
	return va < USER_TOP || va >= 0xffff800000000000ull;
}

static uint64_t prot_to_pte(unsigned int prot, bool kernel)
{
	uint64_t e = PTE_P;

	if (prot & PROT_WRITE) {
		e |= PTE_W;
	}
	if (!(prot & PROT_EXEC)) {
		e |= nx_bit;
	}
	if (prot & PROT_USER) {
		e |= PTE_U;
	}
	if (prot & PROT_NOCACHE) {
		e |= PTE_PCD | PTE_PWT;
	}
	if (kernel) {
		e |= PTE_G;
	}
	return e;
}

static unsigned int pte_to_prot(uint64_t e)
{
	unsigned int prot = PROT_READ;

	if (e & PTE_W) {
		prot |= PROT_WRITE;
	}
	if (!(e & PTE_NX)) {
		prot |= PROT_EXEC;
	}
	if (e & PTE_U) {
		prot |= PROT_USER;
	}
	if (e & PTE_PCD) {
		prot |= PROT_NOCACHE;
	}
	return prot;
}

/*
 * Find the leaf entry for @va, creating missing tables when @create.
 * Returns NULL if a table is missing (and !create), out of memory, or a
 * large page covers @va. Caller holds as->lock (or owns the kernel tables
 * during boot).
 */
static uint64_t *walk(struct aspace *as, vaddr_t va, bool create)
{
	uint64_t *table = phys_to_virt(as->pml4);
	static const int shifts[3] = {39, 30, 21};
	uint64_t inter = PTE_P | PTE_W | (is_user_addr(va) ? PTE_U : 0);

	for (int level = 0; level < 3; level++) {
		uint64_t *e = &table[(va >> shifts[level]) & 511];

		if (!(*e & PTE_P)) {
			void *page;

			if (!create) {
				return NULL;
			}
			/* Kernel PML4 slots are fixed at boot. */
			if (level == 0 && !is_user_addr(va)) {
				panic("kernel mapping at %#lx outside the "
				      "preallocated PML4 slots",
				      va);
			}
			page = page_alloc();
			if (!page) {
				return NULL;
			}
			*e = virt_to_phys(page) | inter;
			as->pt_pages++;
		} else if (*e & PTE_PS) {
			return NULL;
		}
		table = table_va(*e);
	}
	return &table[PT_IDX(va)];
}

/* --- TLB shootdown ----------------------------------------------------- */

static struct {
	struct spinlock lock;
	volatile uint64_t targets; /* CPUs that have not flushed yet */
	vaddr_t va;
	size_t n;
} shootdown = {.lock = SPINLOCK_INIT("tlb_shootdown")};

static void flush_local(vaddr_t va, size_t n)
{
	this_cpu()->stats.tlb_flushes++;
	if (n > TLB_FLUSH_ALL_THRESHOLD) {
		uint64_t cr4 = read_cr4();

		/* Toggling PGE flushes global entries too. */
		if (cr4 & CR4_PGE) {
			write_cr4(cr4 & ~CR4_PGE);
			write_cr4(cr4);
		} else {
			write_cr3(read_cr3());
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		invlpg(va + i * PAGE_SIZE);
	}
}

/* Serve a pending shootdown aimed at this CPU, if any. */
static void shootdown_service(void)
{
	uint64_t bit = 1ull << this_cpu()->id;

	if (__atomic_load_n(&shootdown.targets, __ATOMIC_ACQUIRE) & bit) {
		flush_local(shootdown.va, shootdown.n);
		__atomic_fetch_and(&shootdown.targets, ~bit, __ATOMIC_RELEASE);
	}
}

void paging_tlb_ipi(void)
{
	shootdown_service();
}

/*
 * Ask the CPUs in @targets to flush [va, va + n pages) and wait until all
 * have: one request at a time, serving requests aimed at this CPU while
 * waiting for the lock, so two CPUs shooting at each other cannot
 * deadlock.
 */
static void shootdown_remote(uint64_t targets, vaddr_t va, size_t n)
{
	while (!spin_trylock(&shootdown.lock)) {
		shootdown_service();
		cpu_relax();
	}
	shootdown.va = va;
	shootdown.n = n;
	__atomic_store_n(&shootdown.targets, targets, __ATOMIC_RELEASE);
	for (unsigned int c = 0; c < cpu_count; c++) {
		if (targets & (1ull << c)) {
			apic_send_ipi(cpus[c].lapic_id, VEC_TLB_SHOOTDOWN);
		}
	}
	while (__atomic_load_n(&shootdown.targets, __ATOMIC_ACQUIRE)) {
		cpu_relax();
	}
	spin_unlock(&shootdown.lock);
}

/*
 * The CPUs that have @as loaded: those whose arch_aspace is @as. No mask
 * is kept per aspace, so that a switch (here and in syscall.asm) costs
 * one store, not two locked operations. A switching CPU stores
 * arch_aspace before its CR3 write (serializing) and, with PCID, before
 * its locked test of stale_cpus; the caller has made its page-table
 * change, and set stale_cpus, before this full barrier. So a CPU this
 * scan misses either sees the change when it walks the new tables or
 * sees itself stale and flushes: the store-buffer pattern, both sides
 * fenced.
 */
static uint64_t active_cpus(const struct aspace *as)
{
	uint64_t mask = 0;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < cpu_count; i++) {
		if (READ_ONCE(cpus[i].arch_aspace) == as) {
			mask |= 1ull << i;
		}
	}
	return mask;
}

/*
 * Invalidate [va, va + n pages) in @as on every CPU that may cache it.
 * Other CPUs are interrupted only when they have @as loaded (all CPUs for
 * kernel mappings); with PCID, every CPU also flushes on its next switch.
 */
static void tlb_invalidate(struct aspace *as, vaddr_t va, size_t n)
{
	uint64_t me = 1ull << this_cpu()->id;
	uint64_t targets;

	if (pstats.pcid && !as->is_kernel) {
		__atomic_fetch_or(&as->stale_cpus, ~0ull, __ATOMIC_SEQ_CST);
	}
	targets = as->is_kernel ? apic_online_mask() : active_cpus(as);
	if (as->is_kernel || (targets & me)) {
		flush_local(va, n);
		if (!as->is_kernel) {
			__atomic_fetch_and(&as->stale_cpus, ~me,
					   __ATOMIC_SEQ_CST);
		}
	}
	targets &= ~me;
	if (!targets) {
		return;
	}
	shootdown_remote(targets, va, n);
}

/* --- Address spaces ------------------------------------------------------ */

struct aspace *kernel_aspace(void)
{
	return &kernel_as;
}

static int pcid_alloc(uint16_t *out)
{
	spin_lock(&pcid_lock);
	for (unsigned int i = 1; i < PCID_MAX; i++) {
		if (!(pcid_map[i / 64] & (1ull << (i % 64)))) {
			pcid_map[i / 64] |= 1ull << (i % 64);
			spin_unlock(&pcid_lock);
			*out = (uint16_t)i;
			return 0;
		}
	}
	spin_unlock(&pcid_lock);
	return -ENOSPC;
}

static void pcid_free(uint16_t pcid)
{
	spin_lock(&pcid_lock);
	pcid_map[pcid / 64] &= ~(1ull << (pcid % 64));
	spin_unlock(&pcid_lock);
}

/* The CR3 values syscall.asm loads for @as (aspace_switch()'s). */
static void set_cr3_values(struct aspace *as)
{
	as->cr3_flush = as->pml4 | (pstats.pcid ? as->pcid : 0);
	as->cr3_keep = as->cr3_flush | (pstats.pcid ? CR3_NOFLUSH : 0);
}

int aspace_create(struct aspace **out)
{
	struct aspace *as = kzalloc(sizeof(*as));
	uint64_t *pml4;
	uint64_t *kpml4 = phys_to_virt(kernel_as.pml4);

	if (!as) {
		return -ENOMEM;
	}
	pml4 = page_alloc();
	if (!pml4) {
		kfree(as);
		return -ENOMEM;
	}
	if (pstats.pcid && pcid_alloc(&as->pcid)) {
		page_free(pml4);
		kfree(as);
		return -ENOSPC;
	}
	spin_init(&as->lock, "aspace");
	memcpy(pml4 + 256, kpml4 + 256, 256 * sizeof(uint64_t));
	as->pml4 = virt_to_phys(pml4);
	set_cr3_values(as);
	/* A recycled PCID may have stale entries anywhere. */
	as->stale_cpus = ~0ull;
	*out = as;
	return 0;
}

static size_t free_tables(uint64_t *table, int level)
{
	size_t leaves = 0;

	for (int i = 0; i < 512; i++) {
		if (!(table[i] & PTE_P)) {
			continue;
		}
		if (level == 3) {
			leaves++;
			continue;
		}
		leaves += free_tables(table_va(table[i]), level + 1);
		page_free(table_va(table[i]));
	}
	return leaves;
}

size_t aspace_destroy(struct aspace *as)
{
	uint64_t *pml4 = phys_to_virt(as->pml4);
	size_t leaves = 0;

	VERIFY(!as->is_kernel);
	VERIFY(active_cpus(as) == 0);
	for (int i = 0; i < 256; i++) {
		if (pml4[i] & PTE_P) {
			leaves += free_tables(table_va(pml4[i]), 1);
			page_free(table_va(pml4[i]));
		}
	}
	page_free(pml4);
	if (as->pcid) {
		pcid_free(as->pcid);
	}
	kfree(as);
	return leaves;
}

void aspace_switch(struct aspace *as)
{
	struct cpu *c = this_cpu();
	uint64_t bit = 1ull << c->id;
	uint64_t cr3 = as->pml4;

	if (c->arch_aspace == as) {
		return;
	}
	/* Before the stale test and the CR3 write: active_cpus(). */
	WRITE_ONCE(c->arch_aspace, as);
	if (pstats.pcid) {
		cr3 |= as->pcid;
		if (!(__atomic_fetch_and(&as->stale_cpus, ~bit,
					 __ATOMIC_SEQ_CST) &
		      bit)) {
			cr3 |= CR3_NOFLUSH;
		} else {
			c->stats.tlb_flushes++;
		}
	} else {
		c->stats.tlb_flushes++;
	}
	c->stats.pt_switches++;
	write_cr3(cr3);
}

static int check_range(struct aspace *as, vaddr_t va, size_t n)
{
	vaddr_t end = va + n * PAGE_SIZE;

	if (!IS_ALIGNED(va, PAGE_SIZE) || n == 0 || n > (1ul << 36) ||
	    end < va || !is_canonical(va) || !is_canonical(end - 1)) {
		return -EINVAL;
	}
	/* A user space maps only user addresses and vice versa. */
	if (as->is_kernel == is_user_addr(va) ||
	    is_user_addr(va) != is_user_addr(end - 1)) {
		return -EINVAL;
	}
	return 0;
}

int aspace_map(struct aspace *as, vaddr_t va, paddr_t pa, size_t n,
	       unsigned int prot)
{
	uint64_t bits = prot_to_pte(prot, as->is_kernel);
	size_t done;
	int err = check_range(as, va, n);

	if (err) {
		return err;
	}
	/* Physical addresses are at most 52 bits. */
	if (!IS_ALIGNED(pa, PAGE_SIZE) || (pa & ~PTE_ADDR) ||
	    ((pa + n * PAGE_SIZE - 1) >> 52) != 0) {
		return -EINVAL;
	}
	if ((prot & PROT_USER) && as->is_kernel) {
		return -EINVAL;
	}
	spin_lock(&as->lock);
	for (done = 0; done < n; done++) {
		uint64_t *pte = walk(as, va + done * PAGE_SIZE, true);

		if (!pte) {
			err = -ENOMEM;
			break;
		}
		if (*pte & PTE_P) {
			err = -EEXIST;
			break;
		}
		*pte = (pa + done * PAGE_SIZE) | bits;
		as->mapped_pages++;
	}
	/* Undo a partial mapping so a failure changes nothing. */
	for (size_t i = 0; err && i < done; i++) {
		uint64_t *pte = walk(as, va + i * PAGE_SIZE, false);

		*pte = 0;
		as->mapped_pages--;
	}
	spin_unlock(&as->lock);
	if (err && done) {
		tlb_invalidate(as, va, done);
	}
	return err;
}

int aspace_unmap(struct aspace *as, vaddr_t va, size_t n, paddr_t *frames)
{
	int err = check_range(as, va, n);

	if (err) {
		return err;
	}
	spin_lock(&as->lock);
	for (size_t i = 0; i < n; i++) {
		uint64_t *pte = walk(as, va + i * PAGE_SIZE, false);

		if (frames) {
			frames[i] = 0;
		}
		if (!pte || !(*pte & PTE_P)) {
			continue;
		}
		if (frames) {
			frames[i] = *pte & PTE_ADDR;
		}
		*pte = 0;
		as->mapped_pages--;
	}
	spin_unlock(&as->lock);
	tlb_invalidate(as, va, n);
	return 0;
}

/*
 * tlb_invalidate() of several runs: each is flushed locally as on its own
 * (one invlpg per page, or a full flush past the threshold), while other
 * CPUs are sent one request for the span that covers them all.
 */
static void tlb_invalidate_runs(struct aspace *as,
				const struct aspace_run *runs, size_t count)
{
	uint64_t me = 1ull << this_cpu()->id;
	uint64_t targets;
	vaddr_t lo = ~0ull;
	vaddr_t hi = 0;

	if (count == 1) {
		tlb_invalidate(as, runs[0].va, runs[0].n);
		return;
	}
	if (pstats.pcid) {
		__atomic_fetch_or(&as->stale_cpus, ~0ull, __ATOMIC_SEQ_CST);
	}
	targets = active_cpus(as);
	if (targets & me) {
		for (size_t r = 0; r < count; r++) {
			flush_local(runs[r].va, runs[r].n);
		}
		__atomic_fetch_and(&as->stale_cpus, ~me, __ATOMIC_SEQ_CST);
	}
	targets &= ~me;
	if (!targets) {
		return;
	}
	for (size_t r = 0; r < count; r++) {
		lo = MIN(lo, runs[r].va);
		hi = MAX(hi, runs[r].va + runs[r].n * PAGE_SIZE);
	}
	shootdown_remote(targets, lo, (hi - lo) / PAGE_SIZE);
}

/*
 * Runs for the *_runs() calls: page-aligned, non-empty ranges of user
 * addresses (what check_range() accepts for a user address space).
 */
static int check_runs(struct aspace *as, const struct aspace_run *runs,
		      size_t count)
{
	if (as->is_kernel || count == 0) {
		return -EINVAL;
	}
	for (size_t r = 0; r < count; r++) {
		vaddr_t va = runs[r].va;

		if (!IS_ALIGNED(va, PAGE_SIZE) || va >= USER_TOP ||
		    runs[r].n == 0 || runs[r].n > (USER_TOP - va) / PAGE_SIZE) {
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * One level of walk_user(): the table @e points to, made if missing and
 * @create. NULL if missing, out of memory, or a large page.
 */
static inline uint64_t *next_table(struct aspace *as, uint64_t *e, bool create)
{
	if (likely((*e & (PTE_P | PTE_PS)) == PTE_P)) {
		return table_va(*e);
	}
	if (*e & PTE_P) {
		return NULL;
	}
	if (create) {
		void *page = page_alloc();

		if (!page) {
			return NULL;
		}
		*e = virt_to_phys(page) | PTE_P | PTE_W | PTE_U;
		as->pt_pages++;
		return page;
	}
	return NULL;
}

/* walk() of a user address (< USER_TOP), unrolled; as->lock held. */
static uint64_t *walk_user(struct aspace *as, vaddr_t va, bool create)
{
	uint64_t *t = phys_to_virt(as->pml4);

	t = next_table(as, &t[PML4_IDX(va)], create);
	if (t) {
		t = next_table(as, &t[PDPT_IDX(va)], create);
	}
	if (t) {
		t = next_table(as, &t[PD_IDX(va)], create);
	}
	return t ? &t[PT_IDX(va)] : NULL;
}

int aspace_unmap_runs(struct aspace *as, const struct aspace_run *runs,
		      size_t count)
{
	if (check_runs(as, runs, count)) {
		return -EINVAL;
	}
	spin_lock(&as->lock);
	for (size_t r = 0; r < count; r++) {
		for (size_t i = 0; i < runs[r].n; i++) {
			uint64_t *pte = walk_user(
				as, runs[r].va + i * PAGE_SIZE, false);

			if (!pte || !(*pte & PTE_P)) {
				continue;
			}
			*pte = 0;
			as->mapped_pages--;
		}
	}
	spin_unlock(&as->lock);
	tlb_invalidate_runs(as, runs, count);
	return 0;
}

long aspace_map_runs(struct aspace *as, const struct aspace_run *runs,
		     size_t count, unsigned int prot)
{
	uint64_t bits = prot_to_pte(prot, false);
	bool changed = false;
	long missing = 0;

	if (check_runs(as, runs, count)) {
		return -EINVAL;
	}
	for (size_t r = 0; r < count; r++) {
		for (size_t i = 0; i < runs[r].n; i++) {
			paddr_t pa = runs[r].frames[i];

			if (!IS_ALIGNED(pa, PAGE_SIZE) || (pa & ~PTE_ADDR)) {
				return -EINVAL;
			}
		}
	}
	spin_lock(&as->lock);
	for (size_t r = 0; r < count; r++) {
		for (size_t i = 0; i < runs[r].n; i++) {
			uint64_t *pte =
				walk_user(as, runs[r].va + i * PAGE_SIZE, true);

			if (!pte) {
				missing++;
			} else if (*pte & PTE_P) {
				*pte = (*pte & PTE_ADDR) | bits;
				changed = true;
			} else {
				*pte = runs[r].frames[i] | bits;
				as->mapped_pages++;
			}
		}
	}
	spin_unlock(&as->lock);
	if (changed) {
		tlb_invalidate_runs(as, runs, count);
	}
	return missing;
}

int aspace_protect(struct aspace *as, vaddr_t va, size_t n, unsigned int prot)
{
	uint64_t bits = prot_to_pte(prot, as->is_kernel);
	int err = check_range(as, va, n);

	if (err) {
		return err;
	}
	if ((prot & PROT_USER) && as->is_kernel) {
		return -EINVAL;
	}
	spin_lock(&as->lock);
	/* Validate first: every page must be mapped. */
	for (size_t i = 0; i < n; i++) {
		uint64_t *pte = walk(as, va + i * PAGE_SIZE, false);

		if (!pte || !(*pte & PTE_P)) {
			spin_unlock(&as->lock);
			return -ENOENT;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t *pte = walk(as, va + i * PAGE_SIZE, false);

		*pte = (*pte & PTE_ADDR) | bits;
	}
	spin_unlock(&as->lock);
	tlb_invalidate(as, va, n);
	return 0;
}

int aspace_query(struct aspace *as, vaddr_t va, paddr_t *pa, unsigned int *prot)
{
	uint64_t *pte;
	int err = -ENOENT;

	if (!is_canonical(va)) {
		return -EINVAL;
	}
	spin_lock(&as->lock);
	pte = walk(as, ALIGN_DOWN(va, PAGE_SIZE), false);
	if (pte && (*pte & PTE_P)) {
		if (pa) {
			*pa = (*pte & PTE_ADDR) | (va & (PAGE_SIZE - 1));
		}
		if (prot) {
			*prot = pte_to_prot(*pte);
		}
		err = 0;
	}
	spin_unlock(&as->lock);
	return err;
}

/* --- ioremap ------------------------------------------------------------ */

static struct spinlock ioremap_lock = SPINLOCK_INIT("ioremap");
static vaddr_t ioremap_next = IOREMAP_BASE;

void *ioremap(paddr_t pa, size_t len)
{
	paddr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	size_t n = DIV_ROUND_UP(pa + len - base, PAGE_SIZE);
	vaddr_t va;

	if (len == 0) {
		return NULL;
	}
	spin_lock(&ioremap_lock);
	if (ioremap_next + n * PAGE_SIZE > IOREMAP_BASE + IOREMAP_SIZE) {
		spin_unlock(&ioremap_lock);
		return NULL;
	}
	va = ioremap_next;
	ioremap_next += (n + 1) * PAGE_SIZE; /* one guard page between */
	spin_unlock(&ioremap_lock);
	if (aspace_map(&kernel_as, va, base, n,
		       PROT_READ | PROT_WRITE | PROT_NOCACHE)) {
		return NULL;
	}
	return (void *)(va + (pa - base));
}

/* --- Boot ---------------------------------------------------------------- */

static void detect_features(void)
{
	uint32_t a, b, c, d;
	uint32_t max_leaf;

	cpuid(0, 0, &max_leaf, &b, &c, &d);
	cpuid(1, 0, &a, &b, &c, &d);
	pstats.pcid = (c >> 17) & 1;
	pstats.pge = (d >> 13) & 1;
	if (max_leaf >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		pstats.smep = (b >> 7) & 1;
		pstats.smap = (b >> 20) & 1;
		pstats.pku = (c >> 3) & 1;
	}
	cpuid(0x80000001, 0, &a, &b, &c, &d);
	pstats.nx = (d >> 20) & 1;
	nx_bit = pstats.nx ? PTE_NX : 0;
}

void paging_init_cpu(void)
{
	uint64_t cr4 = read_cr4();

	if (pstats.nx) {
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	}
	write_cr0(read_cr0() | CR0_WP);
	if (pstats.pge) {
		cr4 |= CR4_PGE;
	}
	if (pstats.smep) {
		cr4 |= CR4_SMEP;
	}
	if (pstats.smap) {
		cr4 |= CR4_SMAP;
	}
	write_cr4(cr4);
	/* CR4.PCIDE may only be set with CR3[11:0] == 0 (the kernel's). */
	if (pstats.pcid) {
		write_cr4(read_cr4() | CR4_PCIDE);
	}
}

static void map_kernel_range(char *start, char *end, unsigned int prot)
{
	vaddr_t va = (vaddr_t)start;
	size_t n = ((vaddr_t)end - va) / PAGE_SIZE;

	if (n == 0) {
		return;
	}
	MUST(aspace_map(&kernel_as, va, virt_to_phys(start), n, prot));
}

void paging_init(void)
{
	uint64_t *pml4;
	paddr_t map_end;
	size_t pdpts;

	detect_features();
	spin_init(&kernel_as.lock, "kernel_aspace");
	kernel_as.is_kernel = true;
	/* Every CPU comes from the boot tables: flush on first switch. */
	kernel_as.stale_cpus = ~0ull;
	pml4 = page_alloc();
	VERIFY(pml4 != NULL);
	kernel_as.pml4 = virt_to_phys(pml4);
	set_cr3_values(&kernel_as);

	/* PDPTs for every kernel slot: direct map, ioremap, image. */
	map_end = MAX(pmm_max_phys(), 4ul << 30);
	map_end = ALIGN_UP(map_end, HUGE_PAGE_SIZE);
	pdpts = DIV_ROUND_UP(map_end, 512 * HUGE_PAGE_SIZE);
	for (size_t i = 0; i < pdpts; i++) {
		void *p = page_alloc();

		VERIFY(p != NULL);
		pml4[PML4_IDX(PHYS_MAP_BASE) + i] =
			virt_to_phys(p) | PTE_P | PTE_W;
		kernel_as.pt_pages++;
	}
	for (vaddr_t slot = IOREMAP_BASE; slot < KSCRATCH_BASE + KSCRATCH_SIZE;
	     slot += 1ul << 39) {
		void *p = page_alloc();

		VERIFY(p != NULL);
		pml4[PML4_IDX(slot)] = virt_to_phys(p) | PTE_P | PTE_W;
		kernel_as.pt_pages++;
	}
	{
		void *p = page_alloc();

		VERIFY(p != NULL);
		pml4[PML4_IDX(KERNEL_VMA)] = virt_to_phys(p) | PTE_P | PTE_W;
		kernel_as.pt_pages++;
	}

	/* Direct map: 2 MiB pages, read/write, no execute, global. */
	for (paddr_t pa = 0; pa < map_end; pa += HUGE_PAGE_SIZE) {
		vaddr_t va = PHYS_MAP_BASE + pa;
		uint64_t *pdpt = table_va(pml4[PML4_IDX(va)]);
		uint64_t *pd = page_alloc();

		VERIFY(pd != NULL);
		kernel_as.pt_pages++;
		for (int i = 0; i < 512; i++) {
			pd[i] = (pa + (uint64_t)i * LARGE_PAGE_SIZE) | PTE_P |
				PTE_W | PTE_PS | nx_bit |
				(pstats.pge ? PTE_G : 0);
		}
		pdpt[PDPT_IDX(va)] = virt_to_phys(pd) | PTE_P | PTE_W;
	}

	/* The image, section by section (linker.ld). */
	map_kernel_range(__text_start, __text_end, PROT_READ | PROT_EXEC);
	map_kernel_range(__rodata_start, __rodata_end, PROT_READ);
	map_kernel_range(__data_start, __data_end, PROT_READ | PROT_WRITE);
	map_kernel_range(__data_end, __kernel_end, PROT_READ);

	/* Tables for the first 2 MiB of scratch space, kept for good. */
	VERIFY(walk(&kernel_as, KSCRATCH_BASE, true) != NULL);

	paging_init_cpu();
	aspace_switch(&kernel_as);
	pstats.kernel_pt_pages = kernel_as.pt_pages;
}

void paging_get_stats(struct paging_stats *st)
{
	*st = pstats;
}
