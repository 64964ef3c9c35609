// SPDX-License-Identifier: MIT
/*
 * idlc: the generated source, build/gen/<iface>.c (idl/README.md,
 * "Generated code"): the type registry with its drop functions, the
 * dispatch stubs, the method entries, the interface descriptor and
 * <iface>_export(); and the client proxies, which gen_h.c places in the
 * header as static inline functions.
 *
 * Register packing (idl/README.md, "Registers"): every scalar takes one
 * word, zero-extended (unsigned, bool as 0/1) or sign-extended (signed);
 * a struct by value takes its bytes in consecutive words, little endian,
 * the rest of its last word zero; rrefs and handles take one word.
 * Receivers take the low bits of scalar words, and any nonzero bool word
 * is true, so every word value decodes to something defined.
 */
#include <stdio.h>
#include <string.h>

#include "abi/ipc.h"
#include "abi/ipc_desc.h"
#include "abi/rref_types.h"
#include "idlc.h"

static void gen_registry(struct idl_ctx *ctx, struct idl_buf *b)
{
	const char *in = ctx->iface->name;
	const char *un = ctx->iface->ucname;
	bool any_slots = false;

	for (uint32_t i = 0; i < ctx->nheaps; i++) {
		any_slots = any_slots || ctx->heaps[i]->nslots > 0;
	}
	if (any_slots) {
		static const char *const dp[] = {
			"void *obj",	   "struct rt_rref_dropq *q",
			"uint32_t offset", "uint32_t stride",
			"uint32_t count",  "const struct rref_type_info *type",
		};

		idl_buf_puts(b,
			     "/*\n * Hands the @count rrefs of @type in the "
			     "slots at @offset, @stride bytes\n * apart, to "
			     "the runtime's drop queue @q, clearing each slot "
			     "first.\n */\n");
		idl_gen_list(b, 0,
			     idl_printf(ctx, "static void %s_drop_slots", in),
			     dp, ARRAY_SIZE(dp), "");
		idl_buf_puts(b, "{\n"
				"\tfor (uint32_t i = 0; i < count; i++) {\n"
				"\t\tchar *slot = (char *)obj + offset + "
				"(size_t)i * stride;\n"
				"\t\tvoid *p;\n\n"
				"\t\t__builtin_memcpy(&p, slot, sizeof(p));\n"
				"\t\tif (p != NULL) {\n"
				"\t\t\t__builtin_memset(slot, 0, sizeof(p));\n"
				"\t\t\trt_rref_drop_later(q, type, p);\n"
				"\t\t}\n\t}\n}\n\n");
	}
	for (uint32_t i = 0; i < ctx->nheaps; i++) {
		const struct idl_heap *h = ctx->heaps[i];

		if (!h->nslots) {
			continue;
		}
		idl_buf_printf(b,
			       "static void %s_drop_nested(void *obj, "
			       "struct rt_rref_dropq *q)\n{\n",
			       h->cname);
		for (uint32_t j = 0; j < h->nslots; j++) {
			const struct idl_slot *s = &h->slots[j];
			const char *v[6];

			v[0] = "obj";
			v[1] = "q";
			v[2] = idl_printf(ctx, "%u", s->offset);
			v[3] = idl_printf(ctx, "%u", s->stride);
			v[4] = idl_printf(ctx, "%u", s->count);
			v[5] = idl_printf(ctx, "&%s_types[%s_TYPE_INDEX]", in,
					  s->target->ucname);
			idl_gen_list(b, 1, idl_printf(ctx, "%s_drop_slots", in),
				     v, 6, ";");
		}
		idl_buf_puts(b, "}\n\n");
	}

	if (ctx->nheaps == 0) {
		idl_buf_printf(b,
			       "/* No shared-heap types: %s_NTYPES is 0; one "
			       "zero entry keeps C happy. */\n"
			       "const struct rref_type_info %s_types[1];\n\n",
			       un, in);
		return;
	}
	idl_buf_printf(b,
		       "const struct rref_type_info %s_types[%s_NTYPES] = {\n",
		       in, un);
	for (uint32_t i = 0; i < ctx->nheaps; i++) {
		const struct idl_heap *h = ctx->heaps[i];
		static const char *const kinds[] = {
			[IDL_RREF_ONE] = "RREF_TYPE_STRUCT",
			[IDL_RREF_ARRAY] = "RREF_TYPE_ARRAY",
			[IDL_RREF_DEQUE] = "RREF_TYPE_DEQUE",
		};

		idl_buf_printf(b, "\t[%s_TYPE_INDEX] = {\n\t\t.desc = {\n",
			       h->ucname);
		idl_buf_printf(b, "\t\t\t.id = %s_TYPE_ID,\n", h->ucname);
		idl_buf_printf(b, "\t\t\t.size = %u,\n\t\t\t.align = %u,\n",
			       h->size, h->align);
		idl_buf_printf(b, "\t\t\t.kind = %s,\n", kinds[h->form]);
		idl_buf_printf(b, "\t\t\t.nslots = %u,\n", h->nslots);
		if (h->nslots) {
			idl_buf_puts(b, "\t\t\t.slots = {\n");
			for (uint32_t j = 0; j < h->nslots; j++) {
				const struct idl_slot *s = &h->slots[j];

				idl_buf_printf(b,
					       "\t\t\t\t{ .offset = %u, "
					       ".stride = %u, .count = %u,\n"
					       "\t\t\t\t  .type_id = "
					       "%s_TYPE_ID },\n",
					       s->offset, s->stride, s->count,
					       s->target->ucname);
			}
			idl_buf_puts(b, "\t\t\t},\n");
		}
		/* Names are for diagnostics; long ones are cut to fit. */
		idl_buf_printf(b, "\t\t\t.name = \"%.*s\",\n\t\t},\n",
			       (int)RREF_TYPE_NAME_LEN - 1, h->cname);
		if (h->nslots) {
			idl_buf_printf(b,
				       "\t\t.drop_nested = %s_drop_nested,\n",
				       h->cname);
		} else {
			idl_buf_puts(b, "\t\t.drop_nested = NULL,\n");
		}
		idl_buf_puts(b, "\t},\n");
	}
	idl_buf_puts(b, "};\n\n");
}

