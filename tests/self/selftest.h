/* SPDX-License-Identifier: MIT */
/*
 * In-kernel self-tests. A test is defined anywhere in the kernel with
 *
 *	SELFTEST(pmm_alloc_free_all, SELFTEST_SHORT)
 *	{
 *		ST_ASSERT(...);
 *	}
 *
 * which places a descriptor in the "selftests" linker section. With the
 * boot option test=all (or test=NAME,PREFIX*,...) the kernel runs them in
 * order, each in its own thread, prints KTAP on the console and leaves
 * QEMU through isa-debug-exit with a success or failure status.
 *
 * Around every test the runner compares free pages, heap bytes and live
 * threads; a difference fails the test (SELFTEST_NO_LEAK_CHECK opts out,
 * for tests that legitimately keep something, such as a first ioremap).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/compiler.h"

#define SELFTEST_SHORT 0x0u
#define SELFTEST_LONG 0x1u /* seconds rather than milliseconds */
#define SELFTEST_NO_LEAK_CHECK 0x2u

struct selftest_ctx {
	bool failed;
	bool skipped;
	char skip_reason[64];
};

struct selftest {
	const char *name;
	const char *file;
	void (*fn)(struct selftest_ctx *st_ctx);
	unsigned int flags;
};

#define SELFTEST(tname, tflags)                                       \
	static void selftest_fn_##tname(struct selftest_ctx *st_ctx); \
	static const struct selftest selftest_desc_##tname __section( \
		"selftests") __used __aligned(8) = {                  \
		.name = #tname,                                       \
		.file = __FILE__,                                     \
		.fn = selftest_fn_##tname,                            \
		.flags = (tflags),                                    \
	};                                                            \
	static void selftest_fn_##tname(struct selftest_ctx *st_ctx)

void selftest_fail(struct selftest_ctx *ctx, const char *file, int line,
		   const char *fmt, ...) __printf(4, 5);
void selftest_skip(struct selftest_ctx *ctx, const char *reason);

/* Fail the test and return from it when @cond is false. */
#define ST_ASSERT(cond)                                               \
	do {                                                          \
		if (!(cond)) {                                        \
			selftest_fail(st_ctx, __FILE__, __LINE__,     \
				      "assertion failed: %s", #cond); \
			return;                                       \
		}                                                     \
	} while (0)

/* As ST_ASSERT, printing both values. */
#define ST_EQ(a, b)                                                            \
	do {                                                                   \
		long long st_a_ = (long long)(a);                              \
		long long st_b_ = (long long)(b);                              \
		if (st_a_ != st_b_) {                                          \
			selftest_fail(st_ctx, __FILE__, __LINE__,              \
				      "%s == %s: got %lld, expected %lld", #a, \
				      #b, st_a_, st_b_);                       \
			return;                                                \
		}                                                              \
	} while (0)

/* Non-fatal: record a failure with a message and keep going. */
#define ST_CHECK(cond, ...)                                       \
	do {                                                      \
		if (!(cond)) {                                    \
			selftest_fail(st_ctx, __FILE__, __LINE__, \
				      __VA_ARGS__);               \
		}                                                 \
	} while (0)

#define ST_CTX st_ctx

/* Run the tests selected by @filter ("all" or a comma list); 0 = all ok. */
int selftest_run(const char *filter);
