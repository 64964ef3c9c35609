// SPDX-License-Identifier: MIT
/*
 * idlc: the checker (idl/README.md, "Types", "Methods", "Registers").
 * Resolves type names, rejects duplicates, lays out every struct exactly
 * as a C compiler for x86_64 does (and rejects implicit padding, so there
 * is only one possible layout), and assigns register words and kinds to
 * every parameter. The shared-heap types and their nested-rref slot runs
 * are heap.c's; the generated C names are checked by names.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/ipc.h"
#include "abi/ipc_desc.h"
#include "abi/rref_types.h"
#include "idlc.h"

/* idlc's limits are the ABI's. */
BUILD_ASSERT(IDL_MAX_METHODS == IPC_DESC_MAX_METHODS);
BUILD_ASSERT(IDL_MAX_IDENT + 1 == IPC_DESC_NAME_LEN);
BUILD_ASSERT(IDL_MAX_SLOTS == RREF_TYPE_MAX_SLOTS);
BUILD_ASSERT(IDL_MAX_TOTAL_SLOTS == RREF_TYPE_MAX_TOTAL_SLOTS);
BUILD_ASSERT(IDL_MAX_TYPE_SIZE == RREF_TYPE_MAX_SIZE);
BUILD_ASSERT(IDL_MAX_HEAP_TYPES == RREF_TYPE_MAX_TYPES);
BUILD_ASSERT(IDL_MAX_IDENT + 1 <= RREF_TYPE_NAME_LEN);

/* --- Lookups ------------------------------------------------------------ */

static struct idl_decl *find_decl(struct idl_ctx *ctx, const char *name)
{
	for (uint32_t i = 0; i < ctx->ndecls; i++) {
		if (strcmp(ctx->decls[i]->name, name) == 0) {
			return ctx->decls[i];
		}
	}
	return NULL;
}

/* C type names people may reach for, to point them at the IDL's. */
static bool looks_like_c_type(const char *name)
{
	static const char *const c_types[] = {
		"int",	     "char",	"short",   "long",     "unsigned",
		"size_t",    "ssize_t", "uint8_t", "uint16_t", "uint32_t",
		"uint64_t",  "int8_t",	"int16_t", "int32_t",  "int64_t",
		"uintptr_t", "usize",	"isize",   "byte",     "u128",
		"i128",
	};

	for (size_t i = 0; i < ARRAY_SIZE(c_types); i++) {
		if (strcmp(name, c_types[i]) == 0) {
			return true;
		}
	}
	return false;
}

static __noreturn void unknown_type(struct idl_ctx *ctx, const char *name,
				    struct idl_pos pos)
{
	if (looks_like_c_type(name)) {
		idl_error(ctx, pos,
			  "unknown type '%s'; the IDL's integer types are u8, "
			  "u16, u32, u64, i8, i16, i32, i64 (and bool)",
			  name);
	}
	idl_error(ctx, pos, "unknown type '%s'", name);
}

/* Resolves the names in @t (recursively through arrays). */
static void resolve(struct idl_ctx *ctx, struct idl_type *t)
{
	switch (t->kind) {
	case IDL_TY_NAMED:
		t->decl = find_decl(ctx, t->name);
		if (!t->decl) {
			unknown_type(ctx, t->name, t->name_pos);
		}
		break;
	case IDL_TY_ARRAY:
		resolve(ctx, t->elem);
		break;
	case IDL_TY_RREF:
		t->decl = find_decl(ctx, t->name);
		if (!t->decl) {
			unknown_type(ctx, t->name, t->name_pos);
		}
		if (t->decl->kind != IDL_DECL_STRUCT) {
			idl_error(ctx, t->name_pos,
				  "'%s' is an enum; an rref points to a "
				  "struct",
				  t->name);
		}
		break;
	case IDL_TY_SCALAR:
	case IDL_TY_IFACE:
		break;
	}
}

/* --- Duplicates --------------------------------------------------------- */