/* Appends "\tlhs = rhs;", breaking after '=' when it would pass 80 columns. */
static void assign(struct idl_buf *b, const char *lhs, const char *rhs)
{
	if (8 + strlen(lhs) + 3 + strlen(rhs) + 1 > 80) {
		idl_buf_printf(b, "\t%s =\n\t\t%s;\n", lhs, rhs);
	} else {
		idl_buf_printf(b, "\t%s = %s;\n", lhs, rhs);
	}
}

static bool is_struct_value(const struct idl_type *t)
{
	return t->kind == IDL_TY_NAMED && t->decl->kind == IDL_DECL_STRUCT;
}

static enum idl_scalar scalar_of(const struct idl_type *t)
{
	if (t->kind == IDL_TY_SCALAR) {
		return t->scalar;
	}
	return t->decl->base;
}

/* The expression that packs value @v of type @t into a word. */
static const char *pack(struct idl_ctx *ctx, const struct idl_type *t,
			const char *v)
{
	switch (t->kind) {
	case IDL_TY_RREF:
		return idl_printf(ctx, "(uint64_t)(uintptr_t)%s", v);
	case IDL_TY_IFACE:
		return idl_printf(ctx, "(uint64_t)%s.handle", v);
	default:
		break;
	}
	if (scalar_of(t) == IDL_BOOL) {
		return idl_printf(ctx, "%s ? 1u : 0u", v);
	}
	if (idl_scalar_signed(scalar_of(t))) {
		return idl_printf(ctx, "(uint64_t)(int64_t)%s", v);
	}
	return idl_printf(ctx, "(uint64_t)%s", v);
}

