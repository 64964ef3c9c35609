// SPDX-License-Identifier: MIT
/*
 * The boot command-line parser, its value echo and its usage message (see
 * cmdline.h for the syntax). Pure logic over a NUL-terminated string: no
 * allocation, no state of its own, never reads past the NUL or past
 * CMDLINE_MAX_LEN bytes, and work linear in the line length times the
 * number of options.
 */
#include "cmdline.h"

#include "abi/errno.h"
#include "base/fmt.h"
#include "base/string.h"

/* One cmdline_parse() call: the options, the reporter and the tally. */
struct cmdline_parser {
	const struct cmdline_opt *opts;
	size_t n;
	void (*report)(void *ctx, enum cmdline_event ev,
		       const struct cmdline_opt *opt, const char *word,
		       size_t wordlen);
	void *ctx;
	int problems;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void emit(struct cmdline_parser *ps, enum cmdline_event ev,
		 const struct cmdline_opt *opt, const char *word,
		 size_t wordlen)
{
	if (ev != CMDLINE_OK) {
		ps->problems++;
	}
	if (ps->report != NULL) {
		ps->report(ps->ctx, ev, opt, word, wordlen);
	}
}

/* Length of raw[0..rawlen) once its double quotes are removed. */
static size_t unquoted_len(const char *raw, size_t rawlen)
{
	size_t n = 0;

	for (size_t i = 0; i < rawlen; i++) {
		if (raw[i] != '"') {
			n++;
		}
	}
	return n;
}

/* Copies raw without its quotes to dst, which has room for it and a NUL. */
static void unquote_copy(const char *raw, size_t rawlen, char *dst)
{
	size_t n = 0;

	for (size_t i = 0; i < rawlen; i++) {
		if (raw[i] != '"') {
			dst[n++] = raw[i];
		}
	}
	dst[n] = '\0';
}

/* True if raw[0..rawlen), quotes removed, is exactly name. */
static bool name_matches(const char *raw, size_t rawlen, const char *name)
{
	size_t j = 0;

	for (size_t i = 0; i < rawlen; i++) {
		if (raw[i] == '"') {
			continue;
		}
		if (name[j] == '\0' || name[j] != raw[i]) {
			return false;
		}
		j++;
	}
	return name[j] == '\0';
}

static const struct cmdline_opt *lookup(const struct cmdline_parser *ps,
					const char *raw, size_t rawlen)
{
	for (size_t i = 0; i < ps->n; i++) {
		const struct cmdline_opt *opt = &ps->opts[i];

		if (opt->name != NULL && name_matches(raw, rawlen, opt->name)) {
			return opt;
		}
	}
	return NULL;
}

static bool in_bounds(const struct cmdline_opt *opt, uint64_t v)
{
	if (opt->min == 0 && opt->max == 0) {
		return true;
	}
	return v >= opt->min && v <= opt->max;
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "yes", "on", "true"};
	static const char *const no[] = {"0", "no", "off", "false"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/*
 * Validates the value raw[0..rawlen) (has_value false for a bare name) for
 * opt and stores it. Returns false, changing nothing, if it is malformed.
 */
static bool set_value(const struct cmdline_opt *opt, const char *raw,
		      size_t rawlen, bool has_value)
{
	char tmp[CMDLINE_VALUE_MAX];
	size_t len = unquoted_len(raw, rawlen);
	uint64_t v;
	bool b;

	if (opt->value == NULL) {
		return false;
	}
	if (!has_value) {
		if (opt->type != CMDLINE_BOOL) {
			return false;
		}
		*(bool *)opt->value = true;
		return true;
	}
	if (opt->type == CMDLINE_STR) {
		if (len >= opt->str_size) {
			return false;
		}
		unquote_copy(raw, rawlen, opt->value);
		return true;
	}
	if (len >= sizeof(tmp)) {
		return false;
	}
	unquote_copy(raw, rawlen, tmp);
	switch (opt->type) {
	case CMDLINE_BOOL:
		if (!parse_bool(tmp, &b)) {
			return false;
		}
		*(bool *)opt->value = b;
		return true;
	case CMDLINE_UINT:
		if (str_to_u64(tmp, len, 0, &v) != 0 || !in_bounds(opt, v)) {
			return false;
		}
		*(uint64_t *)opt->value = v;
		return true;
	case CMDLINE_SIZE:
		if (str_to_u64_size(tmp, len, &v) != 0 || !in_bounds(opt, v)) {
			return false;
		}
		*(uint64_t *)opt->value = v;
		return true;
	case CMDLINE_ENUM:
		if (opt->choices == NULL) {
			return false;
		}
		for (unsigned int i = 0; opt->choices[i] != NULL; i++) {
			if (strcmp(tmp, opt->choices[i]) == 0) {
				*(unsigned int *)opt->value = i;
				return true;
			}
		}
		return false;
	case CMDLINE_STR:
	default:
		return false;
	}
}

/* Handles one word w[0..len); open_quote if it ended inside quotes. */
static void parse_word(struct cmdline_parser *ps, const char *w, size_t len,
		       bool open_quote)
{
	const struct cmdline_opt *opt;
	size_t name_len = 0;
	bool has_value;
	bool ok;

	while (name_len < len && w[name_len] != '=') {
		name_len++;
	}
	has_value = name_len < len;
	opt = lookup(ps, w, name_len);
	if (open_quote) {
		emit(ps, CMDLINE_MALFORMED, opt, w, len);
		return;
	}
	if (opt == NULL) {
		emit(ps, CMDLINE_UNKNOWN, NULL, w, len);
		return;
	}
	if (has_value) {
		ok = set_value(opt, w + name_len + 1, len - name_len - 1, true);
	} else {
		ok = set_value(opt, NULL, 0, false);
	}
	emit(ps, ok ? CMDLINE_OK : CMDLINE_MALFORMED, opt, w, len);
}

int cmdline_parse(const char *line, const struct cmdline_opt *opts, size_t n,
		  void (*report)(void *ctx, enum cmdline_event ev,
				 const struct cmdline_opt *opt,
				 const char *word, size_t wordlen),
		  void *ctx)
{
	struct cmdline_parser ps = {
		.opts = opts,
		.n = opts != NULL ? n : 0,
		.report = report,
		.ctx = ctx,
		.problems = 0,
	};
	size_t len;
	size_t end;
	size_t pos = 0;
	bool first = true;

	if (line == NULL) {
		return 0;
	}
	len = strnlen(line, CMDLINE_MAX_LEN + 1);
	end = len;
	if (len > CMDLINE_MAX_LEN) {
		/* Stop before the word that the limit cuts, if any. */
		end = CMDLINE_MAX_LEN;
		if (!is_space(line[end])) {
			while (end > 0 && !is_space(line[end - 1])) {
				end--;
			}
		}
	}
	while (pos < end) {
		size_t start;
		bool quoted = false;

		while (pos < end && is_space(line[pos])) {
			pos++;
		}
		if (pos == end) {
			break;
		}
		start = pos;
		while (pos < end && (quoted || !is_space(line[pos]))) {
			if (line[pos] == '"') {
				quoted = !quoted;
			}
			pos++;
		}
		/* GRUB puts the kernel image path first; it is no option. */
		if (!(first && line[start] == '/')) {
			parse_word(&ps, line + start, pos - start, quoted);
		}
		first = false;
	}
	if (len > CMDLINE_MAX_LEN) {
		while (end < CMDLINE_MAX_LEN && is_space(line[end])) {
			end++;
		}
		emit(&ps, CMDLINE_TOO_LONG, NULL, line + end,
		     CMDLINE_MAX_LEN - end);
	}
	return ps.problems;
}

/* Formats v with the largest binary suffix that divides it exactly. */
static int format_size(char *buf, size_t size, uint64_t v)
{
	static const char suffix[] = "KMGT";

	for (int i = 3; i >= 0; i--) {
		unsigned int shift = 10 * (unsigned int)(i + 1);

		if (v != 0 && (v & ((1ull << shift) - 1)) == 0) {
			return fmt_snprintf(buf, size, "%llu%c",
					    (unsigned long long)(v >> shift),
					    suffix[i]);
		}
	}
	return fmt_snprintf(buf, size, "%llu", (unsigned long long)v);
}

/* Number of names in a NULL-terminated choices array. */
static size_t count_choices(const char *const *choices)
{
	size_t n = 0;

	while (choices != NULL && choices[n] != NULL) {
		n++;
	}
	return n;
}

static bool has_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (is_space(s[i])) {
			return true;
		}
	}
	return false;
}

