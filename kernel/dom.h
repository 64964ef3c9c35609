/* SPDX-License-Identifier: MIT */
/*
 * Domains: signed ELF images running in ring 3, each in its own 1 GiB
 * region of the lower half and its own page table (the `pt` backend of
 * ARCHITECTURE.md). This header is the kernel's view of a domain: its
 * lifecycle, memory and threads. Loading is in dom_load.c, crash reports
 * in dom_report.c, system calls in syscall.c.
 *
 * Lifecycle: LOADING -> RUNNING -> DYING -> DEAD. A domain starts dying
 * when it fails (fault, dom_panic, quota), is killed, or its last thread
 * exits; from then on every one of its threads leaves at its next kernel
 * exit, and the reaper thread frees everything once the last has gone.
 *
 * Lock order: dom_table_lock -> dom->lock -> waitq.lock -> cpu.rq_lock.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/layout.h"
#include "abi/syscall.h"
#include "arch/x86_64/vm.h"
#include "base/compiler.h"
#include "base/list.h"
#include "elf_check.h"
#include "spinlock.h"
#include "waitq.h"

enum dom_state {
	DOM_LOADING,
	DOM_RUNNING,
	DOM_DYING,
	DOM_DEAD,
};

/* A run of pages a domain has mapped, with the frames behind it. */
struct dom_mapping {
	struct list_head link; /* in dom->mappings, sorted by va */
	vaddr_t va;
	size_t npages;
	bool borrowed; /* frames belong to someone else (the state area) */
	paddr_t frames[];
};

struct trap_frame;
struct thread;
struct svc;
struct aspace;
struct dom;

#define DOM_MAX_EXPORTS 4
#define DOM_MAX_HANDLES 16

/* An interface this domain serves (SYS_IFACE_EXPORT). */
struct ipc_iface_desc;

struct dom_export {
	bool used;
	char name[32];
	uint64_t fingerprint;
	uint64_t name_id; /* ipc_iface_name_id(name), for handle words */
	/* The kernel's copy, checked at export; freed with the domain. */
	const struct ipc_iface_desc *desc;
	uint64_t dispatch; /* ring-3 entry */
	uint64_t ctx;
	uint64_t ret_tramp;
	/*
	 * Per method of desc, in its order: the method's own ring-3 entry
	 * (pc 0: ret_tramp with ctx and dispatch). In desc's allocation,
	 * freed with it.
	 */
	const struct ipc_entry *entries;
};

/* A capability to call another domain's export (SYS_IFACE_CONNECT). */
/* A capability: an interface of a service (whichever instance is live). */
struct dom_handle {
	struct svc *svc;  /* holds a reference; NULL when free */
	uint64_t name_id; /* ipc_iface_name_id() of the interface */
	uint32_t gen;	  /* the service generation this handle has seen */
};

/* Why calls into a domain take the general path (dom.fast_off). */
#define DOM_FAST_OFF_DEAD 1u	   /* not (yet, any more) DOM_RUNNING */
#define DOM_FAST_OFF_INJECT 2u	   /* a fault injection is pending */
#define DOM_FAST_OFF_RECOVERING 4u /* its first served call ends a restart */

struct dom {
	struct spinlock lock;

	/* Immutable after dom_create(): */
	uint64_t id;
	struct svc *svc; /* the service it is an instance of (a reference) */
	unsigned int slot;
	vaddr_t base; /* dom_region_base(slot) */
	struct aspace *as;
	const uint8_t *image; /* the signed bytes, in the boot module */
	size_t image_size;
	struct elf_plan *plan; /* manifest, segments, entry */
	const struct manifest *mf;
	char module[64]; /* boot module it came from */

	uint64_t refs;	   /* atomic; the table holds one until DEAD */
	uint64_t syscalls; /* atomic; progress counter for tests (calls
			    * through parked frames are not counted) */

	/* Protected by lock: */
	enum dom_state state;
	struct sys_dom_status status;
	struct list_head mappings;
	size_t pages_used;	  /* counted against mf->mem_pages */
	struct list_head threads; /* struct thread.dom_link */
	unsigned int nthreads;	  /* not yet joined */
	unsigned int live;	  /* not yet exited */
	uint64_t stack_slots[DOM_STACK_SLOTS / 64];
	bool reaper_queued;
	struct list_head reap_link;

	struct list_head visitors; /* struct call_frame.visit_link */
	unsigned int nvisitors;	   /* threads of others inside us */
	struct list_head parked;   /* struct call_frame.park_link */
	/*
	 * DOM_FAST_OFF_* (atomic): syscall.asm makes calls into and returns
	 * from this domain through parked frames only while it is 0.
	 */
	uint32_t fast_off;
	struct dom_export exports[DOM_MAX_EXPORTS];
	struct dom_handle handles[DOM_MAX_HANDLES];
	/*
	 * Changes with every change to handles[] (a new value from one
	 * counter for all domains, never reused); written under lock, read
	 * without it by call.c to validate a thread's call cache.
	 */
	uint64_t handles_ver;

	struct waitq end_wq; /* woken when the domain is DEAD */

	/* Protected by sheap_lock (sheap.c): */
	uint64_t sheap_pages; /* shared-heap pages it owns */

	/* The state area (SYS_STATE_MAP), under lock: */
	vaddr_t state_va;
	uint64_t state_npages;

	/* Fault injection (faultinj.c), atomics: */
	uint32_t inject; /* FI_PEND_* */
	uint64_t inject_rnd;
	uint32_t inject_skip;	  /* ring-3 entries to let pass first */
	uint64_t inject_code_va;  /* a flipped code byte, or 0 (under lock) */
	uint8_t inject_code_byte; /* its value before the flip */
	bool restarted;		  /* a restart made it (immutable) */

