// SPDX-License-Identifier: MIT
/*
 * Host tests of idlc in process, through idlc_compile() (tools/idlc/
 * idlc.h; the language is idl/README.md): error reporting and positions,
 * the limits, the fingerprint (changes with every ABI-relevant detail,
 * not with cosmetic ones), type ids, the canonical form, and a
 * time-bounded random mutation of every .idl file in the tree that must
 * never crash, hang or produce a malformed error.
 */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idlc.h"

#ifndef IDLC_ROOT
#define IDLC_ROOT "."
#endif

/* Compiles @src as @path; returns the status, @res filled. */
static int compile(const char *path, const char *src, struct idlc_result *res)
{
	return idlc_compile(path, src, strlen(src), res);
}

/* The error of compiling @src as @path ("" on success). */
static char last_error[512];

static const char *error_of(const char *path, const char *src)
{
	struct idlc_result res;

	if (compile(path, src, &res) == 0) {
		idlc_result_free(&res);
		return "";
	}
	snprintf(last_error, sizeof(last_error), "%s", res.error);
	idlc_result_free(&res);
	return last_error;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Fingerprint of @src compiled as t.idl; 0 if it does not compile. */
static uint64_t fingerprint(const char *src)
{
	struct idlc_result res;
	uint64_t fp = 0;

	if (compile("t.idl", src, &res) == 0) {
		fp = res.fingerprint;
	} else {
		printf("# unexpected error: %s\n", res.error);
	}
	idlc_result_free(&res);
	return fp;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f) {
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

/* --- Errors and positions ------------------------------------------------- */

UNIT_TEST(idlc_accepts_the_tree_interfaces)
{
	static const char *const names[] = {"blk", "echo"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char path[512];
		char want[64];
		struct idlc_result res;
		size_t len;
		char *src;
		int err;

		snprintf(path, sizeof(path), "%s/idl/%s.idl", IDLC_ROOT,
			 names[i]);
		src = read_file(path, &len);
		UNIT_ASSERT(src != NULL);
		err = idlc_compile(path, src, len, &res);
		free(src);
		if (err) {
			printf("# %s\n", res.error);
		}
		UNIT_EQ(err, 0);
		UNIT_STREQ(res.name, names[i]);
		UNIT_ASSERT(res.fingerprint != 0);
		snprintf(want, sizeof(want), "_FINGERPRINT 0x%016llxull\n",
			 (unsigned long long)res.fingerprint);
		UNIT_ASSERT(strstr(res.header, want) != NULL);
		UNIT_ASSERT(res.error == NULL);
		idlc_result_free(&res);
	}
}

UNIT_TEST(idlc_error_leaves_only_the_message)
{
	struct idlc_result res;

	UNIT_EQ(compile("t.idl", "interface t @version(1) { @1 rpc f(x y); }",
			&res),
		-EINVAL);
	UNIT_STREQ(res.error, "t.idl:1:36: error: unknown type 'x'");
	UNIT_ASSERT(res.header == NULL && res.source == NULL &&
		    res.canonical == NULL);
	idlc_result_free(&res);
	UNIT_ASSERT(res.error == NULL);
}

UNIT_TEST(idlc_positions_count_lines_and_bytes)
{
	/* Tabs are one column; CR is white space; LF starts a line. */
	UNIT_STREQ(error_of("t.idl", "interface t @version(1) {\r\n"
				     "\t@1 rpc f(u64 *p);\r\n}\r\n"),
		   "t.idl:2:15: error: raw pointers cannot cross domains; use "
		   "rref<T> for shared-heap objects");
	UNIT_STREQ(error_of("t.idl", "/* one\n two\n */ x"),
		   "t.idl:3:5: error: expected 'struct', 'enum' or "
		   "'interface', found name 'x'");
	UNIT_STREQ(error_of("t.idl", ""),
		   "t.idl:1:1: error: no interface declared; a file declares "
		   "exactly one, named after the file ('interface t "
		   "@version(1) { ... }')");
	UNIT_STREQ(error_of("t.idl", "interface t @version(1) {}\n// end"), "");
}

UNIT_TEST(idlc_file_name_gives_the_interface_name)
{
	const char *src = "interface blk @version(1) {}";

	UNIT_STREQ(error_of("some/dir/blk.idl", src), "");
	UNIT_STREQ(error_of("blk.idl", src), "");
	UNIT_STREQ(error_of("dir/other.idl", src),
		   "dir/other.idl:1:11: error: interface 'blk' must be "
		   "declared in a file named 'blk.idl', not 'other.idl'");
}

UNIT_TEST(idlc_rejects_oversized_source)
{
	size_t n = IDL_MAX_SOURCE + 1;
	char *src = malloc(n);
	struct idlc_result res;

	UNIT_ASSERT(src != NULL);
	memset(src, ' ', n);
	UNIT_EQ(idlc_compile("t.idl", src, n, &res), -EINVAL);
	free(src);
	UNIT_STREQ(res.error, "t.idl:1:1: error: file is 1048577 bytes, more "
			      "than the 1048576 byte limit");
	idlc_result_free(&res);
}

UNIT_TEST(idlc_source_need_not_be_nul_terminated)
{
	static const char src[] = "interface t @version(1) { @1 rpc f(); }XYZ";
	struct idlc_result res;

	/* Only the first len bytes count: "XYZ" is not seen. */
	UNIT_EQ(idlc_compile("t.idl", src, sizeof(src) - 4, &res), 0);
	idlc_result_free(&res);
	UNIT_EQ(idlc_compile("t.idl", src, sizeof(src) - 1, &res), -EINVAL);
	idlc_result_free(&res);
}

/* --- Limits -------------------------------------------------------------- */

/* Source with @n methods "@i rpc m<i>();". */
static char *methods_src(unsigned int n)
{
	size_t cap = 64 + (size_t)n * 32;
	char *s = malloc(cap);
	size_t len;

	len = (size_t)snprintf(s, cap, "interface t @version(1) {\n");
	for (unsigned int i = 1; i <= n; i++) {
		len += (size_t)snprintf(s + len, cap - len, "@%u rpc m%u();\n",
					i, i);
	}
	snprintf(s + len, cap - len, "}\n");
	return s;
}

UNIT_TEST(idlc_method_count_limit)
{
	char *ok = methods_src(IDL_MAX_METHODS);
	char *bad = methods_src(IDL_MAX_METHODS + 1);

	UNIT_STREQ(error_of("t.idl", ok), "");
	UNIT_STREQ(error_of("t.idl", bad),
		   "t.idl:258:1: error: interface 't' has more than 256 "
		   "methods");
	free(ok);
	free(bad);
}

UNIT_TEST(idlc_type_count_limit)
{
	size_t cap = 64 + 300 * 40;
	char *s = malloc(cap);
	size_t len = 0;

	for (unsigned int i = 0; i < IDL_MAX_DECLS; i++) {
		len += (size_t)snprintf(s + len, cap - len,
					"struct s%u { a: u8; }\n", i);
	}
	snprintf(s + len, cap - len, "interface t @version(1) {}\n");
	UNIT_STREQ(error_of("t.idl", s), "");
	snprintf(s + len, cap - len,
		 "struct extra { a: u8; }\ninterface t @version(1) {}\n");
	UNIT_STREQ(error_of("t.idl", s),
		   "t.idl:257:8: error: more than 256 types in one file");
	free(s);
}

UNIT_TEST(idlc_numeric_limits_are_inclusive)
{
	UNIT_STREQ(error_of("t.idl", "interface t @version(4294967295) {"
				     " @65535 rpc f(); }"),
		   "");
	UNIT_STREQ(error_of("t.idl", "struct s { a: [u8; 1048576]; }"
				     "interface t @version(1) {}"),
		   "");
	UNIT_STREQ(error_of("t.idl", "struct s { a: u8; } interface t "
				     "@version(1) { @1 rpc f(move "
				     "rref_deque<s, 4096> q); }"),
		   "");
	UNIT_STREQ(error_of("t.idl", "struct abcdefghijklmnopqrstuvwxyz01234 "
				     "{ a: u8; } interface t @version(1) {}"),
		   "");
	UNIT_STREQ(
		error_of("t.idl", "struct abcdefghijklmnopqrstuvwxyz012345 "
				  "{ a: u8; } interface t @version(1) {}"),
		"t.idl:1:8: error: name 'abcdefghijklmnopqrstuvwxyz01234...' "
		"is longer than 31 characters");
	/* Eight levels of arrays are fine, nine are not. */
	UNIT_STREQ(error_of("t.idl", "struct s { a: [[[[[[[[u8; 2]; 2]; 2]; "
				     "2]; 2]; 2]; 2]; 2]; }"
				     "interface t @version(1) {}"),
		   "");
	/* 16 slot runs are fine, 17 are not. */
	UNIT_STREQ(error_of("t.idl", "struct s { a: u8; } struct g { r: "
				     "[[rref<s>?; 2]; 16]; } interface t "
				     "@version(1) { @1 rpc f(move rref<g> "
				     "x); }"),
		   "");
	UNIT_STREQ(error_of("t.idl", "struct s { a: u8; } struct g { r: "
				     "[[rref<s>?; 2]; 16]; q: rref<s>?; } "
				     "interface t @version(1) { @1 rpc f("
				     "move rref<g> x); }"),
		   "t.idl:1:28: error: struct 'g' needs more than 16 runs of "
		   "nested rrefs in the type registry; group the rrefs in an "
		   "array");
	/* Four words of arguments and results are fine, five are not. */
	UNIT_STREQ(error_of("t.idl", "struct q { v: [u64; 3]; } interface t "
				     "@version(1) { @1 rpc f(q a, bool b) -> "
				     "(u8 c, q d); }"),
		   "");
	{
		static const char src[] =
			"interface t @version(1) { @1 rpc f(u8 a,u8 b,u8 c,"
			"u8 d,u8 e,u8 f,u8 g,u8 h,u8 i,u8 j,u8 k,u8 l,u8 m,"
			"u8 n,u8 o,u8 p,u8 q); }";
		char want[128];

		/* At the seventeenth argument. */
		snprintf(want, sizeof(want),
			 "t.idl:1:%d: error: method 'f' has more than 16 "
			 "arguments",
			 (int)(strstr(src, "u8 q") - src) + 1);
		UNIT_STREQ(error_of("t.idl", src), want);
	}
}

UNIT_TEST(idlc_enumerator_limit_and_extremes)
{
	size_t cap = 32 * 1100;
	char *s = malloc(cap);
	size_t len = (size_t)snprintf(s, cap, "enum e : u16 {");

	for (unsigned int i = 0; i < IDL_MAX_ENUMERATORS; i++) {
		len += (size_t)snprintf(s + len, cap - len, " C%u = %u,", i, i);
	}
	snprintf(s + len, cap - len, " } interface t @version(1) {}");
	UNIT_STREQ(error_of("t.idl", s), "");
	snprintf(s + len, cap - len, " X = 9999 } interface t @version(1) {}");
	UNIT_ASSERT(starts_with(error_of("t.idl", s), "t.idl:1:"));
	UNIT_ASSERT(strstr(last_error, "has more than 1024 constants") != NULL);
	free(s);

	UNIT_STREQ(error_of("t.idl", "enum e : i64 { A = "
				     "-9223372036854775808, B = "
				     "9223372036854775807 } enum f : u64 { A = "
				     "18446744073709551615, B = -0 } interface "
				     "t @version(1) {}"),
		   "");
	UNIT_STREQ(error_of("t.idl", "enum e : i64 { A = -9223372036854775809 "
				     "} interface t @version(1) {}"),
		   "t.idl:1:20: error: -9223372036854775809 does not fit in "
		   "enum 'e' (i64)");
}

UNIT_TEST(idlc_deep_nesting_is_bounded)
{
	size_t n = 100000;
	char *s = malloc(n + 64);
	struct idlc_result res;

	/* A hundred thousand '[' must not recurse a hundred thousand deep. */
	memcpy(s, "struct s { a: ", 14);
	memset(s + 14, '[', n);
	strcpy(s + 14 + n, "u8");
	/* At the ninth '[': column 15 + 8. */
	UNIT_STREQ(error_of("t.idl", s),
		   "t.idl:1:23: error: arrays nested more than 8 deep");
	free(s);

	/* A by-value chain as long as the type limit allows. */
	s = malloc(256 * 48 + 64);
	n = 0;
	for (unsigned int i = 0; i < 255; i++) {
		n += (size_t)sprintf(s + n, "struct a%u { x: a%u; }\n", i,
				     i + 1);
	}
	n += (size_t)sprintf(s + n, "struct a255 { x: u8; }\n");
	sprintf(s + n, "interface t @version(1) { @1 rpc f(a0 v); }\n");
	UNIT_EQ(compile("t.idl", s, &res), 0);
	UNIT_ASSERT(strstr(res.header, "struct t_a0 {\n\tstruct t_a1 x;\n") !=
		    NULL);
	idlc_result_free(&res);
	/* Closing the chain into a loop names the whole cycle. */
	sprintf(s + n - strlen("struct a255 { x: u8; }\n"),
		"struct a255 { x: a0; }\ninterface t @version(1) {}\n");
	UNIT_ASSERT(strstr(error_of("t.idl", s),
			   "struct 'a0' contains itself by value (a0 -> a1 -> "
			   "a2 -> ") != NULL);
	free(s);
}

/* --- Fingerprints ------------------------------------------------------------ */

static const char base_src[] =
	"enum op : u32 { READ = 0, WRITE = 1 }\n"
	"struct blk4k { data: [u8; 4096]; }\n"
	"struct req { op: op; pad: u32; lba: u64; buf: rref<blk4k>?; }\n"
	"struct geo { n: u64; size: u32; flags: u32; }\n"
	"interface t @version(1) {\n"
	"@1 rpc read(u64 lba, move rref<blk4k> buf) -> (rref<blk4k> buf);\n"
	"@2 @idempotent rpc write(u64 lba, borrow rref<blk4k> buf);\n"
	"@3 rpc submit(move rref_deque<req, 32> q) -> (rref_deque<req, 32> "
	"q);\n"
	"@4 @idempotent rpc geometry() -> (geo g);\n"
	"@5 @config rpc set(u32 n);\n"
	"@6 rpc grant(iface other h) -> (iface other h);\n"
	"}\n";

/*
 * Returns a copy of @src with the first @from replaced by @to, or NULL
 * (and a note) when @from is not there.
 */
static char *replace(const char *src, const char *from, const char *to)
{
	const char *at = strstr(src, from);
	size_t n = strlen(src) + strlen(to) + 1;
	char *s;

	if (!at) {
		printf("# replace: '%s' not found\n", from);
		return NULL;
	}
	s = malloc(n);
	snprintf(s, n, "%.*s%s%s", (int)(at - src), src, to, at + strlen(from));
	return s;
}

static char *variant(const char *from, const char *to)
{
	return replace(base_src, from, to);
}

UNIT_TEST(idlc_fingerprint_ignores_cosmetic_changes)
{
	/* Each row: up to two replacements applied in turn. */
	static const char *const same[][4] = {
		{"interface t", "// comment\ninterface t"},
		{"{ READ = 0, WRITE = 1 }", "{\n\tWRITE = 1, /* x */\n\tREAD "
					    "= 0,\n}"},
		{"[u8; 4096]", "[ u8 ;4096 ]"},
		{"[u8; 4096]", "[u8; 0x1000]"},
		{"@version(1)", "@version(0x1)"},
		{"struct geo { n: u64; size: u32; flags: u32; }\n",
		 "struct geo { n: u64; size: u32; flags: u32; };\n"},
		{"@5 @config rpc set(u32 n);\n", "@config @5 rpc set(u32 n) "
						 "-> ();\n"},
		{"@1 rpc read", "@1\r\n\trpc\tread"},
		/* The enum moved after the interface. */
		{"enum op : u32 { READ = 0, WRITE = 1 }\n", "",
		 "(iface other h);\n}\n",
		 "(iface other h);\n}\nenum op : u32 { READ = 0, WRITE = 1 "
		 "}\n"},
		/* A method moved to the top. */
		{"@4 @idempotent rpc geometry() -> (geo g);\n", "",
		 "@version(1) {\n",
		 "@version(1) {\n@4 @idempotent rpc geometry() -> (geo g);\n"},
	};
	uint64_t base = fingerprint(base_src);

	UNIT_ASSERT(base != 0);
	for (size_t i = 0; i < ARRAY_SIZE(same); i++) {
		char *s = variant(same[i][0], same[i][1]);
		uint64_t fp;

		UNIT_ASSERT(s != NULL);
		if (same[i][2]) {
			char *t = replace(s, same[i][2], same[i][3]);

			free(s);
			s = t;
			UNIT_ASSERT(s != NULL);
		}
		fp = fingerprint(s);
		if (fp != base) {
			printf("# variant %zu changed the fingerprint:\n%s", i,
			       s);
		}
		free(s);
		UNIT_ASSERT(fp == base);
	}
}

UNIT_TEST(idlc_fingerprint_changes_with_every_abi_detail)
{
	static const char *const diff[][4] = {
		{"@version(1)", "@version(2)"},
		{"READ = 0", "READ = 2"},
		{"READ = 0", "RD = 0"},
		{"enum op : u32", "enum op : i32"},
		{"WRITE = 1 }", "WRITE = 1, TRIM = 3 }"},
		{"[u8; 4096]", "[u8; 4097]"},
		{"[u8; 4096]", "[i8; 4096]"},
		{"data: [u8", "bytes: [u8"},
		{"struct geo", "struct geom", "(geo g)", "(geom g)"},
		{"op: op; pad: u32;", "pad: u32; op: op;"},
		{"buf: rref<blk4k>?", "buf: rref_array<blk4k, 1>?"},
		{"n: u64; size: u32", "n: i64; size: u32"},
		{"struct geo { n: u64; size: u32; flags: u32; }",
		 "struct geo { n: u64; size: u32; flags: u32; x: u64; }"},
		{"@1 rpc read", "@7 rpc read"},
		{"rpc read", "rpc fetch"},
		{"read(u64 lba", "read(u64 block"},
		{"read(u64 lba", "read(i64 lba"},
		{"move rref<blk4k> buf) -> (rref<blk4k> buf)",
		 "move rref<blk4k>? buf) -> (rref<blk4k> buf)"},
		{"-> (rref<blk4k> buf);", "-> (rref<blk4k>? buf);"},
		{"-> (rref<blk4k> buf);", "-> (rref<blk4k> b);"},
		{"@2 @idempotent rpc write(u64 lba, borrow",
		 "@2 rpc write(u64 lba, move"},
		{"@2 @idempotent rpc write", "@2 rpc write"},
		{"@5 @config rpc", "@5 rpc"},
		{"@5 @config rpc", "@5 @config @idempotent rpc"},
		{"rref_deque<req, 32> q)", "rref_deque<req, 16> q)"},
		{"move rref_deque<req, 32> q)", "move rref_array<req, 32> q)"},
		{"iface other h)", "iface third h)"},
		{"-> (geo g)", "-> (geo g, u8 extra)"},
		{"rpc set(u32 n);", "rpc set(u32 n, u32 m);"},
		{"(iface other h);\n}", "(iface other h);\n@9 rpc added();\n}"},
		{"struct geo", "struct unused { z: u8; }\nstruct geo"},
	};
	uint64_t seen[ARRAY_SIZE(diff) + 2];
	size_t nseen = 0;
	struct idlc_result res;
	char *renamed = replace(base_src, "interface t ", "interface u ");

	seen[nseen++] = fingerprint(base_src);
	/* The interface's own name (so also the file's). */
	UNIT_ASSERT(renamed != NULL);
	UNIT_EQ(compile("u.idl", renamed, &res), 0);
	free(renamed);
	seen[nseen++] = res.fingerprint;
	idlc_result_free(&res);
	UNIT_ASSERT(seen[0] != seen[1]);
	for (size_t i = 0; i < ARRAY_SIZE(diff); i++) {
		char *s = variant(diff[i][0], diff[i][1]);
		uint64_t fp;

		UNIT_ASSERT(s != NULL);
		if (diff[i][2]) {
			char *t = replace(s, diff[i][2], diff[i][3]);

			free(s);
			s = t;
			UNIT_ASSERT(s != NULL);
		}
		fp = fingerprint(s);
		free(s);
		UNIT_ASSERT(fp != 0);
		for (size_t j = 0; j < nseen; j++) {
			if (seen[j] == fp) {
				printf("# change %zu (%s -> %s) did not change "
				       "the fingerprint\n",
				       i, diff[i][0], diff[i][1]);
			}
			UNIT_ASSERT(seen[j] != fp);
		}
		seen[nseen++] = fp;
	}
}

/* The value of "#define NAME 0x...ull" in @header, or 0. */
static uint64_t define_of(const char *header, const char *name)
{
	char key[128];
	const char *at;

	snprintf(key, sizeof(key), "#define %s 0x", name);
	at = strstr(header, key);
	return at ? strtoull(at + strlen(key), NULL, 16) : 0;
}

UNIT_TEST(idlc_type_ids_follow_reachable_definitions)
{
	const char *a = "struct leaf { x: u32; } struct other { y: u32; }\n"
			"struct box { l: rref<leaf>?; }\n"
			"interface t @version(1) { @1 rpc f(move rref<box> b,"
			" move rref<other> o, move rref_array<leaf, 4> a); }";
	const char *b = "struct leaf { x: u64; } struct other { y: u32; }\n"
			"struct box { l: rref<leaf>?; }\n"
			"interface t @version(1) { @1 rpc f(move rref<box> b,"
			" move rref<other> o, move rref_array<leaf, 4> a); }";
	const char *c = "struct leaf { x: u32; } struct other { y: u32; }\n"
			"struct box { l: rref<leaf>?; }\n"
			"interface t @version(2) { @1 rpc g(move rref<box> b,"
			" move rref<other> o, move rref_array<leaf, 4> a); }";
	struct idlc_result ra;
	struct idlc_result rb;
	struct idlc_result rc;
	struct idlc_result rd;
	static const char *const names[] = {
		"T_LEAF_TYPE_ID",
		"T_BOX_TYPE_ID",
		"T_OTHER_TYPE_ID",
		"T_LEAF_ARRAY4_TYPE_ID",
	};

	UNIT_EQ(compile("t.idl", a, &ra), 0);
	UNIT_EQ(compile("t.idl", b, &rb), 0);
	UNIT_EQ(compile("t.idl", c, &rc), 0);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		UNIT_ASSERT(define_of(ra.header, names[i]) != 0);
		/* Methods and the version do not matter to type ids. */
		UNIT_ASSERT(define_of(ra.header, names[i]) ==
			    define_of(rc.header, names[i]));
	}
	/* leaf changed: so did leaf, box (holds one), the array of leaves. */
	UNIT_ASSERT(define_of(ra.header, "T_LEAF_TYPE_ID") !=
		    define_of(rb.header, "T_LEAF_TYPE_ID"));
	UNIT_ASSERT(define_of(ra.header, "T_BOX_TYPE_ID") !=
		    define_of(rb.header, "T_BOX_TYPE_ID"));
	UNIT_ASSERT(define_of(ra.header, "T_LEAF_ARRAY4_TYPE_ID") !=
		    define_of(rb.header, "T_LEAF_ARRAY4_TYPE_ID"));
	/* other does not involve leaf. */
	UNIT_ASSERT(define_of(ra.header, "T_OTHER_TYPE_ID") ==
		    define_of(rb.header, "T_OTHER_TYPE_ID"));
	/* The same definitions in another interface are other types. */
	{
		char *s = strdup(a);

		memcpy(strstr(s, "interface t "), "interface u ", 12);
		UNIT_EQ(compile("u.idl", s, &rd), 0);
		free(s);
		UNIT_ASSERT(define_of(rd.header, "U_LEAF_TYPE_ID") !=
			    define_of(ra.header, "T_LEAF_TYPE_ID"));
		idlc_result_free(&rd);
	}
	idlc_result_free(&ra);
	idlc_result_free(&rb);
	idlc_result_free(&rc);
}

UNIT_TEST(idlc_canonical_form_is_idl_with_the_same_fingerprint)
{
	struct idlc_result r1;
	struct idlc_result r2;

	UNIT_EQ(compile("t.idl", base_src, &r1), 0);
	UNIT_EQ(compile("t.idl", r1.canonical, &r2), 0);
	UNIT_STREQ(r2.canonical, r1.canonical);
	UNIT_ASSERT(r1.fingerprint == r2.fingerprint);
	UNIT_ASSERT(starts_with(r1.canonical, "// cordon idl canonical 1\n"
					      "struct blk4k { data: [u8; "
					      "4096]; }\nstruct geo {"));
	UNIT_ASSERT(strstr(r1.canonical,
			   "@5 @config rpc set(u32 n) -> ();\n") != NULL);
	idlc_result_free(&r1);
	idlc_result_free(&r2);
}

/* --- Random mutation -------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static size_t rnd(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

struct seed {
	char *data;
	size_t len;
	char path[64];
};

static size_t load_seeds(const char *dir, struct seed *seeds, size_t n,
			 size_t max)
{
	char path[512];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/%s", IDLC_ROOT, dir);
	d = opendir(path);
	if (!d) {
		return n;
	}
	while ((e = readdir(d)) != NULL && n < max) {
		size_t l = strlen(e->d_name);
		char file[1024];

		if (l < 5 || strcmp(e->d_name + l - 4, ".idl") != 0) {
			continue;
		}
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		seeds[n].data = read_file(file, &seeds[n].len);
		snprintf(seeds[n].path, sizeof(seeds[n].path), "%s", e->d_name);
		if (seeds[n].data) {
			n++;
		}
	}
	closedir(d);
	return n;
}

static const char *const tokens[] = {
	"interface",
	"rpc",
	"struct",
	"enum",
	"move",
	"borrow",
	"iface",
	"rref",
	"rref_array",
	"rref_deque",
	"u8",
	"u64",
	"i32",
	"bool",
	"@",
	"@1",
	"@65535",
	"@0",
	"@idempotent",
	"@config",
	"@version(1)",
	"{",
	"}",
	"(",
	")",
	"<",
	">",
	"[",
	"]",
	";",
	":",
	",",
	"=",
	"?",
	"-",
	"->",
	"0",
	"1",
	"4096",
	"65536",
	"4294967296",
	"18446744073709551615",
	"99999999999999999999",
	"0x",
	"/*",
	"*/",
	"//",
	"\n",
	"\t",
	"x",
	"ptr",
	"*",
	"blk",
	"echo",
	"everything",
	"[u8; 8]",
	"rref<blob>?",
	"-> ()",
};