static int cmp_enumerator_value(const void *a, const void *b)
{
	const struct idl_enumerator *x =
		*(const struct idl_enumerator *const *)a;
	const struct idl_enumerator *y =
		*(const struct idl_enumerator *const *)b;

	if (x->value != y->value) {
		return x->value < y->value ? -1 : 1;
	}
	/* Equal values: report the later one. */
	if (x->pos.line != y->pos.line) {
		return x->pos.line < y->pos.line ? -1 : 1;
	}
	return x->pos.col < y->pos.col ? -1 : (x->pos.col > y->pos.col);
}

static int cmp_enumerator_name(const void *a, const void *b)
{
	const struct idl_enumerator *x =
		*(const struct idl_enumerator *const *)a;
	const struct idl_enumerator *y =
		*(const struct idl_enumerator *const *)b;
	int c = strcmp(x->name, y->name);

	if (c) {
		return c;
	}
	if (x->pos.line != y->pos.line) {
		return x->pos.line < y->pos.line ? -1 : 1;
	}
	return x->pos.col < y->pos.col ? -1 : (x->pos.col > y->pos.col);
}

static void check_enum(struct idl_ctx *ctx, struct idl_decl *d)
{
	struct idl_enumerator **v = idl_alloc(ctx, d->nitems * sizeof(*v));

	for (uint32_t i = 0; i < d->nitems; i++) {
		v[i] = &d->items[i];
	}
	qsort(v, d->nitems, sizeof(*v), cmp_enumerator_name);
	for (uint32_t i = 1; i < d->nitems; i++) {
		if (strcmp(v[i - 1]->name, v[i]->name) == 0) {
			idl_error(ctx, v[i]->pos,
				  "duplicate constant '%s' in enum '%s' "
				  "(first at line %u)",
				  v[i]->name, d->name, v[i - 1]->pos.line);
		}
	}
	qsort(v, d->nitems, sizeof(*v), cmp_enumerator_value);
	for (uint32_t i = 1; i < d->nitems; i++) {
		if (v[i - 1]->value == v[i]->value) {
			struct idl_buf b;

			idl_buf_init(&b, ctx);
			idl_enum_value_spell(&b, v[i]);
			idl_error(ctx, v[i]->pos,
				  "'%s' repeats the value %s of '%s' in enum "
				  "'%s'",
				  v[i]->name, idl_buf_str(&b), v[i - 1]->name,
				  d->name);
		}
	}
	d->size = idl_scalar_size(d->base);
	d->align = d->size;
	d->state = 2;
}

static void check_duplicates(struct idl_ctx *ctx)
{
	for (uint32_t i = 0; i < ctx->ndecls; i++) {
		struct idl_decl *d = ctx->decls[i];
		struct idl_decl *first = find_decl(ctx, d->name);

		if (first != d) {
			idl_error(ctx, d->pos,
				  "duplicate type name '%s' (first declared "
				  "at line %u)",
				  d->name, first->pos.line);
		}
		for (uint32_t j = 0; j < d->nfields; j++) {
			for (uint32_t k = 0; k < j; k++) {
				if (strcmp(d->fields[j].name,
					   d->fields[k].name) == 0) {
					idl_error(ctx, d->fields[j].pos,
						  "duplicate field '%s' in "
						  "struct '%s'",
						  d->fields[j].name, d->name);
				}
			}
		}
	}
}

/* --- Layout ------------------------------------------------------------- */

struct layout_walk {
	struct idl_decl *stack[IDL_MAX_DECLS + 1];
	uint32_t depth;
};

static void layout_struct(struct idl_ctx *ctx, struct layout_walk *w,
			  struct idl_decl *d);

