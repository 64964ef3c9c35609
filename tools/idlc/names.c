// SPDX-License-Identifier: MIT
/*
 * idlc: the C names generated code will use (idl/README.md, "Names" and
 * "Generated code"). Every declaration claims the names it produces,
 * struct tags in one namespace and functions, objects and macros in
 * another; a name claimed twice is an error at the later declaration, so
 * generated headers never clash with themselves.
 */
#include <string.h>

#include "idlc.h"

enum name_space {
	NS_TAG, /* struct tags */
	NS_ORD, /* functions, objects and macros */
};

struct gen_name {
	const char *name;
	const char *origin;
	struct idl_pos pos;
	enum name_space ns;
	bool used;
};

struct name_table {
	struct gen_name *slots;
	uint32_t cap; /* power of two */
};

static uint32_t name_hash(const char *s, enum name_space ns)
{
	uint32_t h = 2166136261u ^ (uint32_t)ns;

	for (; *s; s++) {
		h = (h ^ (uint8_t)*s) * 16777619u;
	}
	return h;
}

/*
 * Claims C name @name for @origin (which declaration produces it, at
 * @pos). Two declarations producing the same name is an error at the
 * later one.
 */
static void claim(struct idl_ctx *ctx, struct name_table *t, enum name_space ns,
		  const char *name, const char *origin, struct idl_pos pos)
{
	uint32_t i = name_hash(name, ns) & (t->cap - 1);

	while (t->slots[i].used) {
		struct gen_name *g = &t->slots[i];

		if (g->ns == ns && strcmp(g->name, name) == 0) {
			idl_error(ctx, pos,
				  "%s generates the C name '%s', which %s "
				  "(line %u) also generates; rename one of "
				  "them",
				  origin, name, g->origin, g->pos.line);
		}
		i = (i + 1) & (t->cap - 1);
	}
	t->slots[i].used = true;
	t->slots[i].name = name;
	t->slots[i].origin = origin;
	t->slots[i].pos = pos;
	t->slots[i].ns = ns;
}

void idl_check_names(struct idl_ctx *ctx)
{
	struct idl_iface *itf = ctx->iface;
	const char *in = itf->name;
	const char *un = itf->ucname;
	struct name_table t;
	uint32_t need =
		32 + ctx->nrefs * 2 + ctx->nheaps * 8 + itf->nmethods * 10;
	const char *what;

	for (uint32_t i = 0; i < ctx->ndecls; i++) {
		need += 2 + ctx->decls[i]->nitems;
	}
	t.cap = 64;
	while (t.cap < 2 * need) {
		t.cap *= 2;
	}
	t.slots = idl_alloc(ctx, t.cap * sizeof(*t.slots));

	what = idl_printf(ctx, "interface '%s'", in);
	claim(ctx, &t, NS_TAG, idl_printf(ctx, "%s_client", in), what,
	      itf->pos);
	claim(ctx, &t, NS_TAG, idl_printf(ctx, "%s_ops", in), what, itf->pos);
	claim(ctx, &t, NS_TAG, idl_printf(ctx, "%s_server", in), what,
	      itf->pos);
	claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_dispatch", in), what,
	      itf->pos);
	claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_desc", in), what, itf->pos);
	claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_types", in), what, itf->pos);
	claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_drop_slots", in), what,
	      itf->pos);
	claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_export", in), what,
	      itf->pos);
	claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_connect", in), what,
	      itf->pos);
	claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_NAME", un), what, itf->pos);
	claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_VERSION", un), what,
	      itf->pos);
	claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_FINGERPRINT", un), what,
	      itf->pos);
	claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_NTYPES", un), what,
	      itf->pos);
	claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_NMETHODS", un), what,
	      itf->pos);
	claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_CLIENT_DEFINED", un), what,
	      itf->pos);
	for (uint32_t i = 0; i < ctx->nrefs; i++) {
		what = idl_printf(ctx, "the handle type 'iface %s'",
				  ctx->refs[i].name);
		claim(ctx, &t, NS_TAG,
		      idl_printf(ctx, "%s_client", ctx->refs[i].name), what,
		      itf->pos);
		claim(ctx, &t, NS_ORD,
		      idl_printf(ctx, "%s_CLIENT_DEFINED", ctx->refs[i].ucname),
		      what, itf->pos);
	}
	for (uint32_t i = 0; i < ctx->ndecls; i++) {
		struct idl_decl *d = ctx->decls[i];

		what = idl_printf(ctx, "%s '%s'",
				  d->kind == IDL_DECL_ENUM ? "enum" : "struct",
				  d->name);
		if (d->kind == IDL_DECL_STRUCT) {
			claim(ctx, &t, NS_TAG, d->cname, what, d->pos);
			continue;
		}
		claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_is_valid", d->cname),
		      what, d->pos);
		for (uint32_t j = 0; j < d->nitems; j++) {
			claim(ctx, &t, NS_ORD,
			      idl_printf(ctx, "%s_%s", d->ucname,
					 idl_upper(ctx, d->items[j].name)),
			      idl_printf(ctx, "constant '%s.%s'", d->name,
					 d->items[j].name),
			      d->items[j].pos);
		}
	}
	for (uint32_t i = 0; i < ctx->nheaps; i++) {
		struct idl_heap *h = ctx->heaps[i];
		static const char *const fns[] = {
			"alloc", "drop", "drop_nested", "len", "push", "pop"};
		size_t nfns = h->form == IDL_RREF_DEQUE ? 6 : 3;
		struct idl_pos pos = h->pos;

		what = idl_printf(ctx, "the shared-heap type '%s'", h->label);
		if (h->form != IDL_RREF_ONE) {
			claim(ctx, &t, NS_TAG, h->cname, what, pos);
		}
		claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_TYPE_ID", h->ucname),
		      what, pos);
		claim(ctx, &t, NS_ORD,
		      idl_printf(ctx, "%s_TYPE_INDEX", h->ucname), what, pos);
		for (size_t j = 0; j < nfns; j++) {
			claim(ctx, &t, NS_ORD,
			      idl_printf(ctx, "%s_%s", h->cname, fns[j]), what,
			      pos);
		}
	}
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		struct idl_method *m = &itf->methods[i];
		static const char *const macros[] = {"ORDINAL", "ARG_KINDS",
						     "RES_KINDS", "FLAGS"};

		what = idl_printf(ctx, "method '%s'", m->name);
		claim(ctx, &t, NS_ORD, idl_printf(ctx, "%s_%s", in, m->name),
		      what, m->pos);
		claim(ctx, &t, NS_ORD,
		      idl_printf(ctx, "%s_dispatch_%s", in, m->name), what,
		      m->pos);
		claim(ctx, &t, NS_ORD,
		      idl_printf(ctx, "%s_serve_%s", in, m->name), what,
		      m->pos);
		claim(ctx, &t, NS_ORD,
		      idl_printf(ctx, "%s_entry_%s", in, m->name), what,
		      m->pos);
		for (size_t j = 0; j < ARRAY_SIZE(macros); j++) {
			claim(ctx, &t, NS_ORD,
			      idl_printf(ctx, "%s_%s_%s", un, m->ucname,
					 macros[j]),
			      what, m->pos);
		}
	}
}
