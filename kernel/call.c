// SPDX-License-Identifier: MIT
/*
 * Cross-domain calls (see call.h and lib/abi/ipc.h).
 *
 * SYS_CALL: validate the handle and the argument kinds, map a stack for
 * this call in the callee, push a call frame with the caller's saved
 * ring-3 state, move the thread into the callee (its domain and page
 * table) and enter the callee's dispatch function. SYS_CALL_RETURN is the
 * mirror. If the callee fails while threads are inside it, each of them is
 * resumed in its caller with -EDOMDEAD in rax; only the kernel writes rax
 * on that path, so a callee cannot forge a transport error.
 *
 * Locking: callee->lock protects its visitors list and its stack mappings;
 * the thread's call stack (t->calls) is touched only by the thread itself.
 */
#include "call.h"

#include "abi/errno.h"
#include "abi/ipc.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/user.h"
#include "base/string.h"
#include "console.h"
#include "dom.h"
#include "heap.h"
#include "panic.h"
#include "percpu.h"
#include "thread.h"
#include "time.h"
#include "cmdline.h"

/* Marks a frame that must leave through iretq (rcx carries an argument). */
#define IPC_ENTRY_VECTOR 0x101

#define CALL_STACK_PAGES 4 /* 16 KiB per call */

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

long call_sys_export(struct dom *d, uint64_t name, uint64_t len, uint64_t fp,
		     uint64_t dispatch, uint64_t ctx, uint64_t ret_tramp)
{
	char n[32];
	const struct manifest_iface *mi;
	int err = copy_name(d, name, len, n, sizeof(n));
	int slot = -1;

	if (err) {
		return err;
	}
	/* Only what the signed manifest declares, with its fingerprint. */
	mi = manifest_find_export(d->mf, n);
	if (!mi || mi->fingerprint != fp) {
		kprintf("dom: %s: export of '%s' refused: %s\n", d->mf->name, n,
			mi ? "fingerprint differs from the manifest's"
			   : "not declared in the manifest");
		return -EPERM;
	}
	if (dispatch - d->base >= DOM_IMAGE_MAX ||
	    ret_tramp - d->base >= DOM_IMAGE_MAX) {
		return -EINVAL;
	}
	spin_lock(&d->lock);
	for (int i = 0; i < DOM_MAX_EXPORTS; i++) {
		if (d->exports[i].used && strcmp(d->exports[i].name, n) == 0) {
			spin_unlock(&d->lock);
			return -EEXIST;
		}
		if (!d->exports[i].used && slot < 0) {
			slot = i;
		}
	}
	if (slot < 0) {
		spin_unlock(&d->lock);
		return -ENOSPC;
	}
	strlcpy(d->exports[slot].name, n, sizeof(d->exports[slot].name));
	d->exports[slot].fingerprint = fp;
	d->exports[slot].dispatch = dispatch;
	d->exports[slot].ctx = ctx;
	d->exports[slot].ret_tramp = ret_tramp;
	d->exports[slot].used = true;
	spin_unlock(&d->lock);
	return 0;
}

long call_sys_connect(struct dom *d, uint64_t name, uint64_t len, uint64_t fp)
{
	char n[32];
	const struct manifest_iface *mi;
	struct dom *target = NULL;
	unsigned int exp = 0;
	uint64_t their_fp = 0;
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
			continue;
		}
		spin_lock(&c->lock);
		for (unsigned int i = 0; i < DOM_MAX_EXPORTS; i++) {
			if (c->state == DOM_RUNNING && c->exports[i].used &&
			    strcmp(c->exports[i].name, n) == 0) {
				target = c;
				exp = i;
				their_fp = c->exports[i].fingerprint;
				break;
			}
		}
		spin_unlock(&c->lock);
		if (!target) {
			dom_put(c);
		}
		if (id > 64 && !target) {
			struct dom_stats st;

			dom_get_stats(&st);
			if (id > st.created) {
				break;
			}
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
	spin_lock(&d->lock);
	for (int h = 0; h < DOM_MAX_HANDLES; h++) {
		if (!d->handles[h].target) {
			d->handles[h].target = target;
			d->handles[h].export = exp;
			spin_unlock(&d->lock);
			return h;
		}
	}
	spin_unlock(&d->lock);
	dom_put(target);
	return -ENOSPC;
}

void call_release_handles(struct dom *d)
{
	for (int h = 0; h < DOM_MAX_HANDLES; h++) {
		struct dom *t;

		spin_lock(&d->lock);
		t = d->handles[h].target;
		d->handles[h].target = NULL;
		spin_unlock(&d->lock);
		if (t) {
			dom_put(t);
		}
	}
}

