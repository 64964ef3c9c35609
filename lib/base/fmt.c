// SPDX-License-Identifier: MIT
/*
 * printf-style formatting without floating point or libc: one formatter that
 * feeds a per-character sink (fmt_vformat), and snprintf on top of it.
 * Implements the subset of ISO C11 7.21.6.1 described in fmt.h.
 */
#include "base/fmt.h"

#include <stdbool.h>
#include <stdint.h>

#define FMT_INT_MAX 0x7fffffff

/* Conversion flags. */
#define FMT_LEFT (1u << 0)  /* '-': pad on the right */
#define FMT_ZERO (1u << 1)  /* '0': pad numbers with zeros */
#define FMT_PLUS (1u << 2)  /* '+': always print a sign */
#define FMT_SPACE (1u << 3) /* ' ': space for a positive sign */
#define FMT_ALT (1u << 4)   /* '#': 0x for hex, leading 0 for octal */

enum fmt_length {
	FMT_LEN_NONE,
	FMT_LEN_HH,
	FMT_LEN_H,
	FMT_LEN_L,
	FMT_LEN_LL,
	FMT_LEN_Z,
	FMT_LEN_T,
	FMT_LEN_J,
};

/* One parsed conversion specification. */
struct fmt_spec {
	unsigned int flags;
	int width; /* 0 when absent */
	int prec;  /* -1 when absent */
	enum fmt_length len;
};

/* The sink and the running count of characters sent to it. */
struct fmt_out {
	void (*emit)(void *ctx, char c);
	void *ctx;
	int count;
};

static void put(struct fmt_out *o, char c)
{
	o->emit(o->ctx, c);
	if (o->count < FMT_INT_MAX) {
		o->count++;
	}
}

static void put_n(struct fmt_out *o, char c, int n)
{
	for (int i = 0; i < n; i++) {
		put(o, c);
	}
}

static void put_str(struct fmt_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		put(o, s[i]);
	}
}

/* Pads a field of len characters to the width, on the left or the right. */
static void pad_before(struct fmt_out *o, const struct fmt_spec *sp, size_t len)
{
	if (!(sp->flags & FMT_LEFT) && (size_t)sp->width > len) {
		put_n(o, ' ', sp->width - (int)len);
	}
}

static void pad_after(struct fmt_out *o, const struct fmt_spec *sp, size_t len)
{
	if ((sp->flags & FMT_LEFT) && (size_t)sp->width > len) {
		put_n(o, ' ', sp->width - (int)len);
	}
}

/* Reads a decimal field of the spec, saturating at INT_MAX. */
static int parse_decimal(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		int d = **p - '0';

		v = v > (FMT_INT_MAX - d) / 10 ? FMT_INT_MAX : v * 10 + d;
		(*p)++;
	}
	return v;
}

/*
 * Prints an integer of magnitude v: sign or 0x prefix, precision zeros,
 * digits, and padding to the width, as C11 7.21.6.1 describes for d, u, o, x.
 */
static void put_int(struct fmt_out *o, const struct fmt_spec *sp, uint64_t v,
		    bool neg, bool is_signed, unsigned int base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24]; /* UINT64_MAX has 22 octal digits. */
	const char *prefix = "";
	size_t prefix_len;
	int ndigits = 0;
	int zeros;
	int total;
	int pad = 0;
	bool nonzero = v != 0;

	while (v != 0) {
		digits[ndigits++] = set[v % base];
		v /= base;
	}
	/* The default precision is 1; an explicit 0 prints nothing for 0. */
	if (sp->prec < 0) {
		zeros = ndigits == 0 ? 1 : 0;
	} else {
		zeros = sp->prec > ndigits ? sp->prec - ndigits : 0;
	}
	if (base == 8 && (sp->flags & FMT_ALT) && zeros == 0) {
		zeros = 1;
	}
	if (is_signed) {
		if (neg) {
			prefix = "-";
		} else if (sp->flags & FMT_PLUS) {
			prefix = "+";
		} else if (sp->flags & FMT_SPACE) {
			prefix = " ";
		}
	} else if (base == 16 && (sp->flags & FMT_ALT) && nonzero) {
		prefix = upper ? "0X" : "0x";
	}
	prefix_len = prefix[0] == '\0' ? 0 : prefix[1] == '\0' ? 1 : 2;
	/* zeros <= INT_MAX and ndigits + prefix_len <= 24: no overflow. */
	total = (int)prefix_len + ndigits;
	total = zeros > FMT_INT_MAX - total ? FMT_INT_MAX : total + zeros;
	if (sp->width > total) {
		pad = sp->width - total;
	}
	if (!(sp->flags & FMT_LEFT) && (sp->flags & FMT_ZERO) && sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & FMT_LEFT)) {
		put_n(o, ' ', pad);
	}
	put_str(o, prefix, prefix_len);
	put_n(o, '0', zeros);
	while (ndigits > 0) {
		put(o, digits[--ndigits]);
	}
	if (sp->flags & FMT_LEFT) {
		put_n(o, ' ', pad);
	}
}

