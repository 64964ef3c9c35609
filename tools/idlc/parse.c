// SPDX-License-Identifier: MIT
/*
 * idlc: the parser (idl/README.md, "Grammar"). A recursive-descent parser
 * with one token of lookahead that builds the tree of idlc.h. It checks
 * syntax, the spelling of names and the ranges of literals; meaning (types
 * that exist, layouts, registers) is check.c's job. Recursion is bounded
 * by IDL_MAX_ARRAY_DEPTH, every list by an IDL_MAX_* limit.
 */
#include <stdio.h>
#include <string.h>

#include "idlc.h"

/* What a name names: decides its spelling rules. */
enum name_role {
	ROLE_IFACE,
	ROLE_TYPE,
	ROLE_CONST,
	ROLE_FIELD,
	ROLE_METHOD,
	ROLE_PARAM,
	ROLE_HANDLE, /* the interface in `iface name` */
};

static const char *const role_names[] = {
	[ROLE_IFACE] = "interface",	[ROLE_TYPE] = "type",
	[ROLE_CONST] = "enum constant", [ROLE_FIELD] = "field",
	[ROLE_METHOD] = "method",	[ROLE_PARAM] = "parameter",
	[ROLE_HANDLE] = "interface",
};

static const char *article(const char *word)
{
	return strchr("aeiou", word[0]) ? "an" : "a";
}

/* The IDL's own keywords, and words it keeps for later. */
static const char *const idl_keywords[] = {
	"interface", "rpc",    "struct",     "enum",	   "move",   "borrow",
	"iface",     "rref",   "rref_array", "rref_deque", "u8",     "u16",
	"u32",	     "u64",    "i8",	     "i16",	   "i32",    "i64",
	"bool",	     "ptr",    "import",     "const",	   "union",  "typedef",
	"float",     "double", "f32",	     "f64",	   "string", "void",
};

/* C keywords and the lower-case macros of the headers generated code uses. */
static const char *const c_keywords[] = {
	"auto",	    "break",	 "case",	  "char",
	"const",    "continue",	 "default",	  "do",
	"double",   "else",	 "enum",	  "extern",
	"float",    "for",	 "goto",	  "if",
	"inline",   "int",	 "long",	  "register",
	"restrict", "return",	 "short",	  "signed",
	"sizeof",   "static",	 "struct",	  "switch",
	"typedef",  "union",	 "unsigned",	  "void",
	"volatile", "while",	 "asm",		  "typeof",
	"bool",	    "true",	 "false",	  "alignas",
	"alignof",  "noreturn",	 "static_assert", "thread_local",
	"nullptr",  "constexpr",
};

/*
 * Interface names that the ABI and runtime headers use as prefixes: an
 * interface "ipc" with an enum "kind" would define IPC_KIND_SCALAR.
 */
static const char *const reserved_ifaces[] = {
	"cordon",     "dom",	"domain",   "fmt",    "idl", "ipc",
	"layout",     "list",	"manifest", "rref",   "rt",  "sheap",
	"sigtrailer", "string", "sys",	    "thread",
};

struct parser {
	struct idl_ctx *ctx;
	struct idl_lexer lx;
	struct idl_tok tok;
};

static void next(struct parser *p)
{
	idl_lex_next(&p->lx, &p->tok);
}

static bool tok_is(const struct idl_tok *t, const char *word)
{
	size_t n = strlen(word);

	return t->kind == IDL_T_IDENT && t->len == n &&
	       memcmp(t->text, word, n) == 0;
}

static bool in_list(const struct idl_tok *t, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (tok_is(t, list[i])) {
			return true;
		}
	}
	return false;
}

static bool is_keyword(const struct idl_tok *t)
{
	return in_list(t, idl_keywords, ARRAY_SIZE(idl_keywords));
}

