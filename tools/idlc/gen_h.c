// SPDX-License-Identifier: MIT
/*
 * idlc: the generated header, build/gen/<iface>.h (idl/README.md,
 * "Generated code"): constants, C types with layout asserts, deque
 * helpers, the type registry's indices and ids, typed alloc/drop, method
 * constants, the client handle and proxies, the server ops table and the
 * dispatch entry. Also the helpers gen_c.c shares: C spellings of IDL
 * types and line wrapping.
 */
#include <stdio.h>
#include <string.h>

#include "abi/ipc.h"
#include "idlc.h"

/* --- Shared with gen_c.c -------------------------------------------------- */

/* Appends tabs and spaces that bring a line to column @col (0-based). */
static void pad_to(struct idl_buf *b, unsigned int col)
{
	for (unsigned int i = 0; i < col / 8; i++) {
		idl_buf_puts(b, "\t");
	}
	for (unsigned int i = 0; i < col % 8; i++) {
		idl_buf_puts(b, " ");
	}
}

/*
 * Emits @items greedily, @sep-separated, starting at column *@col and
 * continuing at @align. The last item is followed by @close and @tail.
 */
static void pack_items(struct idl_buf *b, const char *const *items, uint32_t n,
		       const char *close, const char *tail, unsigned int col,
		       unsigned int align)
{
	for (uint32_t i = 0; i < n; i++) {
		const char *end = i + 1 < n ? "," : close;
		unsigned int len =
			(unsigned int)(strlen(items[i]) + strlen(end));

		if (i + 1 == n) {
			len += (unsigned int)strlen(tail);
		}
		if (i > 0) {
			if (col + 1 + len > 80) {
				idl_buf_puts(b, "\n");
				pad_to(b, align);
				col = align;
			} else {
				idl_buf_puts(b, " ");
				col++;
			}
		}
		idl_buf_printf(b, "%s%s", items[i], end);
		col += len;
	}
	idl_buf_printf(b, "%s\n", tail);
}

void idl_gen_list_delim(struct idl_buf *b, unsigned int indent,
			const char *head, const char *open,
			const char *const *items, uint32_t n, const char *close,
			const char *tail)
{
	unsigned int col = 8 * indent + (unsigned int)strlen(head) +
			   (unsigned int)strlen(open);
	bool fits = true;

	for (uint32_t i = 0; i < n; i++) {
		size_t len = strlen(items[i]) + strlen(close) + strlen(tail);

		fits = fits && col + len <= 80;
	}
	pad_to(b, 8 * indent);
	idl_buf_printf(b, "%s%s", head, open);
	if (n == 0) {
		idl_buf_printf(b, "%s%s\n", close, tail);
		return;
	}
	if (fits) {
		/* Continuation lines aligned after the opening delimiter. */
		pack_items(b, items, n, close, tail, col, col);
		return;
	}
	/* Too long for that: break after the delimiter, one tab deeper. */
	idl_buf_puts(b, "\n");
	pad_to(b, 8 * (indent + 1));
	pack_items(b, items, n, close, tail, 8 * (indent + 1),
		   8 * (indent + 1));
}

/*
 * Appends @text as a C comment at @indent tabs, words wrapped at 80
 * columns: "/\* text *\/" when it fits on one line, else a block.
 */
void idl_gen_comment(struct idl_buf *b, unsigned int indent, const char *text)
{
	unsigned int col;
	const char *p = text;
	size_t len = strlen(text);

	while (len && text[len - 1] == '\n') {
		len--;
	}
	if (8 * indent + len + 6 <= 80 && !memchr(text, '\n', len)) {
		pad_to(b, 8 * indent);
		idl_buf_printf(b, "/* %.*s */\n", (int)len, text);
		return;
	}
	pad_to(b, 8 * indent);
	idl_buf_puts(b, "/*\n");
	while (p < text + len) {
		pad_to(b, 8 * indent);
		idl_buf_puts(b, " *");
		col = 8 * indent + 2;
		for (;;) {
			size_t w;

			while (*p == ' ') {
				p++;
			}
			if (*p == '\0' || *p == '\n') {
				if (*p == '\n') {
					p++;
				}
				break;
			}
			w = strcspn(p, " \n");
			if (col > 8 * indent + 2 && col + 1 + w > 80) {
				break;
			}
			idl_buf_printf(b, " %.*s", (int)w, p);
			col += 1 + (unsigned int)w;
			p += w;
		}
		idl_buf_puts(b, "\n");
	}
	pad_to(b, 8 * indent);
	idl_buf_puts(b, " */\n");
}

