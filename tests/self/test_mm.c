// SPDX-License-Identifier: MIT
/*
 * Self-tests of memory management: the frame allocator, the kernel heap,
 * and page tables (map/unmap/protect, NX, write protection, SMEP/SMAP,
 * page-table accounting).
 */
#include "abi/errno.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "base/string.h"
#include "heap.h"
#include "pmm.h"
#include "tests/self/selftest.h"

/* Allocate every free frame, check each is distinct and writable. */
SELFTEST(pmm_alloc_free_all, SELFTEST_SHORT)
{
	size_t before = pmm_free_pages();
	size_t max_pfn = pmm_max_phys() / PAGE_SIZE;
	uint64_t *seen = kzalloc(DIV_ROUND_UP(max_pfn, 64) * 8);
	paddr_t *list;
	size_t n = 0;
	size_t cap;
	paddr_t pa;
	bool dup = false;

	ST_ASSERT(seen != NULL);
	/* The list itself lives in frames we then do not count. */
	cap = before;
	list = kmalloc(cap * sizeof(*list));
	ST_ASSERT(list != NULL);
	while (n < cap && pmm_alloc(1, &pa) == 0) {
		size_t f = pa / PAGE_SIZE;

		if (f >= max_pfn || (seen[f / 64] & (1ull << (f % 64)))) {
			dup = true;
		} else {
			seen[f / 64] |= 1ull << (f % 64);
		}
		*(volatile uint64_t *)phys_to_virt(pa) = pa;
		list[n++] = pa;
	}
	ST_CHECK(pmm_free_pages() == 0, "%zu pages still free",
		 pmm_free_pages());
	ST_CHECK(pmm_alloc(1, &pa) == -ENOMEM, "allocation past the end");
	for (size_t i = 0; i < n; i++) {
		if (*(volatile uint64_t *)phys_to_virt(list[i]) != list[i]) {
			dup = true;
		}
		pmm_free(list[i], 1);
	}
	kfree(list);
	kfree(seen);
	ST_CHECK(!dup, "a frame was handed out twice or overwritten");
	ST_EQ(pmm_free_pages(), before);
}

SELFTEST(pmm_contiguous_runs, SELFTEST_SHORT)
{
	paddr_t a;
	paddr_t b;
	size_t before = pmm_free_pages();

	ST_EQ(pmm_alloc(64, &a), 0);
	ST_EQ(pmm_alloc(64, &b), 0);
	ST_ASSERT(a + 64 * PAGE_SIZE <= b || b + 64 * PAGE_SIZE <= a);
	ST_EQ(pmm_free_pages(), before - 128);
	memset(phys_to_virt(a), 0xa5, 64 * PAGE_SIZE);
	pmm_free(a, 64);
	pmm_free(b, 64);
	ST_EQ(pmm_free_pages(), before);
}

SELFTEST(heap_sizes_distinct_and_freed, SELFTEST_SHORT)
{
	static const size_t sizes[] = {1,    8,	   16,	 17,   100,   512,
				       1024, 1025, 4000, 4096, 10000, 70000};
	void *p[ARRAY_SIZE(sizes)];
	struct heap_stats s0;
	struct heap_stats s1;

	heap_stats(&s0);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kmalloc(sizes[i]);
		ST_ASSERT(p[i] != NULL);
		memset(p[i], (int)i + 1, sizes[i]);
	}
	heap_stats(&s1);
	ST_ASSERT(s1.bytes_in_use > s0.bytes_in_use);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		const uint8_t *b = p[i];

		for (size_t j = 0; j < sizes[i]; j++) {
			ST_ASSERT(b[j] == (uint8_t)(i + 1));
		}
		kfree(p[i]);
	}
	heap_stats(&s1);
	ST_EQ(s1.bytes_in_use, s0.bytes_in_use);
	ST_EQ(s1.pages, s0.pages);
}

