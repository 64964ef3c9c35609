// SPDX-License-Identifier: MIT
/*
 * The domain loader: signature, validation, mapping, relocation, start.
 * Validate, then act: the signature and every byte of the ELF structure
 * are checked (sig_verify.c, elf_check.c) before a single page is mapped,
 * and a refusal prints one line naming the image and the reason.
 *
 * Segments are mapped with exactly their ELF permissions (elf_check has
 * already refused W+X); relocations are written through the direct map, so
 * read-only and RELRO pages never need to be writable in ring 3.
 */
#include "abi/errno.h"
#include "arch/x86_64/paging.h"
#include "base/string.h"
#include "console.h"
#include "dom.h"
#include "time.h"
#include "heap.h"
#include "multiboot.h"
#include "panic.h"
#include "pmm.h"
#include "sig_verify.h"
#include "svc.h"

#define BOOT_STR_MAX 256

static const struct elf_limits dom_elf_limits = ELF_DOMAIN_LIMITS;

static void refuse(const char *name, const char *what, const char *why)
{
	dom_count_rejected();
	kprintf("dom: %s: refused: %s%s%s\n", name, what, why ? ": " : "",
		why ? why : "");
}

static unsigned int seg_prot(uint32_t p)
{
	return (p & ELF_PROT_R ? PROT_READ : 0) |
	       (p & ELF_PROT_W ? PROT_WRITE : 0) |
	       (p & ELF_PROT_X ? PROT_EXEC : 0);
}

/* Frame behind image offset @va (region-relative), via the mappings. */
static uint8_t *image_byte(struct dom *d, uint64_t va)
{
	struct list_head *pos;

	list_for_each(pos, &d->mappings)
	{
		struct dom_mapping *m =
			list_entry(pos, struct dom_mapping, link);
		uint64_t start = m->va - d->base;

		if (va >= start && va < start + m->npages * PAGE_SIZE) {
			uint64_t off = va - start;

			return (uint8_t *)phys_to_virt(
				       m->frames[off / PAGE_SIZE]) +
			       off % PAGE_SIZE;
		}
	}
	return NULL;
}

/* Copy @n bytes to region-relative @va, across pages. */
static void image_write(struct dom *d, uint64_t va, const void *src, size_t n)
{
	const uint8_t *s = src;

	while (n > 0) {
		uint8_t *dst = image_byte(d, va);
		size_t chunk = MIN(n, PAGE_SIZE - va % PAGE_SIZE);

		VERIFY(dst != NULL); /* elf_check proved it is mapped */
		memcpy(dst, s, chunk);
		va += chunk;
		s += chunk;
		n -= chunk;
	}
}

/*
 * Map every PT_LOAD segment page by page. Pages shared by two segments
 * (elf_check allows only page-disjoint segments) do not occur; a page that
 * lies in the RELRO range is mapped read-only.
 */
static int map_segments(struct dom *d, const struct elf_plan *plan)
{
	for (uint32_t i = 0; i < plan->nsegs; i++) {
		const struct elf_segment *s = &plan->segs[i];
		uint64_t start = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
		uint64_t end = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
		unsigned int prot = seg_prot(s->prot);
		int err;

		for (uint64_t va = start; va < end; va += PAGE_SIZE) {
			unsigned int p = prot;

			if (va >= plan->relro_start &&
			    va + PAGE_SIZE <= plan->relro_end) {
				p &= ~PROT_WRITE;
			}
			err = dom_map_pages(d, d->base + va, 1, p, NULL);
			if (err) {
				return err;
			}
		}
	}
	return 0;
}

static void copy_and_relocate(struct dom *d, const uint8_t *img,
			      const struct elf_plan *plan)
{
	for (uint32_t i = 0; i < plan->nsegs; i++) {
		const struct elf_segment *s = &plan->segs[i];

		image_write(d, s->vaddr, img + s->offset, s->filesz);
	}
	for (uint64_t i = 0; i < plan->rela_count; i++) {
		uint64_t where;
		uint64_t addend;
		uint64_t value;

		elf_plan_reloc(img, plan, i, &where, &addend);
		value = d->base + addend;
		image_write(d, where, &value, sizeof(value));
	}
}

/* The boot string goes in a read-only page at the start of the heap. */
static int map_boot_string(struct dom *d, const char *boot, vaddr_t *out)
{
	struct dom_mapping *m;
	size_t len = strnlen(boot, BOOT_STR_MAX - 1);
	int err = dom_map_pages(d, d->base + DOM_HEAP_OFF, 1, PROT_READ, &m);

	if (err) {
		return err;
	}
	memcpy(phys_to_virt(m->frames[0]), boot, len);
	*out = m->va;
	return 0;
}

static int create(const char *name, const void *img, size_t size, bool verified,
		  uint64_t arg, const char *boot_str, struct svc *svc,
		  struct dom **out);