/* Size, alignment and nested rrefs of a field type (arrays included). */
static void layout_type(struct idl_ctx *ctx, struct layout_walk *w,
			struct idl_type *t, uint64_t *size, uint32_t *align,
			bool *has_rref)
{
	switch (t->kind) {
	case IDL_TY_SCALAR:
		*size = idl_scalar_size(t->scalar);
		*align = (uint32_t)*size;
		return;
	case IDL_TY_NAMED:
		if (t->decl->kind == IDL_DECL_STRUCT) {
			if (t->decl->state == 1) {
				struct idl_buf b;
				uint32_t i = 0;

				idl_buf_init(&b, ctx);
				while (i < w->depth && w->stack[i] != t->decl) {
					i++;
				}
				for (; i < w->depth; i++) {
					idl_buf_printf(&b, "%s -> ",
						       w->stack[i]->name);
				}
				idl_buf_puts(&b, t->decl->name);
				idl_error(ctx, t->name_pos,
					  "struct '%s' contains itself by "
					  "value (%s); use an optional rref "
					  "to refer to it",
					  t->decl->name, idl_buf_str(&b));
			}
			layout_struct(ctx, w, t->decl);
			*has_rref = *has_rref || t->decl->has_rref;
		}
		*size = t->decl->size;
		*align = t->decl->align;
		return;
	case IDL_TY_ARRAY: {
		uint64_t esize;

		layout_type(ctx, w, t->elem, &esize, align, has_rref);
		*size = esize * t->len;
		if (*size > IDL_MAX_TYPE_SIZE) {
			idl_error(ctx, t->pos,
				  "array of %llu bytes is above the %u byte "
				  "limit for a type",
				  (unsigned long long)*size, IDL_MAX_TYPE_SIZE);
		}
		return;
	}
	case IDL_TY_RREF:
		*size = 8;
		*align = 8;
		*has_rref = true;
		return;
	case IDL_TY_IFACE:
		break;
	}
	/* The parser keeps interface handles out of structs. */
	idl_error(ctx, t->pos, "internal error: handle in a struct");
}

/*
 * Lays out struct @d: natural alignment, no implicit padding anywhere
 * (so the layout is the same for every compiler and no padding byte can
 * carry stale data across a domain boundary), total size a multiple of the
 * alignment. Post-order, so ctx->order lists structs after what they
 * contain by value.
 */
static void layout_struct(struct idl_ctx *ctx, struct layout_walk *w,
			  struct idl_decl *d)
{
	uint64_t off = 0;

	if (d->state == 2) {
		return;
	}
	d->state = 1;
	w->stack[w->depth++] = d;
	d->align = 1;
	for (uint32_t i = 0; i < d->nfields; i++) {
		struct idl_field *f = &d->fields[i];
		uint64_t size;
		uint32_t align;
		bool has_rref = false;

		layout_type(ctx, w, f->type, &size, &align, &has_rref);
		if (off % align) {
			uint64_t pad = align - off % align;

			idl_error(ctx, f->pos,
				  "field '%s' needs %u-byte alignment but "
				  "would start at offset %llu: add %llu "
				  "byte%s of explicit padding before it "
				  "(e.g. 'pad%u: [u8; %llu];') or reorder "
				  "the fields",
				  f->name, align, (unsigned long long)off,
				  (unsigned long long)pad, pad == 1 ? "" : "s",
				  i, (unsigned long long)pad);
		}
		f->offset = (uint32_t)off;
		off += size;
		if (off > IDL_MAX_TYPE_SIZE) {
			idl_error(ctx, f->pos,
				  "struct '%s' grows past the %u byte limit "
				  "for a type at field '%s'",
				  d->name, IDL_MAX_TYPE_SIZE, f->name);
		}
		d->align = MAX(d->align, align);
		d->has_rref = d->has_rref || has_rref;
	}
	if (off % d->align) {
		uint64_t pad = d->align - off % d->align;

		idl_error(ctx, d->pos,
			  "struct '%s' is %llu bytes, not a multiple of its "
			  "%u-byte alignment: add %llu byte%s of explicit "
			  "padding at the end",
			  d->name, (unsigned long long)off, d->align,
			  (unsigned long long)pad, pad == 1 ? "" : "s");
	}
	d->size = (uint32_t)off;
	d->state = 2;
	w->depth--;
	d->emit_order = ctx->norder;
	ctx->order[ctx->norder++] = d;
}

