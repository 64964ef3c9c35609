// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for idlc (tools/idlc, idl/README.md): any input must
 * compile or be rejected with one well-formed "path:line:col: error: ..."
 * line, without a crash, a leak, undefined behaviour or a hang. An
 * accepted input must also round-trip: its canonical form compiles to the
 * same canonical form and fingerprint. Built and run by `make fuzz-idlc`
 * (tests/idlc/build.mk).
 *
 * The file name is taken from the input's first "interface NAME", so that
 * seeds of every interface can compile (idlc wants NAME.idl).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idlc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_idlc: %s: %s\n", what, detail ? detail : "");
	abort();
}

/* "NAME.idl" for the first "interface NAME" in the input, else "t.idl". */
static void path_of(const uint8_t *data, size_t size, char *path, size_t n)
{
	static const char kw[] = "interface";
	size_t kl = sizeof(kw) - 1;

	snprintf(path, n, "t.idl");
	for (size_t i = 0; i + kl < size; i++) {
		size_t j = i + kl;
		size_t len = 0;

		if (memcmp(data + i, kw, kl) != 0) {
			continue;
		}
		while (j < size && (data[j] == ' ' || data[j] == '\t')) {
			j++;
		}
		while (j + len < size && len < IDL_MAX_IDENT &&
		       ((data[j + len] >= 'a' && data[j + len] <= 'z') ||
			(data[j + len] >= '0' && data[j + len] <= '9') ||
			data[j + len] == '_')) {
			len++;
		}
		if (len) {
			snprintf(path, n, "%.*s.idl", (int)len,
				 (const char *)data + j);
		}
		return;
	}
}

static void check_error(const char *err, const char *path, const uint8_t *data,
			size_t size)
{
	size_t pl = strlen(path);
	unsigned long line;
	unsigned long col;
	unsigned long lines = 1;
	char *end;

	if (!err) {
		fail("rejected without a message", NULL);
	}
	if (strncmp(err, path, pl) != 0 || err[pl] != ':') {
		fail("message does not start with the path", err);
	}
	line = strtoul(err + pl + 1, &end, 10);
	if (*end != ':') {
		fail("no line number", err);
	}
	col = strtoul(end + 1, &end, 10);
	if (strncmp(end, ": error: ", 9) != 0 || end[9] == '\0') {
		fail("malformed message", err);
	}
	if (strchr(err, '\n')) {
		fail("message spans lines", err);
	}
	for (size_t i = 0; i < size; i++) {
		lines += data[i] == '\n';
	}
	if (line < 1 || line > lines || col < 1 || col > size + 1) {
		fail("position outside the input", err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct idlc_result res;
	struct idlc_result again;
	char path[IDL_MAX_IDENT + 8];
	int err;

	path_of(data, size, path, sizeof(path));
	err = idlc_compile(path, (const char *)data, size, &res);
	if (err != 0) {
		if (err != -EINVAL) {
			fail("unexpected status", res.error);
		}
		check_error(res.error, path, data, size);
		if (res.header || res.source || res.canonical) {
			fail("output despite an error", res.error);
		}
		idlc_result_free(&res);
		return 0;
	}
	if (!res.header || !res.source || !res.canonical ||
	    res.fingerprint == 0 || res.error) {
		fail("incomplete result", NULL);
	}
	if (idlc_compile(path, res.canonical, strlen(res.canonical), &again)) {
		fail("canonical form does not compile", again.error);
	}
	/* The generated code may differ in order; the meaning may not. */
	if (again.fingerprint != res.fingerprint ||
	    strcmp(again.canonical, res.canonical) != 0) {
		fail("canonical form changes the fingerprint", res.canonical);
	}
	idlc_result_free(&again);
	idlc_result_free(&res);
	return 0;
}
