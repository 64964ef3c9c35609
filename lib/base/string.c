// SPDX-License-Identifier: MIT
/*
 * Freestanding memory and string functions: ISO C11 7.24 (memcpy, memmove,
 * memset, memcmp, strlen, strcmp, strncmp, strchr, strrchr), POSIX.1-2008
 * strnlen, OpenBSD strlcpy(3)/strlcat(3), and strict number parsing. In host
 * builds every libc name is compiled as cordon_<name> (see string.h).
 */
#include "base/string.h"

#include <stdbool.h>

#include "abi/errno.h"
#include "base/compiler.h"

/*
 * An unaligned, aliasing 64-bit word: x86_64 loads and stores these at any
 * address, and may_alias makes the accesses valid on any object type.
 */
typedef uint64_t __attribute__((aligned(1), may_alias)) uword_t;

/*
 * Hides a loop variable from the optimiser, so that it cannot recognise the
 * loops below as memcpy/memset/strlen idioms and replace them with calls: in
 * the kernel that call would recurse into the function itself, and on the
 * host it would run libc's code instead of the code under test.
 */
#define HIDE_VAR(p) __asm__("" : "+r"(p))

void *STRING_NAME(memcpy)(void *restrict dst, const void *restrict src,
			  size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (; n >= 8; n -= 8) {
		*(uword_t *)d = *(const uword_t *)s;
		d += 8;
		s += 8;
		HIDE_VAR(d);
	}
	for (; n > 0; n--) {
		*d++ = *s++;
		HIDE_VAR(d);
	}
	return dst;
}

/*
 * Copies forwards when dst is below src (each word is read before the store
 * that could overlap it), backwards otherwise.
 */
void *STRING_NAME(memmove)(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0) {
		return dst;
	}
	if ((uintptr_t)d < (uintptr_t)s) {
		for (; n >= 8; n -= 8) {
			*(uword_t *)d = *(const uword_t *)s;
			d += 8;
			s += 8;
			HIDE_VAR(d);
		}
		for (; n > 0; n--) {
			*d++ = *s++;
			HIDE_VAR(d);
		}
		return dst;
	}
	while (n >= 8) {
		n -= 8;
		*(uword_t *)(d + n) = *(const uword_t *)(s + n);
		HIDE_VAR(d);
	}
	while (n > 0) {
		n--;
		d[n] = s[n];
		HIDE_VAR(d);
	}
	return dst;
}

void *STRING_NAME(memset)(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t pattern = (unsigned char)c * 0x0101010101010101ull;

	for (; n >= 8; n -= 8) {
		*(uword_t *)d = pattern;
		d += 8;
		HIDE_VAR(d);
	}
	for (; n > 0; n--) {
		*d++ = (unsigned char)c;
		HIDE_VAR(d);
	}
	return dst;
}

int STRING_NAME(memcmp)(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a;
	const unsigned char *q = b;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != q[i]) {
			return (int)p[i] - (int)q[i];
		}
	}
	return 0;
}

size_t STRING_NAME(strlen)(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0') {
		n++;
		HIDE_VAR(n);
	}
	return n;
}

/* Returns the length of s, but looks at no more than maxlen bytes. */
size_t STRING_NAME(strnlen)(const char *s, size_t maxlen)
{
	size_t n = 0;

	while (n < maxlen && s[n] != '\0') {
		n++;
		HIDE_VAR(n);
	}
	return n;
}

/* Characters compare as unsigned char, as C11 7.24.4 requires. */
int STRING_NAME(strcmp)(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p != '\0' && *p == *q) {
		p++;
		q++;
	}
	return (int)*p - (int)*q;
}

int STRING_NAME(strncmp)(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != q[i]) {
			return (int)p[i] - (int)q[i];
		}
		if (p[i] == '\0') {
			break;
		}
	}
	return 0;
}

/* The terminating NUL is part of the string: strchr(s, 0) finds it. */
char *STRING_NAME(strchr)(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch) {
			return (char *)s;
		}
		if (*s == '\0') {
			return NULL;
		}
	}
}

char *STRING_NAME(strrchr)(const char *s, int c)
{
	char ch = (char)c;
	const char *last = NULL;

	for (;; s++) {
		if (*s == ch) {
			last = s;
		}
		if (*s == '\0') {
			return (char *)last;
		}
	}
}

size_t STRING_NAME(strlcpy)(char *dst, const char *src, size_t size)
{
	size_t len = STRING_NAME(strlen)(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		STRING_NAME(memcpy)(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

size_t STRING_NAME(strlcat)(char *dst, const char *src, size_t size)
{
	size_t dlen = STRING_NAME(strnlen)(dst, size);
	size_t slen = STRING_NAME(strlen)(src);
	size_t room;
	size_t n;

	if (dlen == size) {
		return size + slen;
	}
	room = size - dlen - 1;
	n = slen < room ? slen : room;
	STRING_NAME(memcpy)(dst + dlen, src, n);
	dst[dlen + n] = '\0';
	return dlen + slen;
}

/* Value of an ASCII digit or letter (base 36), or -1. */
static int digit_value(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'Z') {
		return c - 'A' + 10;
	}
	return -1;
}

int str_to_u64(const char *s, size_t len, int base, uint64_t *out)
{
	bool overflow = false;
	uint64_t v = 0;
	size_t i = 0;

	if (s == NULL || base < 0 || base == 1 || base > 36) {
		return -EINVAL;
	}
	if ((base == 0 || base == 16) && len >= 2 && s[0] == '0' &&
	    (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (base == 0 && len >= 2 && s[0] == '0') {
		base = 8;
		i = 1;
	} else if (base == 0) {
		base = 10;
	}
	if (i == len) {
		return -EINVAL;
	}
	/*
	 * Keep scanning after an overflow so that a bad digit anywhere is
	 * reported as -EINVAL, whatever the magnitude.
	 */
	for (; i < len; i++) {
		int d = digit_value(s[i]);

		if (d < 0 || d >= base) {
			return -EINVAL;
		}
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
			overflow = true;
		} else {
			v = v * (uint64_t)base + (uint64_t)d;
		}
	}
	if (overflow) {
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int str_to_u64_size(const char *s, size_t len, uint64_t *out)
{
	unsigned int shift = 0;
	uint64_t v;
	int err;

	if (s == NULL) {
		return -EINVAL;
	}
	if (len > 0) {
		switch (s[len - 1]) {
		case 'K':
		case 'k':
			shift = 10;
			break;
		case 'M':
		case 'm':
			shift = 20;
			break;
		case 'G':
		case 'g':
			shift = 30;
			break;
		case 'T':
		case 't':
			shift = 40;
			break;
		default:
			break;
		}
	}
	if (shift != 0) {
		len--;
	}
	err = str_to_u64(s, len, 0, &v);
	if (err) {
		return err;
	}
	if (v > (UINT64_MAX >> shift)) {
		return -ERANGE;
	}
	*out = v << shift;
	return 0;
}