/* --- Methods ------------------------------------------------------------ */

static int cmp_method(const void *a, const void *b)
{
	const struct idl_method *x = a;
	const struct idl_method *y = b;

	if (x->ordinal != y->ordinal) {
		return x->ordinal < y->ordinal ? -1 : 1;
	}
	if (x->pos.line != y->pos.line) {
		return x->pos.line < y->pos.line ? -1 : 1;
	}
	return x->pos.col < y->pos.col ? -1 : (x->pos.col > y->pos.col);
}

static bool is_rref(const struct idl_type *t)
{
	return t->kind == IDL_TY_RREF;
}

static bool is_plain(const struct idl_type *t)
{
	return t->kind == IDL_TY_SCALAR || t->kind == IDL_TY_NAMED;
}

static const char *mode_name(enum idl_mode m)
{
	return m == IDL_MODE_MOVE ? "move" : "borrow";
}

/* Assigns words and kinds to one argument or result. */
static void place_param(struct idl_ctx *ctx, struct idl_method *m,
			struct idl_param *prm, bool result, uint32_t *word)
{
	const struct idl_type *t = prm->type;
	unsigned int kind = IPC_KIND_SCALAR;
	uint32_t nwords = 1;

	if (!result && is_rref(t) && prm->mode == IDL_MODE_NONE) {
		idl_error(ctx, prm->mode_pos,
			  "rref argument '%s' must say 'move' (ownership "
			  "passes to the callee) or 'borrow' (lent for the "
			  "call)",
			  prm->name);
	}
	if (!result && !is_rref(t) && prm->mode != IDL_MODE_NONE) {
		idl_error(ctx, prm->mode_pos,
			  "'%s' applies only to rref arguments ('%s' is not "
			  "an rref)",
			  mode_name(prm->mode), prm->name);
	}
	switch (t->kind) {
	case IDL_TY_SCALAR:
		break;
	case IDL_TY_NAMED:
		if (t->decl->kind == IDL_DECL_STRUCT) {
			if (t->decl->has_rref) {
				idl_error(ctx, t->pos,
					  "struct '%s' contains rrefs, so it "
					  "lives on the shared heap and cannot "
					  "be passed by value; pass rref<%s>",
					  t->decl->name, t->decl->name);
			}
			nwords = (t->decl->size + 7) / 8;
		}
		break;
	case IDL_TY_RREF:
		if (result) {
			kind = t->optional ? IPC_KIND_RREF_MOVE_OPT
					   : IPC_KIND_RREF_MOVE;
		} else if (prm->mode == IDL_MODE_MOVE) {
			kind = t->optional ? IPC_KIND_RREF_MOVE_OPT
					   : IPC_KIND_RREF_MOVE;
		} else {
			kind = t->optional ? IPC_KIND_RREF_BORROW_OPT
					   : IPC_KIND_RREF_BORROW;
		}
		break;
	case IDL_TY_IFACE:
		kind = IPC_KIND_HANDLE;
		break;
	case IDL_TY_ARRAY:
		idl_error(ctx, t->pos, "internal error: array parameter");
	}
	if (*word + nwords > IPC_WORDS) {
		idl_error(ctx, prm->pos,
			  "the %s of method '%s' need %u 64-bit words up to "
			  "'%s', more than the %u a call carries; pass bulk "
			  "data in an rref<T>",
			  result ? "results" : "arguments", m->name,
			  *word + nwords, prm->name, IPC_WORDS);
	}
	prm->word = *word;
	prm->nwords = nwords;
	prm->kind = kind;
	for (uint32_t i = 0; i < nwords; i++) {
		uint16_t bits = (uint16_t)(kind << (3 * (*word + i)));

		if (result) {
			m->res_kinds |= bits;
		} else {
			m->arg_kinds |= bits;
		}
	}
	*word += nwords;
}

