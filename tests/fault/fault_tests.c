// SPDX-License-Identifier: MIT
/*
 * Fault containment tests (issue: "contain every domain fault"). Each test
 * boots nothing new: it starts the "healthy" and "faulter" domains from the
 * boot modules, makes the faulter misbehave in one way, and checks that
 *  - the kernel's reaction is the expected one (failed with the right
 *    fault kind, vector and address, or a clean error code);
 *  - the healthy domain keeps making progress during and after it;
 *  - everything is given back: the self-test runner compares free pages,
 *    heap bytes and threads around every test, and we wait until the
 *    number of live domains is back where it started.
 * The image tests feed the loader tampered, unsigned, foreign-signed,
 * truncated and malformed images and check each is refused.
 */
#include "abi/errno.h"
#include "arch/x86_64/idt.h"
#include "base/fmt.h"
#include "base/string.h"
#include "dom.h"
#include "heap.h"
#include "multiboot.h"
#include "tests/fault/faulter/faulter.h"
#include "tests/self/selftest.h"
#include "thread.h"
#include "time.h"

#define END_TIMEOUT (5 * NSEC_PER_SEC)

enum expect {
	EXPECT_EXCEPTION, /* failed with a CPU exception */
	EXPECT_PANIC,
	EXPECT_QUOTA,
	EXPECT_BAD_SYSCALL,
	EXPECT_EXIT,	   /* exited with exit_code */
	EXPECT_SPIN,	   /* still running after a while */
	EXPECT_FAILED_ANY, /* failed, any exception */
};

struct fault_case {
	enum faulter_kind kind;
	enum expect expect;
	uint64_t detail; /* vector, quota kind, exit code */
	bool check_addr;
	uint64_t addr;	   /* expected fault address (cr2) */
	bool other_region; /* addr is relative to the healthy domain */
};

/* Is @d making progress: more system calls after a short while? */
static bool progressing(struct dom *d)
{
	uint64_t before = __atomic_load_n(&d->syscalls, __ATOMIC_RELAXED);

	thread_sleep_ns(30 * NSEC_PER_MSEC);
	return __atomic_load_n(&d->syscalls, __ATOMIC_RELAXED) > before;
}

static void run_case(struct selftest_ctx *st_ctx, const struct fault_case *c)
{
	struct dom *healthy;
	struct dom *bad;
	struct dom_stats ds;
	struct sys_dom_status st;
	char boot[32];
	uint64_t live0;
	int err;

	dom_get_stats(&ds);
	live0 = ds.live_domains;
	ST_EQ(dom_create("healthy.elf", 0, "", &healthy), 0);
	fmt_snprintf(boot, sizeof(boot), "0x%lx", healthy->base);
	err = dom_create("faulter.elf", c->kind, boot, &bad);
	if (err) {
		dom_stop(healthy, END_TIMEOUT);
		ST_EQ(err, 0);
	}
	if (c->expect == EXPECT_SPIN) {
		thread_sleep_ns(100 * NSEC_PER_MSEC);
		ST_CHECK(READ_ONCE(bad->state) == DOM_RUNNING,
			 "spinning domain is %s", dom_state_name(bad->state));
		ST_CHECK(progressing(healthy),
			 "healthy domain starved by a spinning one");
		dom_kill(bad);
	}
	err = dom_wait(bad, END_TIMEOUT, &st);
	ST_CHECK(err == 0, "faulter did not end within 5 s");
	ST_CHECK(READ_ONCE(healthy->state) == DOM_RUNNING,
		 "healthy domain was hurt: %s", dom_state_name(healthy->state));
	ST_CHECK(progressing(healthy),
		 "healthy domain stopped making progress");
	if (!err) {
		switch (c->expect) {
		case EXPECT_EXCEPTION:
			ST_CHECK(st.end == SYS_DOM_FAILED &&
					 st.fault == SYS_FAULT_EXCEPTION &&
					 st.detail == c->detail,
				 "end %u fault %u detail %lu, expected vector "
				 "%lu",
				 st.end, st.fault, st.detail, c->detail);
			if (c->check_addr) {
				uint64_t want = c->addr;

				if (c->other_region) {
					want += healthy->base;
				}
				ST_CHECK(st.addr == want,
					 "fault address %#lx, expected %#lx",
					 st.addr, want);
			}
			break;
		case EXPECT_FAILED_ANY:
			ST_CHECK(st.end == SYS_DOM_FAILED &&
					 st.fault == SYS_FAULT_EXCEPTION,
				 "end %u fault %u", st.end, st.fault);
			break;
		case EXPECT_PANIC:
			ST_CHECK(st.end == SYS_DOM_FAILED &&
					 st.fault == SYS_FAULT_PANIC,
				 "end %u fault %u", st.end, st.fault);
			break;
		case EXPECT_QUOTA:
			ST_CHECK(st.end == SYS_DOM_FAILED &&
					 st.fault == SYS_FAULT_QUOTA &&
					 st.detail == c->detail,
				 "end %u fault %u detail %lu", st.end, st.fault,
				 st.detail);
			break;
		case EXPECT_BAD_SYSCALL:
			ST_CHECK(st.end == SYS_DOM_FAILED &&
					 st.fault == SYS_FAULT_BAD_SYSCALL,
				 "end %u fault %u", st.end, st.fault);
			break;
		case EXPECT_EXIT:
			ST_CHECK(st.end == SYS_DOM_EXITED &&
					 st.exit_code == (int64_t)c->detail,
				 "end %u exit code %ld, expected exit %lu",
				 st.end, st.exit_code, c->detail);
			break;
		case EXPECT_SPIN:
			ST_CHECK(st.end == SYS_DOM_KILLED, "end %u", st.end);
			break;
		}
	}
	dom_put(bad);
	dom_stop(healthy, END_TIMEOUT);
	ST_CHECK(dom_wait_freed(live0, END_TIMEOUT), "domains were not freed");
}

