// SPDX-License-Identifier: MIT
/*
 * idlc, the Cordon IDL compiler: command line (idl/README.md, "Running
 * idlc").
 *
 *	idlc [-o DIR] FILE.idl         writes DIR/NAME.h and DIR/NAME.c
 *	idlc --check FILE.idl          checks only
 *	idlc --canonical FILE.idl      prints the canonical form
 *	idlc --fingerprint FILE.idl    prints the fingerprint
 *
 * An IDL error prints "FILE:LINE:COL: error: MESSAGE" on stderr and exits
 * with 1; so does an I/O error ("idlc: ..."); usage errors exit with 2.
 * Outputs are written to temporary files and renamed into place, so a
 * failed run never leaves a half-written header behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idlc.h"

enum idlc_mode {
	MODE_GENERATE,
	MODE_CHECK,
	MODE_CANONICAL,
	MODE_FINGERPRINT,
};

static void usage(void)
{
	fprintf(stderr,
		"usage: idlc [-o DIR] FILE.idl\n"
		"       idlc --check | --canonical | --fingerprint FILE.idl\n");
	exit(2);
}

/*
 * Reads at most IDL_MAX_SOURCE + 1 bytes of @path (enough for
 * idlc_compile() to see that a file is too big). Returns 0 or -1.
 */
static int read_source(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "idlc: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(IDL_MAX_SOURCE + 1);
	if (!buf) {
		fclose(f);
		fprintf(stderr, "idlc: out of memory\n");
		return -1;
	}
	n = fread(buf, 1, IDL_MAX_SOURCE + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "idlc: %s: read error\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	*data = buf;
	*len = n;
	return 0;
}

/* Writes @text to DIR/NAME.EXT through a temporary file. Returns 0 or -1. */
static int write_output(const char *dir, const char *name, const char *ext,
			const char *text)
{
	size_t n = strlen(dir) + strlen(name) + strlen(ext) + 16;
	char *path = malloc(n);
	char *tmp = malloc(n);
	FILE *f;
	int err = -1;

	if (!path || !tmp) {
		fprintf(stderr, "idlc: out of memory\n");
		goto out;
	}
	snprintf(path, n, "%s/%s.%s", dir, name, ext);
	snprintf(tmp, n, "%s/.%s.%s.tmp", dir, name, ext);
	f = fopen(tmp, "wb");
	if (!f) {
		fprintf(stderr, "idlc: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	if (fputs(text, f) == EOF || fclose(f) == EOF) {
		fprintf(stderr, "idlc: %s: write error\n", tmp);
		remove(tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "idlc: %s: %s\n", path, strerror(errno));
		remove(tmp);
		goto out;
	}
	err = 0;
out:
	free(path);
	free(tmp);
	return err;
}

int main(int argc, char **argv)
{
	enum idlc_mode mode = MODE_GENERATE;
	const char *dir = ".";
	const char *path = NULL;
	struct idlc_result res;
	char *src;
	size_t len;
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strcmp(argv[i], "--check") == 0) {
			mode = MODE_CHECK;
		} else if (strcmp(argv[i], "--canonical") == 0) {
			mode = MODE_CANONICAL;
		} else if (strcmp(argv[i], "--fingerprint") == 0) {
			mode = MODE_FINGERPRINT;
		} else if (argv[i][0] == '-' || path) {
			usage();
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		usage();
	}
	if (read_source(path, &src, &len) != 0) {
		return 1;
	}
	if (idlc_compile(path, src, len, &res) != 0) {
		fprintf(stderr, "%s\n", res.error);
		idlc_result_free(&res);
		free(src);
		return 1;
	}
	free(src);
	switch (mode) {
	case MODE_GENERATE:
		if (write_output(dir, res.name, "h", res.header) != 0 ||
		    write_output(dir, res.name, "c", res.source) != 0) {
			status = 1;
		}
		break;
	case MODE_CHECK:
		break;
	case MODE_CANONICAL:
		fputs(res.canonical, stdout);
		break;
	case MODE_FINGERPRINT:
		printf("0x%016llx\n", (unsigned long long)res.fingerprint);
		break;
	}
	idlc_result_free(&res);
	return status;
}