/* The expression that unpacks word @w into a value of type @t. */
static const char *unpack(struct idl_ctx *ctx, const struct idl_param *p,
			  bool result, const char *w)
{
	const struct idl_type *t = p->type;

	if (t->kind == IDL_TY_RREF) {
		return idl_printf(
			ctx, "(%sstruct %s *)(uintptr_t)%s",
			!result && p->mode == IDL_MODE_BORROW ? "const " : "",
			t->heap->cname, w);
	}
	if (scalar_of(t) == IDL_BOOL) {
		return idl_printf(ctx, "%s != 0", w);
	}
	return idl_printf(ctx, "(%s)%s", idl_scalar_ctype(scalar_of(t)), w);
}

/* The statement that zeroes out-parameter *@name of type @t. */
static void zero_out(struct idl_ctx *ctx, struct idl_buf *b,
		     const struct idl_type *t, const char *name)
{
	if (is_struct_value(t)) {
		idl_buf_printf(b, "\t\t__builtin_memset(%s, 0, sizeof(*%s));\n",
			       name, name);
	} else if (t->kind == IDL_TY_IFACE) {
		idl_buf_printf(b, "\t\t%s->handle = 0;\n", name);
	} else if (t->kind == IDL_TY_RREF) {
		idl_buf_printf(b, "\t\t*%s = NULL;\n", name);
	} else if (t->kind == IDL_TY_SCALAR && t->scalar == IDL_BOOL) {
		idl_buf_printf(b, "\t\t*%s = false;\n", name);
	} else {
		idl_buf_printf(b, "\t\t*%s = 0;\n", name);
	}
}

/*
 * The ipc_call_word() flags of @m, as the kernel checks them against the
 * method's descriptor flags (lib/abi/ipc_desc.h): a call whose
 * IPC_CW_IDEMPOTENT or IPC_CW_CONFIG bit differs fails with -EINVAL.
 */
static const char *call_flags(const struct idl_method *m)
{
	if (m->idempotent && m->config) {
		return "IPC_CALL_IDEMPOTENT | IPC_CALL_CONFIG";
	}
	if (m->idempotent) {
		return "IPC_CALL_IDEMPOTENT";
	}
	if (m->config) {
		return "IPC_CALL_CONFIG";
	}
	return "0";
}

void idl_gen_proxy(struct idl_ctx *ctx, struct idl_buf *b,
		   const struct idl_method *m)
{
	const char *in = ctx->iface->name;
	const char *mu =
		idl_printf(ctx, "%s_%s", ctx->iface->ucname, m->ucname);
	uint32_t n;
	const char **v = idl_proxy_params(ctx, m, &n);
	const char *cw[5];

	idl_gen_list(b, 0,
		     idl_printf(ctx, "static inline int __must_check %s_%s", in,
				m->name),
		     v, n, "");
	idl_buf_puts(b, "{\n\tuint64_t idl_in[IPC_WORDS] = { 0 };\n"
			"\tuint64_t idl_out[IPC_WORDS] = { 0 };\n"
			"\tuint64_t idl_cw;\n\tint idl_rc;\n\n");
	for (uint32_t i = 0; i < m->nargs; i++) {
		const struct idl_param *p = &m->args[i];

		if (is_struct_value(p->type)) {
			idl_buf_printf(b,
				       "\t__builtin_memcpy(&idl_in[%u], &%s, "
				       "sizeof(%s));\n",
				       p->word, p->name, p->name);
		} else {
			idl_buf_printf(b, "\tidl_in[%u] = %s;\n", p->word,
				       pack(ctx, p->type, p->name));
		}
	}
	cw[0] = "client->handle";
	cw[1] = idl_printf(ctx, "%s_ORDINAL", mu);
	cw[2] = idl_printf(ctx, "%s_ARG_KINDS", mu);
	cw[3] = idl_printf(ctx, "%s_RES_KINDS", mu);
	cw[4] = call_flags(m);
	idl_gen_list(b, 1, "idl_cw = ipc_call_word", cw, 5, ";");
	idl_buf_puts(b, "\tidl_rc = rt_ipc_call(idl_cw, idl_in, idl_out, "
			"app_status);\n"
			"\tif (idl_rc != 0) {\n\t\t*app_status = 0;\n");
	for (uint32_t i = 0; i < m->nresults; i++) {
		zero_out(ctx, b, m->results[i].type,
			 idl_printf(ctx, "out_%s", m->results[i].name));
	}
	idl_buf_puts(b, "\t\treturn idl_rc;\n\t}\n");
	for (uint32_t i = 0; i < m->nresults; i++) {
		const struct idl_param *p = &m->results[i];
		const char *w = idl_printf(ctx, "idl_out[%u]", p->word);

		if (is_struct_value(p->type)) {
			idl_buf_printf(b,
				       "\t__builtin_memcpy(out_%s, &%s, "
				       "sizeof(*out_%s));\n",
				       p->name, w, p->name);
		} else if (p->type->kind == IDL_TY_IFACE) {
			idl_buf_printf(b, "\tout_%s->handle = (uint16_t)%s;\n",
				       p->name, w);
		} else {
			assign(b, idl_printf(ctx, "*out_%s", p->name),
			       unpack(ctx, p, true, w));
		}
	}
	idl_buf_puts(b, "\treturn 0;\n}\n\n");
}

