// SPDX-License-Identifier: MIT
/*
 * Host tests of the manifest note format (lib/abi/manifest.h) and of its
 * validator manifest_parse() (kernel/manifest.c): the DOMAIN_MANIFEST macro
 * emits a well-formed note, a good manifest is copied faithfully, and each
 * invalid field is rejected with the right error and a reason naming it,
 * without touching the output.
 */
#include "unit.h"

#include <string.h>

#include "abi/errno.h"
#include "manifest.h"

DOMAIN_MANIFEST(.name = "unit-test_1", .version = 7, .mem_pages = 512,
		.threads = 8, .restart = MANIFEST_RESTART_ALWAYS,
		.max_restarts = 3, .restart_window_ms = 1000,
		.exports = {MANIFEST_IFACE("blk", 0xb1b1b1b1ull, 1),
			    MANIFEST_IFACE("blk_admin", 0xadadull, 2)},
		.nexports = 2,
		.imports = {MANIFEST_IFACE("console", 0xc0c0ull, 1)},
		.nimports = 1,
		.devices = {MANIFEST_DEVICE(0x8086, 0x10fb,
					    MANIFEST_DEV_MMIO |
						    MANIFEST_DEV_DMA),
			    MANIFEST_DEVICE(0x1b36, 0x0010, MANIFEST_DEV_ALL)},
		.ndevices = 2);

/* A fresh copy of the macro's descriptor, for tests to break. */
static struct manifest_desc good(void)
{
	return domain_manifest_note_.desc;
}

/* Parse @d; check the error and that the reason contains @want. */
static bool rejects(const struct manifest_desc *d, int err, const char *want)
{
	struct manifest out;
	const char *why = NULL;
	int got;

	memset(&out, 0x5a, sizeof(out));
	got = manifest_parse(d, sizeof(*d), &out, &why);
	if (got != err) {
		unit_fail(__FILE__, __LINE__, "got %d (%s), expected %d for %s",
			  got, why ? why : "(null)", err, want);
		return false;
	}
	if (!why || !strstr(why, want)) {
		unit_fail(__FILE__, __LINE__, "reason \"%s\" lacks \"%s\"",
			  why ? why : "(null)", want);
		return false;
	}
	/* Validate, then act: a rejected manifest leaves @out alone. */
	for (size_t i = 0; i < sizeof(out); i++) {
		if (((unsigned char *)&out)[i] != 0x5a) {
			unit_fail(__FILE__, __LINE__,
				  "output written on failure");
			return false;
		}
	}
	return true;
}

/* Replace a name field, keeping it canonical (zero after the NUL). */
static void set_name(char name[MANIFEST_NAME_LEN], const char *s)
{
	memset(name, 0, MANIFEST_NAME_LEN);
	memcpy(name, s, strlen(s));
}

static bool accepts(const struct manifest_desc *d)
{
	struct manifest out;
	const char *why = "unset";
	int err = manifest_parse(d, sizeof(*d), &out, &why);

	if (err != 0 || why != NULL) {
		unit_fail(__FILE__, __LINE__, "rejected: %d %s", err,
			  why ? why : "(null)");
		return false;
	}
	return true;
}

UNIT_TEST(macro_emits_a_well_formed_note)
{
	const struct manifest_note *n = &domain_manifest_note_;

	UNIT_EQ(n->namesz, 7);
	UNIT_EQ(n->descsz, sizeof(struct manifest_desc));
	UNIT_EQ(n->type, MANIFEST_NOTE_TYPE);
	UNIT_ASSERT(memcmp(n->name, "Cordon\0\0", 8) == 0);
	UNIT_EQ((uintptr_t)n % 4, 0);
	UNIT_EQ((uintptr_t)&n->desc - (uintptr_t)n, 20);
	UNIT_EQ(n->desc.magic, MANIFEST_MAGIC);
	UNIT_EQ(n->desc.abi, MANIFEST_ABI_VERSION);
	/* The wire format is little-endian: check one field byte by byte. */
	UNIT_EQ(((const uint8_t *)&n->type)[0], 'C');
	UNIT_EQ(((const uint8_t *)&n->type)[3], '1');
}