/* Fetches a signed argument of the spec's length, widened to 64 bits. */
static int64_t fetch_signed(va_list *ap, enum fmt_length len)
{
	switch (len) {
	case FMT_LEN_HH:
		return (signed char)va_arg(*ap, int);
	case FMT_LEN_H:
		return (short)va_arg(*ap, int);
	case FMT_LEN_L:
		return va_arg(*ap, long);
	case FMT_LEN_LL:
		return va_arg(*ap, long long);
	case FMT_LEN_Z:
		/* The signed type corresponding to size_t. */
		return (int64_t)va_arg(*ap, size_t);
	case FMT_LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J:
		return va_arg(*ap, intmax_t);
	case FMT_LEN_NONE:
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t fetch_unsigned(va_list *ap, enum fmt_length len)
{
	switch (len) {
	case FMT_LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case FMT_LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case FMT_LEN_L:
		return va_arg(*ap, unsigned long);
	case FMT_LEN_LL:
		return va_arg(*ap, unsigned long long);
	case FMT_LEN_Z:
		return va_arg(*ap, size_t);
	case FMT_LEN_T:
		/* The unsigned type corresponding to ptrdiff_t. */
		return (uint64_t)va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J:
		return va_arg(*ap, uintmax_t);
	case FMT_LEN_NONE:
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Length of s, looking at no more than max bytes (max < 0: unbounded). */
static size_t bounded_len(const char *s, int max)
{
	size_t n = 0;

	while ((max < 0 || n < (size_t)max) && s[n] != '\0') {
		n++;
	}
	return n;
}

/*
 * Parses the conversion at *p (just past the '%') into sp, fetching '*'
 * arguments, and leaves *p on the conversion character.
 */
static void parse_spec(const char **p, struct fmt_spec *sp, va_list *ap)
{
	sp->flags = 0;
	sp->width = 0;
	sp->prec = -1;
	sp->len = FMT_LEN_NONE;
	for (;; (*p)++) {
		if (**p == '-') {
			sp->flags |= FMT_LEFT;
		} else if (**p == '0') {
			sp->flags |= FMT_ZERO;
		} else if (**p == '+') {
			sp->flags |= FMT_PLUS;
		} else if (**p == ' ') {
			sp->flags |= FMT_SPACE;
		} else if (**p == '#') {
			sp->flags |= FMT_ALT;
		} else {
			break;
		}
	}
	if (**p == '*') {
		int w = va_arg(*ap, int);

		/* A negative '*' width is a '-' flag and a positive width. */
		if (w < 0) {
			sp->flags |= FMT_LEFT;
			w = w < -FMT_INT_MAX ? FMT_INT_MAX : -w;
		}
		sp->width = w;
		(*p)++;
	} else {
		sp->width = parse_decimal(p);
	}
	if (**p == '.') {
		(*p)++;
		if (**p == '*') {
			int prec = va_arg(*ap, int);

			/* A negative '*' precision counts as absent. */
			sp->prec = prec < 0 ? -1 : prec;
			(*p)++;
		} else {
			sp->prec = parse_decimal(p);
		}
	}
	switch (**p) {
	case 'h':
		(*p)++;
		sp->len = FMT_LEN_H;
		if (**p == 'h') {
			(*p)++;
			sp->len = FMT_LEN_HH;
		}
		break;
	case 'l':
		(*p)++;
		sp->len = FMT_LEN_L;
		if (**p == 'l') {
			(*p)++;
			sp->len = FMT_LEN_LL;
		}
		break;
	case 'z':
		(*p)++;
		sp->len = FMT_LEN_Z;
		break;
	case 't':
		(*p)++;
		sp->len = FMT_LEN_T;
		break;
	case 'j':
		(*p)++;
		sp->len = FMT_LEN_J;
		break;
	default:
		break;
	}
}

/*
 * Formats one conversion, sp parsed and conv its conversion character.
 * Returns false if it is not supported; the caller then prints the spec
 * literally.
 */
static bool convert(struct fmt_out *o, const struct fmt_spec *sp, char conv,
		    va_list *ap)
{
	const char *s;
	uint64_t u;
	int64_t v;
	char c;

	switch (conv) {
	case 'd':
	case 'i':
		v = fetch_signed(ap, sp->len);
		/* Negate in unsigned arithmetic: INT64_MIN has no positive. */
		u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		put_int(o, sp, u, v < 0, true, 10, false);
		return true;
	case 'u':
		put_int(o, sp, fetch_unsigned(ap, sp->len), false, false, 10,
			false);
		return true;
	case 'o':
		put_int(o, sp, fetch_unsigned(ap, sp->len), false, false, 8,
			false);
		return true;
	case 'x':
	case 'X':
		put_int(o, sp, fetch_unsigned(ap, sp->len), false, false, 16,
			conv == 'X');
		return true;
	case 'c':
		if (sp->len != FMT_LEN_NONE) {
			/* %lc takes a wint_t; wide characters are not ours. */
			(void)va_arg(*ap, unsigned int);
			return false;
		}
		c = (char)(unsigned char)va_arg(*ap, int);
		pad_before(o, sp, 1);
		put(o, c);
		pad_after(o, sp, 1);
		return true;
	case 's':
		s = va_arg(*ap, const char *);
		if (sp->len != FMT_LEN_NONE) {
			return false;
		}
		if (s == NULL) {
			s = "(null)";
		}
		u = bounded_len(s, sp->prec);
		pad_before(o, sp, u);
		put_str(o, s, u);
		pad_after(o, sp, u);
		return true;
	case 'p': {
		struct fmt_spec hex = {.flags = 0, .width = 16, .prec = 16};

		u = (uintptr_t)va_arg(*ap, void *);
		if (sp->len != FMT_LEN_NONE) {
			return false;
		}
		pad_before(o, sp, 18);
		put_str(o, "0x", 2);
		put_int(o, &hex, u, false, false, 16, false);
		pad_after(o, sp, 18);
		return true;
	}
	case '%':
		/* Flags and width between the two '%' are ignored. */
		put(o, '%');
		return true;
	case 'n':
		/* Consumed so later arguments stay in place, never written. */
		(void)va_arg(*ap, void *);
		return false;
	default:
		return false;
	}
}

int fmt_vformat(void (*emit)(void *ctx, char c), void *ctx, const char *fmt,
		va_list ap)
{
	struct fmt_out o = {.emit = emit, .ctx = ctx, .count = 0};
	struct fmt_spec sp;
	va_list args;
	const char *p = fmt;

	/* A copy whose address helpers can take (va_list is an array type). */
	va_copy(args, ap);
	while (*p != '\0') {
		const char *start = p;

		if (*p != '%') {
			put(&o, *p++);
			continue;
		}
		p++;
		if (*p == '%') {
			put(&o, *p++);
			continue;
		}
		parse_spec(&p, &sp, &args);
		if (*p == '\0') {
			put_str(&o, start, (size_t)(p - start));
			break;
		}
		if (!convert(&o, &sp, *p, &args)) {
			put_str(&o, start, (size_t)(p - start) + 1);
		}
		p++;
	}
	va_end(args);
	return o.count;
}

int fmt_format(void (*emit)(void *ctx, char c), void *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(emit, ctx, fmt, ap);
	va_end(ap);
	return n;
}

/* The snprintf sink: keeps what fits, leaving room for the NUL. */
struct fmt_buf {
	char *buf;
	size_t size;
	size_t pos;
};

static void buf_emit(void *ctx, char c)
{
	struct fmt_buf *b = ctx;

	if (b->pos + 1 < b->size) {
		b->buf[b->pos++] = c;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buf b = {.buf = buf, .size = size, .pos = 0};
	int n;

	n = fmt_vformat(buf_emit, &b, fmt, ap);
	if (size > 0) {
		buf[b.pos] = '\0';
	}
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
