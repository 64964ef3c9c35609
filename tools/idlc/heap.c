// SPDX-License-Identifier: MIT
/*
 * idlc: the shared-heap types of a file (idl/README.md, "Shared-heap
 * layouts", and the registry of "Generated code"): every struct some rref
 * points to and every container, deduplicated and sorted by C name, with
 * the runs of nested rref slots the kernel walks to drop a dead domain's
 * objects (lib/abi/rref_types.h). Runs: an array of rrefs is one run; an
 * array of structs whose own runs are single slots is one strided run per
 * slot; other nestings are unrolled, within the limits.
 */
#include <stdlib.h>
#include <string.h>

#include "idlc.h"

/* Size of a laid-out field type (check.c has laid out every struct). */
static uint64_t type_size(const struct idl_type *t)
{
	switch (t->kind) {
	case IDL_TY_SCALAR:
		return idl_scalar_size(t->scalar);
	case IDL_TY_NAMED:
		return t->decl->size;
	case IDL_TY_ARRAY:
		return t->len * type_size(t->elem);
	case IDL_TY_RREF:
		return 8;
	case IDL_TY_IFACE:
		break;
	}
	return 0;
}

static struct idl_heap *heap_of(struct idl_ctx *ctx, struct idl_type *t);

static struct idl_heap *struct_heap(struct idl_ctx *ctx, struct idl_decl *d,
				    struct idl_pos pos)
{
	struct idl_heap *h;

	if (d->heap) {
		return d->heap;
	}
	if (ctx->nheaps >= IDL_MAX_HEAP_TYPES) {
		idl_error(ctx, pos,
			  "more than %u shared-heap types in one file",
			  IDL_MAX_HEAP_TYPES);
	}
	h = idl_alloc(ctx, sizeof(*h));
	h->form = IDL_RREF_ONE;
	h->elem = d;
	h->cname = d->cname;
	h->ucname = d->ucname;
	h->label = d->name;
	h->pos = d->pos;
	h->size = d->size;
	h->align = d->align;
	d->heap = h;
	ctx->heaps[ctx->nheaps++] = h;
	return h;
}

static struct idl_heap *heap_of(struct idl_ctx *ctx, struct idl_type *t)
{
	const char *form = t->form == IDL_RREF_ARRAY ? "array" : "deque";
	struct idl_heap *h;

	if (t->form == IDL_RREF_ONE) {
		return struct_heap(ctx, t->decl, t->pos);
	}
	/* A container's slots point to its elements: they are heap types. */
	struct_heap(ctx, t->decl, t->pos);
	for (uint32_t i = 0; i < ctx->nheaps; i++) {
		h = ctx->heaps[i];
		if (h->form == t->form && h->elem == t->decl &&
		    h->len == t->len) {
			return h;
		}
	}
	if (ctx->nheaps >= IDL_MAX_HEAP_TYPES) {
		idl_error(ctx, t->pos,
			  "more than %u shared-heap types in one file",
			  IDL_MAX_HEAP_TYPES);
	}
	h = idl_alloc(ctx, sizeof(*h));
	h->form = t->form;
	h->elem = t->decl;
	h->len = t->len;
	h->cname = idl_printf(ctx, "%s_%s%llu", t->decl->cname, form,
			      (unsigned long long)t->len);
	h->ucname = idl_upper(ctx, h->cname);
	h->label = idl_printf(ctx, "rref_%s<%s, %llu>", form, t->decl->name,
			      (unsigned long long)t->len);
	h->pos = t->pos;
	h->size = (uint32_t)((t->form == IDL_RREF_DEQUE ? 8 : 0) + 8 * t->len);
	h->align = 8;
	ctx->heaps[ctx->nheaps++] = h;
	return h;
}

/* Records the heap type of every rref in @t. */
static void collect_heaps(struct idl_ctx *ctx, struct idl_type *t)
{
	if (t->kind == IDL_TY_ARRAY) {
		collect_heaps(ctx, t->elem);
	} else if (t->kind == IDL_TY_RREF) {
		t->heap = heap_of(ctx, t);
	}
}

struct slot_list {
	struct idl_slot s[IDL_MAX_SLOTS];
	uint32_t n;
};

static __noreturn void too_many_slots(struct idl_ctx *ctx,
				      struct idl_decl *owner)
{
	idl_error(ctx, owner->pos,
		  "struct '%s' needs more than %u runs of nested rrefs in "
		  "the type registry; group the rrefs in an array",
		  owner->name, IDL_MAX_SLOTS);
}

static void add_slot(struct idl_ctx *ctx, struct idl_decl *owner,
		     struct slot_list *l, uint64_t offset, uint32_t stride,
		     uint64_t count, struct idl_heap *target)
{
	if (l->n >= IDL_MAX_SLOTS) {
		too_many_slots(ctx, owner);
	}
	l->s[l->n].offset = (uint32_t)offset;
	l->s[l->n].stride = stride;
	l->s[l->n].count = (uint32_t)count;
	l->s[l->n].target = target;
	l->n++;
}

static void struct_slots(struct idl_ctx *ctx, struct idl_decl *d);