void idl_gen_list(struct idl_buf *b, unsigned int indent, const char *head,
		  const char *const *items, uint32_t n, const char *tail)
{
	idl_gen_list_delim(b, indent, head, "(", items, n, ")", tail);
}

/* The C type of a struct or enum used by value. */
static const char *named_ctype(struct idl_ctx *ctx, const struct idl_decl *d)
{
	if (d->kind == IDL_DECL_ENUM) {
		return idl_scalar_ctype(d->base);
	}
	return idl_printf(ctx, "struct %s", d->cname);
}

static const char *heap_ctype(struct idl_ctx *ctx, const struct idl_heap *h)
{
	return idl_printf(ctx, "struct %s", h->cname);
}

const char *idl_c_param(struct idl_ctx *ctx, const struct idl_param *p,
			bool result, const char *name)
{
	const struct idl_type *t = p->type;
	const char *ty = "?";

	switch (t->kind) {
	case IDL_TY_SCALAR:
		ty = t->scalar == IDL_BOOL ? "bool"
					   : idl_scalar_ctype(t->scalar);
		break;
	case IDL_TY_NAMED:
		ty = named_ctype(ctx, t->decl);
		break;
	case IDL_TY_RREF:
		ty = idl_printf(ctx, "%s%s *",
				!result && p->mode == IDL_MODE_BORROW ? "const "
								      : "",
				heap_ctype(ctx, t->heap));
		break;
	case IDL_TY_IFACE:
		ty = idl_printf(ctx, "struct %s_client", t->name);
		break;
	case IDL_TY_ARRAY:
		break;
	}
	if (result) {
		return idl_printf(ctx, "%s%s*%s", ty,
				  t->kind == IDL_TY_RREF ? "" : " ", name);
	}
	return idl_printf(ctx, "%s%s%s", ty, t->kind == IDL_TY_RREF ? "" : " ",
			  name);
}

/* Appends "ctype name[dims]" for a struct field. */
static void field_decl(struct idl_ctx *ctx, struct idl_buf *b,
		       const struct idl_field *f)
{
	const struct idl_type *t = f->type;
	struct idl_buf dims;
	const char *ty = "?";
	bool pointer = false;

	idl_buf_init(&dims, ctx);
	while (t->kind == IDL_TY_ARRAY) {
		idl_buf_printf(&dims, "[%llu]", (unsigned long long)t->len);
		t = t->elem;
	}
	switch (t->kind) {
	case IDL_TY_SCALAR:
		ty = idl_scalar_ctype(t->scalar);
		break;
	case IDL_TY_NAMED:
		ty = named_ctype(ctx, t->decl);
		break;
	case IDL_TY_RREF:
		ty = heap_ctype(ctx, t->heap);
		pointer = true;
		break;
	case IDL_TY_IFACE:
	case IDL_TY_ARRAY:
		break;
	}
	idl_buf_printf(b, "\t%s %s%s%s;", ty, pointer ? "*" : "", f->name,
		       idl_buf_str(&dims));
	if (t->kind == IDL_TY_RREF ||
	    (t->kind == IDL_TY_SCALAR && t->scalar == IDL_BOOL)) {
		idl_buf_puts(b, " /* ");
		idl_type_spell(b, f->type);
		idl_buf_puts(b, " */");
	} else if (t->kind == IDL_TY_NAMED && t->decl->kind == IDL_DECL_ENUM) {
		idl_buf_printf(b, " /* enum %s */", t->decl->name);
	}
	idl_buf_puts(b, "\n");
}

