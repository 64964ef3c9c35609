/* SPDX-License-Identifier: MIT */
/*
 * The kernel's view of a domain manifest. manifest_parse() validates the
 * note descriptor from a signed image (lib/abi/manifest.h) field by field
 * and copies it into struct manifest; nothing downstream re-checks it.
 * Pure logic: compiled into the kernel and into host tests and fuzzers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/layout.h"
#include "abi/manifest.h"
#include "base/compiler.h"

/* Limits on manifest values; a manifest outside them is rejected. */
#define MANIFEST_MEM_PAGES_MAX (DOM_REGION_SIZE / LAYOUT_PAGE_SIZE)
#define MANIFEST_THREADS_MAX 256u
#define MANIFEST_RESTARTS_MAX 1000u
#define MANIFEST_WINDOW_MS_MAX 3600000u /* one hour */
#define MANIFEST_BACKOFF_MS_MAX 60000u	/* one minute */

/* A validated manifest. Immutable once parsed. */
struct manifest {
	char name[MANIFEST_NAME_LEN]; /* NUL-terminated, [a-z0-9_-] */
	uint32_t version;
	uint32_t flags;	    /* MANIFEST_F_* */
	uint32_t mem_pages; /* 1 .. MANIFEST_MEM_PAGES_MAX */
	uint32_t threads;   /* 1 .. MANIFEST_THREADS_MAX */
	enum manifest_restart restart;
	uint32_t max_restarts;	     /* 0 iff restart == NEVER */
	uint32_t restart_window_ms;  /* 0 iff restart == NEVER */
	uint32_t restart_backoff_ms; /* nonzero iff restart == BACKOFF */
	uint32_t nexports;
	uint32_t nimports;
	uint32_t ndevices;
	struct manifest_iface exports[MANIFEST_MAX_EXPORTS];
	struct manifest_iface imports[MANIFEST_MAX_IMPORTS];
	struct manifest_device devices[MANIFEST_MAX_DEVICES];
};

/*
 * Validate the manifest note descriptor @desc of @len bytes (any alignment)
 * and, only on success, fill @out. Returns 0; -ENOEXEC when @desc is not a
 * manifest this kernel understands (size, magic, ABI version); -EINVAL when
 * a field is invalid. On failure *@why names the field in a static string;
 * on success it is set to NULL.
 */
int __must_check manifest_parse(const void *desc, size_t len,
				struct manifest *out, const char **why);

/* The export named @name, or NULL. */
const struct manifest_iface *manifest_find_export(const struct manifest *m,
						  const char *name);

/* The import named @name, or NULL. */
const struct manifest_iface *manifest_find_import(const struct manifest *m,
						  const char *name);

/* True if @m grants PCI function @vendor:@device with every flag in @flags. */
bool manifest_grants_device(const struct manifest *m, uint16_t vendor,
			    uint16_t device, uint32_t flags);
