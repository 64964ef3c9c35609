/* SPDX-License-Identifier: MIT */
/*
 * idlc, the Cordon IDL compiler: its internal data structures and the
 * entry point shared by the command line (main.c), the unit tests and the
 * fuzzer. The language is specified in idl/README.md.
 *
 * Pipeline: lex.c (bytes to tokens) -> parse.c (tokens to the tree below)
 * -> check.c (names, types, layouts, registers) -> canon.c (canonical form,
 * fingerprint, type ids) -> gen_h.c, gen_c.c (the C header and source).
 * Every stage stops at the first error: idl_error() formats it and
 * longjmp()s back to idlc_compile(), which frees everything at once (all
 * memory comes from one arena), so no input can leak or crash the tool.
 */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* Limits (idl/README.md, "Limits"). */
#define IDL_MAX_SOURCE (1u << 20)    /* bytes per .idl file */
#define IDL_MAX_IDENT 31u	     /* characters per name */
#define IDL_MAX_DECLS 256u	     /* structs and enums per file */
#define IDL_MAX_METHODS 256u	     /* methods per interface */
#define IDL_MAX_FIELDS 256u	     /* fields per struct */
#define IDL_MAX_ENUMERATORS 1024u    /* constants per enum */
#define IDL_MAX_PARAMS 16u	     /* arguments or results per method */
#define IDL_MAX_ARRAY_LEN (1u << 20) /* elements of [T; N] */
#define IDL_MAX_CONTAINER_LEN 4096u  /* N of rref_array/rref_deque */
#define IDL_MAX_TYPE_SIZE (1u << 24) /* bytes per type */
#define IDL_MAX_ARRAY_DEPTH 8u	     /* [[[T; a]; b]; c] nesting */
#define IDL_MAX_HEAP_TYPES 256u	     /* registry entries per file */
#define IDL_MAX_SLOTS 16u	     /* slot runs per heap type */
#define IDL_MAX_TOTAL_SLOTS 4096u    /* nested rrefs per heap type */

/* --- Memory and text ---------------------------------------------------- */

struct idl_arena_chunk;

struct idl_ctx;

/* A growable byte string in the context's arena. */
struct idl_buf {
	struct idl_ctx *ctx;
	char *data;
	size_t len;
	size_t cap;
};

void *idl_alloc(struct idl_ctx *ctx, size_t size);
char *idl_strndup(struct idl_ctx *ctx, const char *s, size_t n);
char *idl_printf(struct idl_ctx *ctx, const char *fmt, ...) __printf(2, 3);
void idl_buf_init(struct idl_buf *b, struct idl_ctx *ctx);
void idl_buf_add(struct idl_buf *b, const char *s, size_t n);
void idl_buf_puts(struct idl_buf *b, const char *s);
void idl_buf_printf(struct idl_buf *b, const char *fmt, ...) __printf(2, 3);
void idl_buf_vprintf(struct idl_buf *b, const char *fmt, va_list ap)
	__printf(2, 0);
/* The NUL-terminated text of @b ("" when empty). */
const char *idl_buf_str(struct idl_buf *b);

/* --- Source positions and errors ---------------------------------------- */

struct idl_pos {
	uint32_t line; /* 1-based */
	uint32_t col;  /* 1-based, in bytes */
};

/* Reports "path:line:col: error: ..." and abandons the compilation. */
__noreturn void idl_error(struct idl_ctx *ctx, struct idl_pos pos,
			  const char *fmt, ...) __printf(3, 4);

/* --- Tokens -------------------------------------------------------------- */

enum idl_tok_kind {
	IDL_T_EOF,
	IDL_T_IDENT, /* names and keywords */
	IDL_T_INT,
	IDL_T_LBRACE,
	IDL_T_RBRACE,
	IDL_T_LPAREN,
	IDL_T_RPAREN,
	IDL_T_LANGLE,
	IDL_T_RANGLE,
	IDL_T_LBRACKET,
	IDL_T_RBRACKET,
	IDL_T_SEMI,
	IDL_T_COLON,
	IDL_T_COMMA,
	IDL_T_EQUALS,
	IDL_T_AT,
	IDL_T_QUESTION,
	IDL_T_MINUS,
	IDL_T_ARROW,
};

struct idl_tok {
	enum idl_tok_kind kind;
	struct idl_pos pos;
	const char *text; /* into the source */
	size_t len;
	uint64_t value; /* IDL_T_INT */
};

struct idl_lexer {
	struct idl_ctx *ctx;
	const char *src;
	size_t len;
	size_t off;
	struct idl_pos pos;
};

void idl_lex_init(struct idl_lexer *lx, struct idl_ctx *ctx, const char *src,
		  size_t len);
void idl_lex_next(struct idl_lexer *lx, struct idl_tok *tok);

/* --- The tree ------------------------------------------------------------ */