/* One random edit of @buf (length *@len, capacity @cap). */
static void mutate(char *buf, size_t *len, size_t cap, const struct seed *seeds,
		   size_t nseeds)
{
	size_t at = rnd(*len + 1);

	switch (rnd(7)) {
	case 0: /* change one byte */
		if (*len) {
			buf[rnd(*len)] =
				(char)(rnd(4) ? 32 + rnd(95) : rnd(256));
		}
		break;
	case 1: { /* delete a span */
		size_t want = 1 + rnd(16);
		size_t n = MIN(want, *len - at);

		memmove(buf + at, buf + at + n, *len - at - n);
		*len -= n;
		break;
	}
	case 2:
	case 3: { /* insert a token, with a space around it */
		const char *t = tokens[rnd(ARRAY_SIZE(tokens))];
		size_t n = strlen(t) + 2;

		if (*len + n <= cap) {
			memmove(buf + at + n, buf + at, *len - at);
			buf[at] = ' ';
			memcpy(buf + at + 1, t, n - 2);
			buf[at + n - 1] = ' ';
			*len += n;
		}
		break;
	}
	case 4: { /* duplicate a span */
		size_t from = rnd(*len + 1);
		size_t want = 1 + rnd(64);
		size_t n = MIN(want, *len - from);

		if (*len + n <= cap) {
			memmove(buf + at + n, buf + at, *len - at);
			memmove(buf + at, buf + (from >= at ? from + n : from),
				n);
			*len += n;
		}
		break;
	}
	case 5: { /* splice in a span of another seed */
		const struct seed *s = &seeds[rnd(nseeds)];
		size_t from = rnd(s->len + 1);
		size_t want = 1 + rnd(128);
		size_t n = MIN(want, s->len - from);

		if (*len + n <= cap) {
			memmove(buf + at + n, buf + at, *len - at);
			memcpy(buf + at, s->data + from, n);
			*len += n;
		}
		break;
	}
	default: /* swap two bytes */
		if (*len > 1) {
			size_t a = rnd(*len);
			size_t b = rnd(*len);
			char c = buf[a];

			buf[a] = buf[b];
			buf[b] = c;
		}
		break;
	}
}