/* The C type of a dispatch local holding parameter @p. */
static const char *local_type(struct idl_ctx *ctx, const struct idl_param *p,
			      bool result)
{
	const char *decl = idl_c_param(ctx, p, false, "");
	size_t n = strlen(decl);

	/* idl_c_param() spells "type " or "type *"; results are not const. */
	if (result && strncmp(decl, "const ", 6) == 0) {
		decl += 6;
		n -= 6;
	}
	while (n && decl[n - 1] == ' ') {
		n--;
	}
	return idl_strndup(ctx, decl, n);
}

static const char *local_decl(struct idl_ctx *ctx, const struct idl_param *p,
			      bool result, const char *name)
{
	const char *ty = local_type(ctx, p, result);
	size_t n = strlen(ty);

	return idl_printf(ctx, "%s%s%s", ty, ty[n - 1] == '*' ? "" : " ", name);
}

/* The parameter that carries method @m's op: the type of its ops member. */
static const char *op_param(struct idl_ctx *ctx, const struct idl_method *m)
{
	return idl_printf(ctx,
			  "__typeof__(((const struct %s_ops *)0)->%s) idl_op",
			  ctx->iface->name, m->name);
}

static void gen_dispatch_one(struct idl_ctx *ctx, struct idl_buf *b,
			     const struct idl_method *m)
{
	const char *in = ctx->iface->name;
	const char **call =
		idl_alloc(ctx, (m->nargs + m->nresults + 1) * sizeof(*call));
	uint32_t ncall = 0;
	const char *pv[5];
	bool any_struct = false;
	bool any_move = false;

	pv[0] = "void *idl_inst";
	pv[1] = op_param(ctx, m);
	pv[2] = "const uint64_t idl_in[IPC_WORDS]";
	pv[3] = "uint64_t idl_out[IPC_WORDS]";
	pv[4] = "bool idl_check_op";

	idl_gen_list(b, 0,
		     idl_printf(ctx,
				"static inline __attribute__((always_inline)) "
				"int32_t %s_dispatch_%s",
				in, m->name),
		     pv, 5, "");
	idl_buf_puts(b, "{\n");
	for (uint32_t i = 0; i < m->nargs; i++) {
		const struct idl_param *p = &m->args[i];
		const char *name = idl_printf(ctx, "idl_a%u", i);

		if (is_struct_value(p->type)) {
			idl_buf_printf(b, "\t%s;\n",
				       local_decl(ctx, p, false, name));
			any_struct = true;
		} else if (p->type->kind == IDL_TY_IFACE) {
			idl_buf_printf(
				b,
				"\t%s = { .handle = (uint16_t)idl_in[%u] "
				"};\n",
				local_decl(ctx, p, false, name), p->word);
		} else {
			assign(b, local_decl(ctx, p, false, name),
			       unpack(ctx, p, false,
				      idl_printf(ctx, "idl_in[%u]", p->word)));
		}
		any_move = any_move || p->mode == IDL_MODE_MOVE;
		call[ncall++] = name;
	}
	for (uint32_t i = 0; i < m->nresults; i++) {
		const struct idl_param *p = &m->results[i];
		const char *name = idl_printf(ctx, "idl_r%u", i);
		const struct idl_type *t = p->type;

		if (is_struct_value(t)) {
			idl_buf_printf(b, "\t%s;\n",
				       local_decl(ctx, p, true, name));
			any_struct = true;
		} else if (t->kind == IDL_TY_IFACE) {
			idl_buf_printf(b, "\t%s = { .handle = 0 };\n",
				       local_decl(ctx, p, true, name));
		} else if (t->kind == IDL_TY_RREF) {
			idl_buf_printf(b, "\t%s = NULL;\n",
				       local_decl(ctx, p, true, name));
		} else if (t->kind == IDL_TY_SCALAR && t->scalar == IDL_BOOL) {
			idl_buf_printf(b, "\t%s = false;\n",
				       local_decl(ctx, p, true, name));
		} else {
			idl_buf_printf(b, "\t%s = 0;\n",
				       local_decl(ctx, p, true, name));
		}
		call[ncall++] = idl_printf(ctx, "&%s", name);
	}
	idl_buf_puts(b, "\tint32_t idl_status;\n\n");
	if (!m->nargs) {
		idl_buf_puts(b, "\t(void)idl_in;\n");
	}
	if (!m->nresults) {
		idl_buf_puts(b, "\t(void)idl_out;\n");
	}
	if (any_struct) {
		for (uint32_t i = 0; i < m->nargs; i++) {
			const struct idl_param *p = &m->args[i];

			if (is_struct_value(p->type)) {
				idl_buf_printf(
					b,
					"\t__builtin_memcpy(&idl_a%u, "
					"&idl_in[%u], sizeof(idl_a%u));\n",
					i, p->word, i);
			}
		}
		for (uint32_t i = 0; i < m->nresults; i++) {
			if (is_struct_value(m->results[i].type)) {
				idl_buf_printf(
					b,
					"\t__builtin_memset(&idl_r%u, 0, "
					"sizeof(idl_r%u));\n",
					i, i);
			}
		}
	}
	idl_buf_puts(b, "\tif (idl_check_op && idl_op == NULL) {\n");
	if (any_move) {
		for (uint32_t i = 0; i < m->nargs; i++) {
			const struct idl_param *p = &m->args[i];

			if (p->mode != IDL_MODE_MOVE) {
				continue;
			}
			const char *v[2];

			v[0] = idl_printf(ctx, "&%s_types[%s_TYPE_INDEX]", in,
					  p->type->heap->ucname);
			v[1] = idl_printf(ctx, "idl_a%u", i);
			idl_gen_list(b, 2, "rt_rref_drop", v, 2, ";");
		}
	}
	idl_buf_puts(b, "\t\treturn -ENOSYS;\n\t}\n");
	{
		const char **v = idl_alloc(ctx, (ncall + 1) * sizeof(*v));

		v[0] = "idl_inst";
		memcpy(v + 1, call, ncall * sizeof(*v));
		idl_gen_list(b, 1, "idl_status = idl_op", v, ncall + 1, ";");
	}
	for (uint32_t i = 0; i < m->nresults; i++) {
		const struct idl_param *p = &m->results[i];
		const char *name = idl_printf(ctx, "idl_r%u", i);

		if (is_struct_value(p->type)) {
			idl_buf_printf(b,
				       "\t__builtin_memcpy(&idl_out[%u], &%s, "
				       "sizeof(%s));\n",
				       p->word, name, name);
		} else {
			idl_buf_printf(b, "\tidl_out[%u] = %s;\n", p->word,
				       pack(ctx, p->type, name));
		}
	}
	idl_buf_puts(b, "\treturn idl_status;\n}\n\n");
}

