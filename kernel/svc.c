// SPDX-License-Identifier: MIT
/*
 * Services and restarts (see svc.h).
 *
 * Locking: a service's wq.lock protects its fields. Order: a domain's
 * lock may be taken inside it (never the other way round); the sheap
 * lock and aspace locks inside either.
 */
#include "svc.h"

#include "abi/errno.h"
#include "abi/manifest.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "base/string.h"
#include "console.h"
#include "dom.h"
#include "heap.h"
#include "manifest.h"
#include "panic.h"
#include "pmm.h"
#include "thread.h"
#include "time.h"

/* How long a call waits for a restarting service before -EDOMDEAD. */
#define SVC_WAIT_NS (10 * NSEC_PER_SEC)
/* Longest backoff, whatever the doubling says. */
#define SVC_BACKOFF_MAX_MS 5000u

static struct waitq restart_wq; /* its lock guards due_list and stats */
static struct list_head due_list = LIST_HEAD_INIT(due_list);
static struct svc_stats stats;

void svc_get_stats(struct svc_stats *st)
{
	spin_lock(&restart_wq.lock);
	*st = stats;
	spin_unlock(&restart_wq.lock);
}

void svc_get(struct svc *s)
{
	__atomic_fetch_add(&s->refs, 1, __ATOMIC_RELAXED);
}

void svc_put(struct svc *s)
{
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0) {
		return;
	}
	VERIFY(s->cur == NULL && !s->queued);
	for (uint32_t i = 0; i < s->state_npages; i++) {
		pmm_free(s->state_frames[i], 1);
	}
	kfree(s->state_frames);
	kfree(s);
	spin_lock(&restart_wq.lock);
	stats.live--;
	spin_unlock(&restart_wq.lock);
}

int svc_create(struct dom *d, const void *image, size_t image_size,
	       uint64_t arg, const char *boot)
{
	struct svc *s = kzalloc(sizeof(*s));

	if (!s) {
		return -ENOMEM;
	}
	s->refs = 1; /* d's */
	s->id = d->id;
	strlcpy(s->module, d->module, sizeof(s->module));
	s->image = image;
	s->image_size = image_size;
	s->arg = arg;
	strlcpy(s->boot, boot ? boot : "", sizeof(s->boot));
	s->state = SVC_LIVE;
	waitq_init(&s->wq, "svc");
	dom_get(d);
	s->cur = d;
	d->svc = s;
	spin_lock(&restart_wq.lock);
	stats.live++;
	spin_unlock(&restart_wq.lock);
	return 0;
}

/* Drop the service's reference to its current instance; lock held. */
static struct dom *take_cur(struct svc *s)
{
	struct dom *d = s->cur;

	s->cur = NULL;
	return d;
}

/* May @s come back once more? Counts the failure; lock held. */
static bool may_restart(struct svc *s, const struct manifest *mf, uint64_t now,
			const char **why)
{
	if (mf->restart == MANIFEST_RESTART_NEVER) {
		*why = "its manifest says never restart";
		return false;
	}
	if (now - s->window_start_ns > mf->restart_window_ms * NSEC_PER_MSEC) {
		s->window_start_ns = now;
		s->in_window = 0;
	}
	if (s->in_window >= mf->max_restarts) {
		*why = "it failed too often: max_restarts within "
		       "restart_window_ms reached";
		return false;
	}
	s->in_window++;
	return true;
}

