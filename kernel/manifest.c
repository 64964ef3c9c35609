// SPDX-License-Identifier: MIT
/*
 * Domain manifest validation: every field of the note descriptor defined in
 * lib/abi/manifest.h is checked before anything is copied out, and every
 * rejection names the field. The input comes from a signed image, but a
 * signature proves origin, not sanity, so nothing here trusts it.
 */
#include "manifest.h"

#include "abi/errno.h"

/* True for the characters allowed in domain and interface names. */
static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-';
}

enum name_err {
	NAME_OK,
	NAME_EMPTY,
	NAME_UNTERMINATED,
	NAME_BAD_CHAR,
	NAME_BAD_FIRST,
	NAME_TRAILING,
};

/*
 * Check a name field: nonempty, NUL-terminated inside the array, only
 * [a-z0-9_-], starting with a letter or digit, and zero after the NUL, so
 * that a name has exactly one encoding.
 */
static enum name_err check_name(const char name[MANIFEST_NAME_LEN])
{
	size_t len = 0;

	while (len < MANIFEST_NAME_LEN && name[len] != '\0') {
		len++;
	}
	if (len == MANIFEST_NAME_LEN) {
		return NAME_UNTERMINATED;
	}
	if (len == 0) {
		return NAME_EMPTY;
	}
	for (size_t i = 0; i < len; i++) {
		if (!name_char_ok(name[i])) {
			return NAME_BAD_CHAR;
		}
	}
	if (name[0] == '_' || name[0] == '-') {
		return NAME_BAD_FIRST;
	}
	for (size_t i = len; i < MANIFEST_NAME_LEN; i++) {
		if (name[i] != '\0') {
			return NAME_TRAILING;
		}
	}
	return NAME_OK;
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++) {
		if (b[i] != 0) {
			return false;
		}
	}
	return true;
}

static bool name_eq(const char *a, const char *b)
{
	for (size_t i = 0; i < MANIFEST_NAME_LEN; i++) {
		if (a[i] != b[i]) {
			return false;
		}
		if (a[i] == '\0') {
			return true;
		}
	}
	return true;
}

/* Reasons for one interface list, so messages can say which list. */
struct iface_why {
	const char *count;
	const char *unused;
	const char *name_empty;
	const char *name_unterminated;
	const char *name_char;
	const char *name_first;
	const char *name_trailing;
	const char *fingerprint;
	const char *reserved;
	const char *duplicate;
};

static const struct iface_why export_why = {
	.count = "nexports exceeds 8",
	.unused = "exports entry beyond nexports is not zero",
	.name_empty = "export name is empty",
	.name_unterminated = "export name is not NUL-terminated",
	.name_char = "export name has a character outside [a-z0-9_-]",
	.name_first = "export name must start with [a-z0-9]",
	.name_trailing = "export name has bytes after its NUL",
	.fingerprint = "export fingerprint is zero",
	.reserved = "export reserved field is not zero",
	.duplicate = "export name appears twice",
};

static const struct iface_why import_why = {
	.count = "nimports exceeds 8",
	.unused = "imports entry beyond nimports is not zero",
	.name_empty = "import name is empty",
	.name_unterminated = "import name is not NUL-terminated",
	.name_char = "import name has a character outside [a-z0-9_-]",
	.name_first = "import name must start with [a-z0-9]",
	.name_trailing = "import name has bytes after its NUL",
	.fingerprint = "import fingerprint is zero",
	.reserved = "import reserved field is not zero",
	.duplicate = "import name appears twice",
};

