// SPDX-License-Identifier: MIT
/*
 * domcheck: checks signed domain images exactly as the kernel's loader
 * will, at build time, so that a bad image fails `make` instead of the
 * boot. It links the kernel's own code: the signature check of
 * lib/crypto/sigtrailer.c against the trusted key table the kernel embeds
 * (build/keys/trusted_keys.inc), and the image validator kernel/elf_check.c
 * with the manifest parser. On top of that it checks what the build
 * promises: the manifest names the domain being built, the image kept its
 * .symtab (the kernel symbolizes domain backtraces with it) and carries no
 * debug sections.
 *
 *	domcheck [-v] [--name NAME] IMAGE...
 *
 * Prints nothing for a good image unless -v is given; for a bad one
 * "domcheck: IMAGE: reason". Exit status 0 if every image passed, 1 if
 * any failed, 2 for usage errors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "abi/layout.h"
#include "crypto/sigtrailer.h"
#include "elf_check.h"
#include "elfsym.h"

/* Larger than any domain image the loader accepts. */
#define DOMCHECK_MAX_FILE (DOM_IMAGE_MAX + SIGTRAILER_SIZE)

/* The keys the kernel trusts, in the same form the kernel compiles them. */
static const struct sig_key domcheck_keys[] = {
#include "keys/trusted_keys.inc"
};

/* Same bounds as the kernel's loader. */
static const struct elf_limits domcheck_limits = ELF_DOMAIN_LIMITS;

static bool verbose;

static void __printf(2, 3) fail(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "domcheck: %s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int read_image(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		fail(path, "cannot open: %s", strerror(errno));
		return -1;
	}
	buf = malloc(DOMCHECK_MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		fail(path, "out of memory");
		return -1;
	}
	n = fread(buf, 1, DOMCHECK_MAX_FILE + 1, f);
	if (ferror(f)) {
		fail(path, "read error");
		goto out_free;
	}
	if (n > DOMCHECK_MAX_FILE) {
		fail(path, "larger than any loadable image (%llu bytes)",
		     (unsigned long long)DOMCHECK_MAX_FILE);
		goto out_free;
	}
	fclose(f);
	*data = buf;
	*size = n;
	return 0;

out_free:
	free(buf);
	fclose(f);
	return -1;
}

static void key_id_hex(const uint8_t *id, char out[17])
{
	for (int i = 0; i < 8; i++) {
		snprintf(out + 2 * i, 3, "%02x", id[i]);
	}
}

/* Explains a sig_verify_image() failure. */
static void explain_signature(const char *path, const uint8_t *img, size_t size,
			      int err)
{
	struct sigtrailer t;
	size_t len;
	char got[17];

	switch (err) {
	case -ENOEXEC:
		fail(path, "not signed (no signature trailer)");
		break;
	case -EINVAL:
		fail(path, "malformed signature trailer (unknown algorithm or "
			   "version, or the file was truncated or extended)");
		break;
	case -EACCES:
		if (sigtrailer_parse(img, size, &t, &len) != 0) {
			fail(path, "signed by an unknown key");
			break;
		}
		key_id_hex(t.key_id, got);
		fail(path,
		     "signed by key id %s, which the kernel does not trust "
		     "(build/keys/trusted_keys.inc has %zu key(s), first "
		     "\"%s\"); rebuild with the same DOMAIN_KEY",
		     got, sizeof(domcheck_keys) / sizeof(domcheck_keys[0]),
		     domcheck_keys[0].name);
		break;
	case -EKEYREJECTED:
		fail(path, "BAD signature: the image was modified after "
			   "signing");
		break;
	default:
		fail(path, "signature check failed (%s)", errno_name(err));
		break;
	}
}

static int check_image(const char *path, const char *want_name)
{
	struct elfsym_table syms;
	struct elf_plan *plan;
	const char *why = NULL;
	const char *entry_sym;
	uint64_t entry_off = 0;
	uint8_t *img;
	size_t size;
	size_t len;
	int ret = -1;
	int err;

	if (read_image(path, &img, &size) != 0) {
		return -1;
	}
	plan = calloc(1, sizeof(*plan));
	if (!plan) {
		fail(path, "out of memory");
		goto out_free;
	}

	err = sig_verify_image(img, size, domcheck_keys,
			       sizeof(domcheck_keys) / sizeof(domcheck_keys[0]),
			       &len);
	if (err) {
		explain_signature(path, img, size, err);
		goto out_free;
	}
	err = elf_check(img, len, &domcheck_limits, plan, &why);
	if (err) {
		fail(path, "the kernel would refuse it (%s): %s",
		     errno_name(err), why ? why : "no reason given");
		goto out_free;
	}
	if (want_name && strcmp(plan->manifest.name, want_name) != 0) {
		fail(path,
		     "manifest name is \"%s\" but the domain is built as "
		     "\"%s\": DOMAIN_MANIFEST(.name = ...) must match the "
		     "domain's folder and build.mk name",
		     plan->manifest.name, want_name);
		goto out_free;
	}
	err = elfsym_open(img, len, &syms);
	if (err == -ENOENT) {
		fail(path, "no .symtab: strip with objcopy --strip-debug, "
			   "never -s (the kernel symbolizes backtraces "
			   "with it)");
		goto out_free;
	}
	if (err) {
		fail(path, "malformed section headers");
		goto out_free;
	}
	if (syms.has_debug) {
		fail(path, "debug sections left in the image; strip them "
			   "with objcopy --strip-debug");
		goto out_free;
	}
	entry_sym = elfsym_lookup(&syms, plan->entry, &entry_off);
	if (verbose) {
		char kid[17];
		struct sigtrailer t;
		size_t slen;

		if (sigtrailer_parse(img, size, &t, &slen) == 0) {
			key_id_hex(t.key_id, kid);
		} else {
			strcpy(kid, "?");
		}
		printf("%s: ok: domain \"%s\" v%u, %u segments, %llu pages, "
		       "%llu relocations, %llu symbols, entry %s+0x%llx, "
		       "flags 0x%x, quota %u pages / %u threads, key %s\n",
		       path, plan->manifest.name, plan->manifest.version,
		       plan->nsegs, (unsigned long long)plan->image_pages,
		       (unsigned long long)plan->rela_count,
		       (unsigned long long)syms.nsyms,
		       entry_sym ? entry_sym : "?",
		       (unsigned long long)entry_off, plan->manifest.flags,
		       plan->manifest.mem_pages, plan->manifest.threads, kid);
	}
	ret = 0;
out_free:
	free(plan);
	free(img);
	return ret;
}

static void usage(void)
{
	fprintf(stderr, "usage: domcheck [-v] [--name NAME] IMAGE...\n");
}

int main(int argc, char **argv)
{
	const char *name = NULL;
	int status = 0;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			verbose = true;
		} else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
			name = argv[++i];
		} else {
			usage();
			return 2;
		}
	}
	if (i == argc) {
		usage();
		return 2;
	}
	for (; i < argc; i++) {
		if (check_image(argv[i], name) != 0) {
			status = 1;
		}
	}
	return status;
}
