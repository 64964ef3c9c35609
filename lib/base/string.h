/* SPDX-License-Identifier: MIT */
/*
 * Freestanding memory and string functions (ISO C11 7.24 semantics; strlcpy
 * and strlcat as in OpenBSD's strlcpy(3)) and strict unsigned integer
 * parsing, for the kernel, domains and host tools.
 *
 * Naming scheme. In kernel and domain builds lib/base/string.c defines the
 * standard names (memcpy, strlen, ...), which gcc also calls on its own. In
 * host builds (CORDON_HOST defined) libc already owns those names, so
 * string.c defines the same code as cordon_memcpy, cordon_strlen, ... and the
 * host unit tests call those to exercise the project's implementation. The
 * standard prototypes below are identical to libc's, so this header and
 * <string.h> can be included together; on the host a call to memcpy() goes
 * to libc. strlcpy and strlcat are not in every libc (glibc added them in
 * 2.38), so on the host they are redirected by macro to cordon_strlcpy and
 * cordon_strlcat, and host programs using them link lib/base/string.c.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

#ifdef CORDON_HOST
#define STRING_NAME(name) cordon_##name
#define strlcpy cordon_strlcpy
#define strlcat cordon_strlcat
#else
#define STRING_NAME(name) name
#endif /* CORDON_HOST */

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

/*
 * Copies src into dst (of size bytes), truncating if needed, and always
 * NUL-terminates when size > 0. Returns strlen(src): truncation happened iff
 * the result is >= size.
 */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * Appends src to the NUL-terminated string in dst (of size bytes), truncating
 * if needed. Returns the length the result would have had without truncation,
 * strnlen(dst, size) + strlen(src); if dst holds no NUL within size bytes it
 * is left alone and size + strlen(src) is returned.
 */
size_t strlcat(char *dst, const char *src, size_t size);

/*
 * Parses exactly the len bytes at s as an unsigned number in base (2..36),
 * without sign, spaces or suffix. Base 0 picks 16 for a "0x"/"0X" prefix, 8
 * for a leading "0" followed by more digits, else 10; base 16 also accepts a
 * "0x" prefix. Stores the value in *out only on success.
 * Returns 0, -EINVAL (empty, bad digit, bad base) or -ERANGE (> UINT64_MAX).
 */
int __must_check str_to_u64(const char *s, size_t len, int base, uint64_t *out);

/*
 * Like str_to_u64() with base 0, for memory sizes: the number may end in one
 * of the binary multipliers K, M, G or T (either case; 2^10, 2^20, 2^30,
 * 2^40). Returns 0, -EINVAL, or -ERANGE if the scaled value overflows.
 */
int __must_check str_to_u64_size(const char *s, size_t len, uint64_t *out);

#ifdef CORDON_HOST
/* The project's implementations under host-safe names; see above. */
void *cordon_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *cordon_memmove(void *dst, const void *src, size_t n);
void *cordon_memset(void *dst, int c, size_t n);
int cordon_memcmp(const void *a, const void *b, size_t n);
size_t cordon_strlen(const char *s);
size_t cordon_strnlen(const char *s, size_t maxlen);
int cordon_strcmp(const char *a, const char *b);
int cordon_strncmp(const char *a, const char *b, size_t n);
char *cordon_strchr(const char *s, int c);
char *cordon_strrchr(const char *s, int c);
#endif /* CORDON_HOST */