static const char *check_ifaces(const struct manifest_iface *v, uint32_t n,
				uint32_t max, const struct iface_why *w)
{
	if (n > max) {
		return w->count;
	}
	for (uint32_t i = n; i < max; i++) {
		if (!all_zero(&v[i], sizeof(v[i]))) {
			return w->unused;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		switch (check_name(v[i].name)) {
		case NAME_OK:
			break;
		case NAME_EMPTY:
			return w->name_empty;
		case NAME_UNTERMINATED:
			return w->name_unterminated;
		case NAME_BAD_CHAR:
			return w->name_char;
		case NAME_BAD_FIRST:
			return w->name_first;
		case NAME_TRAILING:
			return w->name_trailing;
		}
		if (v[i].fingerprint == 0) {
			return w->fingerprint;
		}
		if (v[i].reserved != 0) {
			return w->reserved;
		}
		for (uint32_t j = 0; j < i; j++) {
			if (name_eq(v[i].name, v[j].name)) {
				return w->duplicate;
			}
		}
	}
	return NULL;
}

static const char *check_devices(const struct manifest_desc *d)
{
	if (d->ndevices > MANIFEST_MAX_DEVICES) {
		return "ndevices exceeds 8";
	}
	for (uint32_t i = d->ndevices; i < MANIFEST_MAX_DEVICES; i++) {
		if (!all_zero(&d->devices[i], sizeof(d->devices[i]))) {
			return "devices entry beyond ndevices is not zero";
		}
	}
	for (uint32_t i = 0; i < d->ndevices; i++) {
		const struct manifest_device *dev = &d->devices[i];

		if (dev->vendor == 0 || dev->vendor == 0xffff) {
			return "device vendor ID is 0 or 0xffff";
		}
		if (dev->flags == 0) {
			return "device grant flags are zero";
		}
		if (dev->flags & ~MANIFEST_DEV_ALL) {
			return "device grant has unknown flags";
		}
		for (uint32_t j = 0; j < i; j++) {
			if (d->devices[j].vendor == dev->vendor &&
			    d->devices[j].device == dev->device) {
				return "device vendor:device appears twice";
			}
		}
	}
	return NULL;
}

static const char *check_restart(const struct manifest_desc *d)
{
	switch (d->restart) {
	case MANIFEST_RESTART_NEVER:
		if (d->max_restarts != 0 || d->restart_window_ms != 0 ||
		    d->restart_backoff_ms != 0) {
			return "restart fields must be zero when restart is "
			       "never";
		}
		return NULL;
	case MANIFEST_RESTART_ALWAYS:
		if (d->restart_backoff_ms != 0) {
			return "restart_backoff_ms must be zero when restart "
			       "is always";
		}
		break;
	case MANIFEST_RESTART_BACKOFF:
		if (d->restart_backoff_ms == 0 ||
		    d->restart_backoff_ms > MANIFEST_BACKOFF_MS_MAX) {
			return "restart_backoff_ms out of range";
		}
		break;
	default:
		return "restart policy is not never, always or backoff";
	}
	if (d->max_restarts == 0 || d->max_restarts > MANIFEST_RESTARTS_MAX) {
		return "max_restarts out of range";
	}
	if (d->restart_window_ms == 0 ||
	    d->restart_window_ms > MANIFEST_WINDOW_MS_MAX) {
		return "restart_window_ms out of range";
	}
	return NULL;
}

static const char *check_desc(const struct manifest_desc *d)
{
	const char *why;

	if (d->reserved != 0) {
		return "reserved field is not zero";
	}
	switch (check_name(d->name)) {
	case NAME_OK:
		break;
	case NAME_EMPTY:
		return "name is empty";
	case NAME_UNTERMINATED:
		return "name is not NUL-terminated";
	case NAME_BAD_CHAR:
		return "name has a character outside [a-z0-9_-]";
	case NAME_BAD_FIRST:
		return "name must start with [a-z0-9]";
	case NAME_TRAILING:
		return "name has bytes after its NUL";
	}
	if (d->flags & ~MANIFEST_F_ALL) {
		return "flags has unknown bits";
	}
	if (d->mem_pages == 0 || d->mem_pages > MANIFEST_MEM_PAGES_MAX) {
		return "mem_pages out of range";
	}
	if (d->threads == 0 || d->threads > MANIFEST_THREADS_MAX) {
		return "threads out of range";
	}
	why = check_restart(d);
	if (why) {
		return why;
	}
	why = check_ifaces(d->exports, d->nexports, MANIFEST_MAX_EXPORTS,
			   &export_why);
	if (why) {
		return why;
	}
	why = check_ifaces(d->imports, d->nimports, MANIFEST_MAX_IMPORTS,
			   &import_why);
	if (why) {
		return why;
	}
	return check_devices(d);
}

int manifest_parse(const void *desc, size_t len, struct manifest *out,
		   const char **why)
{
	struct manifest_desc d;
	const char *err;

	if (len != sizeof(d)) {
		*why = "descriptor size is not sizeof(struct manifest_desc)";
		return -ENOEXEC;
	}
	/* The image gives no alignment guarantee: copy before reading. */
	__builtin_memcpy(&d, desc, sizeof(d));
	if (d.magic != MANIFEST_MAGIC) {
		*why = "bad magic";
		return -ENOEXEC;
	}
	if (d.abi != MANIFEST_ABI_VERSION) {
		*why = "unsupported manifest ABI version";
		return -ENOEXEC;
	}
	err = check_desc(&d);
	if (err) {
		*why = err;
		return -EINVAL;
	}

	__builtin_memcpy(out->name, d.name, sizeof(out->name));
	out->version = d.version;
	out->flags = d.flags;
	out->mem_pages = d.mem_pages;
	out->threads = d.threads;
	out->restart = (enum manifest_restart)d.restart;
	out->max_restarts = d.max_restarts;
	out->restart_window_ms = d.restart_window_ms;
	out->restart_backoff_ms = d.restart_backoff_ms;
	out->nexports = d.nexports;
	out->nimports = d.nimports;
	out->ndevices = d.ndevices;
	__builtin_memcpy(out->exports, d.exports, sizeof(out->exports));
	__builtin_memcpy(out->imports, d.imports, sizeof(out->imports));
	__builtin_memcpy(out->devices, d.devices, sizeof(out->devices));
	*why = NULL;
	return 0;
}

static const struct manifest_iface *find_iface(const struct manifest_iface *v,
					       uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++) {
		size_t k = 0;

		while (k < MANIFEST_NAME_LEN && v[i].name[k] == name[k] &&
		       name[k] != '\0') {
			k++;
		}
		if (k < MANIFEST_NAME_LEN && v[i].name[k] == name[k]) {
			return &v[i];
		}
	}
	return NULL;
}

const struct manifest_iface *manifest_find_export(const struct manifest *m,
						  const char *name)
{
	return find_iface(m->exports, m->nexports, name);
}

const struct manifest_iface *manifest_find_import(const struct manifest *m,
						  const char *name)
{
	return find_iface(m->imports, m->nimports, name);
}

bool manifest_grants_device(const struct manifest *m, uint16_t vendor,
			    uint16_t device, uint32_t flags)
{
	for (uint32_t i = 0; i < m->ndevices; i++) {
		const struct manifest_device *d = &m->devices[i];

		if (d->vendor == vendor && d->device == device) {
			return (d->flags & flags) == flags;
		}
	}
	return false;
}
