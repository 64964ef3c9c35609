/* SPDX-License-Identifier: MIT */
/*
 * A small host test harness. Each tests/unit/test_*.c defines tests with
 * UNIT_TEST(name) and links with unit.c, which provides main(). Output is
 * one "ok N - name" or "not ok N - name" line per test (KTAP style), with
 * "# file:line: ..." diagnostics, and a summary line
 * "# <program>: N ok, M not ok". The exit status is 1 if any test failed.
 * The top-level runner (tests/runner/run_tests.py) sums these.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef void (*unit_fn_t)(void);

void unit_register(const char *name, unit_fn_t fn);
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* True while the current test has not failed. */
bool unit_ok(void);

#define UNIT_TEST(name)                                                \
	static void name(void);                                        \
	__attribute__((constructor)) static void unit_reg_##name(void) \
	{                                                              \
		unit_register(#name, name);                            \
	}                                                              \
	static void name(void)

/* Fail the current test and return from it when cond is false. */
#define UNIT_ASSERT(cond)                                                     \
	do {                                                                  \
		if (!(cond)) {                                                \
			unit_fail(__FILE__, __LINE__, "assertion failed: %s", \
				  #cond);                                     \
			return;                                               \
		}                                                             \
	} while (0)

/* Compare two integers; on mismatch print both values and return. */
#define UNIT_EQ(a, b)                                                          \
	do {                                                                   \
		long long unit_a_ = (long long)(a);                            \
		long long unit_b_ = (long long)(b);                            \
		if (unit_a_ != unit_b_) {                                      \
			unit_fail(__FILE__, __LINE__,                          \
				  "%s == %s: got %lld, expected %lld", #a, #b, \
				  unit_a_, unit_b_);                           \
			return;                                                \
		}                                                              \
	} while (0)

/* Compare two C strings. */
#define UNIT_STREQ(a, b)                                                       \
	do {                                                                   \
		const char *unit_sa_ = (a);                                    \
		const char *unit_sb_ = (b);                                    \
		if (unit_strcmp_(unit_sa_, unit_sb_) != 0) {                   \
			unit_fail(__FILE__, __LINE__,                          \
				  "%s == %s: got \"%s\", expected \"%s\"", #a, \
				  #b, unit_sa_ ? unit_sa_ : "(null)",          \
				  unit_sb_ ? unit_sb_ : "(null)");             \
			return;                                                \
		}                                                              \
	} while (0)

int unit_strcmp_(const char *a, const char *b);
