// SPDX-License-Identifier: MIT
/*
 * idlc: the canonical form, the interface fingerprint and the type ids
 * (idl/README.md, "Fingerprints and type ids"). The canonical form is the
 * file re-printed in one fixed layout: every declaration on one line,
 * types sorted by name, enum constants by value, methods by ordinal, one
 * space between tokens, no comments. It is itself valid IDL. Anything the
 * ABI depends on shows in it; white space, comments and the order of
 * declarations do not.
 */
#include <stdlib.h>
#include <string.h>

#include "abi/ipc_desc.h"
#include "idlc.h"

void idl_type_spell(struct idl_buf *b, const struct idl_type *t)
{
	switch (t->kind) {
	case IDL_TY_SCALAR:
		idl_buf_puts(b, idl_scalar_name(t->scalar));
		return;
	case IDL_TY_NAMED:
		idl_buf_puts(b, t->name);
		return;
	case IDL_TY_ARRAY:
		idl_buf_puts(b, "[");
		idl_type_spell(b, t->elem);
		idl_buf_printf(b, "; %llu]", (unsigned long long)t->len);
		return;
	case IDL_TY_RREF:
		if (t->form == IDL_RREF_ONE) {
			idl_buf_printf(b, "rref<%s>", t->name);
		} else {
			idl_buf_printf(b, "rref_%s<%s, %llu>",
				       t->form == IDL_RREF_ARRAY ? "array"
								 : "deque",
				       t->name, (unsigned long long)t->len);
		}
		if (t->optional) {
			idl_buf_puts(b, "?");
		}
		return;
	case IDL_TY_IFACE:
		idl_buf_printf(b, "iface %s", t->name);
		return;
	}
}

static const struct idl_decl *sort_base;

static int cmp_items(const void *a, const void *b)
{
	const struct idl_enumerator *x =
		*(const struct idl_enumerator *const *)a;
	const struct idl_enumerator *y =
		*(const struct idl_enumerator *const *)b;

	if (idl_scalar_signed(sort_base->base)) {
		int64_t u = (int64_t)x->value;
		int64_t v = (int64_t)y->value;

		return u < v ? -1 : u > v;
	}
	return x->value < y->value ? -1 : x->value > y->value;
}

static void spell_decl(struct idl_ctx *ctx, struct idl_buf *b,
		       const struct idl_decl *d)
{
	if (d->kind == IDL_DECL_STRUCT) {
		idl_buf_printf(b, "struct %s {", d->name);
		for (uint32_t i = 0; i < d->nfields; i++) {
			idl_buf_printf(b, " %s: ", d->fields[i].name);
			idl_type_spell(b, d->fields[i].type);
			idl_buf_puts(b, ";");
		}
		idl_buf_puts(b, " }\n");
		return;
	}
	{
		const struct idl_enumerator **v =
			idl_alloc(ctx, d->nitems * sizeof(*v));

		for (uint32_t i = 0; i < d->nitems; i++) {
			v[i] = &d->items[i];
		}
		sort_base = d;
		qsort(v, d->nitems, sizeof(*v), cmp_items);
		idl_buf_printf(b, "enum %s : %s {", d->name,
			       idl_scalar_name(d->base));
		for (uint32_t i = 0; i < d->nitems; i++) {
			idl_buf_printf(b, "%s %s = ", i ? "," : "", v[i]->name);
			idl_enum_value_spell(b, v[i]);
		}
		idl_buf_puts(b, " }\n");
	}
}

static int cmp_decl_name(const void *a, const void *b)
{
	const struct idl_decl *x = *(const struct idl_decl *const *)a;
	const struct idl_decl *y = *(const struct idl_decl *const *)b;

	return strcmp(x->name, y->name);
}

/* Appends the declarations in @set (by index) sorted by name. */
static void spell_decls(struct idl_ctx *ctx, struct idl_buf *b, const bool *set)
{
	struct idl_decl **v = idl_alloc(ctx, (ctx->ndecls + 1) * sizeof(*v));
	uint32_t n = 0;

	for (uint32_t i = 0; i < ctx->ndecls; i++) {
		if (!set || set[i]) {
			v[n++] = ctx->decls[i];
		}
	}
	qsort(v, n, sizeof(*v), cmp_decl_name);
	for (uint32_t i = 0; i < n; i++) {
		spell_decl(ctx, b, v[i]);
	}
}