/* The C names a method's proxy and op take as parameters must differ. */
static void check_param_names(struct idl_ctx *ctx, struct idl_method *m)
{
	static const char *const fixed[] = {"client", "app_status", "inst"};

	for (uint32_t i = 0; i < m->nargs; i++) {
		struct idl_param *a = &m->args[i];

		for (uint32_t j = 0; j < i; j++) {
			if (strcmp(a->name, m->args[j].name) == 0) {
				idl_error(ctx, a->pos,
					  "duplicate argument '%s' in method "
					  "'%s'",
					  a->name, m->name);
			}
		}
		for (size_t j = 0; j < ARRAY_SIZE(fixed); j++) {
			if (strcmp(a->name, fixed[j]) == 0) {
				idl_error(ctx, a->pos,
					  "argument '%s' clashes with the "
					  "generated parameter '%s'; rename it",
					  a->name, fixed[j]);
			}
		}
		for (uint32_t j = 0; j < m->nresults; j++) {
			if (strncmp(a->name, "out_", 4) == 0 &&
			    strcmp(a->name + 4, m->results[j].name) == 0) {
				idl_error(ctx, a->pos,
					  "argument '%s' clashes with the "
					  "out-parameter generated for result "
					  "'%s'; rename it",
					  a->name, m->results[j].name);
			}
		}
	}
	for (uint32_t i = 0; i < m->nresults; i++) {
		struct idl_param *r = &m->results[i];

		for (uint32_t j = 0; j < i; j++) {
			if (strcmp(r->name, m->results[j].name) == 0) {
				idl_error(ctx, r->pos,
					  "duplicate result '%s' in method "
					  "'%s'",
					  r->name, m->name);
			}
		}
	}
}

static void check_method(struct idl_ctx *ctx, struct idl_method *m)
{
	uint32_t word = 0;

	m->ucname = idl_upper(ctx, m->name);
	check_param_names(ctx, m);
	for (uint32_t i = 0; i < m->nargs; i++) {
		struct idl_param *a = &m->args[i];

		place_param(ctx, m, a, false, &word);
		if (m->idempotent && a->mode == IDL_MODE_MOVE) {
			idl_error(ctx, a->mode_pos,
				  "@idempotent method '%s' cannot take 'move' "
				  "argument '%s': after a restart the caller "
				  "no longer owns it and a retry could not "
				  "send it again; borrow it or drop "
				  "@idempotent",
				  m->name, a->name);
		}
		if (m->config && !is_plain(a->type)) {
			idl_error(ctx, a->type->pos,
				  "@config method '%s' cannot take %s argument "
				  "'%s': configuration is recorded and "
				  "replayed after a restart, so it must be "
				  "plain data",
				  m->name, is_rref(a->type) ? "rref" : "handle",
				  a->name);
		}
	}
	m->nargw = word;
	word = 0;
	for (uint32_t i = 0; i < m->nresults; i++) {
		struct idl_param *r = &m->results[i];

		place_param(ctx, m, r, true, &word);
		if (m->config && !is_plain(r->type)) {
			idl_error(ctx, r->type->pos,
				  "@config method '%s' cannot return %s '%s': "
				  "a replay after a restart discards results, "
				  "so they must be plain data",
				  m->name,
				  is_rref(r->type) ? "an rref" : "a handle",
				  r->name);
		}
	}
	m->nresw = word;
}