SELFTEST(heap_many_small_objects, SELFTEST_SHORT)
{
	enum { N = 4096 };
	void **p = kcalloc(N, sizeof(void *));

	ST_ASSERT(p != NULL);
	for (int i = 0; i < N; i++) {
		p[i] = kmalloc(16 + (size_t)(i % 7) * 40);
		ST_ASSERT(p[i] != NULL);
		*(int *)p[i] = i;
	}
	for (int i = 0; i < N; i += 2) {
		ST_ASSERT(*(int *)p[i] == i);
		kfree(p[i]);
	}
	for (int i = 1; i < N; i += 2) {
		ST_ASSERT(*(int *)p[i] == i);
		kfree(p[i]);
	}
	kfree(p);
}

#define TEST_UVA 0x0000004000000000ul

SELFTEST(paging_map_query_protect_unmap, SELFTEST_SHORT)
{
	struct aspace *as;
	paddr_t frames[4];
	paddr_t got[4];
	paddr_t pa;
	unsigned int prot;
	size_t free0 = pmm_free_pages();

	ST_EQ(aspace_create(&as), 0);
	for (int i = 0; i < 4; i++) {
		ST_EQ(pmm_alloc(1, &frames[i]), 0);
	}
	ST_EQ(aspace_map(as, TEST_UVA, frames[0], 1,
			 PROT_READ | PROT_WRITE | PROT_USER),
	      0);
	ST_EQ(aspace_map(as, TEST_UVA + PAGE_SIZE, frames[1], 1,
			 PROT_READ | PROT_EXEC | PROT_USER),
	      0);
	ST_EQ(aspace_map(as, TEST_UVA, frames[2], 1, PROT_READ), -EEXIST);
	/* Kernel addresses cannot go into a user address space. */
	ST_EQ(aspace_map(as, KSCRATCH_BASE, frames[2], 1, PROT_READ), -EINVAL);
	ST_EQ(aspace_map(as, TEST_UVA + 1, frames[2], 1, PROT_READ), -EINVAL);

	ST_EQ(aspace_query(as, TEST_UVA + 0x123, &pa, &prot), 0);
	ST_EQ(pa, frames[0] + 0x123);
	ST_EQ(prot, PROT_READ | PROT_WRITE | PROT_USER);
	ST_EQ(aspace_query(as, TEST_UVA + PAGE_SIZE, &pa, &prot), 0);
	ST_EQ(prot, PROT_READ | PROT_EXEC | PROT_USER);
	ST_EQ(aspace_query(as, TEST_UVA + 2 * PAGE_SIZE, &pa, &prot), -ENOENT);

	ST_EQ(aspace_protect(as, TEST_UVA, 1, PROT_READ | PROT_USER), 0);
	ST_EQ(aspace_query(as, TEST_UVA, NULL, &prot), 0);
	ST_EQ(prot, PROT_READ | PROT_USER);
	ST_EQ(aspace_protect(as, TEST_UVA, 3, PROT_READ), -ENOENT);

	ST_EQ(aspace_unmap(as, TEST_UVA, 4, got), 0);
	ST_EQ(got[0], frames[0]);
	ST_EQ(got[1], frames[1]);
	ST_EQ(got[2], 0);
	ST_EQ(aspace_query(as, TEST_UVA, &pa, &prot), -ENOENT);
	ST_EQ(aspace_destroy(as), 0);
	for (int i = 0; i < 4; i++) {
		pmm_free(frames[i], 1);
	}
	/* Page-table pages went back too. */
	ST_EQ(pmm_free_pages(), free0);
}

SELFTEST(paging_destroy_frees_tables, SELFTEST_SHORT)
{
	struct aspace *as;
	paddr_t f;
	size_t free0 = pmm_free_pages();

	ST_EQ(pmm_alloc(1, &f), 0);
	ST_EQ(aspace_create(&as), 0);
	/* Spread mappings so that many tables are needed. */
	for (int i = 0; i < 8; i++) {
		ST_EQ(aspace_map(as, TEST_UVA + ((uint64_t)i << 30), f, 1,
				 PROT_READ | PROT_USER),
		      0);
	}
	ST_ASSERT(as->pt_pages >= 8 * 2);
	/* Leaves still mapped are reported, tables freed regardless. */
	ST_EQ(aspace_destroy(as), 8);
	pmm_free(f, 1);
	ST_EQ(pmm_free_pages(), free0);
}

static long write_u64(void *p)
{
	*(volatile uint64_t *)p = 42;
	return 0;
}