/* Checks that @err is "path:LINE:COL: error: MSG" with a sane position. */
static bool error_well_formed(const char *err, const char *path,
			      const char *src, size_t len)
{
	unsigned long line;
	unsigned long col;
	unsigned long lines = 1;
	char *end;
	size_t pl = strlen(path);

	if (strncmp(err, path, pl) != 0 || err[pl] != ':') {
		return strcmp(err, "out of memory") == 0;
	}
	line = strtoul(err + pl + 1, &end, 10);
	if (*end != ':') {
		return false;
	}
	col = strtoul(end + 1, &end, 10);
	if (strncmp(end, ": error: ", 9) != 0 || strchr(err, '\n')) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		lines += src[i] == '\n';
	}
	return line >= 1 && line <= lines && col >= 1 && col <= len + 1 &&
	       end[9] != '\0';
}

UNIT_TEST(idlc_random_mutations_never_crash)
{
	struct seed seeds[256];
	size_t nseeds = 0;
	size_t cap = 1 << 16;
	char *buf = malloc(cap);
	struct timespec t0;
	struct timespec t1;
	unsigned long runs = 0;
	unsigned long accepted = 0;

	nseeds = load_seeds("idl", seeds, nseeds, ARRAY_SIZE(seeds));
	nseeds = load_seeds("tests/idlc/golden", seeds, nseeds,
			    ARRAY_SIZE(seeds));
	nseeds = load_seeds("tests/idlc/errors", seeds, nseeds,
			    ARRAY_SIZE(seeds));
	UNIT_ASSERT(nseeds >= 10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		const struct seed *s = &seeds[rnd(nseeds)];
		size_t len = MIN(s->len, cap);
		unsigned int edits = 1 + (unsigned int)rnd(8);
		struct idlc_result res;
		int err;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		if ((t1.tv_sec - t0.tv_sec) * 1000000000L +
			    (t1.tv_nsec - t0.tv_nsec) >
		    3000000000L) {
			break;
		}
		memcpy(buf, s->data, len);
		for (unsigned int i = 0; i < edits; i++) {
			mutate(buf, &len, cap, seeds, nseeds);
		}
		err = idlc_compile(s->path, buf, len, &res);
		runs++;
		if (err == 0) {
			struct idlc_result again;

			accepted++;
			/* Accepted: the canonical form means the same. */
			UNIT_ASSERT(res.header && res.source && res.canonical);
			UNIT_EQ(compile(s->path, res.canonical, &again), 0);
			UNIT_ASSERT(again.fingerprint == res.fingerprint);
			UNIT_STREQ(again.canonical, res.canonical);
			idlc_result_free(&again);
		} else {
			if (!error_well_formed(res.error, s->path, buf, len)) {
				printf("# malformed error for a mutant of %s: "
				       "%s\n",
				       s->path, res.error);
			}
			UNIT_ASSERT(err == -EINVAL);
			UNIT_ASSERT(error_well_formed(res.error, s->path, buf,
						      len));
		}
		idlc_result_free(&res);
	}
	printf("# %lu mutants of %zu seeds, %lu accepted\n", runs, nseeds,
	       accepted);
	UNIT_ASSERT(runs > 1000);
	UNIT_ASSERT(accepted > 0);
	for (size_t i = 0; i < nseeds; i++) {
		free(seeds[i].data);
	}
	free(buf);
}