/* Keep @f as @t's spare frame, or free it if there is one already. */
void call_frame_release(struct thread *t, struct call_frame *f)
{
	if (!t->frame_cache) {
		t->frame_cache = f;
	} else {
		kfree(f);
	}
}

/* Move the current thread into @to (domain and page table). */
static void thread_enter(struct thread *t, struct dom *to)
{
	irq_push_off();
	t->dom = to;
	t->as = to->as;
	aspace_switch(to->as);
	irq_pop_off();
}

static unsigned int depth(const struct call_frame *f)
{
	unsigned int n = 0;

	for (; f; f = f->prev) {
		n++;
	}
	return n;
}

long call_sys_call(struct dom *d, struct trap_frame *tf)
{
	struct thread *t = thread_current();
	uint64_t cw = tf->rdi;
	unsigned int handle = (cw >> IPC_CW_HANDLE_SHIFT) & 0xffff;
	unsigned int ordinal = (cw >> IPC_CW_ORDINAL_SHIFT) & 0xffff;
	uint16_t kinds = (uint16_t)((cw >> IPC_CW_ARGK_SHIFT) & 0xfff);
	uint16_t rkinds = (uint16_t)((cw >> IPC_CW_RESK_SHIFT) & 0xfff);
	uint64_t in[IPC_WORDS] = {tf->rsi, tf->rdx, tf->r10, tf->r8};
	struct dom_export exp;
	struct call_frame *f;
	struct dom *callee;
	vaddr_t top;
	uint64_t *frame_words;
	int err;

	if (handle >= DOM_MAX_HANDLES) {
		return -EBADF;
	}
	/* rref arguments need the shared heap, which is not there yet. */
	if (kinds != 0 || rkinds != 0) {
		return -EINVAL;
	}
	if (depth(t->calls) >= CALL_DEPTH_MAX) {
		return -EAGAIN;
	}
	spin_lock(&d->lock);
	callee = d->handles[handle].target;
	if (callee) {
		dom_get(callee);
		exp = callee->exports[d->handles[handle].export];
	}
	spin_unlock(&d->lock);
	if (!callee) {
		return -EBADF;
	}
	/* A frame from this thread's last call saves a heap round trip. */
	f = t->frame_cache;
	t->frame_cache = NULL;
	if (!f) {
		f = kmalloc(sizeof(*f));
	}
	if (!f) {
		dom_put(callee);
		return -ENOMEM;
	}
	f->prev = NULL;
	f->stack = NULL;
	f->thread = t;
	f->caller = d;
	f->callee = callee;
	f->saved = *tf;
	f->start_ns = time_ns();

	spin_lock(&callee->lock);
	if (callee->state != DOM_RUNNING) {
		spin_unlock(&callee->lock);
		err = -EDOMDEAD;
		goto out_free;
	}
	/* Reuse this thread's stack from its last call into callee. */
	if (t->stack_dom == callee && t->stack_cache) {
		f->stack = t->stack_cache;
		t->stack_cache = NULL;
		err = 0;
	} else {
		err = dom_map_call_stack(callee, CALL_STACK_PAGES, &f->stack);
	}
	if (err) {
		spin_unlock(&callee->lock);
		goto out_free;
	}
	list_push_back(&callee->visitors, &f->visit_link);
	callee->nvisitors++;
	spin_unlock(&callee->lock);

	/*
	 * Callee stack, top down: out[4], in[4], then the return address
	 * (ret_tramp) where rsp points, as after a call instruction.
	 */
	top = f->stack->va + CALL_STACK_PAGES * PAGE_SIZE;
	frame_words =
		(uint64_t *)((char *)phys_to_virt(
				     f->stack->frames[CALL_STACK_PAGES - 1]) +
			     PAGE_SIZE) -
		2 * IPC_WORDS;
	memcpy(frame_words + IPC_WORDS, in, sizeof(in)); /* in[] above out[] */
	memset(frame_words, 0, IPC_WORDS * sizeof(uint64_t));
	frame_words[-1] = 0;
	frame_words[-2] = 0;
	frame_words[-3] = exp.ret_tramp; /* rsp = 8 mod 16, as at a call */

	f->prev = t->calls;
	t->calls = f;
	thread_enter(t, callee);

	memset(tf, 0, sizeof(*tf));
	tf->rip = exp.dispatch;
	tf->rsp = top - 2 * IPC_WORDS * 8 - 24;
	tf->rdi = exp.ctx;
	tf->rsi = ordinal;
	tf->rdx = top - IPC_WORDS * 8;	   /* in[] */
	tf->rcx = top - 2 * IPC_WORDS * 8; /* out[] */
	tf->cs = GDT_UCODE;
	tf->ss = GDT_UDATA;
	tf->rflags = USER_RFLAGS;
	tf->vector = IPC_ENTRY_VECTOR;
	return 0;

out_free:
	call_frame_release(t, f);
	dom_put(callee);
	return err;
}