static const char *punct_text(enum idl_tok_kind k)
{
	switch (k) {
	case IDL_T_LBRACE:
		return "'{'";
	case IDL_T_RBRACE:
		return "'}'";
	case IDL_T_LPAREN:
		return "'('";
	case IDL_T_RPAREN:
		return "')'";
	case IDL_T_LANGLE:
		return "'<'";
	case IDL_T_RANGLE:
		return "'>'";
	case IDL_T_LBRACKET:
		return "'['";
	case IDL_T_RBRACKET:
		return "']'";
	case IDL_T_SEMI:
		return "';'";
	case IDL_T_COLON:
		return "':'";
	case IDL_T_COMMA:
		return "','";
	case IDL_T_EQUALS:
		return "'='";
	case IDL_T_AT:
		return "'@'";
	case IDL_T_QUESTION:
		return "'?'";
	case IDL_T_MINUS:
		return "'-'";
	case IDL_T_ARROW:
		return "'->'";
	case IDL_T_EOF:
		return "end of file";
	case IDL_T_IDENT:
		return "a name";
	case IDL_T_INT:
		return "an integer";
	}
	return "?";
}

/* Describes the current token for "expected X, found Y". */
static const char *found(struct parser *p)
{
	const struct idl_tok *t = &p->tok;

	if (t->kind == IDL_T_IDENT) {
		return idl_printf(p->ctx, "%s '%.*s'",
				  is_keyword(t) ? "keyword" : "name",
				  (int)t->len, t->text);
	}
	if (t->kind == IDL_T_INT) {
		return idl_printf(p->ctx, "integer %.*s",
				  (int)MIN(t->len, (size_t)24), t->text);
	}
	return punct_text(t->kind);
}

static __noreturn void expected(struct parser *p, const char *what)
{
	idl_error(p->ctx, p->tok.pos, "expected %s, found %s", what, found(p));
}

static void expect(struct parser *p, enum idl_tok_kind k)
{
	if (p->tok.kind != k) {
		expected(p, punct_text(k));
	}
	next(p);
}

static void expect_word(struct parser *p, const char *word)
{
	if (!tok_is(&p->tok, word)) {
		expected(p, idl_printf(p->ctx, "'%s'", word));
	}
	next(p);
}

/*
 * Checks the current token as a name of @role and returns a copy. Names
 * are [A-Za-z][A-Za-z0-9_]* of at most IDL_MAX_IDENT characters, without
 * "__" or a trailing '_'; interfaces, methods, fields and parameters are
 * lower case; none may be a keyword of the IDL or of C, start with "idl_"
 * (generated code's own names), and lower-case ones may not start with
 * "rt_" or "ipc_" (the runtime's) or end in "_t" (C type names).
 */
static const char *take_name(struct parser *p, enum name_role role,
			     struct idl_pos *pos)
{
	const struct idl_tok *t = &p->tok;
	const char *what = role_names[role];
	bool lower = role != ROLE_TYPE && role != ROLE_CONST;
	const char *name;

	if (t->kind != IDL_T_IDENT) {
		expected(p,
			 idl_printf(p->ctx, "%s %s name", article(what), what));
	}
	if (is_keyword(t)) {
		idl_error(p->ctx, t->pos,
			  "'%.*s' is a keyword and cannot be %s %s name",
			  (int)t->len, t->text, article(what), what);
	}
	name = idl_strndup(p->ctx, t->text, t->len);
	if (in_list(t, c_keywords, ARRAY_SIZE(c_keywords))) {
		idl_error(p->ctx, t->pos,
			  "'%s' is a C keyword and cannot be %s %s name", name,
			  article(what), what);
	}
	if (name[0] == '_') {
		idl_error(p->ctx, t->pos,
			  "%s name '%s' starts with '_'; names start with a "
			  "letter",
			  what, name);
	}
	for (size_t i = 0; name[i]; i++) {
		if (lower && name[i] >= 'A' && name[i] <= 'Z') {
			idl_error(p->ctx, t->pos,
				  "%s name '%s' must be lower case "
				  "([a-z][a-z0-9_]*)",
				  what, name);
		}
	}
	if (lower && !(name[0] >= 'a' && name[0] <= 'z')) {
		idl_error(p->ctx, t->pos,
			  "%s name '%s' must start with a letter", what, name);
	}
	if (strstr(name, "__") || name[t->len - 1] == '_') {
		idl_error(p->ctx, t->pos,
			  "%s name '%s' contains '__' or ends in '_'; both are "
			  "reserved",
			  what, name);
	}
	if (strncmp(name, "idl_", 4) == 0 ||
	    (lower &&
	     (strncmp(name, "rt_", 3) == 0 || strncmp(name, "ipc_", 4) == 0))) {
		idl_error(p->ctx, t->pos,
			  "%s name '%s' uses a prefix reserved for generated "
			  "code and the runtime (idl_, rt_, ipc_)",
			  what, name);
	}
	if (lower && t->len >= 2 && strcmp(name + t->len - 2, "_t") == 0) {
		idl_error(p->ctx, t->pos,
			  "%s name '%s' ends in '_t', which C reserves for "
			  "type names",
			  what, name);
	}
	if ((role == ROLE_IFACE || role == ROLE_HANDLE) &&
	    in_list(t, reserved_ifaces, ARRAY_SIZE(reserved_ifaces))) {
		idl_error(
			p->ctx, t->pos,
			"interface name '%s' is reserved: the kernel<->domain "
			"headers use it as a prefix",
			name);
	}
	*pos = t->pos;
	next(p);
	return name;
}

