// SPDX-License-Identifier: MIT
/*
 * idlc: memory, text buffers, error reporting, hashing and the compile
 * entry point idlc_compile() (tools/idlc/idlc.h). All memory of one
 * compilation comes from an arena of malloc()ed chunks freed together, so
 * abandoning a compilation at any point with longjmp() leaks nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha512.h"
#include "idlc.h"

#define IDL_CHUNK_SIZE (64u << 10)

struct idl_arena_chunk {
	struct idl_arena_chunk *next;
	size_t size;
	size_t used;
	max_align_t data[];
};

static const char idl_oom_msg[] = "out of memory";

static __noreturn void idl_oom(struct idl_ctx *ctx)
{
	free(ctx->error);
	ctx->error = NULL;
	longjmp(ctx->fail, 2);
}

void *idl_alloc(struct idl_ctx *ctx, size_t size)
{
	struct idl_arena_chunk *c = ctx->chunks;
	void *p;

	size = ALIGN_UP(size, sizeof(max_align_t));
	if (size > (SIZE_MAX >> 2)) {
		idl_oom(ctx);
	}
	if (!c || c->size - c->used < size) {
		size_t want = MAX(size, (size_t)IDL_CHUNK_SIZE);

		c = malloc(sizeof(*c) + want);
		if (!c) {
			idl_oom(ctx);
		}
		c->next = ctx->chunks;
		c->size = want;
		c->used = 0;
		ctx->chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

static void idl_arena_free(struct idl_ctx *ctx)
{
	while (ctx->chunks) {
		struct idl_arena_chunk *c = ctx->chunks;

		ctx->chunks = c->next;
		free(c);
	}
}

char *idl_strndup(struct idl_ctx *ctx, const char *s, size_t n)
{
	char *p = idl_alloc(ctx, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void idl_buf_init(struct idl_buf *b, struct idl_ctx *ctx)
{
	b->ctx = ctx;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

static void idl_buf_reserve(struct idl_buf *b, size_t extra)
{
	char *p;
	size_t cap;

	if (b->cap - b->len > extra) {
		return;
	}
	if (extra > (SIZE_MAX >> 3) || b->len > (SIZE_MAX >> 3)) {
		idl_oom(b->ctx);
	}
	cap = MAX(b->cap * 2, b->len + extra + 1);
	cap = MAX(cap, (size_t)256);
	p = idl_alloc(b->ctx, cap);
	if (b->len) {
		memcpy(p, b->data, b->len);
	}
	b->data = p;
	b->cap = cap;
}

void idl_buf_add(struct idl_buf *b, const char *s, size_t n)
{
	idl_buf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void idl_buf_puts(struct idl_buf *b, const char *s)
{
	idl_buf_add(b, s, strlen(s));
}

void idl_buf_vprintf(struct idl_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0) {
		idl_oom(b->ctx);
	}
	idl_buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void idl_buf_printf(struct idl_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	idl_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *idl_buf_str(struct idl_buf *b)
{
	if (!b->data) {
		idl_buf_reserve(b, 1);
		b->data[0] = '\0';
	}
	return b->data;
}

char *idl_printf(struct idl_ctx *ctx, const char *fmt, ...)
{
	struct idl_buf b;
	va_list ap;

	idl_buf_init(&b, ctx);
	va_start(ap, fmt);
	idl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return (char *)idl_buf_str(&b);
}

void idl_error(struct idl_ctx *ctx, struct idl_pos pos, const char *fmt, ...)
{
	va_list ap;
	int n;
	int m;

	free(ctx->error);
	ctx->error = NULL;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	m = snprintf(NULL, 0, "%s:%u:%u: error: ", ctx->path, pos.line,
		     pos.col);
	if (n >= 0 && m >= 0) {
		ctx->error = malloc((size_t)n + (size_t)m + 1);
	}
	if (!ctx->error) {
		longjmp(ctx->fail, 2);
	}
	snprintf(ctx->error, (size_t)m + 1, "%s:%u:%u: error: ", ctx->path,
		 pos.line, pos.col);
	va_start(ap, fmt);
	vsnprintf(ctx->error + m, (size_t)n + 1, fmt, ap);
	va_end(ap);
	longjmp(ctx->fail, 1);
}

/* --- Scalars ---------------------------------------------------------------- */

