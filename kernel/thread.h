/* SPDX-License-Identifier: MIT */
/*
 * Kernel threads. Each has a kernel stack and a home CPU, chosen at
 * creation (least loaded, or pinned); threads do not migrate. Every thread
 * is joined exactly once by its creator (or whoever it handed the pointer
 * to); thread_join() frees it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/list.h"
#include "waitq.h"

#define THREAD_NAME_MAX 24
#define THREAD_STACK_PAGES 4
#define THREAD_ANY_CPU (-1)

enum thread_state {
	THREAD_READY, /* on its CPU's ready list */
	THREAD_RUNNING,
	THREAD_BLOCKED, /* in a wait queue and/or the sleep list */
	THREAD_ZOMBIE,	/* exited, switched out, waiting for join */
};

typedef int (*thread_fn_t)(void *arg);

struct cpu;
struct dom;
struct aspace;
struct call_frame;
struct dom_mapping;
struct dom_export;
struct ipc_method_desc;

/*
 * What a thread's last call resolved to (call.c), so that its next call
 * with the same call word from the same domain, through an unchanged
 * handle table, skips the handle, service, export and method lookups.
 * Valid while @from is not NULL; it then describes exports of the
 * thread's stack_dom, whose reference keeps them alive.
 */
struct call_cache {
	const struct dom *from; /* the calling domain; never dereferenced */
	uint64_t handles_ver;	/* from->handles_ver when it was filled */
	uint64_t cw;		/* the call word */
	const struct dom_export *exp;	      /* in stack_dom */
	const struct ipc_method_desc *method; /* in exp's descriptor */
};

struct thread {
	uint64_t ksp; /* Offset 0: saved stack pointer (switch.asm). */

	/* Immutable after thread_create(): */
	uint64_t id;
	char name[THREAD_NAME_MAX];
	struct cpu *cpu; /* home CPU */
	void *kstack;	 /* lowest address of the kernel stack */
	thread_fn_t fn;
	void *arg;

	/* Protected by cpu->rq_lock: */
	enum thread_state state;
	struct list_head rq_link; /* ready list or sleepers */
	uint64_t wake_at;	  /* ns, while on the sleepers list */
	bool timed_out;

	/* Protected by the wait queue's lock it is queued on: */
	struct list_head wq_link;

	/* Protected by join_wq.lock: */
	bool exiting;
	int exit_code;
	struct waitq join_wq;

	/* Only touched by the home CPU: */
	uint64_t runtime_ns;
	uint64_t last_run_ns;
	uint64_t switches;

	/* Domain threads (NULL/kernel_aspace for kernel threads). */
	struct dom *home; /* owning domain; immutable */
	/*
	 * The domain it runs in now (calls move it); its page table is
	 * dom->as, or the kernel's when dom is NULL.
	 */
	struct dom *dom;
	struct call_frame *calls; /* innermost cross-domain call */
	unsigned int call_depth;  /* frames on calls */
	/* The stack of this thread's last call into stack_dom (call.c). */
	struct dom *stack_dom; /* holds a reference, or NULL */
	struct dom_mapping *stack_cache;
	struct call_frame *frame_cache; /* a spare call frame, or NULL */
	struct call_cache call_cache;	/* call.c; only this thread uses it */
	struct call_frame *fast; /* parked frame, or &call_fast_none (call.h) */
	struct list_head dom_link; /* in dom->threads, under dom->lock */
	int stack_slot;		   /* DOM_STACK_SLOTS index, or -1 */
	bool dom_joining;	   /* a domain thread is joining it */
};

/*
 * Create a thread running fn(arg) on @cpu (or THREAD_ANY_CPU) and make it
 * ready. Returns 0, -ENOMEM, or -EINVAL for a CPU that is not online.
 */
int __must_check thread_create(struct thread **out, const char *name,
			       thread_fn_t fn, void *arg, int cpu);
/*
 * Two-step creation for threads that need fields set before they first
 * run (domain threads): thread_alloc() prepares a thread that is not yet
 * runnable, thread_start() makes it ready. thread_free_unstarted() undoes
 * thread_alloc().
 */
int __must_check thread_alloc(struct thread **out, const char *name,
			      thread_fn_t fn, void *arg, int cpu);
void thread_start(struct thread *t);
void thread_free_unstarted(struct thread *t);
__noreturn void thread_exit(int code);
/* Wait for @t to exit, store its code in *code (if not NULL), free it. */
void thread_join(struct thread *t, int *code);
struct thread *thread_current(void);
void thread_yield(void);
/* Sleep at least @ns nanoseconds (tick granularity). */
void thread_sleep_ns(uint64_t ns);
/* Number of threads that exist (not yet joined), for leak checks. */
uint64_t thread_count(void);
