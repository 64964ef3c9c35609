// SPDX-License-Identifier: MIT
/*
 * Fault injection (see faultinj.h). The hooks cost one load and a branch
 * when nothing is armed.
 */
#include "faultinj.h"

#include "abi/errno.h"
#include "abi/layout.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "call.h"
#include "dom.h"
#include "elf_check.h"
#include "svc.h"
#include "thread.h"
#include "time.h"

/* How many instances in a row FI_CRASH_LOOP makes fail. */
#define FI_LOOP_INSTANCES 1000000u

static const char *const names[FI_NKINDS] = {
	[FI_CODE_FLIP] = "code bit flip",
	[FI_REG_FLIP] = "register bit flip",
	[FI_CRASH] = "crash",
	[FI_HANG] = "call never returns",
	[FI_BOGUS_RREF] = "bogus rref result",
	[FI_INIT_CRASH] = "crash, then in init",
	[FI_CRASH_LOOP] = "crash loop",
};

const char *faultinj_name(enum fi_kind k)
{
	return k < FI_NKINDS ? names[k] : "?";
}

/*
 * While an injection is pending, calls into and returns from @d take the
 * general path (call_fast.c), where the hooks are.
 */
static void fast_off(struct dom *d)
{
	spin_lock(&d->lock);
	call_fast_block(d, DOM_FAST_OFF_INJECT);
	spin_unlock(&d->lock);
}

static void arm(struct dom *d, uint32_t bits)
{
	__atomic_fetch_or(&d->inject, bits, __ATOMIC_RELEASE);
	fast_off(d);
}

/* Nothing pending any more: the fast path again, unless armed meanwhile. */
static void fast_sync(struct dom *d)
{
	if (__atomic_load_n(&d->inject, __ATOMIC_SEQ_CST) != 0) {
		return;
	}
	__atomic_fetch_and(&d->fast_off, ~DOM_FAST_OFF_INJECT,
			   __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&d->inject, __ATOMIC_SEQ_CST) != 0) {
		fast_off(d);
	}
}

/* The byte at @va of @d's code, through the direct map; NULL if none. */
static uint8_t *code_byte(struct dom *d, uint64_t va)
{
	paddr_t pa;
	unsigned int prot;

	if (aspace_query(d->as, va & ~(uint64_t)(PAGE_SIZE - 1), &pa, &prot)) {
		return NULL;
	}
	return (uint8_t *)phys_to_virt(pa) + (va & (PAGE_SIZE - 1));
}

void faultinj_disarm(struct dom *d)
{
	__atomic_store_n(&d->inject, 0, __ATOMIC_RELEASE);
	fast_sync(d);
	/* Init crashes meant for the instances after this one, too. */
	__atomic_store_n(&d->svc->inject_init, 0, __ATOMIC_RELEASE);
	spin_lock(&d->lock);
	if (d->inject_code_va && d->state == DOM_RUNNING) {
		uint8_t *b = code_byte(d, d->inject_code_va);

		if (b) {
			*b = d->inject_code_byte;
		}
	}
	d->inject_code_va = 0;
	spin_unlock(&d->lock);
}

static int flip_code(struct dom *d, uint64_t rnd)
{
	const struct elf_plan *p = d->plan;
	uint64_t text = 0;
	uint64_t pick;
	int err = -EINVAL;

	for (uint32_t i = 0; i < p->nsegs; i++) {
		if (p->segs[i].prot & ELF_PROT_X) {
			text += p->segs[i].filesz;
		}
	}
	if (text == 0) {
		return -EINVAL;
	}
	pick = (rnd >> 3) % text;
	spin_lock(&d->lock);
	for (uint32_t i = 0; i < p->nsegs && d->state == DOM_RUNNING; i++) {
		const struct elf_segment *s = &p->segs[i];
		uint8_t *b;

		if (!(s->prot & ELF_PROT_X)) {
			continue;
		}
		if (pick >= s->filesz) {
			pick -= s->filesz;
			continue;
		}
		b = code_byte(d, d->base + s->vaddr + pick);
		if (b) {
			d->inject_code_va = d->base + s->vaddr + pick;
			d->inject_code_byte = *b;
			/* The direct map is writable; no CPU caches code
			 * apart from data on x86, bar the pipeline. */
			*b ^= (uint8_t)(1u << (rnd & 7));
			err = 0;
		}
		break;
	}
	spin_unlock(&d->lock);
	return err;
}