static void gen_dispatch(struct idl_ctx *ctx, struct idl_buf *b)
{
	const struct idl_iface *itf = ctx->iface;
	const char *in = itf->name;
	static const char *const dv[] = {
		"void *ctx",
		"uint32_t ordinal",
		"const uint64_t in[IPC_WORDS]",
		"uint64_t out[IPC_WORDS]",
	};

	for (uint32_t i = 0; i < itf->nmethods; i++) {
		gen_dispatch_one(ctx, b, &itf->methods[i]);
	}
	idl_gen_list(b, 0, idl_printf(ctx, "int32_t %s_dispatch", in), dv,
		     ARRAY_SIZE(dv), "");
	idl_buf_puts(b, "{\n");
	if (itf->nmethods) {
		idl_buf_printf(b, "\tconst struct %s_server *srv = ctx;\n\n",
			       in);
	} else {
		idl_buf_puts(b, "\t(void)ctx;\n\t(void)in;\n");
	}
	idl_buf_puts(b, "\tfor (unsigned int i = 0; i < IPC_WORDS; i++) {\n"
			"\t\tout[i] = 0;\n\t}\n"
			"\tswitch (ordinal) {\n");
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		const struct idl_method *m = &itf->methods[i];
		const char *v[5] = {"srv->inst",
				    idl_printf(ctx, "srv->ops->%s", m->name),
				    "in", "out", "true"};

		idl_buf_printf(b, "\tcase %s_%s_ORDINAL:\n", itf->ucname,
			       m->ucname);
		idl_gen_list(
			b, 2,
			idl_printf(ctx, "return %s_dispatch_%s", in, m->name),
			v, 5, ";");
	}
	idl_buf_puts(b, "\tdefault:\n\t\treturn -ENOSYS;\n\t}\n}\n\n");
}