/* Grows the array *@items of @n elements of @size bytes to hold one more. */
static void *grow(struct idl_ctx *ctx, void *items, uint32_t n, size_t size)
{
	void *bigger;

	if (n & (n - 1)) {
		return items;
	}
	bigger = idl_alloc(ctx, size * (n ? 2 * (size_t)n : 4));
	if (n) {
		memcpy(bigger, items, size * n);
	}
	return bigger;
}

static bool scalar_of(const struct idl_tok *t, enum idl_scalar *s)
{
	for (int i = IDL_U8; i <= IDL_BOOL; i++) {
		if (tok_is(t, idl_scalar_name((enum idl_scalar)i))) {
			*s = (enum idl_scalar)i;
			return true;
		}
	}
	return false;
}

static uint64_t take_int(struct parser *p, const char *what,
			 struct idl_pos *pos)
{
	uint64_t v;

	if (p->tok.kind != IDL_T_INT) {
		expected(p, what);
	}
	v = p->tok.value;
	if (pos) {
		*pos = p->tok.pos;
	}
	next(p);
	return v;
}

/* Where a type appears: decides what it may be. */
enum type_ctx {
	TCTX_FIELD,
	TCTX_ARG,
	TCTX_RESULT,
};

static struct idl_type *new_type(struct parser *p, enum idl_type_kind kind)
{
	struct idl_type *t = idl_alloc(p->ctx, sizeof(*t));

	t->kind = kind;
	t->pos = p->tok.pos;
	return t;
}

/* Rejects, with a reason, words that look like types but never will be. */
static void reject_type_word(struct parser *p)
{
	const struct idl_tok *t = &p->tok;

	if (tok_is(t, "ptr")) {
		idl_error(p->ctx, t->pos,
			  "raw pointers cannot cross domains; use rref<T> for "
			  "shared-heap objects");
	}
	if (tok_is(t, "float") || tok_is(t, "double") || tok_is(t, "f32") ||
	    tok_is(t, "f64")) {
		idl_error(p->ctx, t->pos,
			  "floating point is not supported: domains run "
			  "without FPU state");
	}
	if (tok_is(t, "string")) {
		idl_error(p->ctx, t->pos,
			  "there is no string type; put a fixed array "
			  "[u8; N] in a struct and pass an rref to it");
	}
	if (tok_is(t, "void")) {
		idl_error(p->ctx, t->pos,
			  "'void' is not a type; write an empty list () "
			  "instead");
	}
}

static struct idl_type *parse_rref(struct parser *p, enum type_ctx tctx)
{
	struct idl_type *t = new_type(p, IDL_TY_RREF);
	const char *spelled = "rref";