int dom_create_from(const char *name, const void *img, size_t size,
		    uint64_t arg, const char *boot_str, struct dom **out)
{
	return create(name, img, size, false, arg, boot_str, NULL, out);
}

int dom_create_instance(const char *name, const void *img, size_t size,
			uint64_t arg, const char *boot_str, struct svc *svc,
			struct dom **out)
{
	return create(name, img, size, true, arg, boot_str, svc, out);
}

/*
 * Load @img. With @verified, its signature was checked before and @size
 * is the signed length (restarts, boot modules seen before).
 */
static int create(const char *name, const void *img, size_t size, bool verified,
		  uint64_t arg, const char *boot_str, struct svc *svc,
		  struct dom **out)
{
	struct elf_plan *plan = kzalloc(sizeof(*plan));
	size_t signed_len;
	const char *why = NULL;
	struct dom *d;
	vaddr_t boot_va;
	uint64_t tid;
	int err;

	if (!plan) {
		return -ENOMEM;
	}
	if (verified) {
		signed_len = size;
		err = 0;
	} else {
		err = sig_check_image(name, img, size, &signed_len);
	}
	if (err) {
		refuse(name, sig_error_reason(err), NULL);
		goto out_free_plan;
	}
	err = elf_check(img, signed_len, &dom_elf_limits, plan, &why);
	if (err) {
		refuse(name, "invalid image", why);
		goto out_free_plan;
	}
	/* The image, one boot page and the main stack must fit the quota. */
	if (plan->image_pages + 1 + DOM_STACK_SIZE / PAGE_SIZE >
	    plan->manifest.mem_pages) {
		refuse(name, "over quota",
		       "image and main stack exceed "
		       "the manifest's memory quota");
		err = -EDQUOT;
		goto out_free_plan;
	}
	err = dom_alloc(&d);
	if (err) {
		refuse(name,
		       err == -ENOSPC ? "no free domain slot" : "out of memory",
		       NULL);
		goto out_free_plan;
	}
	/* The caller's reference, taken before any thread can end d. */
	dom_get(d);
	d->plan = plan;
	d->mf = &plan->manifest;
	d->image = img;
	d->image_size = signed_len;
	strlcpy(d->module, name, sizeof(d->module));
	err = aspace_create(&d->as);
	if (err) {
		goto out_abort;
	}
	err = map_segments(d, plan);
	if (err) {
		goto out_abort;
	}
	copy_and_relocate(d, img, plan);
	err = map_boot_string(d, boot_str ? boot_str : "", &boot_va);
	if (err) {
		goto out_abort;
	}
	if (svc) {
		svc_get(svc);
		d->svc = svc;
		d->restarted = true;
		svc_attach(d);
	} else {
		err = svc_create(d, img, signed_len, arg, boot_str);
		if (err) {
			goto out_abort;
		}
	}
	pr_info("dom: %s: starting domain %lu (%s v%u), region %#lx, "
		"%lu image pages",
		name, d->id, d->mf->name, d->mf->version, d->base,
		plan->image_pages);
	/* Running from before its first thread: it may end at once. */
	spin_lock(&d->lock);
	d->state = DOM_RUNNING;
	__atomic_fetch_and(&d->fast_off, ~DOM_FAST_OFF_DEAD, __ATOMIC_RELEASE);
	d->start_ns = time_ns();
	spin_unlock(&d->lock);
	err = dom_thread_create(d, d->base + plan->entry, arg, boot_va, &tid);
	if (err) {
		goto out_abort;
	}
	*out = d;
	return 0;

out_abort:
	refuse(name, "could not be set up", errno_name(err));
	if (d->svc) {
		svc_instance_ended(d);
	}
	dom_abort_load(d);
	dom_put(d);
	return err;
out_free_plan:
	kfree(plan);
	return err;
}

/*
 * Signed lengths of boot modules whose signature checked out: boot
 * modules sit in kernel memory no domain can write, so one check each is
 * enough (a fault campaign starts the same client a thousand times).
 */
static size_t module_signed_len[BOOT_MODULES_MAX];

int dom_create(const char *module, uint64_t arg, const char *boot_str,
	       struct dom **out)
{
	for (size_t i = 0; i < boot_info.module_count; i++) {
		const struct boot_module *m = &boot_info.modules[i];
		size_t known = READ_ONCE(module_signed_len[i]);
		int err;

		if (strcmp(m->name, module) != 0) {
			continue;
		}
		err = create(module, phys_to_virt(m->start),
			     known ? known : m->end - m->start, known != 0, arg,
			     boot_str, NULL, out);
		if (!err && !known) {
			WRITE_ONCE(module_signed_len[i], (*out)->image_size);
		}
		return err;
	}
	kprintf("dom: %s: refused: no boot module of that name\n", module);
	return -ENOENT;
}