/*
 * The method entries (lib/abi/ipc.h, "Method entries"): the kernel enters
 * a call of method m at <iface>_entry_m, which is <iface>_serve_m itself
 * when the method has at most 2 argument words, and otherwise a 2-line
 * stub that moves word 2 from r10 to rcx, where C expects the 4th
 * argument. <iface>_serve_m runs <iface>_dispatch_m(), inlined, on the
 * words as they came and ends the call with rt_ipc_return(): no switch on
 * the ordinal and no in[]/out[] round trip through memory. The kernel
 * hands it the server's instance in rdi and the method's op in r9 (its
 * 6th argument), as <iface>_export() registered them, so it calls the op
 * with no lookup. It does not check the op for NULL: <iface>_export()
 * registers entries only for the ops the server has (idl/README.md).
 */
static void gen_entries(struct idl_ctx *ctx, struct idl_buf *b)
{
	const struct idl_iface *itf = ctx->iface;
	const char *in = itf->name;

	if (!itf->nmethods) {
		return;
	}
	idl_buf_puts(b, "#ifndef CORDON_HOST\n");
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		const struct idl_method *m = &itf->methods[i];
		const char *pv[2 + IPC_WORDS];
		const char *w[IPC_WORDS];

		pv[0] = "void *idl_inst";
		for (uint32_t j = 0; j < IPC_WORDS; j++) {
			pv[j + 1] = idl_printf(ctx, "uint64_t idl_w%u", j);
			w[j] = j < m->nargw ? idl_printf(ctx, "idl_w%u", j)
					    : "0";
		}
		/* Every word, so that the op is the 6th argument: r9. */
		pv[1 + IPC_WORDS] = op_param(ctx, m);
		idl_gen_list(b, 0,
			     idl_printf(ctx,
					"__attribute__((noreturn)) void "
					"%s_serve_%s",
					in, m->name),
			     pv, 2 + IPC_WORDS, ";");
		idl_gen_list(b, 0,
			     idl_printf(ctx,
					"__attribute__((noreturn, used)) "
					"void %s_serve_%s",
					in, m->name),
			     pv, 2 + IPC_WORDS, "");
		idl_buf_puts(b, "{\n");
		idl_gen_list_delim(b, 1,
				   "const uint64_t idl_in[IPC_WORDS] = ", "{ ",
				   w, IPC_WORDS, " }", ";");
		for (uint32_t j = m->nargw; j < IPC_WORDS; j++) {
			idl_buf_printf(b, "\t(void)idl_w%u;\n", j);
		}
		idl_buf_printf(b,
			       "\tuint64_t idl_out[IPC_WORDS] = { 0 };\n"
			       "\tint32_t idl_status = %s_dispatch_%s(\n"
			       "\t\tidl_inst, idl_op, idl_in, idl_out, "
			       "false);\n\n"
			       "\trt_ipc_return(idl_status, idl_out[0], "
			       "idl_out[1], idl_out[2],\n"
			       "\t\t      idl_out[3]);\n}\n\n",
			       in, m->name);
		if (m->nargw < 3) {
			idl_buf_printf(b,
				       "__asm__(\".globl %s_entry_%s\\n\"\n"
				       "\t\".set %s_entry_%s, %s_serve_%s"
				       "\\n\");\n\n",
				       in, m->name, in, m->name, in, m->name);
		} else {
			idl_buf_printf(b,
				       "__asm__(\".globl %s_entry_%s\\n\"\n"
				       "\t\".type %s_entry_%s, @function"
				       "\\n\"\n"
				       "\t\"%s_entry_%s:\\n\"\n"
				       "\t\"\\tmovq %%r10, %%rcx\\n\"\n"
				       "\t\"\\tjmp %s_serve_%s\\n\"\n"
				       "\t\".size %s_entry_%s, . - "
				       "%s_entry_%s\\n\");\n\n",
				       in, m->name, in, m->name, in, m->name,
				       in, m->name, in, m->name, in, m->name);
		}
	}
	idl_buf_puts(b, "#endif /* !CORDON_HOST */\n\n");
}