static void check_methods(struct idl_ctx *ctx)
{
	struct idl_iface *itf = ctx->iface;

	itf->ucname = idl_upper(ctx, itf->name);
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		for (uint32_t j = 0; j < i; j++) {
			if (strcmp(itf->methods[i].name,
				   itf->methods[j].name) == 0) {
				idl_error(ctx, itf->methods[i].pos,
					  "duplicate method '%s' (first at "
					  "line %u)",
					  itf->methods[i].name,
					  itf->methods[j].pos.line);
			}
		}
	}
	if (itf->nmethods > 1) {
		qsort(itf->methods, itf->nmethods, sizeof(*itf->methods),
		      cmp_method);
	}
	for (uint32_t i = 1; i < itf->nmethods; i++) {
		if (itf->methods[i].ordinal == itf->methods[i - 1].ordinal) {
			idl_error(ctx, itf->methods[i].ordinal_pos,
				  "ordinal @%u of method '%s' is already used "
				  "by method '%s'",
				  itf->methods[i].ordinal, itf->methods[i].name,
				  itf->methods[i - 1].name);
		}
	}
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		struct idl_method *m = &itf->methods[i];

		for (uint32_t j = 0; j < m->nargs; j++) {
			resolve(ctx, m->args[j].type);
		}
		for (uint32_t j = 0; j < m->nresults; j++) {
			resolve(ctx, m->results[j].type);
		}
	}
}

/* --- Interfaces named by handles ---------------------------------------- */

static void add_ref(struct idl_ctx *ctx, const char *name)
{
	uint32_t i = 0;

	if (strcmp(name, ctx->iface->name) == 0) {
		return;
	}
	while (i < ctx->nrefs && strcmp(ctx->refs[i].name, name) < 0) {
		i++;
	}
	if (i < ctx->nrefs && strcmp(ctx->refs[i].name, name) == 0) {
		return;
	}
	memmove(&ctx->refs[i + 1], &ctx->refs[i],
		(ctx->nrefs - i) * sizeof(*ctx->refs));
	ctx->refs[i].name = name;
	ctx->refs[i].ucname = idl_upper(ctx, name);
	ctx->nrefs++;
}

static void collect_refs(struct idl_ctx *ctx)
{
	struct idl_iface *itf = ctx->iface;

	ctx->refs = idl_alloc(ctx, (2 * IDL_MAX_PARAMS * itf->nmethods + 1) *
					   sizeof(*ctx->refs));
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		struct idl_method *m = &itf->methods[i];

		for (uint32_t j = 0; j < m->nargs; j++) {
			if (m->args[j].type->kind == IDL_TY_IFACE) {
				add_ref(ctx, m->args[j].type->name);
			}
		}
		for (uint32_t j = 0; j < m->nresults; j++) {
			if (m->results[j].type->kind == IDL_TY_IFACE) {
				add_ref(ctx, m->results[j].type->name);
			}
		}
	}
}

/* --- Entry -------------------------------------------------------------- */

void idl_check(struct idl_ctx *ctx)
{
	struct idl_iface *itf = ctx->iface;
	struct layout_walk *w;

	for (uint32_t i = 0; i < ctx->ndecls; i++) {
		struct idl_decl *d = ctx->decls[i];

		d->cname = idl_printf(ctx, "%s_%s", itf->name, d->name);
		d->ucname = idl_upper(ctx, d->cname);
	}
	check_duplicates(ctx);
	for (uint32_t i = 0; i < ctx->ndecls; i++) {
		struct idl_decl *d = ctx->decls[i];

		for (uint32_t j = 0; j < d->nfields; j++) {
			resolve(ctx, d->fields[j].type);
		}
		if (d->kind == IDL_DECL_ENUM) {
			check_enum(ctx, d);
		}
	}
	ctx->order = idl_alloc(ctx, (ctx->ndecls + 1) * sizeof(*ctx->order));
	w = idl_alloc(ctx, sizeof(*w));
	for (uint32_t i = 0; i < ctx->ndecls; i++) {
		if (ctx->decls[i]->kind == IDL_DECL_STRUCT) {
			layout_struct(ctx, w, ctx->decls[i]);
		}
	}
	check_methods(ctx);
	idl_check_heaps(ctx);
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		check_method(ctx, &itf->methods[i]);
	}
	collect_refs(ctx);
	idl_check_names(ctx);
}
