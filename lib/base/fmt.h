/* SPDX-License-Identifier: MIT */
/*
 * Freestanding printf-style formatting for the kernel console, domains and
 * log buffers, following ISO C11 7.21.6.1 (fprintf) for the subset below.
 *
 * Conversions: d i u x X o c s p %. Length modifiers: hh h l ll z t j.
 * Flags: - 0 + space #. Width and precision, either may be '*'.
 * Departures from C: %p always prints "0x" and 16 lowercase hex digits
 * (width and '-' apply, other flags and precision are ignored); a NULL %s
 * prints "(null)" (cut by the precision like any string); there is no
 * floating point. A conversion that is not supported (%f, %e, %g, %a, %n,
 * %lc, %ls, unknown letters, a '%' at the end) is printed literally, spec
 * and all, so "%5.1f" prints "%5.1f"; %n never writes. Widths and
 * precisions saturate at INT_MAX; the returned count saturates at INT_MAX.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#include "base/compiler.h"

/*
 * Formats to a character sink: emit(ctx, c) is called once per output
 * character, in order. Returns the number of characters emitted.
 */
int fmt_vformat(void (*emit)(void *ctx, char c), void *ctx, const char *fmt,
		va_list ap) __printf(3, 0);
int fmt_format(void (*emit)(void *ctx, char c), void *ctx, const char *fmt, ...)
	__printf(3, 4);

/*
 * C99 snprintf: writes at most size - 1 characters and a NUL to buf (buf may
 * be NULL when size is 0). Returns the length the full output would have
 * had, not counting the NUL; the output was truncated iff that is >= size.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__printf(3, 0);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