UNIT_TEST(good_manifest_is_copied_faithfully)
{
	struct manifest_desc d = good();
	struct manifest m;
	const char *why = "unset";

	UNIT_EQ(manifest_parse(&d, sizeof(d), &m, &why), 0);
	UNIT_ASSERT(why == NULL);
	UNIT_STREQ(m.name, "unit-test_1");
	UNIT_EQ(m.version, 7);
	UNIT_EQ(m.flags, 0);
	UNIT_EQ(m.mem_pages, 512);
	UNIT_EQ(m.threads, 8);
	UNIT_EQ(m.restart, MANIFEST_RESTART_ALWAYS);
	UNIT_EQ(m.max_restarts, 3);
	UNIT_EQ(m.restart_window_ms, 1000);
	UNIT_EQ(m.restart_backoff_ms, 0);
	UNIT_EQ(m.nexports, 2);
	UNIT_STREQ(m.exports[1].name, "blk_admin");
	UNIT_ASSERT(m.exports[1].fingerprint == 0xadadull);
	UNIT_EQ(m.exports[1].version, 2);
	UNIT_EQ(m.nimports, 1);
	UNIT_EQ(m.ndevices, 2);
	UNIT_EQ(m.devices[1].vendor, 0x1b36);
	UNIT_EQ(m.devices[1].flags, MANIFEST_DEV_ALL);
	UNIT_ASSERT(memcmp(m.imports, d.imports, sizeof(m.imports)) == 0);
}

UNIT_TEST(descriptor_at_odd_address_is_accepted)
{
	static unsigned char buf[sizeof(struct manifest_desc) + 1];
	struct manifest_desc d = good();
	struct manifest m;
	const char *why;

	memcpy(buf + 1, &d, sizeof(d));
	UNIT_EQ(manifest_parse(buf + 1, sizeof(d), &m, &why), 0);
	UNIT_STREQ(m.name, "unit-test_1");
}

UNIT_TEST(wrong_size_magic_or_abi_is_not_a_manifest)
{
	struct manifest_desc d = good();
	struct manifest m;
	const char *why = NULL;

	UNIT_EQ(manifest_parse(&d, sizeof(d) - 1, &m, &why), -ENOEXEC);
	UNIT_ASSERT(strstr(why, "size") != NULL);
	UNIT_EQ(manifest_parse(&d, 0, &m, &why), -ENOEXEC);
	d.magic++;
	UNIT_ASSERT(rejects(&d, -ENOEXEC, "bad magic"));
	d = good();
	d.abi = 2;
	UNIT_ASSERT(rejects(&d, -ENOEXEC, "ABI version"));
}

UNIT_TEST(name_must_be_canonical_lowercase)
{
	static const char *const bad_chars[] = {"Hello", "a b",	 "a/b",
						"a.b",	 "\x80", "ok\x01"};
	struct manifest_desc d;

	for (size_t i = 0; i < ARRAY_SIZE(bad_chars); i++) {
		d = good();
		set_name(d.name, bad_chars[i]);
		UNIT_ASSERT(rejects(&d, -EINVAL, "name has a character"));
	}
	d = good();
	memset(d.name, 0, sizeof(d.name));
	UNIT_ASSERT(rejects(&d, -EINVAL, "name is empty"));
	memset(d.name, 'a', sizeof(d.name));
	UNIT_ASSERT(rejects(&d, -EINVAL, "not NUL-terminated"));
	d.name[31] = '\0';
	UNIT_ASSERT(accepts(&d)); /* 31 characters is the maximum */
	d = good();
	d.name[30] = 'x';
	UNIT_ASSERT(rejects(&d, -EINVAL, "bytes after its NUL"));
	d = good();
	d.name[0] = '_';
	UNIT_ASSERT(rejects(&d, -EINVAL, "must start with"));
	d.name[0] = '9';
	UNIT_ASSERT(accepts(&d));
}

