// SPDX-License-Identifier: MIT
/*
 * Domain console output: printf(), puts() and rt_flush() over one line
 * buffer shared by the domain's threads (behaviour in lib/rt/rt.h). Each
 * complete line goes to the kernel in one SYS_CONSOLE_WRITE, so lines from
 * different threads do not interleave mid-line unless a thread prints a
 * line in several calls.
 */
#include "rt/internal.h"
#include "rt/lock.h"
#include "rt/rt.h"
#include "rt/syscall.h"

/* Attempts dom_panic() makes at the console lock before giving up. */
#define PANIC_LOCK_TRIES 1000u

static struct rt_lock con_lock;
/* Protected by con_lock: */
static char line[RT_LINE_MAX];
static size_t line_len;

BUILD_ASSERT(RT_LINE_MAX <= SYS_CONSOLE_MAX);

/* Caller holds con_lock. Output the kernel refuses is dropped. */
static void flush_locked(void)
{
	size_t done = 0;

	while (done < line_len) {
		int64_t n = sys_console_write(line + done, line_len - done);

		if (n <= 0) {
			break;
		}
		done += (size_t)n;
	}
	line_len = 0;
}

/* fmt_vformat() sink; caller holds con_lock. */
static void emit(void *ctx, char c)
{
	line[line_len++] = c;
	if (c == '\n' || line_len == sizeof(line)) {
		flush_locked();
	}
}

int vprintf(const char *fmt, va_list ap)
{
	int n;

	rt_lock_acquire(&con_lock);
	n = fmt_vformat(emit, NULL, fmt, ap);
	rt_lock_release(&con_lock);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	rt_lock_acquire(&con_lock);
	while (*s) {
		emit(NULL, *s++);
	}
	emit(NULL, '\n');
	rt_lock_release(&con_lock);
	return 0;
}

void rt_flush(void)
{
	rt_lock_acquire(&con_lock);
	flush_locked();
	rt_lock_release(&con_lock);
}

void rt_flush_for_panic(void)
{
	for (unsigned int i = 0; i < PANIC_LOCK_TRIES; i++) {
		if (rt_lock_try(&con_lock)) {
			flush_locked();
			rt_lock_release(&con_lock);
			return;
		}
		sys_thread_yield();
	}
}