	/* Init (SYS_DOM_READY); the watchdog reads them racily: */
	bool ready;
	uint64_t start_ns;
};

/* Counters for tests and leak checks. */
struct dom_stats {
	uint64_t live_domains; /* created and not yet freed */
	uint64_t created;
	uint64_t failed;
	uint64_t rejected; /* images refused by the loader */
};

void dom_init(void);

/*
 * Load boot module @module, verify and validate it, and start its main
 * thread with rdi = @arg and rsi = a copy of @boot_str. On success *out
 * holds a reference (dom_put() it). Returns 0, -ENOENT (no such module),
 * -EKEYREJECTED/-EACCES/-ENOEXEC (signature), -ENOEXEC/-E2BIG/-EINVAL
 * (image), -EDQUOT (image over its own memory quota), -ENOSPC (no slot),
 * -ENOMEM. Every refusal prints one line naming the image and the reason.
 */
int __must_check dom_create(const char *module, uint64_t arg,
			    const char *boot_str, struct dom **out);
/* Same, from an image in memory (tests): @name labels messages. */
int __must_check dom_create_from(const char *name, const void *img, size_t size,
				 uint64_t arg, const char *boot_str,
				 struct dom **out);
/*
 * A new instance of service @svc (restart): its image was verified when
 * the service was created, so only the ELF checks run again. With @svc
 * NULL, as dom_create_from() (which makes a new service).
 */
int __must_check dom_create_instance(const char *name, const void *img,
				     size_t size, uint64_t arg,
				     const char *boot_str, struct svc *svc,
				     struct dom **out);
/* Map the @npages @frames (not @d's to free) read/write in @d's heap. */
int dom_map_state(struct dom *d, const uint64_t *frames, size_t npages,
		  vaddr_t *out);

void dom_get(struct dom *d);
void dom_put(struct dom *d);
/* Find a live domain by id, with a reference; NULL if none. */
struct dom *dom_lookup(uint64_t id);

/*
 * Wait until @d is DEAD or @timeout_ns passes (0 = forever). Returns 0
 * and fills *st, or -ETIMEDOUT.
 */
int dom_wait(struct dom *d, uint64_t timeout_ns, struct sys_dom_status *st);
/* Destroy a running domain (SYS_DOM_KILL, tests). */
void dom_kill(struct dom *d);
/*
 * Fail domains that keep a call longer than @limit_ns or have not finished
 * their init (SYS_DOM_READY) @init_ns after they started.
 */
void dom_watchdog_scan(uint64_t now, uint64_t limit_ns, uint64_t init_ns);
/* SYS_DOM_READY: @d's init is done. */
void dom_set_ready(struct dom *d);
/* Kill @d (if not NULL), wait up to @timeout_ns for it, drop the ref. */
void dom_stop(struct dom *d, uint64_t timeout_ns);
/*
 * Wait until at most @live0 domains exist (the reaper has freed the rest),
 * for tests' leak checks; false after @timeout_ns.
 */
bool dom_wait_freed(uint64_t live0, uint64_t timeout_ns);
/*
 * Tests only (0 otherwise): how long a domain failed by another thread
 * stays DYING before its service is told (begin_dying()). Widens the
 * window in which a thread unwound from it must already see the service
 * restarting (svc_unwind_status()).
 */
extern uint64_t dom_test_svc_delay_ns;

/*
 * Fail the current thread's domain: record why, print the crash report
 * (once), make every other thread of it leave, and end this thread.
 * @tf is the ring-3 frame if there is one.
 */
__noreturn void dom_fail_current(enum sys_dom_fault fault, uint64_t detail,
				 uint64_t addr, const struct trap_frame *tf,
				 const char *msg);
/* Called on every way back to ring 3: leave if our domain is dying. */
void dom_check_alive(void);
/* End the current domain thread (SYS_THREAD_EXIT and friends). */
__noreturn void dom_thread_exit(int code);

/* Threads and memory for syscalls (current domain). */
int dom_thread_create(struct dom *d, uint64_t rip, uint64_t rdi,
		      uint64_t rsi_user, uint64_t *tid);
int dom_thread_join(struct dom *d, uint64_t tid, int *code);
int dom_mem_map(struct dom *d, size_t npages, unsigned int prot, vaddr_t *out);
int dom_mem_unmap(struct dom *d, vaddr_t va, size_t npages);

/* Copy in/out of the current domain's region. */
int dom_copy_in(struct dom *d, void *dst, uint64_t src, size_t n);
int dom_copy_out(struct dom *d, uint64_t dst, const void *src, size_t n);

void dom_get_stats(struct dom_stats *st);
const char *dom_state_name(enum dom_state s);

/* Crash reports (dom_report.c). */
void dom_report_crash(struct dom *d, const struct trap_frame *tf,
		      const char *what);
/* Symbolize a domain address as "name!function+0xoff/0xsize". */
void dom_symbolize(const struct dom *d, uint64_t addr, char *buf, size_t n);

/* Loader internals shared with dom.c. */
int dom_alloc(struct dom **out);
void dom_count_rejected(void);
void dom_abort_load(struct dom *d);
int dom_map_pages(struct dom *d, vaddr_t va, size_t npages, unsigned int prot,
		  struct dom_mapping **out);
void dom_unmap_mapping(struct dom *d, struct dom_mapping *m);
int dom_map_call_stack(struct dom *d, size_t npages, struct dom_mapping **out);
void dom_free_call_stack(struct dom *d, struct dom_mapping *m);