UNIT_TEST(quotas_must_be_nonzero_and_bounded)
{
	struct manifest_desc d = good();

	d.mem_pages = 0;
	UNIT_ASSERT(rejects(&d, -EINVAL, "mem_pages"));
	d.mem_pages = MANIFEST_MEM_PAGES_MAX + 1;
	UNIT_ASSERT(rejects(&d, -EINVAL, "mem_pages"));
	d.mem_pages = MANIFEST_MEM_PAGES_MAX;
	UNIT_ASSERT(accepts(&d));
	d.threads = 0;
	UNIT_ASSERT(rejects(&d, -EINVAL, "threads"));
	d.threads = MANIFEST_THREADS_MAX + 1;
	UNIT_ASSERT(rejects(&d, -EINVAL, "threads"));
	d.threads = MANIFEST_THREADS_MAX;
	UNIT_ASSERT(accepts(&d));
}

UNIT_TEST(flags_and_reserved_fields_are_checked)
{
	struct manifest_desc d = good();

	d.flags = MANIFEST_F_INIT;
	UNIT_ASSERT(accepts(&d));
	d.flags = 1u << 31;
	UNIT_ASSERT(rejects(&d, -EINVAL, "flags has unknown bits"));
	d = good();
	d.reserved = 1;
	UNIT_ASSERT(rejects(&d, -EINVAL, "reserved field"));
	d = good();
	d.exports[0].reserved = 1;
	UNIT_ASSERT(rejects(&d, -EINVAL, "export reserved field"));
}

UNIT_TEST(restart_policy_fields_must_match_the_policy)
{
	struct manifest_desc d = good();

	d.restart = 3;
	UNIT_ASSERT(rejects(&d, -EINVAL, "restart policy"));
	d.restart = 0xffffffff;
	UNIT_ASSERT(rejects(&d, -EINVAL, "restart policy"));

	d = good();
	d.restart = MANIFEST_RESTART_NEVER;
	UNIT_ASSERT(rejects(&d, -EINVAL, "must be zero when restart is never"));
	d.max_restarts = 0;
	d.restart_window_ms = 0;
	UNIT_ASSERT(accepts(&d));

	d = good();
	d.restart_backoff_ms = 10;
	UNIT_ASSERT(
		rejects(&d, -EINVAL, "must be zero when restart is always"));
	d.restart = MANIFEST_RESTART_BACKOFF;
	UNIT_ASSERT(accepts(&d));
	d.restart_backoff_ms = 0;
	UNIT_ASSERT(rejects(&d, -EINVAL, "restart_backoff_ms"));
	d.restart_backoff_ms = MANIFEST_BACKOFF_MS_MAX + 1;
	UNIT_ASSERT(rejects(&d, -EINVAL, "restart_backoff_ms"));

	d = good();
	d.max_restarts = 0;
	UNIT_ASSERT(rejects(&d, -EINVAL, "max_restarts"));
	d.max_restarts = MANIFEST_RESTARTS_MAX + 1;
	UNIT_ASSERT(rejects(&d, -EINVAL, "max_restarts"));
	d = good();
	d.restart_window_ms = 0;
	UNIT_ASSERT(rejects(&d, -EINVAL, "restart_window_ms"));
	d.restart_window_ms = MANIFEST_WINDOW_MS_MAX + 1;
	UNIT_ASSERT(rejects(&d, -EINVAL, "restart_window_ms"));
}