int cmdline_format_value(const struct cmdline_opt *opt, char *buf, size_t size)
{
	const char *s;
	size_t len;
	unsigned int idx;
	int n;

	if (size > 0) {
		buf[0] = '\0';
	}
	if (opt == NULL || opt->value == NULL) {
		return -EINVAL;
	}
	switch (opt->type) {
	case CMDLINE_BOOL:
		n = fmt_snprintf(buf, size, "%s",
				 *(const bool *)opt->value ? "on" : "off");
		break;
	case CMDLINE_UINT:
		n = fmt_snprintf(
			buf, size, "%llu",
			(unsigned long long)*(const uint64_t *)opt->value);
		break;
	case CMDLINE_SIZE:
		n = format_size(buf, size, *(const uint64_t *)opt->value);
		break;
	case CMDLINE_STR:
		s = opt->value;
		/* The buffer should hold a NUL; never read past it anyway. */
		len = strnlen(s, MIN(opt->str_size, (size_t)0x7fffffff));
		if (len == 0 || has_space(s, len)) {
			n = fmt_snprintf(buf, size, "\"%.*s\"", (int)len, s);
		} else {
			n = fmt_snprintf(buf, size, "%.*s", (int)len, s);
		}
		break;
	case CMDLINE_ENUM:
		idx = *(const unsigned int *)opt->value;
		if (idx >= count_choices(opt->choices)) {
			fmt_snprintf(buf, size, "?");
			return -EINVAL;
		}
		n = fmt_snprintf(buf, size, "%s", opt->choices[idx]);
		break;
	default:
		fmt_snprintf(buf, size, "?");
		return -EINVAL;
	}
	if (n < 0 || (size_t)n >= size) {
		return -ENOSPC;
	}
	return 0;
}