	if (tok_is(&p->tok, "rref_array")) {
		t->form = IDL_RREF_ARRAY;
		spelled = "rref_array";
	} else if (tok_is(&p->tok, "rref_deque")) {
		t->form = IDL_RREF_DEQUE;
		spelled = "rref_deque";
	}
	next(p);
	expect(p, IDL_T_LANGLE);
	if (tok_is(&p->tok, "rref") || tok_is(&p->tok, "rref_array") ||
	    tok_is(&p->tok, "rref_deque")) {
		idl_error(p->ctx, p->tok.pos,
			  "an rref of an rref is not allowed; use "
			  "rref_array<T, N> or a struct with rref fields");
	}
	if (tok_is(&p->tok, "iface")) {
		idl_error(p->ctx, p->tok.pos,
			  "interface handles cannot live on the shared heap");
	}
	{
		enum idl_scalar s;

		if (scalar_of(&p->tok, &s)) {
			idl_error(p->ctx, p->tok.pos,
				  "%s<%s>: an rref points to a struct; wrap "
				  "the value in a struct",
				  spelled, idl_scalar_name(s));
		}
	}
	if (p->tok.kind == IDL_T_LBRACKET) {
		idl_error(p->ctx, p->tok.pos,
			  "%s<[T; N]>: an rref points to a struct; wrap the "
			  "array in a struct",
			  spelled);
	}
	reject_type_word(p);
	if (p->tok.kind != IDL_T_IDENT || is_keyword(&p->tok)) {
		expected(p, "a struct name");
	}
	t->name = idl_strndup(p->ctx, p->tok.text, p->tok.len);
	t->name_pos = p->tok.pos;
	next(p);
	if (t->form != IDL_RREF_ONE) {
		expect(p, IDL_T_COMMA);
		t->len = take_int(p, "the number of slots", &t->len_pos);
		if (t->len == 0 || t->len > IDL_MAX_CONTAINER_LEN) {
			idl_error(p->ctx, t->len_pos,
				  "%s length %llu is out of range (1 to %u)",
				  spelled, (unsigned long long)t->len,
				  IDL_MAX_CONTAINER_LEN);
		}
	}
	expect(p, IDL_T_RANGLE);
	if (p->tok.kind == IDL_T_QUESTION) {
		t->optional = true;
		next(p);
	} else if (tctx == TCTX_FIELD) {
		struct idl_buf b;

		idl_buf_init(&b, p->ctx);
		idl_type_spell(&b, t);
		idl_error(p->ctx, t->pos,
			  "an rref field must be optional (write %s?): shared "
			  "memory can hold NULL at any time",
			  idl_buf_str(&b));
	}
	return t;
}

static struct idl_type *parse_type(struct parser *p, enum type_ctx tctx,
				   unsigned int depth)
{
	struct idl_type *t;
	enum idl_scalar s;

	if (scalar_of(&p->tok, &s)) {
		t = new_type(p, IDL_TY_SCALAR);
		t->scalar = s;
		next(p);
	} else if (tok_is(&p->tok, "rref") || tok_is(&p->tok, "rref_array") ||
		   tok_is(&p->tok, "rref_deque")) {
		return parse_rref(p, tctx);
	} else if (tok_is(&p->tok, "iface")) {
		if (tctx == TCTX_FIELD) {
			idl_error(p->ctx, p->tok.pos,
				  "interface handles cannot be stored in "
				  "structs; pass them as method arguments or "
				  "results");
		}
		t = new_type(p, IDL_TY_IFACE);
		next(p);
		t->name = take_name(p, ROLE_HANDLE, &t->name_pos);
		if (p->tok.kind == IDL_T_QUESTION) {
			idl_error(p->ctx, p->tok.pos,
				  "interface handles cannot be optional");
		}
	} else if (p->tok.kind == IDL_T_LBRACKET) {
		if (tctx != TCTX_FIELD) {
			idl_error(p->ctx, p->tok.pos,
				  "arrays cannot be passed directly; put the "
				  "array in a struct");
		}
		if (depth >= IDL_MAX_ARRAY_DEPTH) {
			idl_error(p->ctx, p->tok.pos,
				  "arrays nested more than %u deep",
				  IDL_MAX_ARRAY_DEPTH);
		}
		t = new_type(p, IDL_TY_ARRAY);
		next(p);
		t->elem = parse_type(p, tctx, depth + 1);
		expect(p, IDL_T_SEMI);
		t->len = take_int(p, "the array length", &t->len_pos);
		if (t->len == 0) {
			idl_error(p->ctx, t->len_pos,
				  "array length 0: arrays have at least one "
				  "element");
		}
		if (t->len > IDL_MAX_ARRAY_LEN) {
			idl_error(p->ctx, t->len_pos,
				  "array length %llu is above the limit of %u",
				  (unsigned long long)t->len,
				  IDL_MAX_ARRAY_LEN);
		}
		expect(p, IDL_T_RBRACKET);
	} else {
		reject_type_word(p);
		if (p->tok.kind != IDL_T_IDENT || is_keyword(&p->tok)) {
			expected(p, "a type");
		}
		t = new_type(p, IDL_TY_NAMED);
		t->name = idl_strndup(p->ctx, p->tok.text, p->tok.len);
		t->name_pos = p->tok.pos;
		next(p);
	}
	if (p->tok.kind == IDL_T_QUESTION) {
		idl_error(p->ctx, p->tok.pos,
			  "only rrefs can be optional ('?')");
	}
	if (p->tok.kind == IDL_T_LANGLE) {
		idl_error(p->ctx, p->tok.pos,
			  "only rref, rref_array and rref_deque take "
			  "parameters in <>");
	}
	return t;
}