/*
 * <iface>_export(): the method entries of the ops @srv has, each with the
 * instance and the op it calls; pc 0 (the dispatch function, which
 * answers -ENOSYS) for the others.
 */
static void gen_export(struct idl_ctx *ctx, struct idl_buf *b)
{
	const struct idl_iface *itf = ctx->iface;
	const char *in = itf->name;
	const char *un = itf->ucname;
	const char *v[6];

	v[0] = idl_printf(ctx, "&%s_desc", in);
	v[1] = idl_printf(ctx, "%s_types", in);
	v[2] = idl_printf(ctx, "%s_NTYPES", un);
	v[3] = idl_printf(ctx, "%s_dispatch", in);
	v[4] = "srv";
	v[5] = "NULL";
	idl_buf_printf(b, "int %s_export(struct %s_server *srv)\n{\n", in, in);
	if (itf->nmethods) {
		idl_buf_puts(b, "#ifdef CORDON_HOST\n");
	}
	idl_gen_list(b, 1, "return rt_ipc_export", v, 6, ";");
	if (!itf->nmethods) {
		idl_buf_puts(b, "}\n");
		return;
	}
	idl_buf_printf(b,
		       "#else\n\tstruct ipc_entry entries[%s_NMETHODS] = "
		       "{ 0 };\n\n",
		       un);
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		const struct idl_method *m = &itf->methods[i];

		idl_buf_printf(b,
			       "\tif (srv->ops->%s != NULL) {\n"
			       "\t\textern const char %s_entry_%s[];\n\n"
			       "\t\tentries[%u].pc = (uint64_t)(uintptr_t)"
			       "%s_entry_%s;\n"
			       "\t\tentries[%u].ctx = (uint64_t)(uintptr_t)"
			       "srv->inst;\n"
			       "\t\tentries[%u].arg = (uint64_t)(uintptr_t)"
			       "srv->ops->%s;\n\t}\n",
			       m->name, in, m->name, i, in, m->name, i, i,
			       m->name);
	}
	v[5] = "entries";
	idl_gen_list(b, 1, "return rt_ipc_export", v, 6, ";");
	idl_buf_puts(b, "#endif /* CORDON_HOST */\n}\n");
}

