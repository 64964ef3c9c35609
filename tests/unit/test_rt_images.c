// SPDX-License-Identifier: MIT
/*
 * Host tests of the built domain images (build/domains/modules.txt): each
 * must verify against the trusted key table the kernel compiles
 * (build/keys/trusted_keys.inc), pass the kernel's validator
 * (kernel/elf_check.c) with the loader's limits, carry a manifest named
 * after its file, keep a symbol table that names its entry point rt_start
 * and its dom_main, and carry no debug sections. Tampering with a signed
 * image must be caught. The manifests of hello and init are checked
 * field by field against what their manifest.c files declare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "abi/layout.h"
#include "crypto/sigtrailer.h"
#include "elf_check.h"
#include "elfsym.h"
#include "unit.h"

#ifndef RT_MODULES_TXT
#error "build with -DRT_MODULES_TXT='\"path/to/modules.txt\"'"
#endif

#define MAX_IMAGES 64
#define MAX_IMAGE_BYTES (DOM_IMAGE_MAX + SIGTRAILER_SIZE)

static const struct sig_key keys[] = {
#include "keys/trusted_keys.inc"
};

/* The kernel loader's bounds. */
static const struct elf_limits limits = ELF_DOMAIN_LIMITS;

struct image {
	char path[4096];
	char stem[64]; /* file name without ".elf" */
	uint8_t *data;
	size_t size;
};

static struct image images[MAX_IMAGES];
static size_t nimages;
static bool loaded;

static uint8_t *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		return NULL;
	}
	buf = malloc(MAX_IMAGE_BYTES);
	n = buf ? fread(buf, 1, MAX_IMAGE_BYTES, f) : 0;
	fclose(f);
	if (!buf || n == 0) {
		free(buf);
		return NULL;
	}
	*size = n;
	return buf;
}

/* Reads modules.txt and every image it lists, once. */
static bool load_images(void)
{
	char line[sizeof(images[0].path)];
	FILE *f;

	if (loaded) {
		return nimages > 0;
	}
	loaded = true;
	f = fopen(RT_MODULES_TXT, "r");
	if (!f) {
		return false;
	}
	while (nimages < MAX_IMAGES && fgets(line, sizeof(line), f)) {
		struct image *im = &images[nimages];
		const char *base;
		size_t n;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0]) {
			continue;
		}
		snprintf(im->path, sizeof(im->path), "%s", line);
		base = strrchr(line, '/') ? strrchr(line, '/') + 1 : line;
		n = strnlen(base, sizeof(im->stem) - 1);
		memcpy(im->stem, base, n);
		im->stem[n] = '\0';
		if (n > 4 && strcmp(im->stem + n - 4, ".elf") == 0) {
			im->stem[n - 4] = '\0';
		}
		im->data = read_all(im->path, &im->size);
		nimages++;
	}
	fclose(f);
	return nimages > 0;
}

static struct image *find_image(const char *stem)
{
	for (size_t i = 0; i < nimages; i++) {
		if (strcmp(images[i].stem, stem) == 0) {
			return &images[i];
		}
	}
	return NULL;
}

/* Verifies and validates @im into @plan. Returns 0 or the first error. */
static int check(const struct image *im, struct elf_plan *plan, size_t *len)
{
	const char *why;
	int err;

	err = sig_verify_image(im->data, im->size, keys, ARRAY_SIZE(keys), len);
	if (err) {
		return err;
	}
	err = elf_check(im->data, *len, &limits, plan, &why);
	if (err) {
		printf("# %s: %s\n", im->path, why);
	}
	return err;
}

UNIT_TEST(modules_list_names_hello_and_init)
{
	UNIT_ASSERT(load_images());
	UNIT_ASSERT(find_image("hello") != NULL);
	UNIT_ASSERT(find_image("init") != NULL);
	for (size_t i = 0; i < nimages; i++) {
		UNIT_ASSERT(images[i].data != NULL);
	}
}

UNIT_TEST(every_image_is_signed_valid_and_named_after_its_file)
{
	static struct elf_plan plan;

	UNIT_ASSERT(load_images());
	for (size_t i = 0; i < nimages; i++) {
		const struct image *im = &images[i];
		size_t len = 0;

		UNIT_ASSERT(im->data != NULL);
		UNIT_EQ(check(im, &plan, &len), 0);
		UNIT_EQ(len, im->size - SIGTRAILER_SIZE);
		UNIT_STREQ(plan.manifest.name, im->stem);
		/* W^X: no segment is both writable and executable. */
		for (uint32_t s = 0; s < plan.nsegs; s++) {
			UNIT_ASSERT((plan.segs[s].prot &
				     (ELF_PROT_W | ELF_PROT_X)) !=
				    (ELF_PROT_W | ELF_PROT_X));
		}
	}
}