/* --- Pieces of the header --------------------------------------------------- */

static void enum_value(struct idl_buf *b, const struct idl_decl *d,
		       const struct idl_enumerator *e)
{
	unsigned long long v = (unsigned long long)e->value;

	switch (d->base) {
	case IDL_U64:
		idl_buf_printf(b, "%lluull", v);
		return;
	case IDL_I64:
		if (!e->negative) {
			idl_buf_printf(b, "%llull", v);
		} else if (v == 0x8000000000000000ull) {
			idl_buf_puts(b, "(-9223372036854775807ll - 1)");
		} else {
			idl_buf_printf(b, "(-%llull)", ~v + 1);
		}
		return;
	case IDL_I8:
	case IDL_I16:
	case IDL_I32:
		if (!e->negative) {
			idl_buf_printf(b, "%llu", v);
		} else if (v == 0xffffffff80000000ull) {
			idl_buf_puts(b, "(-2147483647 - 1)");
		} else {
			idl_buf_printf(b, "(-%llu)", ~v + 1);
		}
		return;
	default:
		idl_buf_printf(b, "%lluu", v);
		return;
	}
}

static void gen_enum(struct idl_ctx *ctx, struct idl_buf *b,
		     const struct idl_decl *d)
{
	const char *ct = idl_scalar_ctype(d->base);

	idl_buf_printf(b, "/* enum %s : %s */\n", d->name,
		       idl_scalar_name(d->base));
	for (uint32_t i = 0; i < d->nitems; i++) {
		idl_buf_printf(b, "#define %s_%s ", d->ucname,
			       idl_upper(ctx, d->items[i].name));
		enum_value(b, d, &d->items[i]);
		idl_buf_puts(b, "\n");
	}
	idl_buf_printf(b,
		       "\n/* True if @v is one of enum %s's constants. */\n"
		       "static inline bool %s_is_valid(%s v)\n{\n"
		       "\tswitch (v) {\n",
		       d->name, d->cname, ct);
	for (uint32_t i = 0; i < d->nitems; i++) {
		idl_buf_printf(b, "\tcase %s_%s:\n", d->ucname,
			       idl_upper(ctx, d->items[i].name));
	}
	idl_buf_puts(b, "\t\treturn true;\n\tdefault:\n\t\treturn false;\n"
			"\t}\n}\n\n");
}

static void gen_struct(struct idl_ctx *ctx, struct idl_buf *b,
		       const struct idl_decl *d)
{
	idl_buf_printf(b, "/* struct %s: %u bytes, %u-byte aligned%s. */\n",
		       d->name, d->size, d->align,
		       d->has_rref ? ", holds rrefs" : "");
	idl_buf_printf(b, "struct %s {\n", d->cname);
	for (uint32_t i = 0; i < d->nfields; i++) {
		field_decl(ctx, b, &d->fields[i]);
	}
	idl_buf_puts(b, "};\n");
	idl_buf_printf(b, "BUILD_ASSERT(sizeof(struct %s) == %u);\n", d->cname,
		       d->size);
	idl_buf_printf(b, "BUILD_ASSERT(_Alignof(struct %s) == %u);\n",
		       d->cname, d->align);
	for (uint32_t i = 0; i < d->nfields; i++) {
		idl_buf_printf(
			b, "BUILD_ASSERT(offsetof(struct %s, %s) == %u);\n",
			d->cname, d->fields[i].name, d->fields[i].offset);
	}
	idl_buf_puts(b, "\n");
}