int faultinj_arm(struct dom *d, enum fi_kind k, uint64_t rnd)
{
	if (READ_ONCE(d->state) != DOM_RUNNING) {
		return -EINVAL;
	}
	d->inject_rnd = rnd;
	d->inject_skip = (uint32_t)((rnd >> 40) % 32);
	switch (k) {
	case FI_CODE_FLIP:
		return flip_code(d, rnd);
	case FI_REG_FLIP:
		arm(d, FI_PEND_REG);
		return 0;
	case FI_CRASH:
		arm(d, FI_PEND_CRASH);
		return 0;
	case FI_HANG:
		arm(d, FI_PEND_HANG);
		return 0;
	case FI_BOGUS_RREF:
		arm(d, FI_PEND_BOGUS);
		return 0;
	case FI_INIT_CRASH:
		__atomic_store_n(&d->svc->inject_init, 1, __ATOMIC_RELEASE);
		arm(d, FI_PEND_CRASH);
		return 0;
	case FI_CRASH_LOOP:
		__atomic_store_n(&d->svc->inject_init, FI_LOOP_INSTANCES,
				 __ATOMIC_RELEASE);
		arm(d, FI_PEND_CRASH);
		return 0;
	default:
		return -EINVAL;
	}
}

/* Take @bit off @d's pending set; true if this thread got it. */
static bool claim(struct dom *d, uint32_t bit)
{
	bool got = (__atomic_fetch_and(&d->inject, ~bit, __ATOMIC_ACQ_REL) &
		    bit) != 0;

	fast_sync(d);
	return got;
}

void faultinj_user_return(struct trap_frame *tf)
{
	struct thread *t = thread_current();
	struct dom *d = t->dom;
	uint32_t pend;
	uint64_t rnd;

	if (!d || !(pend = READ_ONCE(d->inject))) {
		return;
	}
	/* A random point: let some ring-3 entries go by first. */
	if (READ_ONCE(d->inject_skip) > 0 &&
	    __atomic_sub_fetch(&d->inject_skip, 1, __ATOMIC_RELAXED) > 0) {
		return;
	}
	rnd = d->inject_rnd;
	if ((pend & FI_PEND_CRASH) && claim(d, FI_PEND_CRASH)) {
		tf->rip = 0; /* a page fault in ring 3, like any bad jump */
		return;
	}
	if ((pend & FI_PEND_REG) && claim(d, FI_PEND_REG)) {
		/* r15..rax are the first 15 words; then rip. */
		unsigned int r = (unsigned int)((rnd >> 8) % 16);
		uint64_t bit = 1ull << (rnd & 63);

		if (r < 15) {
			((uint64_t *)tf)[r] ^= bit;
		} else {
			tf->rip ^= bit;
		}
		return;
	}
	/* A hang needs a call in progress inside d to be a hang. */
	if ((pend & FI_PEND_HANG) && t->calls && t->calls->callee == d &&
	    claim(d, FI_PEND_HANG)) {
		while (READ_ONCE(d->state) == DOM_RUNNING) {
			thread_sleep_ns(NSEC_PER_MSEC);
		}
		dom_check_alive();
	}
}

void faultinj_results(struct dom *d, uint64_t out[IPC_WORDS], uint16_t kinds)
{
	if (!(READ_ONCE(d->inject) & FI_PEND_BOGUS)) {
		return;
	}
	for (unsigned int w = 0; w < IPC_WORDS; w++) {
		unsigned int k = ipc_kind_at(kinds, w);

		if ((k == IPC_KIND_RREF_MOVE || k == IPC_KIND_RREF_MOVE_OPT) &&
		    claim(d, FI_PEND_BOGUS)) {
			uint64_t off = (d->inject_rnd % 4096) * PAGE_SIZE;

			out[w] = out[w] ? out[w] + PAGE_SIZE : SHEAP_BASE + off;
			return;
		}
	}
}

void faultinj_init(struct dom *d, const struct trap_frame *tf)
{
	uint32_t n = READ_ONCE(d->svc->inject_init);

	if (n == 0 || !d->restarted || d->ready) {
		return;
	}
	if (__atomic_compare_exchange_n(&d->svc->inject_init, &n, n - 1, false,
					__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		dom_fail_current(SYS_FAULT_INJECTED, 0, tf->rip, tf,
				 "fault injected in init");
	}
}
