// SPDX-License-Identifier: MIT
/*
 * Interfaces and handles (see call.h): SYS_IFACE_EXPORT with the
 * interface's descriptor, which the kernel validates and keeps to check
 * every call against; SYS_IFACE_CONNECT, which hands out a handle; and
 * handle words, which a call grants from one domain to the other.
 *
 * Locking: a domain's lock protects its exports and handle table. Every
 * change to a handle table also gives it a new handles_ver under that
 * lock; call.c reads handles_ver without the lock to tell that a table
 * has not changed since a thread cached what one of its handles reached.
 */
#include "call.h"

#include "abi/errno.h"
#include "abi/ipc.h"
#include "abi/ipc_desc.h"
#include "base/string.h"
#include "console.h"
#include "dom.h"
#include "heap.h"
#include "manifest.h"
#include "panic.h"
#include "svc.h"

static int copy_name(struct dom *d, uint64_t name, uint64_t len, char *out,
		     size_t outsz)
{
	if (len == 0 || len >= outsz) {
		return -EINVAL;
	}
	if (dom_copy_in(d, out, name, len)) {
		return -EFAULT;
	}
	out[len] = '\0';
	return 0;
}

static bool valid_name(const char *n, size_t cap)
{
	size_t i;

	if (n[0] < 'a' || n[0] > 'z') {
		return false;
	}
	for (i = 1; i < cap && n[i]; i++) {
		char c = n[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_')) {
			return false;
		}
	}
	if (i == cap) {
		return false; /* no NUL */
	}
	for (; i < cap; i++) {
		if (n[i]) {
			return false; /* bytes after the NUL must be zero */
		}
	}
	return true;
}

static bool valid_kinds(uint16_t kinds, unsigned int nwords)
{
	for (unsigned int w = 0; w < IPC_WORDS; w++) {
		unsigned int k = ipc_kind_at(kinds, w);

		if (k > IPC_KIND_HANDLE || (w >= nwords && k != 0)) {
			return false;
		}
	}
	return (kinds >> (3 * IPC_WORDS)) == 0;
}

/*
 * Check a descriptor copied from a domain; returns a static reason or
 * NULL if it is well formed.
 */
static const char *desc_problem(const struct ipc_iface_desc *desc)
{
	if (!valid_name(desc->name, sizeof(desc->name))) {
		return "bad interface name";
	}
	if (desc->fingerprint == 0 || desc->version == 0) {
		return "zero fingerprint or version";
	}
	for (uint32_t i = 0; i < desc->nmethods; i++) {
		const struct ipc_method_desc *m = &desc->methods[i];

		if (m->ordinal == 0 ||
		    (i > 0 && m->ordinal <= desc->methods[i - 1].ordinal)) {
			return "method ordinals are zero or not sorted";
		}
		if (m->nargs > IPC_WORDS || m->nres > IPC_WORDS ||
		    !valid_kinds(m->arg_kinds, m->nargs) ||
		    !valid_kinds(m->res_kinds, m->nres)) {
			return "bad argument or result kinds";
		}
		if ((m->flags & ~IPC_METHOD_FLAGS_ALL) || m->reserved0 ||
		    m->reserved1) {
			return "unknown flags or nonzero reserved fields";
		}
		if (!valid_name(m->name, sizeof(m->name))) {
			return "bad method name";
		}
	}
	return NULL;
}

/*
 * Copies the @n method entries at @uentries (0: none) into @entries and
 * checks that each pc is 0 or in @d's image; ctx and arg are the
 * domain's own words, passed back to it. Returns 0 or a negative errno.
 */
static long copy_entries(struct dom *d, struct ipc_entry *entries,
			 uint64_t uentries, uint32_t n)
{
	if (!uentries) {
		memset(entries, 0, n * sizeof(*entries));
		return 0;
	}
	if (dom_copy_in(d, entries, uentries, n * sizeof(*entries))) {
		return -EFAULT;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (entries[i].pc && entries[i].pc - d->base >= DOM_IMAGE_MAX) {
			return -EINVAL;
		}
	}
	return 0;
}