static void gen_container(struct idl_ctx *ctx, struct idl_buf *b,
			  const struct idl_heap *h)
{
	const char *el = h->elem->cname;
	unsigned long long n = (unsigned long long)h->len;

	if (h->form == IDL_RREF_ARRAY) {
		idl_buf_printf(b,
			       "/*\n * %s\n * %llu slots, each NULL or an rref "
			       "owned by the array.\n */\n"
			       "struct %s {\n\tstruct %s *slot[%llu];\n};\n",
			       h->label, n, h->cname, el, n);
		idl_buf_printf(b, "BUILD_ASSERT(sizeof(struct %s) == %u);\n\n",
			       h->cname, h->size);
		return;
	}
	idl_buf_printf(b,
		       "/*\n * %s\n * A ring of up to %llu rrefs, the oldest "
		       "at slot[head]; every non-NULL\n * slot is owned by the "
		       "deque.\n */\n"
		       "struct %s {\n\tuint32_t head;\n\tuint32_t count;\n"
		       "\tstruct %s *slot[%llu];\n};\n",
		       h->label, n, h->cname, el, n);
	idl_buf_printf(b, "BUILD_ASSERT(sizeof(struct %s) == %u);\n", h->cname,
		       h->size);
	idl_buf_printf(b, "BUILD_ASSERT(offsetof(struct %s, slot) == 8);\n\n",
		       h->cname);
	/* The helpers bound every index, whatever shared memory holds. */
	idl_buf_printf(b, "/* Elements in @d (never more than %llu). */\n", n);
	{
		const char *v = idl_printf(ctx, "const struct %s *d", h->cname);

		idl_gen_list(b, 0,
			     idl_printf(ctx, "static inline uint32_t %s_len",
					h->cname),
			     &v, 1, "");
	}
	idl_buf_printf(b,
		       "{\n"
		       "\tuint32_t n = d->count;\n\n"
		       "\treturn n < %lluu ? n : %lluu;\n}\n\n",
		       n, n);
	idl_buf_puts(b, "/*\n * Appends @r at the tail. Consumes @r and "
			"returns 0, or returns -ENOSPC\n * when @d is full "
			"(@r stays the caller's).\n */\n");
	{
		const char *v[2];

		v[0] = idl_printf(ctx, "struct %s *d", h->cname);
		v[1] = idl_printf(ctx, "struct %s *r", el);
		idl_gen_list(
			b, 0,
			idl_printf(ctx, "static inline int %s_push", h->cname),
			v, 2, "");
	}
	idl_buf_printf(b,
		       "{\n"
		       "\tuint32_t n = %s_len(d);\n\n"
		       "\tif (n == %lluu) {\n\t\treturn -ENOSPC;\n\t}\n"
		       "\td->slot[(d->head %% %lluu + n) %% %lluu] = r;\n"
		       "\td->count = n + 1;\n\treturn 0;\n}\n\n",
		       h->cname, n, n, n);
	idl_buf_puts(b, "/* Removes and returns the oldest element (now the "
			"caller's), or NULL. */\n");
	{
		const char *v = idl_printf(ctx, "struct %s *d", h->cname);

		idl_gen_list(b, 0,
			     idl_printf(ctx, "static inline struct %s *%s_pop",
					el, h->cname),
			     &v, 1, "");
	}
	idl_buf_printf(b,
		       "{\n"
		       "\tuint32_t n = %s_len(d);\n"
		       "\tuint32_t h = d->head %% %lluu;\n"
		       "\tstruct %s *r;\n\n"
		       "\tif (n == 0) {\n\t\treturn NULL;\n\t}\n"
		       "\tr = d->slot[h];\n\td->slot[h] = NULL;\n"
		       "\td->head = (h + 1) %% %lluu;\n"
		       "\td->count = n - 1;\n\treturn r;\n}\n\n",
		       h->cname, n, el, n);
}