static const struct {
	const char *name;
	const char *ctype;
	uint32_t size;
	bool is_signed;
} idl_scalars[] = {
	[IDL_U8] = {"u8", "uint8_t", 1, false},
	[IDL_U16] = {"u16", "uint16_t", 2, false},
	[IDL_U32] = {"u32", "uint32_t", 4, false},
	[IDL_U64] = {"u64", "uint64_t", 8, false},
	[IDL_I8] = {"i8", "int8_t", 1, true},
	[IDL_I16] = {"i16", "int16_t", 2, true},
	[IDL_I32] = {"i32", "int32_t", 4, true},
	[IDL_I64] = {"i64", "int64_t", 8, true},
	[IDL_BOOL] = {"bool", "uint8_t", 1, false},
};

const char *idl_scalar_name(enum idl_scalar s)
{
	return idl_scalars[s].name;
}

uint32_t idl_scalar_size(enum idl_scalar s)
{
	return idl_scalars[s].size;
}

bool idl_scalar_signed(enum idl_scalar s)
{
	return idl_scalars[s].is_signed;
}

/* The C type of a scalar stored in memory (bool is one byte, 0 or 1). */
const char *idl_scalar_ctype(enum idl_scalar s)
{
	return idl_scalars[s].ctype;
}

const char *idl_upper(struct idl_ctx *ctx, const char *s)
{
	size_t n = strlen(s);
	char *u = idl_strndup(ctx, s, n);

	for (size_t i = 0; i < n; i++) {
		if (u[i] >= 'a' && u[i] <= 'z') {
			u[i] = (char)(u[i] - 'a' + 'A');
		}
	}
	return u;
}

void idl_enum_value_spell(struct idl_buf *b, const struct idl_enumerator *e)
{
	if (e->negative) {
		/* Two's complement magnitude; -2^63 has no positive twin. */
		idl_buf_printf(b, "-%llu", (unsigned long long)(~e->value + 1));
	} else {
		idl_buf_printf(b, "%llu", (unsigned long long)e->value);
	}
}

uint64_t idl_hash64(const char *data, size_t len)
{
	uint8_t d[SHA512_DIGEST_SIZE];
	uint64_t h = 0;

	sha512(data, len, d);
	for (int i = 7; i >= 0; i--) {
		h = (h << 8) | d[i];
	}
	return h ? h : 1;
}

/* --- Entry point -------------------------------------------------------------- */

static const char *idl_stem(struct idl_ctx *ctx, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".idl") == 0) {
		n -= 4;
	}
	return idl_strndup(ctx, base, n);
}

static char *idl_dup_out(const char *s)
{
	return strdup(s ? s : "");
}

int idlc_compile(const char *path, const char *src, size_t len,
		 struct idlc_result *res)
{
	struct idl_ctx *ctx;
	struct idl_buf h;
	struct idl_buf c;
	int jumped;

	memset(res, 0, sizeof(*res));
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		res->error = strdup(idl_oom_msg);
		return -ENOMEM;
	}
	ctx->path = path;
	jumped = setjmp(ctx->fail);
	if (jumped) {
		int err = jumped == 2 ? -ENOMEM : -EINVAL;

		res->error = ctx->error;
		if (!res->error) {
			res->error = strdup(idl_oom_msg);
		}
		idl_arena_free(ctx);
		free(ctx);
		return err;
	}
	ctx->stem = idl_stem(ctx, path);
	if (len > IDL_MAX_SOURCE) {
		idl_error(ctx, (struct idl_pos){1, 1},
			  "file is %zu bytes, more than the %u byte limit", len,
			  IDL_MAX_SOURCE);
	}
	idl_parse(ctx, src, len);
	idl_check(ctx);
	idl_canon(ctx);
	idl_buf_init(&h, ctx);
	idl_gen_header(ctx, &h);
	idl_buf_init(&c, ctx);
	idl_gen_source(ctx, &c);

	res->header = idl_dup_out(idl_buf_str(&h));
	res->source = idl_dup_out(idl_buf_str(&c));
	res->canonical = idl_dup_out(idl_buf_str(&ctx->canonical));
	res->fingerprint = ctx->fingerprint;
	snprintf(res->name, sizeof(res->name), "%s", ctx->iface->name);
	idl_arena_free(ctx);
	free(ctx);
	if (!res->header || !res->source || !res->canonical) {
		idlc_result_free(res);
		res->error = strdup(idl_oom_msg);
		return -ENOMEM;
	}
	return 0;
}

void idlc_result_free(struct idlc_result *res)
{
	free(res->error);
	free(res->header);
	free(res->source);
	free(res->canonical);
	memset(res, 0, sizeof(*res));
}