static void instance_failed(struct dom *d)
{
	struct svc *s = d->svc;
	struct dom *old = NULL;
	const char *why = NULL;
	uint64_t now = time_ns();
	bool gave_up;
	bool again;

	spin_lock(&s->wq.lock);
	if (s->cur != d || s->state != SVC_LIVE) {
		spin_unlock(&s->wq.lock);
		return;
	}
	again = may_restart(s, d->mf, now, &why);
	gave_up = !again && d->mf->restart != MANIFEST_RESTART_NEVER;
	if (gave_up) {
		/* Counted before anyone can see it gone. */
		__atomic_fetch_add(&stats.gave_up, 1, __ATOMIC_RELAXED);
	}
	s->state = again ? SVC_RESTARTING : SVC_GONE;
	s->fail_ns = now;
	s->fail_tsc = rdtsc();
	s->recovering = again;
	old = take_cur(s);
	waitq_wake_all(&s->wq); /* waiters recheck; GONE ends them */
	spin_unlock(&s->wq.lock);
	if (gave_up) {
		kprintf("\n*** SERVICE GIVEN UP: %s (module %s): %s; its "
			"clients get -EDOMDEAD from now on\n",
			d->mf->name, s->module, why);
	}
	dom_put(old);
}

void svc_instance_ended(struct dom *d)
{
	struct svc *s = d->svc;
	struct dom *old = NULL;

	spin_lock(&s->wq.lock);
	if (s->cur == d) {
		s->state = SVC_GONE;
		old = take_cur(s);
		waitq_wake_all(&s->wq);
	}
	spin_unlock(&s->wq.lock);
	if (old) {
		dom_put(old);
	}
}

void svc_instance_freed(struct dom *d)
{
	struct svc *s = d->svc;
	uint64_t delay_ms = 0;

	spin_lock(&s->wq.lock);
	if (s->state != SVC_RESTARTING || s->cur || s->queued) {
		spin_unlock(&s->wq.lock);
		return;
	}
	if (d->mf->restart == MANIFEST_RESTART_BACKOFF) {
		uint32_t n = s->in_window > 1 ? s->in_window - 1 : 0;

		delay_ms = d->mf->restart_backoff_ms;
		while (n-- > 0 && delay_ms < SVC_BACKOFF_MAX_MS) {
			delay_ms *= 2;
		}
		if (delay_ms > SVC_BACKOFF_MAX_MS) {
			delay_ms = SVC_BACKOFF_MAX_MS;
		}
	}
	s->due_ns = time_ns() + delay_ms * NSEC_PER_MSEC;
	s->queued = true;
	svc_get(s); /* the queue's */
	spin_unlock(&s->wq.lock);

	spin_lock(&restart_wq.lock);
	list_push_back(&due_list, &s->due_link);
	waitq_wake_all(&restart_wq);
	spin_unlock(&restart_wq.lock);
}

void svc_instance_ready(struct dom *d)
{
	struct svc *s = d->svc;

	spin_lock(&s->wq.lock);
	waitq_wake_all(&s->wq);
	spin_unlock(&s->wq.lock);
}

void svc_served(struct dom *d)
{
	struct svc *s = d->svc;

	if (!READ_ONCE(s->recovering)) {
		return;
	}
	spin_lock(&s->wq.lock);
	if (s->recovering && s->cur == d) {
		/*
		 * Progress: the new instance works. The limit counts
		 * failures in a row, not failures of a long-lived service.
		 */
		s->recovering = false;
		__atomic_fetch_and(&d->fast_off, ~DOM_FAST_OFF_RECOVERING,
				   __ATOMIC_RELEASE);
		s->in_window = 0;
		s->recovery_ns = time_ns() - s->fail_ns;
		s->recovery_tsc = rdtsc() - s->fail_tsc;
	}
	spin_unlock(&s->wq.lock);
}

void svc_attach(struct dom *d)
{
	struct svc *s = d->svc;

	dom_get(d);
	spin_lock(&s->wq.lock);
	VERIFY(s->cur == NULL);
	s->cur = d;
	if (s->recovering) {
		/*
		 * Its first served call must reach svc_served(). Nothing is
		 * parked on it yet (it is not DOM_RUNNING): no
		 * call_fast_block().
		 */
		__atomic_fetch_or(&d->fast_off, DOM_FAST_OFF_RECOVERING,
				  __ATOMIC_RELEASE);
	}
	s->gen++;
	s->restarts++;
	s->state = SVC_LIVE;
	spin_unlock(&s->wq.lock);
}