long call_sys_export(struct dom *d, uint64_t udesc, uint64_t dispatch,
		     uint64_t ctx, uint64_t ret_tramp, uint64_t uentries)
{
	struct ipc_iface_desc head;
	struct ipc_iface_desc *desc;
	const struct manifest_iface *mi;
	struct ipc_entry *entries;
	const char *why;
	size_t size;
	long err;
	int slot = -1;

	if (dom_copy_in(d, &head, udesc, sizeof(head))) {
		return -EFAULT;
	}
	if (head.nmethods > IPC_DESC_MAX_METHODS) {
		return -EINVAL;
	}
	/* The method entries live right after the descriptor (dom.h). */
	size = ipc_iface_desc_size(head.nmethods);
	desc = kmalloc(size + head.nmethods * sizeof(*entries));
	if (!desc) {
		return -ENOMEM;
	}
	entries = (struct ipc_entry *)((char *)desc + size);
	if (dom_copy_in(d, desc, udesc, size)) {
		kfree(desc);
		return -EFAULT;
	}
	/* The domain may have changed it between the two copies. */
	desc->nmethods = head.nmethods;
	why = desc_problem(desc);
	if (why) {
		kprintf("dom: %s: export refused: malformed descriptor: %s\n",
			d->mf->name, why);
		kfree(desc);
		return -EINVAL;
	}
	/* Only what the signed manifest declares, with its fingerprint. */
	mi = manifest_find_export(d->mf, desc->name);
	if (!mi || mi->fingerprint != desc->fingerprint) {
		kprintf("dom: %s: export of '%s' refused: %s\n", d->mf->name,
			desc->name,
			mi ? "fingerprint differs from the manifest's"
			   : "not declared in the manifest");
		kfree(desc);
		return -EPERM;
	}
	if (dispatch - d->base >= DOM_IMAGE_MAX ||
	    ret_tramp - d->base >= DOM_IMAGE_MAX) {
		kfree(desc);
		return -EINVAL;
	}
	err = copy_entries(d, entries, uentries, desc->nmethods);
	if (err) {
		kfree(desc);
		return err;
	}
	spin_lock(&d->lock);
	for (int i = 0; i < DOM_MAX_EXPORTS; i++) {
		if (d->exports[i].used &&
		    strcmp(d->exports[i].name, desc->name) == 0) {
			spin_unlock(&d->lock);
			kfree(desc);
			return -EEXIST;
		}
		if (!d->exports[i].used && slot < 0) {
			slot = i;
		}
	}
	if (slot < 0) {
		spin_unlock(&d->lock);
		kfree(desc);
		return -ENOSPC;
	}
	strlcpy(d->exports[slot].name, desc->name,
		sizeof(d->exports[slot].name));
	d->exports[slot].fingerprint = desc->fingerprint;
	d->exports[slot].name_id = ipc_iface_name_id(desc->name);
	d->exports[slot].dispatch = dispatch;
	d->exports[slot].ctx = ctx;
	d->exports[slot].ret_tramp = ret_tramp;
	d->exports[slot].entries = entries;
	d->exports[slot].desc = desc;
	__atomic_store_n(&d->exports[slot].used, true, __ATOMIC_RELEASE);
	spin_unlock(&d->lock);
	return 0;
}