/* Cases list only the leading fields they need; the rest are zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define FAULT_TEST(tname, ...)                                    \
	SELFTEST(tname, SELFTEST_SHORT)                           \
	{                                                         \
		static const struct fault_case c = {__VA_ARGS__}; \
		run_case(ST_CTX, &c);                             \
	}

#define PAGE_OF_OTHER 0x1000

FAULT_TEST(fault_exit_cleanly_is_not_a_failure, FAULTER_EXIT_CLEANLY,
	   EXPECT_EXIT, 0)
FAULT_TEST(fault_null_read, FAULTER_NULL_READ, EXPECT_EXCEPTION, VEC_PF, true,
	   0)
FAULT_TEST(fault_null_write, FAULTER_NULL_WRITE, EXPECT_EXCEPTION, VEC_PF, true,
	   0)
FAULT_TEST(fault_write_into_kernel, FAULTER_WRITE_KERNEL, EXPECT_EXCEPTION,
	   VEC_PF, true, 0xffffffff80100000ull)
FAULT_TEST(fault_read_other_domain, FAULTER_READ_OTHER, EXPECT_EXCEPTION,
	   VEC_PF, true, PAGE_OF_OTHER, true)
FAULT_TEST(fault_write_other_domain, FAULTER_WRITE_OTHER, EXPECT_EXCEPTION,
	   VEC_PF, true, PAGE_OF_OTHER, true)
FAULT_TEST(fault_jump_into_other_domain, FAULTER_JUMP_OTHER, EXPECT_EXCEPTION,
	   VEC_PF, true, PAGE_OF_OTHER, true)
FAULT_TEST(fault_exec_from_stack, FAULTER_EXEC_STACK, EXPECT_EXCEPTION, VEC_PF)
FAULT_TEST(fault_exec_from_heap, FAULTER_EXEC_HEAP, EXPECT_EXCEPTION, VEC_PF)
FAULT_TEST(fault_write_own_code, FAULTER_WRITE_OWN_CODE, EXPECT_EXCEPTION,
	   VEC_PF)
FAULT_TEST(fault_privileged_cli, FAULTER_CLI, EXPECT_EXCEPTION, VEC_GP)
FAULT_TEST(fault_privileged_hlt, FAULTER_HLT, EXPECT_EXCEPTION, VEC_GP)
FAULT_TEST(fault_privileged_mov_cr3, FAULTER_MOV_CR3, EXPECT_EXCEPTION, VEC_GP)
FAULT_TEST(fault_privileged_wrmsr, FAULTER_WRMSR, EXPECT_EXCEPTION, VEC_GP)
FAULT_TEST(fault_privileged_out, FAULTER_OUT, EXPECT_EXCEPTION, VEC_GP)
FAULT_TEST(fault_privileged_in, FAULTER_IN, EXPECT_EXCEPTION, VEC_GP)
FAULT_TEST(fault_privileged_lgdt, FAULTER_LGDT, EXPECT_EXCEPTION, VEC_GP)
FAULT_TEST(fault_privileged_invlpg, FAULTER_INVLPG, EXPECT_EXCEPTION, VEC_GP)
FAULT_TEST(fault_divide_by_zero, FAULTER_DIV_ZERO, EXPECT_EXCEPTION, VEC_DE)
FAULT_TEST(fault_ud2, FAULTER_UD2, EXPECT_EXCEPTION, VEC_UD)
/* int3 through a DPL-0 gate is a #GP in ring 3. */
FAULT_TEST(fault_int3, FAULTER_INT3, EXPECT_EXCEPTION, VEC_GP)
FAULT_TEST(fault_noncanonical_address, FAULTER_NONCANONICAL, EXPECT_EXCEPTION,
	   VEC_GP)
