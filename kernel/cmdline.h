/* SPDX-License-Identifier: MIT */
/*
 * The boot command-line parser: pure logic, compiled into the kernel and
 * into host unit tests. Options are declared where they are used with
 * CMDLINE_OPTION(), which collects them in the "cmdline_opts" section; the
 * boot code parses the multiboot2 command line (Multiboot2 spec 1.0, 3.6.2
 * "Boot command line") against them and echoes what it understood.
 *
 * Syntax: words separated by spaces or tabs (newlines and carriage returns
 * count as spaces too). A word is "name=value" or a bare "name", which sets
 * a CMDLINE_BOOL option to true and is an error for the other types.
 * Double quotes anywhere in a word keep the spaces between them inside the
 * word and are then removed, so label="a b" and "label=a b" both set label
 * to "a b". There is no escape: a value cannot contain a double quote. The
 * name is the text before the first '=' and matches exactly; a later word
 * overrides an earlier one. A first word starting with '/' is the kernel
 * image path added by GRUB and is skipped.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* The parser examines at most this many bytes of a command line. */
#define CMDLINE_MAX_LEN 4096

/*
 * A BOOL, UINT, SIZE or ENUM value is copied, without its quotes, into a
 * buffer of this size before it is parsed; longer values are malformed.
 */
#define CMDLINE_VALUE_MAX 64

enum cmdline_type {
	CMDLINE_BOOL, /* value: bool *; 1/0 yes/no on/off true/false */
	CMDLINE_UINT, /* value: uint64_t *; decimal, 0x hex or 0 octal */
	CMDLINE_SIZE, /* value: uint64_t *; a UINT with optional K/M/G/T */
	CMDLINE_STR,  /* value: char[str_size], always NUL-terminated */
	CMDLINE_ENUM, /* value: unsigned int *, index into choices */
};

enum cmdline_event {
	CMDLINE_OK,	   /* Understood; the value was stored. */
	CMDLINE_UNKNOWN,   /* No option has this name; ignored. */
	CMDLINE_MALFORMED, /* Bad value; the variable was not changed. */
	CMDLINE_TOO_LONG,  /* Text past CMDLINE_MAX_LEN was not parsed. */
};

/*
 * One option. For CMDLINE_UINT and CMDLINE_SIZE, values outside [min, max]
 * are malformed, except that min == max == 0 means no bounds. For
 * CMDLINE_ENUM, choices is a NULL-terminated array of names matched exactly.
 */
struct cmdline_opt {
	const char *name;
	enum cmdline_type type;
	void *value;
	size_t str_size;
	const char *const *choices;
	uint64_t min;
	uint64_t max;
	const char *help;
};

/*
 * Declares a command-line option var_name (static, file scope) with the
 * given designated initialisers and collects it in the "cmdline_opts"
 * section:
 *
 *	static uint64_t mem_limit;
 *	CMDLINE_OPTION(opt_mem, .name = "mem", .type = CMDLINE_SIZE,
 *		       .value = &mem_limit, .min = 16 << 20, .max = UINT64_MAX,
 *		       .help = "Use at most this much memory.");
 *
 * The section name is a C identifier, so GNU ld defines
 * __start_cmdline_opts and __stop_cmdline_opts around it (see
 * cmdline_registered_opts()). Objects in an explicitly named section are not
 * padded by AddressSanitizer, so this also works in host unit tests.
 */
#define CMDLINE_OPTION(var_name, ...)                                      \
	static const struct cmdline_opt var_name __section("cmdline_opts") \
		__used __aligned(8) = {__VA_ARGS__}

extern const struct cmdline_opt __start_cmdline_opts[];
extern const struct cmdline_opt __stop_cmdline_opts[];

/*
 * Returns the options declared with CMDLINE_OPTION() in the program and
 * stores their number in *count. The program must declare at least one, or
 * the section symbols are undefined at link time.
 */
static inline const struct cmdline_opt *cmdline_registered_opts(size_t *count)
{
	*count = (size_t)(__stop_cmdline_opts - __start_cmdline_opts);
	return __start_cmdline_opts;
}

/*
 * Parses line (NUL-terminated; NULL counts as empty) against the n options
 * in opts, storing each value understood. For every word except a skipped
 * GRUB path, calls report(ctx, ev, opt, word, wordlen) in order, where word
 * points into line at the word's raw text (quotes included) and opt is the
 * option whose name matched, or NULL. A CMDLINE_MALFORMED word with an
 * unterminated quote ran to the end of the line; its opt may be NULL. A
 * line longer than CMDLINE_MAX_LEN is parsed up to the last whole word
 * before the limit, and one CMDLINE_TOO_LONG event (opt NULL) covers the
 * rest up to the limit; bytes past the limit are never read. report may be
 * NULL. Returns the number of events other than CMDLINE_OK.
 */
int cmdline_parse(const char *line, const struct cmdline_opt *opts, size_t n,
		  void (*report)(void *ctx, enum cmdline_event ev,
				 const struct cmdline_opt *opt,
				 const char *word, size_t wordlen),
		  void *ctx);

/*
 * Formats the current value of opt for echoing: bools as on/off, enums by
 * name, sizes with the largest exact K/M/G/T suffix, strings in double
 * quotes if empty or containing spaces. Always NUL-terminates when size > 0.
 * Returns 0, -ENOSPC (truncated) or -EINVAL (no value, bad type, or an enum
 * index out of range, formatted as "?").
 */
int cmdline_format_value(const struct cmdline_opt *opt, char *buf, size_t size);

/*
 * Writes a usage message for the n options in opts through out(ctx, s):
 * per option, its syntax (type, choices or range), its current value and its
 * help text, one line each with a trailing newline.
 */
void cmdline_help(const struct cmdline_opt *opts, size_t n,
		  void (*out)(void *ctx, const char *s), void *ctx);