const struct ipc_method_desc *
call_find_method(const struct ipc_iface_desc *desc, unsigned int ordinal)
{
	uint32_t lo = 0;
	uint32_t hi = desc->nmethods;

	/* Dense ordinals 1..n are the common case. */
	if (ordinal - 1 < hi && desc->methods[ordinal - 1].ordinal == ordinal) {
		return &desc->methods[ordinal - 1];
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (desc->methods[mid].ordinal == ordinal) {
			return &desc->methods[mid];
		}
		if (desc->methods[mid].ordinal < ordinal) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return NULL;
}

/* The last handles_ver handed out; values are never reused. */
static uint64_t handles_ver_last;

void call_handles_changed(struct dom *d)
{
	ASSERT(spin_is_held(&d->lock));
	__atomic_store_n(
		&d->handles_ver,
		__atomic_add_fetch(&handles_ver_last, 1, __ATOMIC_RELAXED),
		__ATOMIC_RELEASE);
}

/* A new handle of @d to interface @name_id of service @s. */
static long handle_install(struct dom *d, struct svc *s, uint64_t name_id)
{
	uint32_t gen = READ_ONCE(s->gen);

	spin_lock(&d->lock);
	for (int h = 0; h < DOM_MAX_HANDLES; h++) {
		if (!d->handles[h].svc) {
			svc_get(s);
			d->handles[h].svc = s;
			d->handles[h].name_id = name_id;
			d->handles[h].gen = gen;
			call_handles_changed(d);
			spin_unlock(&d->lock);
			return h;
		}
	}
	spin_unlock(&d->lock);
	return -ENOSPC;
}

long call_sys_connect(struct dom *d, uint64_t name, uint64_t len, uint64_t fp)
{
	char n[32];
	const struct manifest_iface *mi;
	struct dom *target = NULL;
	uint64_t name_id = 0;
	uint64_t their_fp = 0;
	long h;
	int err = copy_name(d, name, len, n, sizeof(n));

	if (err) {
		return err;
	}
	mi = manifest_find_import(d->mf, n);
	if (!mi || mi->fingerprint != fp) {
		kprintf("dom: %s: import of '%s' refused: %s\n", d->mf->name, n,
			mi ? "fingerprint differs from the manifest's"
			   : "not declared in the manifest");
		return -EPERM;
	}
	/* Find a running exporter (the lowest domain id wins). */
	for (uint64_t id = 1; id < (1u << 20) && !target; id++) {
		struct dom *c = dom_lookup(id);

		if (!c) {
			struct dom_stats st;

			dom_get_stats(&st);
			if (id > st.created) {
				break;
			}
			continue;
		}
		spin_lock(&c->lock);
		for (unsigned int i = 0; i < DOM_MAX_EXPORTS; i++) {
			if (c->state == DOM_RUNNING && c->exports[i].used &&
			    strcmp(c->exports[i].name, n) == 0) {
				target = c;
				name_id = c->exports[i].name_id;
				their_fp = c->exports[i].fingerprint;
				break;
			}
		}
		spin_unlock(&c->lock);
		if (!target) {
			dom_put(c);
		}
	}
	if (!target) {
		return -ENOENT;
	}
	if (their_fp != fp) {
		kprintf("dom: %s imports '%s' with fingerprint %#lx but %s "
			"exports it with %#lx: refused\n",
			d->mf->name, n, fp, target->mf->name, their_fp);
		dom_put(target);
		return -EBADMSG;
	}
	h = handle_install(d, target->svc, name_id);
	dom_put(target);
	return h;
}

void call_release_handles(struct dom *d)
{
	call_revoke_handles(d, ~0ull);
}

int call_grant_handles(struct dom *from, struct dom *to, uint64_t words[],
		       uint16_t kinds, const uint64_t types[],
		       uint64_t *granted)
{
	struct svc *target[IPC_WORDS] = {NULL};
	int err = 0;

	*granted = 0;
	/* Check every handle word before granting any. */
	spin_lock(&from->lock);
	for (unsigned int w = 0; w < IPC_WORDS; w++) {
		struct dom_handle *hd;

		if (ipc_kind_at(kinds, w) != IPC_KIND_HANDLE ||
		    words[w] == IPC_NO_HANDLE) {
			continue;
		}
		if (words[w] >= DOM_MAX_HANDLES ||
		    !from->handles[words[w]].svc) {
			err = -EBADF;
			break;
		}
		hd = &from->handles[words[w]];
		if (hd->name_id != types[w]) {
			err = -EINVAL; /* not the interface the method takes */
			break;
		}
		target[w] = hd->svc;
		svc_get(target[w]);
	}
	spin_unlock(&from->lock);
	for (unsigned int w = 0; w < IPC_WORDS && !err; w++) {
		long h;

		if (!target[w]) {
			continue;
		}
		h = handle_install(to, target[w], types[w]);
		if (h < 0) {
			err = (int)h;
			break;
		}
		words[w] = (uint64_t)h;
		*granted |= 1ull << h;
	}
	for (unsigned int w = 0; w < IPC_WORDS; w++) {
		if (target[w]) {
			svc_put(target[w]);
		}
	}
	if (err) {
		call_revoke_handles(to, *granted);
		*granted = 0;
	}
	return err;
}

void call_revoke_handles(struct dom *d, uint64_t mask)
{
	for (int h = 0; h < DOM_MAX_HANDLES; h++) {
		struct svc *s;

		if (!(mask & (1ull << h))) {
			continue;
		}
		spin_lock(&d->lock);
		s = d->handles[h].svc;
		d->handles[h].svc = NULL;
		if (s) {
			call_handles_changed(d);
		}
		spin_unlock(&d->lock);
		if (s) {
			svc_put(s);
		}
	}
}
