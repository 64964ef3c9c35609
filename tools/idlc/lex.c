// SPDX-License-Identifier: MIT
/*
 * idlc: the lexer (idl/README.md, "Lexical rules"). Turns the source bytes
 * into tokens, skipping white space and comments. Source text is ASCII;
 * other bytes may appear only inside comments. Every malformed input ends
 * in idl_error() at the offending byte.
 */
#include <stdio.h>
#include <string.h>

#include "idlc.h"

void idl_lex_init(struct idl_lexer *lx, struct idl_ctx *ctx, const char *src,
		  size_t len)
{
	lx->ctx = ctx;
	lx->src = src;
	lx->len = len;
	lx->off = 0;
	lx->pos.line = 1;
	lx->pos.col = 1;
}

static int peek(const struct idl_lexer *lx, size_t ahead)
{
	if (lx->off + ahead >= lx->len) {
		return -1;
	}
	return (unsigned char)lx->src[lx->off + ahead];
}

static void advance(struct idl_lexer *lx)
{
	if (lx->src[lx->off] == '\n') {
		lx->pos.line++;
		lx->pos.col = 1;
	} else {
		lx->pos.col++;
	}
	lx->off++;
}

static bool is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_char(int c)
{
	return is_ident_start(c) || is_digit(c);
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* Skips white space and comments. */
static void skip_space(struct idl_lexer *lx)
{
	for (;;) {
		int c = peek(lx, 0);

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			advance(lx);
		} else if (c == '/' && peek(lx, 1) == '/') {
			while (peek(lx, 0) != -1 && peek(lx, 0) != '\n') {
				if (peek(lx, 0) == 0) {
					idl_error(lx->ctx, lx->pos,
						  "NUL byte in a comment");
				}
				advance(lx);
			}
		} else if (c == '/' && peek(lx, 1) == '*') {
			struct idl_pos start = lx->pos;

			advance(lx);
			advance(lx);
			for (;;) {
				c = peek(lx, 0);
				if (c == -1) {
					idl_error(lx->ctx, start,
						  "unterminated comment");
				}
				if (c == 0) {
					idl_error(lx->ctx, lx->pos,
						  "NUL byte in a comment");
				}
				if (c == '*' && peek(lx, 1) == '/') {
					advance(lx);
					advance(lx);
					break;
				}
				advance(lx);
			}
		} else {
			return;
		}
	}
}

/* Quotes at most 40 characters of a malformed literal for a message. */
static const char *quote(struct idl_lexer *lx, size_t start, size_t end)
{
	size_t n = end - start;

	if (n > 40) {
		return idl_printf(lx->ctx, "%.37s...", lx->src + start);
	}
	return idl_strndup(lx->ctx, lx->src + start, n);
}

static void lex_number(struct idl_lexer *lx, struct idl_tok *tok)
{
	size_t start = lx->off;
	uint64_t v = 0;
	bool overflow = false;

	if (peek(lx, 0) == '0' && (peek(lx, 1) == 'x' || peek(lx, 1) == 'X')) {
		size_t digits = 0;

		advance(lx);
		advance(lx);
		while (hex_value(peek(lx, 0)) >= 0) {
			if (v >> 60) {
				overflow = true;
			}
			v = (v << 4) | (uint64_t)hex_value(peek(lx, 0));
			advance(lx);
			digits++;
		}
		if (digits == 0 || is_ident_char(peek(lx, 0))) {
			while (is_ident_char(peek(lx, 0))) {
				advance(lx);
			}
			idl_error(lx->ctx, tok->pos,
				  "malformed integer literal '%s'",
				  quote(lx, start, lx->off));
		}
	} else {
		while (is_digit(peek(lx, 0))) {
			uint64_t d = (uint64_t)(peek(lx, 0) - '0');

			if (v > (UINT64_MAX - d) / 10) {
				overflow = true;
			}
			v = v * 10 + d;
			advance(lx);
		}
		if (is_ident_char(peek(lx, 0))) {
			while (is_ident_char(peek(lx, 0))) {
				advance(lx);
			}
			idl_error(lx->ctx, tok->pos,
				  "malformed integer literal '%s'",
				  quote(lx, start, lx->off));
		}
		if (lx->off - start > 1 && lx->src[start] == '0') {
			idl_error(lx->ctx, tok->pos,
				  "integer literal '%s' has a leading zero "
				  "(octal is not supported)",
				  quote(lx, start, lx->off));
		}
	}
	if (overflow) {
		idl_error(lx->ctx, tok->pos,
			  "integer literal '%s' does not fit in 64 bits",
			  quote(lx, start, lx->off));
	}
	tok->kind = IDL_T_INT;
	tok->value = v;
	tok->text = lx->src + start;
	tok->len = lx->off - start;
}