static void add_decl(struct parser *p, struct idl_decl *d)
{
	struct idl_ctx *ctx = p->ctx;

	if (ctx->ndecls >= IDL_MAX_DECLS) {
		idl_error(ctx, d->pos, "more than %u types in one file",
			  IDL_MAX_DECLS);
	}
	ctx->decls = grow(ctx, ctx->decls, ctx->ndecls, sizeof(*ctx->decls));
	d->index = ctx->ndecls;
	ctx->decls[ctx->ndecls++] = d;
}

/* An optional ';' after a declaration's closing brace. */
static void skip_semi(struct parser *p)
{
	if (p->tok.kind == IDL_T_SEMI) {
		next(p);
	}
}

static void parse_struct(struct parser *p)
{
	struct idl_decl *d = idl_alloc(p->ctx, sizeof(*d));

	d->kind = IDL_DECL_STRUCT;
	next(p);
	d->name = take_name(p, ROLE_TYPE, &d->pos);
	expect(p, IDL_T_LBRACE);
	while (p->tok.kind != IDL_T_RBRACE) {
		struct idl_field *f;

		if (d->nfields >= IDL_MAX_FIELDS) {
			idl_error(p->ctx, p->tok.pos,
				  "struct '%s' has more than %u fields",
				  d->name, IDL_MAX_FIELDS);
		}
		if (p->tok.kind != IDL_T_IDENT) {
			expected(p, "a field name or '}'");
		}
		d->fields =
			grow(p->ctx, d->fields, d->nfields, sizeof(*d->fields));
		f = &d->fields[d->nfields++];
		f->name = take_name(p, ROLE_FIELD, &f->pos);
		expect(p, IDL_T_COLON);
		f->type = parse_type(p, TCTX_FIELD, 0);
		expect(p, IDL_T_SEMI);
	}
	if (d->nfields == 0) {
		idl_error(p->ctx, d->pos, "struct '%s' has no fields", d->name);
	}
	next(p);
	skip_semi(p);
	add_decl(p, d);
}

static void parse_enum(struct parser *p)
{
	struct idl_decl *d = idl_alloc(p->ctx, sizeof(*d));
	struct idl_pos base_pos;

	d->kind = IDL_DECL_ENUM;
	next(p);
	d->name = take_name(p, ROLE_TYPE, &d->pos);
	expect(p, IDL_T_COLON);
	base_pos = p->tok.pos;
	if (!scalar_of(&p->tok, &d->base) || d->base == IDL_BOOL) {
		idl_error(p->ctx, base_pos,
			  "an enum's base type is one of u8, u16, u32, u64, "
			  "i8, i16, i32, i64; found %s",
			  found(p));
	}
	next(p);
	expect(p, IDL_T_LBRACE);
	while (p->tok.kind != IDL_T_RBRACE) {
		struct idl_enumerator *e;
		unsigned int bits = idl_scalar_size(d->base) * 8;
		struct idl_pos vpos;
		uint64_t v;

		if (d->nitems >= IDL_MAX_ENUMERATORS) {
			idl_error(p->ctx, p->tok.pos,
				  "enum '%s' has more than %u constants",
				  d->name, IDL_MAX_ENUMERATORS);
		}
		if (p->tok.kind != IDL_T_IDENT) {
			expected(p, "a constant name or '}'");
		}
		d->items = grow(p->ctx, d->items, d->nitems, sizeof(*d->items));
		e = &d->items[d->nitems++];
		e->name = take_name(p, ROLE_CONST, &e->pos);
		expect(p, IDL_T_EQUALS);
		vpos = p->tok.pos;
		if (p->tok.kind == IDL_T_MINUS) {
			e->negative = true;
			next(p);
		}
		v = take_int(p, "an integer", NULL);
		if (idl_scalar_signed(d->base)) {
			uint64_t max = (1ull << (bits - 1)) - 1;

			if (e->negative ? v > max + 1 : v > max) {
				idl_error(p->ctx, vpos,
					  "%s%llu does not fit in enum '%s' "
					  "(%s)",
					  e->negative ? "-" : "",
					  (unsigned long long)v, d->name,
					  idl_scalar_name(d->base));
			}
		} else {
			uint64_t max =
				bits == 64 ? UINT64_MAX : (1ull << bits) - 1;

			if (e->negative && v != 0) {
				idl_error(p->ctx, vpos,
					  "-%llu does not fit in enum '%s' "
					  "(%s is unsigned)",
					  (unsigned long long)v, d->name,
					  idl_scalar_name(d->base));
			}
			if (v > max) {
				idl_error(p->ctx, vpos,
					  "%llu does not fit in enum '%s' (%s)",
					  (unsigned long long)v, d->name,
					  idl_scalar_name(d->base));
			}
		}
		if (e->negative && v == 0) {
			e->negative = false;
		}
		e->value = e->negative ? ~v + 1 : v;
		if (p->tok.kind == IDL_T_COMMA) {
			next(p);
		} else if (p->tok.kind != IDL_T_RBRACE) {
			expected(p, "',' or '}'");
		}
	}
	if (d->nitems == 0) {
		idl_error(p->ctx, d->pos, "enum '%s' has no constants",
			  d->name);
	}
	next(p);
	skip_semi(p);
	add_decl(p, d);
}

