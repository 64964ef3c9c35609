/* SPDX-License-Identifier: MIT */
/*
 * Services: what outlives one instance of a domain (ARCHITECTURE.md,
 * "Failure, unwinding, recovery"). Every domain is an instance of a
 * service, which holds:
 *   - what it takes to re-create it: the verified image, the start
 *     argument and boot string, and the manifest's restart policy;
 *   - the current instance and a generation number, so that interface
 *     handles (which name a service, not an instance) reach the new
 *     instance after a restart and can tell it from the old one;
 *   - the state area (SYS_STATE_MAP), whose frames survive restarts.
 *
 * When an instance fails, the policy decides: restart (at once, or after
 * a backoff that doubles with each failure in the window) or give up,
 * loudly; a service is also gone once its instance exits or is killed.
 * Calls into a service that is restarting wait for the new instance to
 * finish its init; callers unwound from the failed one get -ERESTARTED;
 * calls into a service that is gone get -EDOMDEAD.
 *
 * The restart happens only after the failed instance has been torn down
 * completely (no thread, no visitor, no mapping), so the new instance is
 * the only one that can see the state area.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/list.h"
#include "spinlock.h"
#include "waitq.h"

struct dom;
struct manifest;

#define SVC_BOOT_MAX 128u

enum svc_state {
	SVC_LIVE,	/* cur is the instance */
	SVC_RESTARTING, /* cur failed; a new one is coming */
	SVC_GONE,	/* no instance will come back */
};

struct svc {
	uint64_t refs; /* atomic: instances and handles */
	uint64_t id;   /* for messages: first instance's domain id */

	/* Immutable: */
	char module[64];
	const void *image; /* boot module bytes, verified once */
	size_t image_size;
	uint64_t arg;
	char boot[SVC_BOOT_MAX];

	/* Protected by wq.lock (the service's lock): */
	enum svc_state state;
	struct dom *cur;    /* current instance (a reference), or NULL */
	uint32_t gen;	    /* instance number, 0 for the first */
	struct waitq wq;    /* callers waiting for an instance */
	uint32_t restarts;  /* all restarts so far */
	uint32_t in_window; /* failures in the window with no call served */
	uint64_t window_start_ns; /* when the window began */
	uint64_t fail_ns;	  /* when the instance being replaced failed */
	uint64_t fail_tsc;
	bool recovering;	   /* no call served since the last failure */
	uint64_t recovery_ns;	   /* failure to first served call, last one */
	uint64_t recovery_tsc;	   /* the same in TSC ticks (insns, icount) */
	uint64_t create_tsc;	   /* TSC ticks of the last re-creation */
	struct list_head due_link; /* in the restarter's queue */
	uint64_t due_ns;	   /* when to restart */
	bool queued;

	uint32_t inject_init; /* atomic: instances to fail in init */

	/* State area, protected by wq.lock: */
	uint64_t *state_frames;
	uint32_t state_npages;
};

struct svc_stats {
	uint64_t live;	   /* services not yet freed */
	uint64_t restarts; /* instances re-created */
	uint64_t gave_up;  /* services given up on */
};

void svc_init(void);
void svc_get_stats(struct svc_stats *st);

/* A new service whose first instance is @d (not yet running). */
int svc_create(struct dom *d, const void *image, size_t image_size,
	       uint64_t arg, const char *boot);
void svc_get(struct svc *s);
void svc_put(struct svc *s);

/*
 * @d, a new instance of a restarting @d->svc, becomes its current one,
 * before any of its threads runs (so that its own failure, however
 * early, is seen as a failure of the service).
 */
void svc_attach(struct dom *d);
/*
 * @d is DYING: if it failed (d->status.end), @d->svc decides whether it
 * comes back; if it ended otherwise (exit or kill), the service is gone.
 * Only the first call for @d acts.
 */
void svc_instance_dying(struct dom *d);
/* @d ended without failing (or never started): the service is gone. */
void svc_instance_ended(struct dom *d);
/* @d has been torn down: a pending restart may go ahead. */
void svc_instance_freed(struct dom *d);
/* @d finished its init: callers waiting for it may go on. */
void svc_instance_ready(struct dom *d);
/* @d served a call: the end of a recovery, if one was going on. */
void svc_served(struct dom *d);

/*
 * The instance a handle of generation *@gen reaches: waits while the
 * service restarts. Returns 0 with a reference in *@out; -ERESTARTED if
 * the service was restarted since *@gen (which is updated: the next call
 * goes through); -EDOMDEAD if it is gone.
 */
int svc_resolve(struct svc *s, uint32_t *gen, struct dom **out);
/*
 * What callers unwound from @d, which is DYING, get: -ERESTARTED if its
 * service restarts, else -EDOMDEAD.
 */
int svc_unwind_status(struct dom *d);
/* The current instance, with a reference, or NULL (for tests). */
struct dom *svc_current(struct svc *s);

/*
 * Wait up to @timeout_ns for a ready instance other than @not; returns it
 * with a reference, or NULL (timed out, or the service is gone).
 */
struct dom *svc_wait_ready(struct svc *s, const struct dom * not,
			   uint64_t timeout_ns);
/*
 * Stop the current instance, if any, and wait up to @timeout_ns (0: no
 * limit) for it to end; the service is then gone.
 */
void svc_stop(struct svc *s, uint64_t timeout_ns);

/* SYS_STATE_MAP. */
long svc_sys_state_map(struct dom *d, uint64_t npages);