static void lex_ident(struct idl_lexer *lx, struct idl_tok *tok)
{
	size_t start = lx->off;

	while (is_ident_char(peek(lx, 0))) {
		advance(lx);
	}
	tok->kind = IDL_T_IDENT;
	tok->text = lx->src + start;
	tok->len = lx->off - start;
	if (tok->len > IDL_MAX_IDENT) {
		idl_error(lx->ctx, tok->pos,
			  "name '%.*s...' is longer than %u characters",
			  (int)IDL_MAX_IDENT, tok->text, IDL_MAX_IDENT);
	}
}

static const struct {
	char c;
	enum idl_tok_kind kind;
} idl_puncts[] = {
	{'{', IDL_T_LBRACE},   {'}', IDL_T_RBRACE},   {'(', IDL_T_LPAREN},
	{')', IDL_T_RPAREN},   {'<', IDL_T_LANGLE},   {'>', IDL_T_RANGLE},
	{'[', IDL_T_LBRACKET}, {']', IDL_T_RBRACKET}, {';', IDL_T_SEMI},
	{':', IDL_T_COLON},    {',', IDL_T_COMMA},    {'=', IDL_T_EQUALS},
	{'@', IDL_T_AT},       {'?', IDL_T_QUESTION},
};

void idl_lex_next(struct idl_lexer *lx, struct idl_tok *tok)
{
	int c;

	skip_space(lx);
	memset(tok, 0, sizeof(*tok));
	tok->pos = lx->pos;
	tok->text = lx->src + lx->off;
	c = peek(lx, 0);
	if (c == -1) {
		tok->kind = IDL_T_EOF;
		return;
	}
	if (is_ident_start(c)) {
		lex_ident(lx, tok);
		return;
	}
	if (is_digit(c)) {
		lex_number(lx, tok);
		return;
	}
	if (c == '-') {
		advance(lx);
		tok->len = 1;
		tok->kind = IDL_T_MINUS;
		if (peek(lx, 0) == '>') {
			advance(lx);
			tok->len = 2;
			tok->kind = IDL_T_ARROW;
		}
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(idl_puncts); i++) {
		if (idl_puncts[i].c == c) {
			advance(lx);
			tok->len = 1;
			tok->kind = idl_puncts[i].kind;
			return;
		}
	}
	if (c == '*') {
		idl_error(lx->ctx, tok->pos,
			  "raw pointers cannot cross domains; use rref<T> for "
			  "shared-heap objects");
	}
	if (c == '&') {
		idl_error(lx->ctx, tok->pos,
			  "references cannot cross domains; use 'borrow "
			  "rref<T>' to lend a shared-heap object");
	}
	if (c == 0) {
		idl_error(lx->ctx, tok->pos, "NUL byte in the source");
	}
	if (c > 0x20 && c < 0x7f) {
		idl_error(lx->ctx, tok->pos, "unexpected character '%c'", c);
	}
	if (c >= 0x80) {
		idl_error(lx->ctx, tok->pos,
			  "non-ASCII byte 0x%02x outside a comment", c);
	}
	idl_error(lx->ctx, tok->pos, "unexpected control character 0x%02x", c);
}