static void spell_params(struct idl_buf *b, const struct idl_param *p,
			 uint32_t n)
{
	idl_buf_puts(b, "(");
	for (uint32_t i = 0; i < n; i++) {
		if (i) {
			idl_buf_puts(b, ", ");
		}
		if (p[i].mode == IDL_MODE_MOVE) {
			idl_buf_puts(b, "move ");
		} else if (p[i].mode == IDL_MODE_BORROW) {
			idl_buf_puts(b, "borrow ");
		}
		idl_type_spell(b, p[i].type);
		idl_buf_printf(b, " %s", p[i].name);
	}
	idl_buf_puts(b, ")");
}

/* Marks in @set every declaration a value of type @t involves. */
static void closure_type(struct idl_ctx *ctx, bool *set,
			 const struct idl_type *t);

static void closure_decl(struct idl_ctx *ctx, bool *set,
			 const struct idl_decl *d)
{
	if (set[d->index]) {
		return;
	}
	set[d->index] = true;
	for (uint32_t i = 0; i < d->nfields; i++) {
		closure_type(ctx, set, d->fields[i].type);
	}
}

static void closure_type(struct idl_ctx *ctx, bool *set,
			 const struct idl_type *t)
{
	switch (t->kind) {
	case IDL_TY_NAMED:
	case IDL_TY_RREF:
		closure_decl(ctx, set, t->decl);
		return;
	case IDL_TY_ARRAY:
		closure_type(ctx, set, t->elem);
		return;
	case IDL_TY_SCALAR:
	case IDL_TY_IFACE:
		return;
	}
}

/*
 * A heap type's id hashes its qualified name and the definitions of every
 * type it involves, so it changes whenever its layout, its nested rrefs'
 * targets or anything they contain change.
 */
static void heap_id(struct idl_ctx *ctx, struct idl_heap *h)
{
	bool *set = idl_alloc(ctx, ctx->ndecls + 1);
	struct idl_buf b;

	closure_decl(ctx, set, h->elem);
	idl_buf_init(&b, ctx);
	idl_buf_printf(&b, "// cordon idl type 1\n// %s.%s\n", ctx->iface->name,
		       h->label);
	spell_decls(ctx, &b, set);
	h->id = idl_hash64(b.data, b.len);
}

void idl_canon(struct idl_ctx *ctx)
{
	struct idl_iface *itf = ctx->iface;
	struct idl_buf *b = &ctx->canonical;

	idl_buf_init(b, ctx);
	idl_buf_puts(b, "// cordon idl canonical 1\n");
	spell_decls(ctx, b, NULL);
	idl_buf_printf(b, "interface %s @version(%u) {\n", itf->name,
		       itf->version);
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		const struct idl_method *m = &itf->methods[i];

		idl_buf_printf(b, "@%u ", m->ordinal);
		if (m->idempotent) {
			idl_buf_puts(b, "@idempotent ");
		}
		if (m->config) {
			idl_buf_puts(b, "@config ");
		}
		idl_buf_printf(b, "rpc %s", m->name);
		spell_params(b, m->args, m->nargs);
		idl_buf_puts(b, " -> ");
		spell_params(b, m->results, m->nresults);
		idl_buf_puts(b, ";\n");
	}
	idl_buf_puts(b, "}\n");
	ctx->fingerprint = idl_hash64(b->data, b->len);

	for (uint32_t i = 0; i < ctx->nheaps; i++) {
		heap_id(ctx, ctx->heaps[i]);
	}
	for (uint32_t i = 0; i < ctx->nheaps; i++) {
		for (uint32_t j = 0; j < i; j++) {
			if (ctx->heaps[i]->id == ctx->heaps[j]->id) {
				idl_error(ctx, ctx->heaps[i]->elem->pos,
					  "type ids of '%s' and '%s' collide",
					  ctx->heaps[i]->label,
					  ctx->heaps[j]->label);
			}
		}
	}
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		struct idl_method *m = &itf->methods[i];

		for (uint32_t j = 0; j < m->nargs; j++) {
			const struct idl_param *p = &m->args[j];

			if (p->type->kind == IDL_TY_RREF) {
				m->arg_types[p->word] = p->type->heap->id;
			} else if (p->type->kind == IDL_TY_IFACE) {
				m->arg_types[p->word] =
					ipc_iface_name_id(p->type->name);
			}
		}
		for (uint32_t j = 0; j < m->nresults; j++) {
			const struct idl_param *p = &m->results[j];

			if (p->type->kind == IDL_TY_RREF) {
				m->res_types[p->word] = p->type->heap->id;
			} else if (p->type->kind == IDL_TY_IFACE) {
				m->res_types[p->word] =
					ipc_iface_name_id(p->type->name);
			}
		}
	}
}