/*
 * Forget @t's cached call stack. Under the domain's lock: while it is
 * RUNNING the stack is ours to free; once it is dying, teardown frees it
 * with the rest of its mappings.
 */
void call_drop_stack_cache(struct thread *t)
{
	struct dom *d = t->stack_dom;

	if (!d) {
		return;
	}
	spin_lock(&d->lock);
	if (t->stack_cache && d->state == DOM_RUNNING) {
		dom_free_call_stack(d, t->stack_cache);
	}
	spin_unlock(&d->lock);
	t->stack_cache = NULL;
	t->stack_dom = NULL;
	dom_put(d);
}

/*
 * Take @f off its callee. A completed call keeps its stack for the
 * thread's next call into the same callee (@keep); an unwound one frees it.
 */
static void leave_callee(struct call_frame *f, bool keep)
{
	struct dom *callee = f->callee;
	struct thread *t = f->thread;

	if (keep && t->stack_dom != callee) {
		call_drop_stack_cache(t);
	}
	spin_lock(&callee->lock);
	list_unlink(&f->visit_link);
	callee->nvisitors--;
	if (keep && callee->state == DOM_RUNNING && !t->stack_cache) {
		if (!t->stack_dom) {
			dom_get(callee);
			t->stack_dom = callee;
		}
		t->stack_cache = f->stack;
	} else if (callee->state == DOM_RUNNING) {
		dom_free_call_stack(callee, f->stack);
	}
	spin_unlock(&callee->lock);
}

long call_sys_return(struct dom *d, struct trap_frame *tf)
{
	struct thread *t = thread_current();
	struct call_frame *f = t->calls;
	int32_t app = (int32_t)tf->rdi;
	uint64_t out[IPC_WORDS];
	const uint64_t *words;

	if (!f || f->callee != d) {
		dom_fail_current(SYS_FAULT_BAD_SYSCALL, SYS_CALL_RETURN,
				 tf->rip, tf, "SYS_CALL_RETURN outside a call");
	}
	words = (const uint64_t
			 *)((char *)phys_to_virt(
				    f->stack->frames[CALL_STACK_PAGES - 1]) +
			    PAGE_SIZE) -
		2 * IPC_WORDS;
	memcpy(out, words, sizeof(out));
	leave_callee(f, true);
	t->calls = f->prev;
	thread_enter(t, f->caller);
	*tf = f->saved;
	tf->rdi = out[0];
	tf->rsi = out[1];
	tf->rdx = out[2];
	tf->r10 = out[3];
	tf->r8 = (uint64_t)(int64_t)app;
	dom_put(f->callee);
	call_frame_release(t, f);
	return 0; /* rax: the call itself went through */
}

void call_unwind_current(void)
{
	struct thread *t = thread_current();
	struct call_frame *f = t->calls;
	struct trap_frame tf;

	VERIFY(f != NULL && f->callee == t->dom);
	leave_callee(f, false);
	t->calls = f->prev;
	thread_enter(t, f->caller);
	tf = f->saved;
	tf.rax = (uint64_t)-EDOMDEAD;
	tf.rdi = 0;
	tf.rsi = 0;
	tf.rdx = 0;
	tf.r10 = 0;
	tf.r8 = 0;
	dom_put(f->callee);
	call_frame_release(t, f);
	/* The caller may be dying too: then it leaves or unwinds further. */
	dom_check_alive();
	user_enter_frame(&tf);
}

/* --- Watchdog ------------------------------------------------------------ */

static uint64_t callwd_ms = 2000;
CMDLINE_OPTION(callwd_opt, .name = "callwd_ms", .type = CMDLINE_UINT,
	       .value = &callwd_ms, .min = 10, .max = 3600000,
	       .help = "fail a callee that keeps a cross-domain call longer "
		       "than this many milliseconds");

static int call_watchdog_main(void *arg)
{
	for (;;) {
		thread_sleep_ns(callwd_ms * NSEC_PER_MSEC / 4);
		dom_watchdog_scan(time_ns(), callwd_ms * NSEC_PER_MSEC);
	}
	return 0;
}

void call_watchdog_init(void)
{
	struct thread *t;

	MUST(thread_create(&t, "call_watchdog", call_watchdog_main, NULL,
			   THREAD_ANY_CPU));
}