/* Appends the per-word type ids of @params (lib/abi/ipc_desc.h). */
static void gen_word_types(struct idl_ctx *ctx, struct idl_buf *b,
			   const char *field, const struct idl_param *params,
			   uint32_t n, const uint64_t ids[4])
{
	const char *w[IPC_WORDS];

	for (uint32_t i = 0; i < IPC_WORDS; i++) {
		w[i] = "0";
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct idl_param *p = &params[i];

		if (p->type->kind == IDL_TY_RREF) {
			w[p->word] = idl_printf(ctx, "%s_TYPE_ID",
						p->type->heap->ucname);
		} else if (p->type->kind == IDL_TY_IFACE) {
			w[p->word] =
				idl_printf(ctx, "0x%016llxull",
					   (unsigned long long)ids[p->word]);
		}
	}
	idl_gen_list_delim(b, 3, idl_printf(ctx, ".%s = ", field), "{ ", w,
			   IPC_WORDS, " }", ",");
	for (uint32_t i = 0; i < n; i++) {
		if (params[i].type->kind == IDL_TY_IFACE) {
			idl_buf_printf(b,
				       "\t\t\t/* word %u: "
				       "ipc_iface_name_id(\"%s\") */\n",
				       params[i].word, params[i].type->name);
		}
	}
}

static void gen_desc(struct idl_ctx *ctx, struct idl_buf *b)
{
	const struct idl_iface *itf = ctx->iface;
	const char *un = itf->ucname;

	idl_buf_printf(b,
		       "const struct ipc_iface_desc %s_desc = {\n"
		       "\t.name = %s_NAME,\n\t.fingerprint = %s_FINGERPRINT,\n"
		       "\t.version = %s_VERSION,\n\t.nmethods = %s_NMETHODS,\n",
		       itf->name, un, un, un, un);
	if (itf->nmethods) {
		idl_buf_puts(b, "\t.methods = {\n");
	}
	for (uint32_t i = 0; i < itf->nmethods; i++) {
		const struct idl_method *m = &itf->methods[i];
		const char *mu = idl_printf(ctx, "%s_%s", un, m->ucname);

		idl_buf_printf(b,
			       "\t\t{\n\t\t\t.ordinal = %s_ORDINAL,\n"
			       "\t\t\t.arg_kinds = %s_ARG_KINDS,\n"
			       "\t\t\t.res_kinds = %s_RES_KINDS,\n"
			       "\t\t\t.flags = %s_FLAGS,\n"
			       "\t\t\t.nargs = %u,\n\t\t\t.nres = %u,\n",
			       mu, mu, mu, mu, m->nargw, m->nresw);
		gen_word_types(ctx, b, "arg_types", m->args, m->nargs,
			       m->arg_types);
		gen_word_types(ctx, b, "res_types", m->results, m->nresults,
			       m->res_types);
		idl_buf_printf(b, "\t\t\t.name = \"%s\",\n\t\t},\n", m->name);
	}
	if (itf->nmethods) {
		idl_buf_puts(b, "\t},\n");
	}
	idl_buf_puts(b, "};\n");
}

void idl_gen_source(struct idl_ctx *ctx, struct idl_buf *b)
{
	const struct idl_iface *itf = ctx->iface;

	idl_buf_printf(b,
		       "// SPDX-License-Identifier: MIT\n"
		       "/*\n * Generated by idlc from %s.idl; do not edit. "
		       "Interface %s,\n * version %u. The language and the "
		       "contract of this code are in\n * idl/README.md.\n"
		       " */\n"
		       "#include \"%s.h\"\n\n",
		       itf->name, itf->name, itf->version, itf->name);
	gen_registry(ctx, b);
	gen_dispatch(ctx, b);
	gen_entries(ctx, b);
	gen_desc(ctx, b);
	idl_buf_puts(b, "\n");
	gen_export(ctx, b);
}