UNIT_TEST(interface_lists_are_checked)
{
	struct manifest_desc d = good();

	d.nexports = 9;
	UNIT_ASSERT(rejects(&d, -EINVAL, "nexports exceeds 8"));
	d.nexports = 1; /* exports[1] is set but now unused */
	UNIT_ASSERT(rejects(&d, -EINVAL, "exports entry beyond nexports"));
	d = good();
	d.nimports = 0x80000000u;
	UNIT_ASSERT(rejects(&d, -EINVAL, "nimports exceeds 8"));
	d.nimports = 2; /* imports[1] is all zero: empty name */
	UNIT_ASSERT(rejects(&d, -EINVAL, "import name is empty"));
	d = good();
	d.imports[7].version = 1;
	UNIT_ASSERT(rejects(&d, -EINVAL, "imports entry beyond nimports"));
	d = good();
	d.exports[1].fingerprint = 0;
	UNIT_ASSERT(rejects(&d, -EINVAL, "export fingerprint is zero"));
	d = good();
	strcpy(d.exports[1].name, "blk"); /* leaves "_admin" behind */
	UNIT_ASSERT(
		rejects(&d, -EINVAL, "export name has bytes after its NUL"));
	set_name(d.exports[1].name, "blk");
	UNIT_ASSERT(rejects(&d, -EINVAL, "export name appears twice"));
	d = good();
	d.exports[0].name[0] = 'B';
	UNIT_ASSERT(rejects(&d, -EINVAL, "export name has a character"));
	d = good();
	memset(d.imports[0].name, 'c', sizeof(d.imports[0].name));
	UNIT_ASSERT(rejects(&d, -EINVAL, "import name is not NUL-terminated"));
	d = good();
	/* The same name may be both exported and imported. */
	set_name(d.imports[0].name, "blk");
	UNIT_ASSERT(accepts(&d));
}

UNIT_TEST(device_grants_are_checked)
{
	struct manifest_desc d = good();

	d.ndevices = 9;
	UNIT_ASSERT(rejects(&d, -EINVAL, "ndevices exceeds 8"));
	d.ndevices = 1;
	UNIT_ASSERT(rejects(&d, -EINVAL, "devices entry beyond ndevices"));
	d = good();
	d.devices[0].vendor = 0xffff;
	UNIT_ASSERT(rejects(&d, -EINVAL, "vendor ID"));
	d.devices[0].vendor = 0;
	UNIT_ASSERT(rejects(&d, -EINVAL, "vendor ID"));
	d = good();
	d.devices[0].flags = 0;
	UNIT_ASSERT(rejects(&d, -EINVAL, "flags are zero"));
	d.devices[0].flags = 1u << 4;
	UNIT_ASSERT(rejects(&d, -EINVAL, "unknown flags"));
	d = good();
	d.devices[1] = d.devices[0];
	d.devices[1].flags = MANIFEST_DEV_IRQ;
	UNIT_ASSERT(rejects(&d, -EINVAL, "appears twice"));
}

UNIT_TEST(lookup_helpers_find_only_what_is_granted)
{
	struct manifest_desc d = good();
	struct manifest m;
	const char *why;

	UNIT_EQ(manifest_parse(&d, sizeof(d), &m, &why), 0);
	UNIT_ASSERT(manifest_find_export(&m, "blk") == &m.exports[0]);
	UNIT_ASSERT(manifest_find_export(&m, "blk_admin") == &m.exports[1]);
	UNIT_ASSERT(manifest_find_export(&m, "bl") == NULL);
	UNIT_ASSERT(manifest_find_export(&m, "blk_") == NULL);
	UNIT_ASSERT(manifest_find_export(&m, "console") == NULL);
	UNIT_ASSERT(manifest_find_import(&m, "console") == &m.imports[0]);
	UNIT_ASSERT(manifest_find_import(&m, "") == NULL);
	UNIT_ASSERT(manifest_grants_device(
		&m, 0x8086, 0x10fb, MANIFEST_DEV_MMIO | MANIFEST_DEV_DMA));
	UNIT_ASSERT(
		!manifest_grants_device(&m, 0x8086, 0x10fb, MANIFEST_DEV_IRQ));
	UNIT_ASSERT(
		!manifest_grants_device(&m, 0x8086, 0x10fc, MANIFEST_DEV_MMIO));
	UNIT_ASSERT(manifest_grants_device(&m, 0x1b36, 0x0010,
					   MANIFEST_DEV_CONFIG));
}