static void parse_params(struct parser *p, struct idl_method *m, bool results)
{
	struct idl_param **list = results ? &m->results : &m->args;
	uint32_t *n = results ? &m->nresults : &m->nargs;

	expect(p, IDL_T_LPAREN);
	if (p->tok.kind == IDL_T_RPAREN) {
		next(p);
		return;
	}
	for (;;) {
		struct idl_param *prm;

		if (*n >= IDL_MAX_PARAMS) {
			idl_error(p->ctx, p->tok.pos,
				  "method '%s' has more than %u %s", m->name,
				  IDL_MAX_PARAMS,
				  results ? "results" : "arguments");
		}
		*list = grow(p->ctx, *list, *n, sizeof(**list));
		prm = &(*list)[(*n)++];
		prm->mode_pos = p->tok.pos;
		if (tok_is(&p->tok, "move")) {
			prm->mode = IDL_MODE_MOVE;
			next(p);
		} else if (tok_is(&p->tok, "borrow")) {
			prm->mode = IDL_MODE_BORROW;
			next(p);
		}
		if (results && prm->mode == IDL_MODE_BORROW) {
			idl_error(p->ctx, prm->mode_pos,
				  "results cannot be borrowed: a result rref "
				  "always moves to the caller");
		}
		if (results && prm->mode == IDL_MODE_MOVE) {
			idl_error(p->ctx, prm->mode_pos,
				  "results always move to the caller; drop "
				  "'move'");
		}
		prm->type = parse_type(p, results ? TCTX_RESULT : TCTX_ARG, 0);
		prm->name = take_name(p, ROLE_PARAM, &prm->pos);
		if (p->tok.kind == IDL_T_RPAREN) {
			next(p);
			return;
		}
		if (p->tok.kind != IDL_T_COMMA) {
			expected(p, "',' or ')'");
		}
		next(p);
	}
}