enum idl_scalar {
	IDL_U8,
	IDL_U16,
	IDL_U32,
	IDL_U64,
	IDL_I8,
	IDL_I16,
	IDL_I32,
	IDL_I64,
	IDL_BOOL,
};

enum idl_type_kind {
	IDL_TY_SCALAR, /* u8 .. i64, bool */
	IDL_TY_NAMED,  /* a struct or enum of the file */
	IDL_TY_ARRAY,  /* [T; N], only inside structs */
	IDL_TY_RREF,   /* rref<T>, rref_array<T, N>, rref_deque<T, N> */
	IDL_TY_IFACE,  /* iface name, only as a parameter or result */
};

enum idl_rref_form {
	IDL_RREF_ONE,
	IDL_RREF_ARRAY,
	IDL_RREF_DEQUE,
};

enum idl_decl_kind {
	IDL_DECL_STRUCT,
	IDL_DECL_ENUM,
};

struct idl_decl;
struct idl_heap;

struct idl_type {
	enum idl_type_kind kind;
	struct idl_pos pos;
	enum idl_scalar scalar; /* SCALAR */
	const char *name;	/* NAMED, IFACE; RREF: the target struct */
	struct idl_pos name_pos;
	struct idl_decl *decl; /* NAMED, RREF: resolved by check.c */
	struct idl_type *elem; /* ARRAY */
	uint64_t len;	       /* ARRAY; RREF_ARRAY and RREF_DEQUE */
	struct idl_pos len_pos;
	enum idl_rref_form form; /* RREF */
	bool optional;		 /* RREF: written with '?' */
	struct idl_heap *heap;	 /* RREF: the pointee, after check.c */
};

struct idl_field {
	const char *name;
	struct idl_pos pos;
	struct idl_type *type;
	uint32_t offset; /* after check.c */
};

struct idl_enumerator {
	const char *name;
	struct idl_pos pos;
	uint64_t value; /* two's complement when negative */
	bool negative;
};

/* One run of nested rref slots (lib/abi/rref_types.h). */
struct idl_slot {
	uint32_t offset;
	uint32_t stride;
	uint32_t count;
	struct idl_heap *target;
};

struct idl_decl {
	enum idl_decl_kind kind;
	uint32_t index; /* in ctx->decls */
	const char *name;
	struct idl_pos pos;
	/* IDL_DECL_STRUCT */
	struct idl_field *fields;
	uint32_t nfields;
	/* IDL_DECL_ENUM */
	enum idl_scalar base;
	struct idl_enumerator *items;
	uint32_t nitems;
	/* Computed by check.c: */
	const char *cname;  /* "blk_req" */
	const char *ucname; /* "BLK_REQ" */
	uint32_t size;
	uint32_t align;
	bool has_rref;		/* nested rrefs, possibly through fields */
	int state;		/* layout walk: 0 new, 1 open, 2 done */
	struct idl_slot *slots; /* nested rref runs, relative to the start */
	uint32_t nslots;
	struct idl_heap *heap; /* when some rref<T> points to it */
	uint32_t emit_order;   /* position in dependency order */
};

/* A type that lives on the shared heap: a struct or a container. */
struct idl_heap {
	enum idl_rref_form form;
	struct idl_decl *elem; /* the struct, or the container's element */
	uint64_t len;	       /* containers */
	const char *cname;     /* "blk_block4k", "blk_req_deque32" */
	const char *ucname;    /* "BLK_BLOCK4K", "BLK_REQ_DEQUE32" */
	const char *label;  /* IDL spelling: "block4k", "rref_deque<req, 32>" */
	struct idl_pos pos; /* the struct, or a container's first use */
	uint32_t size;
	uint32_t align;
	struct idl_slot *slots;
	uint32_t nslots;
	uint64_t id;
	uint32_t index; /* in <iface>_types[] */
};

enum idl_mode {
	IDL_MODE_NONE,
	IDL_MODE_MOVE,
	IDL_MODE_BORROW,
};

struct idl_param {
	const char *name;
	struct idl_pos pos;
	enum idl_mode mode;
	struct idl_pos mode_pos;
	struct idl_type *type;
	/* Computed by check.c: */
	uint32_t word;	   /* first register word */
	uint32_t nwords;   /* words it takes */
	unsigned int kind; /* IPC_KIND_* of its words */
};

struct idl_method {
	const char *name;
	struct idl_pos pos;
	uint32_t ordinal;
	struct idl_pos ordinal_pos;
	bool idempotent;
	struct idl_pos idempotent_pos;
	bool config;
	struct idl_pos config_pos;
	struct idl_param *args;
	uint32_t nargs;
	struct idl_param *results;
	uint32_t nresults;
	/* Computed by check.c: */
	const char *ucname;
	uint32_t nargw;
	uint32_t nresw;
	uint16_t arg_kinds;
	uint16_t res_kinds;
	uint64_t arg_types[4];
	uint64_t res_types[4];
};

