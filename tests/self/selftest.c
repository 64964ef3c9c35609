// SPDX-License-Identifier: MIT
/*
 * The self-test runner (see selftest.h). Output is KTAP version 1
 * (https://docs.kernel.org/dev-tools/ktap.html): a plan line, one result
 * line per test, diagnostics as "# " lines. tests/runner reads it.
 */
#include "tests/self/selftest.h"

#include <stdarg.h>

#include "base/string.h"
#include "console.h"
#include "heap.h"
#include "pmm.h"
#include "sheap.h"
#include "svc.h"
#include "thread.h"
#include "time.h"

extern const struct selftest __start_selftests[];
extern const struct selftest __stop_selftests[];

void selftest_fail(struct selftest_ctx *ctx, const char *file, int line,
		   const char *fmt, ...)
{
	va_list ap;

	ctx->failed = true;
	kprintf("    # %s:%d: ", file, line);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
}

void selftest_skip(struct selftest_ctx *ctx, const char *reason)
{
	ctx->skipped = true;
	strlcpy(ctx->skip_reason, reason, sizeof(ctx->skip_reason));
}

/* Does @name match one comma-separated pattern ("x", "x*") in @filter? */
static bool selected(const char *name, const char *filter)
{
	const char *p = filter;

	if (strcmp(filter, "all") == 0) {
		return true;
	}
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > 0 && p[len - 1] == '*') {
			if (strncmp(name, p, len - 1) == 0) {
				return true;
			}
		} else if (len == strlen(name) && strncmp(name, p, len) == 0) {
			return true;
		}
		p += len;
		if (*p == ',') {
			p++;
		}
	}
	return false;
}

struct run_arg {
	const struct selftest *t;
	struct selftest_ctx ctx;
};

static int run_one(void *arg)
{
	struct run_arg *ra = arg;

	ra->t->fn(&ra->ctx);
	return 0;
}

int selftest_run(const char *filter)
{
	const struct selftest *t;
	unsigned int n = 0;
	unsigned int idx = 0;
	unsigned int passed = 0;
	unsigned int failed = 0;
	unsigned int skipped = 0;
	uint64_t t_start = time_ns();

	for (t = __start_selftests; t < __stop_selftests; t++) {
		if (selected(t->name, filter)) {
			n++;
		}
	}
	kprintf("KTAP version 1\n1..%u\n", n);
	for (t = __start_selftests; t < __stop_selftests; t++) {
		struct run_arg ra = {.t = t};
		struct heap_stats hs0;
		struct heap_stats hs1;
		struct sheap_stats sh0;
		struct sheap_stats sh1;
		struct svc_stats sv0;
		struct svc_stats sv1;
		size_t pages0;
		size_t pages1;
		uint64_t threads0;
		uint64_t t0;
		struct thread *th;

		if (!selected(t->name, filter)) {
			continue;
		}
		idx++;
		sheap_get_stats(&sh0);
		svc_get_stats(&sv0);
		heap_stats(&hs0);
		pages0 = pmm_free_pages();
		threads0 = thread_count();
		t0 = time_ns();
		if (thread_create(&th, t->name, run_one, &ra, THREAD_ANY_CPU)) {
			selftest_fail(&ra.ctx, __FILE__, __LINE__,
				      "could not create the test thread");
		} else {
			thread_join(th, NULL);
		}
		heap_stats(&hs1);
		pages1 = pmm_free_pages();
		sheap_get_stats(&sh1);
		svc_get_stats(&sv1);
		if (!(t->flags & SELFTEST_NO_LEAK_CHECK) && !ra.ctx.skipped) {
			if (hs1.bytes_in_use != hs0.bytes_in_use) {
				selftest_fail(&ra.ctx, t->file, 0,
					      "leak: heap bytes %zu -> %zu",
					      hs0.bytes_in_use,
					      hs1.bytes_in_use);
			}
			if (pages1 != pages0) {
				selftest_fail(&ra.ctx, t->file, 0,
					      "leak: free pages %zu -> %zu",
					      pages0, pages1);
			}
			if (sh1.live != sh0.live || sh1.pages != sh0.pages) {
				selftest_fail(&ra.ctx, t->file, 0,
					      "leak: rrefs %lu -> %lu (pages "
					      "%lu -> %lu)",
					      sh0.live, sh1.live, sh0.pages,
					      sh1.pages);
			}
			if (sv1.live != sv0.live) {
				selftest_fail(&ra.ctx, t->file, 0,
					      "leak: services %lu -> %lu",
					      sv0.live, sv1.live);
			}
			if (thread_count() != threads0) {
				selftest_fail(&ra.ctx, t->file, 0,
					      "leak: threads %lu -> %lu",
					      threads0, thread_count());
			}
		}
		if (ra.ctx.skipped) {
			skipped++;
			kprintf("ok %u %s # SKIP %s\n", idx, t->name,
				ra.ctx.skip_reason);
		} else if (ra.ctx.failed) {
			failed++;
			kprintf("not ok %u %s\n", idx, t->name);
		} else {
			passed++;
			kprintf("ok %u %s # %lu ms\n", idx, t->name,
				(time_ns() - t0) / 1000000);
		}
	}
	kprintf("# selftests: %u ok, %u not ok, %u skipped in %lu ms\n", passed,
		failed, skipped, (time_ns() - t_start) / 1000000);
	return failed ? -1 : 0;
}