static void gen_heap_api(struct idl_ctx *ctx, struct idl_buf *b)
{
	const char *in = ctx->iface->name;
	const char *un = ctx->iface->ucname;

	idl_buf_printf(b,
		       "/*\n * The shared-heap type registry (lib/abi/"
		       "rref_types.h): %s_types[],\n * %s_NTYPES entries, "
		       "indexed by the *_TYPE_INDEX constants.\n */\n",
		       in, un);
	for (uint32_t i = 0; i < ctx->nheaps; i++) {
		const struct idl_heap *h = ctx->heaps[i];

		idl_buf_printf(b, "#define %s_TYPE_INDEX %uu\n", h->ucname,
			       h->index);
		idl_buf_printf(b, "#define %s_TYPE_ID 0x%016llxull\n",
			       h->ucname, (unsigned long long)h->id);
	}
	idl_buf_printf(b, "extern const struct rref_type_info %s_types[];\n\n",
		       in);
	for (uint32_t i = 0; i < ctx->nheaps; i++) {
		const struct idl_heap *h = ctx->heaps[i];

		const char *entry = idl_printf(ctx, "&%s_types[%s_TYPE_INDEX]",
					       in, h->ucname);
		const char *v[2];

		idl_gen_comment(b, 0,
				idl_printf(ctx,
					   "A new zeroed %s, owned by the "
					   "caller; NULL when out of memory.",
					   h->label));
		if (2 * strlen(h->cname) + 36 > 80) {
			idl_buf_printf(
				b,
				"static inline struct %s *\n%s_alloc(void)"
				"\n{\n",
				h->cname, h->cname);
		} else {
			idl_buf_printf(b,
				       "static inline struct %s *%s_alloc(void)"
				       "\n{\n",
				       h->cname, h->cname);
		}
		idl_gen_list(b, 1,
			     idl_printf(ctx,
					"return (struct %s *)rt_rref_alloc",
					h->cname),
			     &entry, 1, ";");
		idl_buf_puts(b, "}\n\n");
		idl_buf_puts(b, "/* Drops @obj and every rref nested in it. "
				"Consumes @obj; NULL is ignored. */\n");
		v[0] = idl_printf(ctx, "struct %s *obj", h->cname);
		idl_gen_list(
			b, 0,
			idl_printf(ctx, "static inline void %s_drop", h->cname),
			v, 1, "");
		idl_buf_puts(b, "{\n");
		v[0] = entry;
		v[1] = "obj";
		idl_gen_list(b, 1, "rt_rref_drop", v, 2, ";");
		idl_buf_puts(b, "}\n\n");
	}
}

static void gen_client_struct(struct idl_buf *b, const char *name,
			      const char *ucname)
{
	idl_buf_printf(b,
		       "#ifndef %s_CLIENT_DEFINED\n#define %s_CLIENT_DEFINED\n"
		       "/* A handle to a %s interface, granted by the kernel. "
		       "*/\n"
		       "struct %s_client {\n\tuint16_t handle;\n};\n#endif\n\n",
		       ucname, ucname, name, name);
}

static const char *flags_spell(const struct idl_method *m)
{
	if (m->idempotent && m->config) {
		return "(IPC_METHOD_IDEMPOTENT | IPC_METHOD_CONFIG)";
	}
	if (m->idempotent) {
		return "IPC_METHOD_IDEMPOTENT";
	}
	if (m->config) {
		return "IPC_METHOD_CONFIG";
	}
	return "0u";
}

/* The IDL line of @m, for comments. */
static const char *method_spell(struct idl_ctx *ctx, const struct idl_method *m)
{
	struct idl_buf b;

	idl_buf_init(&b, ctx);
	idl_buf_printf(&b, "@%u %s%srpc %s(", m->ordinal,
		       m->idempotent ? "@idempotent " : "",
		       m->config ? "@config " : "", m->name);
	for (uint32_t i = 0; i < m->nargs; i++) {
		const struct idl_param *p = &m->args[i];

		idl_buf_printf(&b, "%s%s", i ? ", " : "",
			       p->mode == IDL_MODE_MOVE	    ? "move "
			       : p->mode == IDL_MODE_BORROW ? "borrow "
							    : "");
		idl_type_spell(&b, p->type);
		idl_buf_printf(&b, " %s", p->name);
	}
	idl_buf_puts(&b, ") -> (");
	for (uint32_t i = 0; i < m->nresults; i++) {
		idl_buf_puts(&b, i ? ", " : "");
		idl_type_spell(&b, m->results[i].type);
		idl_buf_printf(&b, " %s", m->results[i].name);
	}
	idl_buf_puts(&b, ")");
	return idl_buf_str(&b);
}

