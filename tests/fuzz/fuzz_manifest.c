// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the manifest validator (kernel/manifest.c). Any
 * input must be handled without a crash or undefined behaviour; a rejection
 * must leave the output untouched and give a reason; an accepted manifest
 * must satisfy the rules of lib/abi/manifest.h. Built by `make fuzz`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool name_ok(const char *n)
{
	size_t len = strnlen(n, MANIFEST_NAME_LEN);

	if (len == 0 || len == MANIFEST_NAME_LEN) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = n[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-')) {
			return false;
		}
	}
	return true;
}

static const char *violation(const struct manifest *m)
{
	if (!name_ok(m->name)) {
		return "name";
	}
	if (m->mem_pages == 0 || m->mem_pages > MANIFEST_MEM_PAGES_MAX ||
	    m->threads == 0 || m->threads > MANIFEST_THREADS_MAX) {
		return "quota";
	}
	if ((unsigned int)m->restart > MANIFEST_RESTART_BACKOFF ||
	    (m->restart == MANIFEST_RESTART_NEVER) != (m->max_restarts == 0)) {
		return "restart";
	}
	if (m->nexports > MANIFEST_MAX_EXPORTS ||
	    m->nimports > MANIFEST_MAX_IMPORTS ||
	    m->ndevices > MANIFEST_MAX_DEVICES) {
		return "counts";
	}
	for (uint32_t i = 0; i < m->nexports; i++) {
		if (!name_ok(m->exports[i].name) ||
		    m->exports[i].fingerprint == 0 ||
		    manifest_find_export(m, m->exports[i].name) !=
			    &m->exports[i]) {
			return "export";
		}
	}
	for (uint32_t i = 0; i < m->nimports; i++) {
		if (!name_ok(m->imports[i].name) ||
		    manifest_find_import(m, m->imports[i].name) !=
			    &m->imports[i]) {
			return "import";
		}
	}
	for (uint32_t i = 0; i < m->ndevices; i++) {
		const struct manifest_device *d = &m->devices[i];

		if (d->vendor == 0 || d->vendor == 0xffff || d->flags == 0 ||
		    !manifest_grants_device(m, d->vendor, d->device,
					    d->flags)) {
			return "device";
		}
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest out;
	struct manifest before;
	const char *why = "unset";
	const char *bad;
	int err;

	memset(&out, 0xa5, sizeof(out));
	before = out;
	err = manifest_parse(data, size, &out, &why);
	if (err == 0) {
		bad = why ? "reason on success" : violation(&out);
		if (bad) {
			fprintf(stderr, "accepted manifest breaks: %s\n", bad);
			abort();
		}
		return 0;
	}
	if ((err != -EINVAL && err != -ENOEXEC) || !why || why[0] == '\0' ||
	    memcmp(&out, &before, sizeof(out)) != 0) {
		fprintf(stderr, "bad rejection %d\n", err);
		abort();
	}
	return 0;
}