FAULT_TEST(fault_misaligned_unmapped_stack, FAULTER_MISALIGNED_STACK,
	   EXPECT_FAILED_ANY)
FAULT_TEST(fault_stack_overflow_hits_guard, FAULTER_STACK_OVERFLOW,
	   EXPECT_EXCEPTION, VEC_PF)
FAULT_TEST(fault_spin_forever_is_preempted, FAULTER_SPIN, EXPECT_SPIN)
FAULT_TEST(fault_memory_quota, FAULTER_MEM_QUOTA, EXPECT_QUOTA, 1)
FAULT_TEST(fault_thread_quota, FAULTER_THREAD_QUOTA, EXPECT_QUOTA, 2)
FAULT_TEST(fault_dom_panic, FAULTER_PANIC, EXPECT_PANIC)
FAULT_TEST(fault_unknown_syscall, FAULTER_BAD_SYSCALL, EXPECT_BAD_SYSCALL)
FAULT_TEST(fault_bad_pointers_get_efault, FAULTER_BAD_POINTER_SYSCALL,
	   EXPECT_EXIT, FAULTER_BADPTR_OK)
FAULT_TEST(fault_in_second_thread_kills_all, FAULTER_FAULT_IN_THREAD,
	   EXPECT_EXCEPTION, VEC_PF, true, 0)

/* --- Images the loader must refuse ------------------------------------- */

static const struct boot_module *module(const char *name)
{
	for (size_t i = 0; i < boot_info.module_count; i++) {
		if (strcmp(boot_info.modules[i].name, name) == 0) {
			return &boot_info.modules[i];
		}
	}
	return NULL;
}

/*
 * Image tests run next to a healthy domain too: start it, and afterwards
 * check it kept going and clean it up.
 */
static struct dom *healthy_start(struct selftest_ctx *st_ctx)
{
	struct dom *h = NULL;

	ST_CHECK(dom_create("healthy.elf", 0, "", &h) == 0,
		 "could not start the healthy domain");
	return h;
}

static void healthy_check_and_stop(struct selftest_ctx *st_ctx, struct dom *h)
{
	if (!h) {
		return;
	}
	ST_CHECK(progressing(h), "healthy domain stopped making progress");
	dom_stop(h, END_TIMEOUT);
}

/* Try to load @img; it must be refused with no domain left behind. */
static int expect_refused(struct selftest_ctx *st_ctx, const char *label,
			  const void *img, size_t size)
{
	struct dom *d = NULL;
	struct dom_stats a;
	struct dom_stats b;
	int err;

	dom_get_stats(&a);
	err = dom_create_from(label, img, size, FAULTER_EXIT_CLEANLY, "", &d);
	dom_get_stats(&b);
	if (!err) {
		selftest_fail(st_ctx, __FILE__, __LINE__,
			      "%s: loaded although it should be refused",
			      label);
		dom_wait(d, END_TIMEOUT, NULL);
		dom_put(d);
		return 0;
	}
	ST_CHECK(b.live_domains == a.live_domains, "%s: domain left behind",
		 label);
	ST_CHECK(b.rejected == a.rejected + 1, "%s: not counted as rejected",
		 label);
	return err;
}