UNIT_TEST(every_image_keeps_symbols_and_drops_debug_info)
{
	static struct elf_plan plan;

	UNIT_ASSERT(load_images());
	for (size_t i = 0; i < nimages; i++) {
		const struct image *im = &images[i];
		struct elfsym_table syms;
		const char *name;
		uint64_t main_addr = 0;
		uint64_t off = 1;
		size_t len;

		UNIT_EQ(check(im, &plan, &len), 0);
		UNIT_EQ(elfsym_open(im->data, len, &syms), 0);
		UNIT_ASSERT(!syms.has_debug);
		/* The entry point is the runtime's, at offset 0. */
		name = elfsym_lookup(&syms, plan.entry, &off);
		UNIT_STREQ(name, "rt_start");
		UNIT_EQ(off, 0);
		/* A crash in dom_main could be named "dom_main+0x10". */
		UNIT_EQ(elfsym_find(&syms, "dom_main", &main_addr), 0);
		name = elfsym_lookup(&syms, main_addr + 0x10, &off);
		UNIT_STREQ(name, "dom_main");
		UNIT_EQ(off, 0x10);
	}
}

UNIT_TEST(flipped_byte_in_a_signed_image_is_rejected)
{
	struct image *im;
	size_t len;
	size_t offs[3];

	UNIT_ASSERT(load_images());
	im = find_image("hello");
	UNIT_ASSERT(im && im->data);
	/* In the ELF header, in the manifest note area, in the last byte. */
	offs[0] = 24;
	offs[1] = 0x200;
	offs[2] = im->size - SIGTRAILER_SIZE - 1;
	for (size_t i = 0; i < ARRAY_SIZE(offs); i++) {
		im->data[offs[i]] ^= 0x01;
		UNIT_EQ(sig_verify_image(im->data, im->size, keys,
					 ARRAY_SIZE(keys), &len),
			-EKEYREJECTED);
		im->data[offs[i]] ^= 0x01;
	}
	UNIT_EQ(sig_verify_image(im->data, im->size, keys, ARRAY_SIZE(keys),
				 &len),
		0);
}

UNIT_TEST(unsigned_or_truncated_image_is_rejected)
{
	struct image *im;
	size_t len;

	UNIT_ASSERT(load_images());
	im = find_image("init");
	UNIT_ASSERT(im && im->data);
	/* Without its trailer: no signature at all. */
	UNIT_EQ(sig_verify_image(im->data, im->size - SIGTRAILER_SIZE, keys,
				 ARRAY_SIZE(keys), &len),
		-ENOEXEC);
	/* One byte cut from the image: the trailer's length disagrees. */
	memmove(im->data + im->size - SIGTRAILER_SIZE - 1,
		im->data + im->size - SIGTRAILER_SIZE, SIGTRAILER_SIZE);
	UNIT_EQ(sig_verify_image(im->data, im->size - 1, keys, ARRAY_SIZE(keys),
				 &len),
		-EINVAL);
	/* Reload the pristine image for later tests. */
	free(im->data);
	im->data = read_all(im->path, &im->size);
	UNIT_ASSERT(im->data != NULL);
}

UNIT_TEST(hello_manifest_matches_its_declaration)
{
	static struct elf_plan plan;
	const struct image *im;
	size_t len;

	UNIT_ASSERT(load_images());
	im = find_image("hello");
	UNIT_ASSERT(im && im->data);
	UNIT_EQ(check(im, &plan, &len), 0);
	UNIT_EQ(plan.manifest.version, 1);
	UNIT_EQ(plan.manifest.flags, 0);
	UNIT_EQ(plan.manifest.mem_pages, 256);
	UNIT_EQ(plan.manifest.threads, 4);
	UNIT_EQ(plan.manifest.restart, MANIFEST_RESTART_NEVER);
	UNIT_EQ(plan.manifest.nexports, 0);
	UNIT_EQ(plan.manifest.nimports, 0);
	UNIT_EQ(plan.manifest.ndevices, 0);
}

UNIT_TEST(only_init_may_manage_domains)
{
	static struct elf_plan plan;

	UNIT_ASSERT(load_images());
	for (size_t i = 0; i < nimages; i++) {
		size_t len;
		bool is_init = strcmp(images[i].stem, "init") == 0;

		UNIT_EQ(check(&images[i], &plan, &len), 0);
		UNIT_EQ(!!(plan.manifest.flags & MANIFEST_F_INIT), is_init);
	}
}