/* Ownership sentences for a proxy's comment (STYLE.md 6.4). */
static const char *ownership(struct idl_ctx *ctx, const struct idl_method *m)
{
	struct idl_buf s;

	idl_buf_init(&s, ctx);
	for (uint32_t i = 0; i < m->nargs; i++) {
		const struct idl_param *p = &m->args[i];

		if (p->mode == IDL_MODE_MOVE) {
			idl_buf_printf(&s, " Consumes @%s.", p->name);
		} else if (p->mode == IDL_MODE_BORROW) {
			idl_buf_printf(&s, " Borrows @%s until return.",
				       p->name);
		} else if (p->type->kind == IDL_TY_IFACE) {
			idl_buf_printf(&s, " Grants @%s to the callee.",
				       p->name);
		}
	}
	for (uint32_t i = 0; i < m->nresults; i++) {
		const struct idl_param *p = &m->results[i];

		if (p->type->kind == IDL_TY_RREF) {
			idl_buf_printf(
				&s, " Returns owned *@out_%s%s.", p->name,
				p->type->optional ? " (may be NULL)" : "");
		}
	}
	return idl_buf_str(&s);
}

const char **idl_proxy_params(struct idl_ctx *ctx, const struct idl_method *m,
			      uint32_t *n)
{
	const char **v =
		idl_alloc(ctx, (m->nargs + m->nresults + 2) * sizeof(*v));
	const char *in = ctx->iface->name;

	*n = 0;
	v[(*n)++] = idl_printf(ctx, "struct %s_client *client", in);
	for (uint32_t i = 0; i < m->nargs; i++) {
		v[(*n)++] =
			idl_c_param(ctx, &m->args[i], false, m->args[i].name);
	}
	for (uint32_t i = 0; i < m->nresults; i++) {
		v[(*n)++] = idl_c_param(
			ctx, &m->results[i], true,
			idl_printf(ctx, "out_%s", m->results[i].name));
	}
	v[(*n)++] = "int32_t *app_status";
	return v;
}

