// SPDX-License-Identifier: MIT
/*
 * dom_panic(): a domain fails itself on purpose (STYLE.md section 7). The
 * kernel ends the domain with SYS_FAULT_PANIC and logs the message; the
 * supervisor (init) decides about a restart.
 */
#include "rt/internal.h"
#include "rt/rt.h"
#include "rt/syscall.h"

void dom_panic(const char *fmt, ...)
{
	char msg[RT_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rt_flush_for_panic();
	sys_dom_panic(msg, MIN((size_t)n, sizeof(msg) - 1));
}