/*
 * Appends the slot runs of a value of type @t at byte @base to @l. An
 * array of rrefs is one run; an array of structs whose runs are single
 * slots becomes one strided run per slot; anything else is unrolled, and
 * add_slot() stops it when it grows past the limit.
 */
static void type_slots(struct idl_ctx *ctx, struct idl_decl *owner,
		       struct slot_list *l, struct idl_type *t, uint64_t base)
{
	switch (t->kind) {
	case IDL_TY_RREF:
		add_slot(ctx, owner, l, base, 8, 1, t->heap);
		return;
	case IDL_TY_NAMED:
		if (t->decl->kind == IDL_DECL_STRUCT && t->decl->has_rref) {
			struct_slots(ctx, t->decl);
			for (uint32_t i = 0; i < t->decl->nslots; i++) {
				const struct idl_slot *s = &t->decl->slots[i];

				add_slot(ctx, owner, l, base + s->offset,
					 s->stride, s->count, s->target);
			}
		}
		return;
	case IDL_TY_ARRAY: {
		struct slot_list inner = {.n = 0};
		uint64_t esize = type_size(t->elem);
		bool single = true;

		type_slots(ctx, owner, &inner, t->elem, 0);
		if (inner.n == 0) {
			return;
		}
		for (uint32_t i = 0; i < inner.n; i++) {
			single = single && inner.s[i].count == 1;
		}
		if (single) {
			for (uint32_t i = 0; i < inner.n; i++) {
				add_slot(ctx, owner, l,
					 base + inner.s[i].offset,
					 (uint32_t)esize, t->len,
					 inner.s[i].target);
			}
			return;
		}
		if (t->len * inner.n > IDL_MAX_SLOTS) {
			too_many_slots(ctx, owner);
		}
		for (uint64_t k = 0; k < t->len; k++) {
			for (uint32_t i = 0; i < inner.n; i++) {
				add_slot(ctx, owner, l,
					 base + k * esize + inner.s[i].offset,
					 inner.s[i].stride, inner.s[i].count,
					 inner.s[i].target);
			}
		}
		return;
	}
	case IDL_TY_SCALAR:
	case IDL_TY_IFACE:
		return;
	}
}

static void struct_slots(struct idl_ctx *ctx, struct idl_decl *d)
{
	struct slot_list l = {.n = 0};

	if (d->slots || !d->has_rref) {
		return;
	}
	for (uint32_t i = 0; i < d->nfields; i++) {
		type_slots(ctx, d, &l, d->fields[i].type, d->fields[i].offset);
	}
	d->slots = idl_alloc(ctx, l.n * sizeof(*d->slots));
	memcpy(d->slots, l.s, l.n * sizeof(*d->slots));
	d->nslots = l.n;
}

static int cmp_heap(const void *a, const void *b)
{
	const struct idl_heap *x = *(const struct idl_heap *const *)a;
	const struct idl_heap *y = *(const struct idl_heap *const *)b;

	return strcmp(x->cname, y->cname);
}

void idl_check_heaps(struct idl_ctx *ctx)
{
	struct idl_iface *itf = ctx->iface;

	ctx->heaps = idl_alloc(ctx, IDL_MAX_HEAP_TYPES * sizeof(*ctx->heaps));
	for (uint32_t i = 0; i < ctx->ndecls; i++) {
		struct idl_decl *d = ctx->decls[i];

		for (uint32_t j = 0; j < d->nfields; j++) {
			collect_heaps(ctx, d->fields[j].type);
		}
	}
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		struct idl_method *m = &itf->methods[i];

		for (uint32_t j = 0; j < m->nargs; j++) {
			collect_heaps(ctx, m->args[j].type);
		}
		for (uint32_t j = 0; j < m->nresults; j++) {
			collect_heaps(ctx, m->results[j].type);
		}
	}
	qsort(ctx->heaps, ctx->nheaps, sizeof(*ctx->heaps), cmp_heap);
	for (uint32_t i = 0; i < ctx->nheaps; i++) {
		struct idl_heap *h = ctx->heaps[i];
		uint64_t total = 0;

		h->index = i;
		if (h->form == IDL_RREF_ONE) {
			struct_slots(ctx, h->elem);
			h->slots = h->elem->slots;
			h->nslots = h->elem->nslots;
		} else {
			h->slots = idl_alloc(ctx, sizeof(*h->slots));
			h->slots[0].offset = h->form == IDL_RREF_DEQUE ? 8 : 0;
			h->slots[0].stride = 8;
			h->slots[0].count = (uint32_t)h->len;
			h->slots[0].target = h->elem->heap;
			h->nslots = 1;
		}
		for (uint32_t j = 0; j < h->nslots; j++) {
			total += h->slots[j].count;
		}
		if (total > IDL_MAX_TOTAL_SLOTS) {
			idl_error(ctx, h->pos,
				  "%s'%s' holds %llu nested rrefs, more than "
				  "the %u a shared-heap type may have",
				  h->form == IDL_RREF_ONE ? "struct " : "",
				  h->label, (unsigned long long)total,
				  IDL_MAX_TOTAL_SLOTS);
		}
	}
}