static void parse_method(struct parser *p, struct idl_iface *itf)
{
	struct idl_ctx *ctx = p->ctx;
	struct idl_method *m;
	bool have_ordinal = false;
	struct idl_pos start = p->tok.pos;

	if (itf->nmethods >= IDL_MAX_METHODS) {
		idl_error(ctx, p->tok.pos,
			  "interface '%s' has more than %u methods", itf->name,
			  IDL_MAX_METHODS);
	}
	itf->methods =
		grow(ctx, itf->methods, itf->nmethods, sizeof(*itf->methods));
	m = &itf->methods[itf->nmethods++];
	while (p->tok.kind == IDL_T_AT) {
		struct idl_pos at = p->tok.pos;

		next(p);
		if (p->tok.kind == IDL_T_INT) {
			uint64_t v = p->tok.value;

			if (have_ordinal) {
				idl_error(ctx, at, "a method has one ordinal");
			}
			if (v == 0) {
				idl_error(ctx, at,
					  "ordinal 0 is reserved; ordinals "
					  "start at 1");
			}
			if (v > 65535) {
				idl_error(ctx, at,
					  "ordinal %llu is above 65535 "
					  "(ordinals are 16 bits in the call "
					  "word)",
					  (unsigned long long)v);
			}
			have_ordinal = true;
			m->ordinal = (uint32_t)v;
			m->ordinal_pos = at;
			next(p);
		} else if (tok_is(&p->tok, "idempotent")) {
			if (m->idempotent) {
				idl_error(ctx, at, "duplicate @idempotent");
			}
			m->idempotent = true;
			m->idempotent_pos = at;
			next(p);
		} else if (tok_is(&p->tok, "config")) {
			if (m->config) {
				idl_error(ctx, at, "duplicate @config");
			}
			m->config = true;
			m->config_pos = at;
			next(p);
		} else if (tok_is(&p->tok, "version")) {
			idl_error(ctx, at,
				  "@version belongs after the interface name, "
				  "not on a method");
		} else if (p->tok.kind == IDL_T_IDENT) {
			idl_error(ctx, at,
				  "unknown attribute '@%.*s' (methods take "
				  "@<ordinal>, @idempotent and @config)",
				  (int)p->tok.len, p->tok.text);
		} else {
			expected(p,
				 "an ordinal or an attribute name after '@'");
		}
	}
	expect_word(p, "rpc");
	m->name = take_name(p, ROLE_METHOD, &m->pos);
	if (!have_ordinal) {
		idl_error(ctx, start,
			  "method '%s' has no ordinal; write @<n> before "
			  "'rpc'",
			  m->name);
	}
	parse_params(p, m, false);
	if (p->tok.kind == IDL_T_ARROW) {
		next(p);
		parse_params(p, m, true);
	}
	expect(p, IDL_T_SEMI);
}

static void parse_interface(struct parser *p)
{
	struct idl_ctx *ctx = p->ctx;
	struct idl_iface *itf;
	struct idl_pos kw = p->tok.pos;
	struct idl_pos vpos;
	uint64_t v;

	if (ctx->iface) {
		idl_error(ctx, kw,
			  "a file declares one interface; '%s' is already "
			  "declared at line %u",
			  ctx->iface->name, ctx->iface->pos.line);
	}
	itf = idl_alloc(ctx, sizeof(*itf));
	next(p);
	itf->name = take_name(p, ROLE_IFACE, &itf->pos);
	if (strcmp(itf->name, ctx->stem) != 0) {
		idl_error(ctx, itf->pos,
			  "interface '%s' must be declared in a file named "
			  "'%s.idl', not '%s.idl'",
			  itf->name, itf->name, ctx->stem);
	}
	ctx->iface = itf;
	if (p->tok.kind != IDL_T_AT) {
		expected(p, "'@version(<n>)' after the interface name");
	}
	next(p);
	expect_word(p, "version");
	expect(p, IDL_T_LPAREN);
	v = take_int(p, "the version number", &vpos);
	if (v == 0 || v > UINT32_MAX) {
		idl_error(ctx, vpos,
			  "version %llu is out of range (1 to 4294967295)",
			  (unsigned long long)v);
	}
	itf->version = (uint32_t)v;
	expect(p, IDL_T_RPAREN);
	expect(p, IDL_T_LBRACE);
	while (p->tok.kind != IDL_T_RBRACE) {
		if (p->tok.kind != IDL_T_AT && !tok_is(&p->tok, "rpc")) {
			expected(p, "a method ('@<n> rpc ...') or '}'");
		}
		parse_method(p, itf);
	}
	next(p);
	skip_semi(p);
}

void idl_parse(struct idl_ctx *ctx, const char *src, size_t len)
{
	struct parser p = {.ctx = ctx};

	idl_lex_init(&p.lx, ctx, src, len);
	next(&p);
	while (p.tok.kind != IDL_T_EOF) {
		if (tok_is(&p.tok, "struct")) {
			parse_struct(&p);
		} else if (tok_is(&p.tok, "enum")) {
			parse_enum(&p);
		} else if (tok_is(&p.tok, "interface")) {
			parse_interface(&p);
		} else {
			expected(&p, "'struct', 'enum' or 'interface'");
		}
	}
	if (!ctx->iface) {
		idl_error(ctx, p.tok.pos,
			  "no interface declared; a file declares exactly "
			  "one, named after the file ('interface %s "
			  "@version(1) { ... }')",
			  ctx->stem);
	}
}