/* Writes the syntax of opt: its name and what its value may be. */
static void help_syntax(const struct cmdline_opt *opt,
			void (*out)(void *ctx, const char *s), void *ctx)
{
	char lo[32];
	char hi[32];
	char line[80];
	bool bounded = !(opt->min == 0 && opt->max == 0);

	out(ctx, opt->name);
	switch (opt->type) {
	case CMDLINE_BOOL:
		out(ctx, "[=on|off]");
		break;
	case CMDLINE_UINT:
		out(ctx, "=<number>");
		if (bounded) {
			fmt_snprintf(line, sizeof(line), " in [%llu, %llu]",
				     (unsigned long long)opt->min,
				     (unsigned long long)opt->max);
			out(ctx, line);
		}
		break;
	case CMDLINE_SIZE:
		out(ctx, "=<size>[K|M|G|T]");
		if (bounded) {
			format_size(lo, sizeof(lo), opt->min);
			format_size(hi, sizeof(hi), opt->max);
			fmt_snprintf(line, sizeof(line), " in [%s, %s]", lo,
				     hi);
			out(ctx, line);
		}
		break;
	case CMDLINE_STR:
		out(ctx, "=<string>");
		if (opt->str_size > 0) {
			fmt_snprintf(line, sizeof(line),
				     " of at most %zu bytes",
				     opt->str_size - 1);
			out(ctx, line);
		}
		break;
	case CMDLINE_ENUM:
		out(ctx, "=");
		for (size_t i = 0; i < count_choices(opt->choices); i++) {
			if (i > 0) {
				out(ctx, "|");
			}
			out(ctx, opt->choices[i]);
		}
		break;
	default:
		out(ctx, "=?");
		break;
	}
}

void cmdline_help(const struct cmdline_opt *opts, size_t n,
		  void (*out)(void *ctx, const char *s), void *ctx)
{
	char value[64];

	for (size_t i = 0; opts != NULL && i < n; i++) {
		const struct cmdline_opt *opt = &opts[i];
		int err;

		if (opt->name == NULL) {
			continue;
		}
		out(ctx, "  ");
		help_syntax(opt, out, ctx);
		err = cmdline_format_value(opt, value, sizeof(value));
		out(ctx, " (now ");
		out(ctx, value);
		if (err == -ENOSPC) {
			out(ctx, "...");
		}
		out(ctx, ")\n");
		if (opt->help != NULL) {
			out(ctx, "      ");
			out(ctx, opt->help);
			out(ctx, "\n");
		}
	}
}