static void
image_tampered_byte_anywhere_is_refused_body(struct selftest_ctx *st_ctx)
{
	const struct boot_module *m = module("faulter.elf");
	size_t size;
	uint8_t *copy;
	unsigned int tried = 0;

	ST_ASSERT(m != NULL);
	size = m->end - m->start;
	copy = kmalloc(size);
	ST_ASSERT(copy != NULL);
	/* 97 positions spread over the whole file, trailer included. */
	for (size_t i = 0; i < 97; i++) {
		size_t pos = i * (size - 1) / 96;
		char label[48];
		int err;

		memcpy(copy, phys_to_virt(m->start), size);
		copy[pos] ^= (uint8_t)(1u << (i % 8));
		fmt_snprintf(label, sizeof(label), "faulter.elf^%zu", pos);
		err = expect_refused(st_ctx, label, copy, size);
		ST_CHECK(err != 0, "flip at %zu accepted", pos);
		tried++;
	}
	kfree(copy);
	ST_EQ(tried, 97);
}

SELFTEST(image_tampered_byte_anywhere_is_refused, SELFTEST_LONG)
{
	struct dom *h = healthy_start(ST_CTX);

	image_tampered_byte_anywhere_is_refused_body(ST_CTX);
	healthy_check_and_stop(ST_CTX, h);
}

static void image_unsigned_is_refused_body(struct selftest_ctx *st_ctx)
{
	const struct boot_module *m = module("faulter.elf");

	ST_ASSERT(m != NULL);
	/* The same bytes without the 96-byte trailer. */
	ST_EQ(expect_refused(st_ctx, "faulter.elf-unsigned",
			     phys_to_virt(m->start), m->end - m->start - 96),
	      -ENOEXEC);
}

SELFTEST(image_unsigned_is_refused, SELFTEST_SHORT)
{
	struct dom *h = healthy_start(ST_CTX);

	image_unsigned_is_refused_body(ST_CTX);
	healthy_check_and_stop(ST_CTX, h);
}

static void
image_signed_by_unknown_key_is_refused_body(struct selftest_ctx *st_ctx)
{
	const struct boot_module *m = module("faulter_otherkey.elf");

	ST_ASSERT(m != NULL);
	ST_EQ(expect_refused(st_ctx, "faulter_otherkey.elf",
			     phys_to_virt(m->start), m->end - m->start),
	      -EACCES);
}

SELFTEST(image_signed_by_unknown_key_is_refused, SELFTEST_SHORT)
{
	struct dom *h = healthy_start(ST_CTX);

	image_signed_by_unknown_key_is_refused_body(ST_CTX);
	healthy_check_and_stop(ST_CTX, h);
}

static void image_truncated_is_refused_body(struct selftest_ctx *st_ctx)
{
	const struct boot_module *m = module("faulter.elf");
	size_t size;

	ST_ASSERT(m != NULL);
	size = m->end - m->start;
	for (size_t len = 0; len < size; len += size / 13 + 1) {
		ST_CHECK(expect_refused(st_ctx, "faulter.elf-truncated",
					phys_to_virt(m->start), len) != 0,
			 "truncated to %zu accepted", len);
	}
}

SELFTEST(image_truncated_is_refused, SELFTEST_SHORT)
{
	struct dom *h = healthy_start(ST_CTX);

	image_truncated_is_refused_body(ST_CTX);
	healthy_check_and_stop(ST_CTX, h);
}

static void
image_with_corrupt_headers_is_refused_body(struct selftest_ctx *st_ctx)
{
	static const char *const bad[] = {"faulter_badhdr.elf",
					  "faulter_wx.elf"};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const struct boot_module *m = module(bad[i]);

		ST_ASSERT(m != NULL);
		ST_CHECK(expect_refused(st_ctx, bad[i], phys_to_virt(m->start),
					m->end - m->start) != 0,
			 "%s accepted", bad[i]);
	}
}

SELFTEST(image_with_corrupt_headers_is_refused, SELFTEST_SHORT)
{
	struct dom *h = healthy_start(ST_CTX);

	image_with_corrupt_headers_is_refused_body(ST_CTX);
	healthy_check_and_stop(ST_CTX, h);
}

SELFTEST(image_missing_module_is_refused, SELFTEST_SHORT)
{
	struct dom *d;

	ST_EQ(dom_create("no_such_domain.elf", 0, "", &d), -ENOENT);
}