/* Re-create @s from its image; runs on the restarter thread. */
static void restart_one(struct svc *s)
{
	struct dom *d = NULL;
	bool keep;
	int err;

	spin_lock(&s->wq.lock);
	s->queued = false;
	keep = s->state == SVC_RESTARTING && !s->cur;
	spin_unlock(&s->wq.lock);
	if (keep) {
		uint64_t t0 = rdtsc();

		/* The new instance attaches itself before it runs. */
		err = dom_create_instance(s->module, s->image, s->image_size,
					  s->arg, s->boot, s, &d);
		s->create_tsc = rdtsc() - t0;
		if (err) {
			__atomic_fetch_add(&stats.gave_up, 1, __ATOMIC_RELAXED);
			spin_lock(&s->wq.lock);
			if (!s->cur) {
				s->state = SVC_GONE;
			}
			waitq_wake_all(&s->wq);
			spin_unlock(&s->wq.lock);
			kprintf("\n*** SERVICE GIVEN UP: module %s: restart "
				"failed: %s\n",
				s->module, errno_name(err));
		} else {
			pr_info("svc: %s restarted as domain %lu "
				"(generation %u)",
				s->module, d->id, READ_ONCE(s->gen));
			dom_put(d);
		}
		spin_lock(&restart_wq.lock);
		if (!err) {
			stats.restarts++;
		}
		spin_unlock(&restart_wq.lock);
	}
	svc_put(s); /* the queue's */
}

static int restarter_main(void *arg)
{
	for (;;) {
		struct svc *due = NULL;
		uint64_t now = time_ns();
		uint64_t next = now + NSEC_PER_SEC;
		struct list_head *pos;

		spin_lock(&restart_wq.lock);
		list_for_each(pos, &due_list)
		{
			struct svc *s = list_entry(pos, struct svc, due_link);

			if (s->due_ns <= now) {
				due = s;
				break;
			}
			if (s->due_ns < next) {
				next = s->due_ns;
			}
		}
		if (due) {
			list_unlink(&due->due_link);
		} else {
			(void)waitq_wait_timeout(&restart_wq, next - now);
		}
		spin_unlock(&restart_wq.lock);
		if (due) {
			restart_one(due);
		}
	}
	return 0;
}

void svc_init(void)
{
	struct thread *t;

	waitq_init(&restart_wq, "restart");
	MUST(thread_create(&t, "restarter", restarter_main, NULL,
			   THREAD_ANY_CPU));
}

int svc_resolve(struct svc *s, uint32_t *gen, struct dom **out)
{
	uint64_t deadline = 0; /* set when we first have to wait */
	uint64_t now;
	int err = 0;

	spin_lock(&s->wq.lock);
	for (;;) {
		if (s->state == SVC_GONE) {
			err = -EDOMDEAD;
			break;
		}
		if (s->state == SVC_LIVE && READ_ONCE(s->cur->ready) &&
		    READ_ONCE(s->cur->state) == DOM_RUNNING) {
			break;
		}
		/*
		 * Restarting, or the new instance is still in its init:
		 * wait, but not for ever, and not past our own death.
		 */
		now = time_ns();
		if (!deadline) {
			deadline = now + SVC_WAIT_NS;
		}
		if (now >= deadline ||
		    READ_ONCE(thread_current()->dom->state) >= DOM_DYING) {
			err = -EDOMDEAD;
			break;
		}
		(void)waitq_wait_timeout(
			&s->wq, MIN(deadline - now, 10 * NSEC_PER_MSEC));
	}
	if (!err && *gen != s->gen) {
		*gen = s->gen;
		err = -ERESTARTED;
	}
	if (!err) {
		dom_get(s->cur);
		*out = s->cur;
	}
	spin_unlock(&s->wq.lock);
	return err;
}