static void gen_methods(struct idl_ctx *ctx, struct idl_buf *b)
{
	const struct idl_iface *itf = ctx->iface;
	const char *in = itf->name;
	const char *un = itf->ucname;

	for (uint32_t i = 0; i < itf->nmethods; i++) {
		const struct idl_method *m = &itf->methods[i];
		const char *mu = idl_printf(ctx, "%s_%s", un, m->ucname);

		idl_gen_comment(b, 0, method_spell(ctx, m));
		idl_buf_printf(b, "#define %s_ORDINAL %uu\n", mu, m->ordinal);
		idl_buf_printf(b, "#define %s_ARG_KINDS 0x%03xu\n", mu,
			       m->arg_kinds);
		idl_buf_printf(b, "#define %s_RES_KINDS 0x%03xu\n", mu,
			       m->res_kinds);
		idl_buf_printf(b, "#define %s_FLAGS %s\n", mu, flags_spell(m));
	}
	if (itf->nmethods) {
		idl_buf_puts(b, "\n");
	}

	for (uint32_t i = 0; i < ctx->nrefs; i++) {
		gen_client_struct(b, ctx->refs[i].name, ctx->refs[i].ucname);
	}
	gen_client_struct(b, in, un);

	idl_buf_puts(b,
		     "/*\n"
		     " * Client proxies. Each returns the transport status: 0 "
		     "when the callee\n"
		     " * ran, else -EBADF, -EINVAL (nothing moved), -EDOMDEAD "
		     "or -ERESTARTED\n"
		     " * (lib/abi/ipc.h). On 0, *app_status is the method's "
		     "own status and the\n"
		     " * out-parameters hold its results, whatever that "
		     "status; otherwise\n"
		     " * *app_status and every out-parameter are zeroed. No "
		     "pointer may be NULL.\n"
		     " * When the callee is restarted, rt_ipc_call() "
		     "(lib/rt/ipc.h) first replays\n"
		     " * the @config calls made on the handle into the new "
		     "instance, then\n"
		     " * retries an @idempotent method; other methods return "
		     "-ERESTARTED (the\n"
		     " * call did not complete), as does any method after "
		     "repeated restarts.\n"
		     " */\n");
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		const struct idl_method *m = &itf->methods[i];

		idl_gen_comment(b, 0,
				idl_printf(ctx, "%s\n%s", method_spell(ctx, m),
					   ownership(ctx, m)));
		idl_gen_proxy(ctx, b, m);
	}

	idl_buf_printf(b,
		       "/*\n * Server side: one op per method, called by "
		       "%s_dispatch() with the\n * server's inst pointer; each "
		       "returns the application status. Borrowed\n"
		       " * rrefs are valid until the op returns; moved ones "
		       "are the server's.\n * Results go through the "
		       "out-parameters, which start zeroed; result\n"
		       " * rrefs move to the caller. A NULL op answers "
		       "-ENOSYS, and the stub drops\n * the rrefs moved to "
		       "it.\n */\n",
		       in);
	idl_buf_printf(b, "struct %s_ops {\n", in);
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		const struct idl_method *m = &itf->methods[i];
		const char **v = idl_alloc(ctx, (m->nargs + m->nresults + 1) *
							sizeof(*v));
		uint32_t n = 0;

		v[n++] = "void *inst";
		for (uint32_t j = 0; j < m->nargs; j++) {
			v[n++] = idl_c_param(ctx, &m->args[j], false,
					     m->args[j].name);
		}
		for (uint32_t j = 0; j < m->nresults; j++) {
			v[n++] = idl_c_param(
				ctx, &m->results[j], true,
				idl_printf(ctx, "out_%s", m->results[j].name));
		}
		idl_gen_list(b, 1, idl_printf(ctx, "int32_t (*%s)", m->name), v,
			     n, ";");
	}
	idl_buf_puts(b, "};\n\n");
	idl_buf_printf(b,
		       "/* What a server registers as the dispatch context. "
		       "*/\n"
		       "struct %s_server {\n\tconst struct %s_ops *ops;\n"
		       "\tvoid *inst; /* passed to every op */\n};\n\n",
		       in, in);
	idl_buf_printf(b,
		       "/*\n * The dispatch entry (lib/abi/ipc.h, "
		       "SYS_IFACE_EXPORT): @ctx is a struct\n * %s_server. "
		       "Unpacks @in, calls the op of @ordinal and packs its\n"
		       " * results in @out (unused words zero). Returns the "
		       "op's application\n * status, or -ENOSYS for an "
		       "unknown ordinal.\n */\n",
		       in);
	{
		static const char *const dv[] = {
			"void *ctx",
			"uint32_t ordinal",
			"const uint64_t in[IPC_WORDS]",
			"uint64_t out[IPC_WORDS]",
		};

		idl_gen_list(b, 0, idl_printf(ctx, "int32_t %s_dispatch", in),
			     dv, ARRAY_SIZE(dv), ";");
	}
	idl_buf_printf(b,
		       "\n/* The descriptor the kernel checks calls against "
		       "(lib/abi/ipc_desc.h). */\n"
		       "extern const struct ipc_iface_desc %s_desc;\n\n",
		       in);
	idl_gen_comment(
		b, 0,
		idl_printf(ctx,
			   "Exports %s with @srv as its context and "
			   "registers its shared-heap types "
			   "(rt_ipc_export()). A call of a method whose "
			   "op @srv has enters %s_entry_<method>; one "
			   "whose op is NULL, %s_dispatch(). The "
			   "domain's manifest must list it. Returns 0 "
			   "or a negative errno.",
			   in, in, in));
	{
		const char *v = idl_printf(ctx, "struct %s_server *srv", in);

		idl_gen_list(b, 0,
			     idl_printf(ctx, "int __must_check %s_export", in),
			     &v, 1, ";");
	}
	idl_buf_puts(b, "\n");
	idl_gen_comment(
		b, 0,
		idl_printf(ctx,
			   "Connects @client to the domain that exports "
			   "%s with this fingerprint (rt_ipc_connect()). "
			   "The domain's manifest must import it. "
			   "Returns 0 or a negative errno.",
			   in));
	{
		const char *v = idl_printf(ctx, "struct %s_client *client", in);

		idl_gen_list(b, 0,
			     idl_printf(ctx,
					"static inline int __must_check "
					"%s_connect",
					in),
			     &v, 1, "");
	}
	idl_buf_printf(b,
		       "{\n\treturn rt_ipc_connect(&%s_desc, "
		       "&client->handle);\n}\n",
		       in);
}

