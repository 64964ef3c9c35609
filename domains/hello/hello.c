// SPDX-License-Identifier: MIT
/*
 * hello: the first domain, a smoke test of the runtime. It checks that its
 * constructor ran, greets with its identity (SYS_DOM_INFO), runs two
 * threads and joins them, exercises malloc() and checks the heap for
 * leaks, sleeps 10 ms, and exits with 0. Any surprise is a dom_panic(), so
 * a boot test only has to look for "hello: done" and the exit code init
 * reports.
 */
#include "abi/errno.h"
#include "rt/heap.h"
#include "rt/rt.h"
#include "rt/syscall.h"

#define HELLO_THREADS 2
#define HELLO_CODE_BASE 10 /* thread n returns HELLO_CODE_BASE + n */
#define HELLO_SLEEP_MS 10

/* Set by a constructor: the runtime runs .init_array before dom_main. */
static bool hello_ctor_ran;

__attribute__((constructor)) static void hello_ctor(void)
{
	hello_ctor_ran = true;
}

static int worker(void *arg)
{
	int n = (int)(uintptr_t)arg;

	printf("hello: thread %d running\n", n);
	return HELLO_CODE_BASE + n;
}

static void run_threads(void)
{
	uint64_t tids[HELLO_THREADS];
	int err;

	for (int i = 0; i < HELLO_THREADS; i++) {
		err = thread_spawn(worker, (void *)(uintptr_t)(i + 1),
				   &tids[i]);
		if (err) {
			dom_panic("hello: thread_spawn: %s", errno_name(err));
		}
	}
	for (int i = 0; i < HELLO_THREADS; i++) {
		int code = -1;

		err = thread_join(tids[i], &code);
		if (err) {
			dom_panic("hello: thread_join: %s", errno_name(err));
		}
		if (code != HELLO_CODE_BASE + i + 1) {
			dom_panic("hello: thread %d returned %d, expected %d",
				  i + 1, code, HELLO_CODE_BASE + i + 1);
		}
		printf("hello: thread %d returned %d\n", i + 1, code);
	}
}

/* Fills @n bytes with a pattern derived from @seed. */
static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed * 31 + i);
	}
}

static bool intact(const uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != (uint8_t)(seed * 31 + i)) {
			return false;
		}
	}
	return true;
}

static void run_malloc(void)
{
	static const size_t sizes[] = {1, 24, 100, 1000, 5000, 20000};
	struct rt_heap_stats before;
	struct rt_heap_stats after;
	uint8_t *bufs[ARRAY_SIZE(sizes)];
	uint8_t *grown;

	malloc_stats(&before);
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		bufs[i] = malloc(sizes[i]);
		if (!bufs[i] || (uintptr_t)bufs[i] % 16 != 0) {
			dom_panic("hello: malloc(%zu) gave %p", sizes[i],
				  bufs[i]);
		}
		fill(bufs[i], sizes[i], i);
	}
	/* Grow one small buffer into a large one: the bytes must move. */
	grown = realloc(bufs[2], 9000);
	if (!grown || !intact(grown, sizes[2], 2)) {
		dom_panic("hello: realloc lost the buffer's contents");
	}
	bufs[2] = grown;
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (!intact(bufs[i], sizes[i], i)) {
			dom_panic("hello: buffer %u (%zu bytes) was corrupted",
				  i, sizes[i]);
		}
	}
	malloc_stats(&after);
	printf("hello: malloc ok: %zu live buffers, %zu heap pages\n",
	       after.allocs - before.allocs, after.pages);
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		free(bufs[i]);
	}
	malloc_stats(&after);
	if (after.allocs != before.allocs || after.bytes != before.bytes) {
		dom_panic("hello: heap leak: %zu allocations, %zu bytes "
			  "before; %zu, %zu after",
			  before.allocs, before.bytes, after.allocs,
			  after.bytes);
	}
}

static void run_sleep(void)
{
	uint64_t t0 = now_ns();
	uint64_t dt;

	sleep_ms(HELLO_SLEEP_MS);
	dt = now_ns() - t0;
	if (dt < HELLO_SLEEP_MS * 1000000ull) {
		dom_panic("hello: sleep_ms(%d) returned after %lu ns",
			  HELLO_SLEEP_MS, dt);
	}
	printf("hello: slept %d ms\n", HELLO_SLEEP_MS);
}

int dom_main(uint64_t arg, const char *boot)
{
	struct sys_dom_info info;
	int err;

	if (!hello_ctor_ran) {
		dom_panic("hello: constructors did not run");
	}
	err = sys_dom_info(&info);
	if (err) {
		dom_panic("hello: SYS_DOM_INFO: %s", errno_name(err));
	}
	printf("hello: hello from domain %lu \"%.*s\", region base %p, "
	       "quota %lu pages, %u threads\n",
	       info.id, (int)sizeof(info.name), info.name,
	       (void *)info.region_base, info.mem_pages_quota,
	       info.threads_quota);
	run_threads();
	run_malloc();
	run_sleep();
	puts("hello: done");
	return 0;
}