void svc_instance_dying(struct dom *d)
{
	enum sys_dom_end end;

	spin_lock(&d->lock);
	end = d->status.end;
	spin_unlock(&d->lock);
	if (end == SYS_DOM_FAILED) {
		instance_failed(d);
	} else {
		svc_instance_ended(d);
	}
}

int svc_unwind_status(struct dom *d)
{
	if (!d->svc) {
		return -EDOMDEAD;
	}
	/*
	 * Whoever made @d DYING tells its service next (begin_dying()),
	 * but a thread unwound on another CPU can get here first, and
	 * would see the service still live: tell it now. Only the first
	 * of the two calls acts (s->cur is @d and SVC_LIVE only once).
	 */
	svc_instance_dying(d);
	return READ_ONCE(d->svc->state) == SVC_RESTARTING ? -ERESTARTED
							  : -EDOMDEAD;
}

struct dom *svc_current(struct svc *s)
{
	struct dom *d;

	spin_lock(&s->wq.lock);
	d = s->cur;
	if (d) {
		dom_get(d);
	}
	spin_unlock(&s->wq.lock);
	return d;
}

struct dom *svc_wait_ready(struct svc *s, const struct dom * not,
			   uint64_t timeout_ns)
{
	uint64_t deadline = time_ns() + timeout_ns;
	struct dom *d = NULL;

	spin_lock(&s->wq.lock);
	for (;;) {
		uint64_t now = time_ns();

		if (s->state == SVC_LIVE &&
		    s->cur != not &&READ_ONCE(s->cur->ready)) {
			d = s->cur;
			dom_get(d);
			break;
		}
		if (s->state == SVC_GONE || now >= deadline) {
			break;
		}
		/* Woken when an instance is ready, fails or ends. */
		(void)waitq_wait_timeout(&s->wq, deadline - now);
	}
	spin_unlock(&s->wq.lock);
	return d;
}

void svc_stop(struct svc *s, uint64_t timeout_ns)
{
	dom_stop(svc_current(s), timeout_ns); /* which puts the reference */
}

long svc_sys_state_map(struct dom *d, uint64_t npages)
{
	struct svc *s = d->svc;
	uint64_t *frames = NULL;
	vaddr_t va;
	int err = 0;

	if (npages == 0 || npages > SYS_STATE_MAX_PAGES) {
		return -EINVAL;
	}
	/* Never allocate for the service what the instance may not map. */
	if (npages > d->mf->mem_pages) {
		return -EDQUOT;
	}
	if (d->state_va) {
		return npages == d->state_npages ? (long)d->state_va : -EINVAL;
	}
	spin_lock(&s->wq.lock);
	if (!s->state_frames) {
		/* First use: zeroed frames that belong to the service. */
		spin_unlock(&s->wq.lock);
		frames = kzalloc(npages * sizeof(*frames));
		if (!frames) {
			return -ENOMEM;
		}
		for (uint64_t i = 0; i < npages && !err; i++) {
			if (pmm_alloc(1, &frames[i])) {
				err = -ENOMEM;
				break;
			}
			memset(phys_to_virt(frames[i]), 0, PAGE_SIZE);
		}
		spin_lock(&s->wq.lock);
		if (!err && !s->state_frames) {
			s->state_frames = frames;
			s->state_npages = (uint32_t)npages;
			frames = NULL;
		}
	}
	if (!err && s->state_npages != npages) {
		err = -EINVAL;
	}
	spin_unlock(&s->wq.lock);
	if (frames) {
		for (uint64_t i = 0; i < npages; i++) {
			if (frames[i]) {
				pmm_free(frames[i], 1);
			}
		}
		kfree(frames);
	}
	if (err) {
		return err;
	}
	/* Only this instance's threads use s->state_frames from here on. */
	err = dom_map_state(d, s->state_frames, npages, &va);
	return err ? err : (long)va;
}