void idl_gen_header(struct idl_ctx *ctx, struct idl_buf *b)
{
	const struct idl_iface *itf = ctx->iface;
	const char *un = itf->ucname;
	bool any;

	idl_buf_printf(
		b,
		"/* SPDX-License-Identifier: MIT */\n"
		"/*\n * Generated by idlc from %s.idl; do not edit. "
		"Interface %s,\n * version %u. The language and the "
		"contract of this code are in\n * idl/README.md.\n"
		" */\n"
		"#pragma once\n\n"
		"#include <stdbool.h>\n#include <stddef.h>\n"
		"#include <stdint.h>\n\n"
		"#include \"abi/errno.h\"\n#include \"abi/ipc.h\"\n"
		"#include \"abi/ipc_desc.h\"\n"
		"#include \"abi/rref_types.h\"\n"
		"#include \"base/compiler.h\"\n#include \"rt/ipc.h\"\n\n",
		itf->name, itf->name, itf->version);
	idl_buf_printf(b, "#define %s_NAME \"%s\"\n", un, itf->name);
	idl_buf_printf(b, "#define %s_VERSION %uu\n", un, itf->version);
	idl_buf_printf(b, "#define %s_FINGERPRINT 0x%016llxull\n", un,
		       (unsigned long long)ctx->fingerprint);
	idl_buf_printf(b, "#define %s_NMETHODS %uu\n", un, itf->nmethods);
	idl_buf_printf(b, "#define %s_NTYPES %uu\n\n", un, ctx->nheaps);

	for (uint32_t i = 0; i < ctx->ndecls; i++) {
		if (ctx->decls[i]->kind == IDL_DECL_ENUM) {
			gen_enum(ctx, b, ctx->decls[i]);
		}
	}
	any = false;
	for (uint32_t i = 0; i < ctx->norder; i++) {
		idl_buf_printf(b, "struct %s;\n", ctx->order[i]->cname);
		any = true;
	}
	for (uint32_t i = 0; i < ctx->nheaps; i++) {
		if (ctx->heaps[i]->form != IDL_RREF_ONE) {
			idl_buf_printf(b, "struct %s;\n", ctx->heaps[i]->cname);
			any = true;
		}
	}
	if (any) {
		idl_buf_puts(b, "\n");
	}
	for (uint32_t i = 0; i < ctx->norder; i++) {
		gen_struct(ctx, b, ctx->order[i]);
	}
	for (uint32_t i = 0; i < ctx->nheaps; i++) {
		if (ctx->heaps[i]->form != IDL_RREF_ONE) {
			gen_container(ctx, b, ctx->heaps[i]);
		}
	}
	gen_heap_api(ctx, b);
	gen_methods(ctx, b);
}