struct idl_iface {
	const char *name;
	struct idl_pos pos;
	uint32_t version;
	struct idl_method *methods; /* sorted by ordinal after check.c */
	uint32_t nmethods;
	const char *ucname;
};

/* An interface named in `iface name` types, other than our own. */
struct idl_ref_iface {
	const char *name;
	const char *ucname;
};

/* --- The compilation ----------------------------------------------------- */

struct idl_ctx {
	const char *path; /* as given, for messages */
	const char *stem; /* file name without directories and ".idl" */
	jmp_buf fail;
	char *error; /* malloc()ed message, set by idl_error() */
	struct idl_arena_chunk *chunks;
	/* The file: */
	struct idl_decl **decls;
	uint32_t ndecls;
	struct idl_iface *iface;
	/* Computed by check.c: */
	struct idl_heap **heaps; /* registry order */
	uint32_t nheaps;
	struct idl_decl **order; /* structs in dependency order */
	uint32_t norder;
	struct idl_ref_iface *refs; /* sorted by name */
	uint32_t nrefs;
	/* Computed by canon.c: */
	struct idl_buf canonical;
	uint64_t fingerprint;
};

void idl_parse(struct idl_ctx *ctx, const char *src, size_t len);
void idl_check(struct idl_ctx *ctx);
/* Parts of idl_check(): heap.c and names.c. */
void idl_check_heaps(struct idl_ctx *ctx);
void idl_check_names(struct idl_ctx *ctx);
void idl_canon(struct idl_ctx *ctx);
void idl_gen_header(struct idl_ctx *ctx, struct idl_buf *out);
void idl_gen_source(struct idl_ctx *ctx, struct idl_buf *out);
/* The client proxy of @m, a static inline function (gen_c.c). */
void idl_gen_proxy(struct idl_ctx *ctx, struct idl_buf *out,
		   const struct idl_method *m);

/* Helpers shared by the stages. */
const char *idl_scalar_name(enum idl_scalar s);
uint32_t idl_scalar_size(enum idl_scalar s);
bool idl_scalar_signed(enum idl_scalar s);
const char *idl_scalar_ctype(enum idl_scalar s);
const char *idl_upper(struct idl_ctx *ctx, const char *s);
/* Appends the IDL spelling of @t (canonical form). */
void idl_type_spell(struct idl_buf *b, const struct idl_type *t);
/* Appends an enumerator value in decimal, signed if @e is negative. */
void idl_enum_value_spell(struct idl_buf *b, const struct idl_enumerator *e);
/*
 * Appends "head(items[0], items[1], ...)tail" at @indent tabs, wrapping
 * at 80 columns with continuation lines aligned after the parenthesis.
 */
void idl_gen_list(struct idl_buf *b, unsigned int indent, const char *head,
		  const char *const *items, uint32_t n, const char *tail);
/* The same with other delimiters, e.g. "{ " and " }". */
void idl_gen_list_delim(struct idl_buf *b, unsigned int indent,
			const char *head, const char *open,
			const char *const *items, uint32_t n, const char *close,
			const char *tail);
/* Appends @text as a C comment at @indent tabs, wrapped at 80 columns. */
void idl_gen_comment(struct idl_buf *b, unsigned int indent, const char *text);
/* "ctype name" of a parameter (results: a pointer to the type). */
const char *idl_c_param(struct idl_ctx *ctx, const struct idl_param *p,
			bool result, const char *name);
/* The C parameters of @m's client proxy, *@n of them. */
const char **idl_proxy_params(struct idl_ctx *ctx, const struct idl_method *m,
			      uint32_t *n);
/* First 8 bytes of SHA-512(@data) as a little-endian integer, 0 -> 1. */
uint64_t idl_hash64(const char *data, size_t len);

/* --- Entry point ----------------------------------------------------------- */

/* What idlc_compile() produces; every pointer is malloc()ed or NULL. */
struct idlc_result {
	char *error;	 /* "path:line:col: error: message", no newline */
	char *header;	 /* the generated <name>.h */
	char *source;	 /* the generated <name>.c */
	char *canonical; /* the canonical form the fingerprint hashes */
	uint64_t fingerprint;
	char name[IDL_MAX_IDENT + 1]; /* the interface's name */
};

/*
 * Compiles the IDL text @src (@len bytes, not NUL-terminated) read from
 * @path, whose file name must be "<interface name>.idl". Returns 0 with
 * every output set, -EINVAL with only @res->error set (the IDL is wrong),
 * or -ENOMEM (also with a message). Free with idlc_result_free().
 */
int __must_check idlc_compile(const char *path, const char *src, size_t len,
			      struct idlc_result *res);
void idlc_result_free(struct idlc_result *res);