static long read_u64(void *p)
{
	return (long)*(volatile uint64_t *)p;
}

static long call_ptr(void *p)
{
	return ((long (*)(void))p)();
}

#define SCRATCH_VA (KSCRATCH_BASE + 0x100000)

SELFTEST(paging_write_protect_and_nx_fault, SELFTEST_SHORT)
{
	struct aspace *k = kernel_aspace();
	struct probe_info pi;
	paddr_t f;
	struct paging_stats ps;
	uint8_t *page;

	paging_get_stats(&ps);
	ST_EQ(pmm_alloc(1, &f), 0);
	page = phys_to_virt(f);
	memset(page, 0, PAGE_SIZE);
	page[0] = 0x31; /* xor eax, eax */
	page[1] = 0xc0;
	page[2] = 0xc3; /* ret */
	ST_EQ(aspace_map(k, SCRATCH_VA, f, 1, PROT_READ), 0);

	/* Read works, write faults with a protection #PF. */
	ST_EQ(probe_call(read_u64, (void *)(SCRATCH_VA + 8), &pi), 0);
	ST_EQ(probe_call(write_u64, (void *)SCRATCH_VA, &pi), -EFAULT);
	ST_EQ(pi.vector, VEC_PF);
	ST_EQ(pi.addr, SCRATCH_VA);
	ST_ASSERT((pi.error & (PF_P | PF_W)) == (PF_P | PF_W));

	/* Executing a non-executable page faults as an instruction fetch. */
	if (ps.nx) {
		ST_EQ(probe_call(call_ptr, (void *)SCRATCH_VA, &pi), -EFAULT);
		ST_EQ(pi.vector, VEC_PF);
		ST_ASSERT(pi.error & PF_I);
		ST_EQ(pi.addr, SCRATCH_VA);
	}
	/* After protect(RX) the same call returns normally. */
	ST_EQ(aspace_protect(k, SCRATCH_VA, 1, PROT_READ | PROT_EXEC), 0);
	ST_EQ(probe_call(call_ptr, (void *)SCRATCH_VA, &pi), 0);
	/* After protect(RW) the write lands. */
	ST_EQ(aspace_protect(k, SCRATCH_VA, 1, PROT_READ | PROT_WRITE), 0);
	ST_EQ(probe_call(write_u64, (void *)SCRATCH_VA, &pi), 0);
	ST_EQ(*(uint64_t *)page, 42);
	ST_EQ(aspace_unmap(k, SCRATCH_VA, 1, NULL), 0);
	/* Unmapped now: even a read faults, not present. */
	ST_EQ(probe_call(read_u64, (void *)SCRATCH_VA, &pi), -EFAULT);
	ST_EQ(pi.error & PF_P, 0);
	pmm_free(f, 1);
}

SELFTEST(paging_smep_smap_block_user_pages, SELFTEST_SHORT)
{
	struct aspace *as;
	struct probe_info pi;
	struct paging_stats ps;
	paddr_t f;
	long r_read;
	long r_exec;

	paging_get_stats(&ps);
	if (!ps.smap || !ps.smep) {
		selftest_skip(ST_CTX, "CPU has no SMEP/SMAP");
		return;
	}
	ST_EQ(pmm_alloc(1, &f), 0);
	*(uint8_t *)phys_to_virt(f) = 0xc3;
	ST_EQ(aspace_create(&as), 0);
	ST_EQ(aspace_map(as, TEST_UVA, f, 1, PROT_READ | PROT_EXEC | PROT_USER),
	      0);
	irq_push_off();
	aspace_switch(as);
	r_read = probe_call(read_u64, (void *)TEST_UVA, &pi);
	r_exec = probe_call(call_ptr, (void *)TEST_UVA, &pi);
	aspace_switch(kernel_aspace());
	irq_pop_off();
	ST_CHECK(r_read == -EFAULT, "kernel read a user page (SMAP off?)");
	ST_CHECK(r_exec == -EFAULT, "kernel ran a user page (SMEP off?)");
	ST_EQ(aspace_unmap(as, TEST_UVA, 1, NULL), 0);
	ST_EQ(aspace_destroy(as), 0);
	pmm_free(f, 1);
}
