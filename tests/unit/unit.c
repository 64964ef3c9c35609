// SPDX-License-Identifier: MIT
/* The host test harness behind unit.h: registration, running, reporting. */
#include "unit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_MAX_TESTS 512

static struct {
	const char *name;
	unit_fn_t fn;
} tests[UNIT_MAX_TESTS];
static int ntests;
static bool cur_failed;

void unit_register(const char *name, unit_fn_t fn)
{
	if (ntests == UNIT_MAX_TESTS) {
		fprintf(stderr, "unit: too many tests\n");
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	cur_failed = true;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

bool unit_ok(void)
{
	return !cur_failed;
}

int unit_strcmp_(const char *a, const char *b)
{
	if (!a || !b) {
		return a != b;
	}
	return strcmp(a, b);
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/');
	const char *only = argc > 1 ? argv[1] : NULL;
	int nok = 0;
	int nfail = 0;

	prog = prog ? prog + 1 : argv[0];
	printf("KTAP version 1\n1..%d\n", ntests);
	for (int i = 0; i < ntests; i++) {
		if (only && strcmp(only, tests[i].name) != 0) {
			continue;
		}
		cur_failed = false;
		tests[i].fn();
		if (cur_failed) {
			nfail++;
		} else {
			nok++;
		}
		printf("%sok %d - %s\n", cur_failed ? "not " : "", i + 1,
		       tests[i].name);
		fflush(stdout);
	}
	printf("# %s: %d ok, %d not ok\n", prog, nok, nfail);
	return nfail ? 1 : 0;
}
