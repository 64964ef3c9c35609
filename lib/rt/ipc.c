// SPDX-License-Identifier: MIT
/*
 * Cross-domain calls for domains (lib/rt/ipc.h) on the kernel's call gate
 * (lib/abi/ipc.h): the proxies idlc generates call rt_ipc_call(); a server
 * exports its generated dispatch function with rt_ipc_export(), which
 * enters it through rt_ipc_ret_tramp so that its return value reaches
 * SYS_CALL_RETURN as the application status.
 *
 * rt_ipc_call() also recovers from callee restarts on the client side
 * (lib/abi/ipc.h, "Restarts"; idl/README.md, section 6): it records the
 * @config calls that succeed, replays them into a restarted instance and
 * retries @idempotent calls. The fast path costs one branch on the
 * transport status and one on IPC_CW_CONFIG; there is no extra crossing.
 */
#include "rt/ipc.h"

#include <stdbool.h>

#include "abi/errno.h"
#include "abi/syscall.h"
#include "base/compiler.h"
#include "base/string.h"
#include "rt/lock.h"
#include "rt/rt.h"
#include "rt/syscall.h"

/*
 * The kernel enters an export here (lib/abi/ipc.h) for every method
 * without an entry of its own: rdi is the context, eax the ordinal, rsi,
 * rdx, r10 and r8 the argument words, r9 the dispatch function; rsp is as
 * at a C function's entry (rsp + 8 16-byte aligned). Lay the argument words out
 * as in[] with out[] below them, call dispatch(ctx, ordinal, in, out),
 * and hand out[] and the application status to SYS_CALL_RETURN in
 * registers. out[] words the method does not set are whatever this stack
 * held: this domain's own, and the caller's proxy reads only the method's
 * results.
 */
__asm__(".globl rt_ipc_ret_tramp\n"
	".type rt_ipc_ret_tramp, @function\n"
	"rt_ipc_ret_tramp:\n"
	"\tsubq $72, %rsp\n"
	"\tmovq %rsi, 32(%rsp)\n"
	"\tmovq %rdx, 40(%rsp)\n"
	"\tmovq %r10, 48(%rsp)\n"
	"\tmovq %r8, 56(%rsp)\n"
	"\tmovl %eax, %esi\n"
	"\tleaq 32(%rsp), %rdx\n"
	"\tmovq %rsp, %rcx\n"
	"\tcall *%r9\n"
	"\tmovslq %eax, %r8\n"
	"\tmovq 0(%rsp), %rdi\n"
	"\tmovq 8(%rsp), %rsi\n"
	"\tmovq 16(%rsp), %rdx\n"
	"\tmovq 24(%rsp), %r10\n"
	"\tmovl $18, %eax\n" /* SYS_CALL_RETURN */
	"\tsyscall\n"
	"\tud2\n"
	".size rt_ipc_ret_tramp, . - rt_ipc_ret_tramp\n");

#ifdef CORDON_HOST
/* Host tests play the kernel (lib/rt/ipc.h). */
static inline int sys_call(uint64_t call_word, const uint64_t in[IPC_WORDS],
			   uint64_t out[IPC_WORDS], int32_t *app_status)
{
	return rt_ipc_host_syscall(call_word, in, out, app_status);
}
#else
/* One SYS_CALL, nothing else: the only way this file reaches a callee. */
static inline int sys_call(uint64_t call_word, const uint64_t in[IPC_WORDS],
			   uint64_t out[IPC_WORDS], int32_t *app_status)
{
	return rt_ipc_syscall(call_word, in, out, app_status);
}
#endif /* CORDON_HOST */

/* The (handle, ordinal) part of a call word. */
#define CW_PAIR_MASK 0xffffffffull
BUILD_ASSERT(IPC_CW_HANDLE_SHIFT == 0 && IPC_CW_ORDINAL_SHIFT == 16);

/*
 * Recorded configuration: the @config calls of this domain that returned
 * transport status 0 and application status 0, one record per (handle,
 * ordinal) holding the latest call word and argument words, in the order
 * each pair was first recorded. Records are only appended or overwritten
 * in place (handles are never closed), so an index keeps naming the same
 * pair. When the table is full (RT_IPC_CONFIG_MAX), new pairs are not
 * recorded (one warning).
 */
struct config_rec {
	uint64_t call_word;
	uint64_t in[IPC_WORDS];
};

/* A leaf lock, never held across a SYS_CALL or console output. */
static struct rt_lock config_lock;
/* Protected by config_lock: */
static struct config_rec config_recs[RT_IPC_CONFIG_MAX];
static unsigned int config_n;
static bool config_full_warned;

static uint16_t cw_handle(uint64_t call_word)
{
	return (uint16_t)(call_word >> IPC_CW_HANDLE_SHIFT);
}

static bool same_pair(uint64_t a, uint64_t b)
{
	return ((a ^ b) & CW_PAIR_MASK) == 0;
}

/* Records @call_word's (handle, ordinal) with @in, the latest winning. */
static __attribute__((noinline)) void
config_record(uint64_t call_word, const uint64_t in[IPC_WORDS])
{
	struct config_rec *rec = NULL;
	bool warn = false;

	rt_lock_acquire(&config_lock);
	for (unsigned int i = 0; i < config_n; i++) {
		if (same_pair(config_recs[i].call_word, call_word)) {
			rec = &config_recs[i];
			break;
		}
	}
	if (!rec && config_n < RT_IPC_CONFIG_MAX) {
		rec = &config_recs[config_n++];
	}
	if (rec) {
		rec->call_word = call_word;
		memcpy(rec->in, in, sizeof(rec->in));
	} else if (!config_full_warned) {
		config_full_warned = true;
		warn = true;
	}
	rt_lock_release(&config_lock);
	if (warn) {
		printf("rt: over %u @config (handle, method) pairs; new ones "
		       "are not replayed after a restart\n",
		       RT_IPC_CONFIG_MAX);
	}
}

/*
 * Copies the first record of @handle at index *@i or later into @rec and
 * moves *@i past it. Returns false when there is none.
 */
static bool config_next(uint16_t handle, unsigned int *i,
			struct config_rec *rec)
{
	bool found = false;

	rt_lock_acquire(&config_lock);
	while (*i < config_n && !found) {
		if (cw_handle(config_recs[*i].call_word) == handle) {
			*rec = config_recs[*i];
			found = true;
		}
		(*i)++;
	}
	rt_lock_release(&config_lock);
	return found;
}

/*
 * Replays the recorded configuration of @handle, in order, into the
 * instance the handle names now; results and application statuses are
 * discarded (a refusal is not retried). Returns 0, or the first transport
 * error, which ends the replay.
 */
static int config_replay(uint16_t handle)
{
	uint64_t out[IPC_WORDS];
	struct config_rec rec = {0};
	unsigned int i = 0;
	int32_t app;
	int rc;

	while (config_next(handle, &i, &rec)) {
		rc = sys_call(rec.call_word, rec.in, out, &app);
		if (rc) {
			return rc;
		}
	}
	return 0;
}

/*
 * The slow path of rt_ipc_call() after -ERESTARTED: replay the handle's
 * configuration (over again if the callee restarts meanwhile), then retry
 * an @idempotent or @config call (configuration is, by its definition in
 * the IDL, safe to send again: it is what a restart replays); at most
 * RT_IPC_RESTART_ROUNDS restarts.
 */
static __attribute__((noinline, cold)) int recover(uint64_t call_word,
						   const uint64_t in[IPC_WORDS],
						   uint64_t out[IPC_WORDS],
						   int32_t *app_status)
{
	int rc;

	for (unsigned int round = 0; round < RT_IPC_RESTART_ROUNDS; round++) {
		rc = config_replay(cw_handle(call_word));
		if (rc == -ERESTARTED) {
			continue;
		}
		if (rc) {
			return rc;
		}
		if (!(call_word & (IPC_CW_IDEMPOTENT | IPC_CW_CONFIG))) {
			return -ERESTARTED;
		}
		rc = sys_call(call_word, in, out, app_status);
		if (rc != -ERESTARTED) {
			/* As if it were the first attempt. */
			return rt_ipc_call_slow(call_word, in, out, app_status,
						rc);
		}
	}
	return -ERESTARTED;
}

int rt_ipc_call_slow(uint64_t call_word, const uint64_t in[IPC_WORDS],
		     uint64_t out[IPC_WORDS], int32_t *app_status, int rc)
{
	if (rc == 0) {
		if ((call_word & IPC_CW_CONFIG) && *app_status == 0) {
			config_record(call_word, in);
		}
		return 0;
	}
	if (rc != -ERESTARTED) {
		return rc;
	}
	return recover(call_word, in, out, app_status);
}

#ifndef CORDON_HOST
int rt_ipc_call_config(uint64_t call_word, const uint64_t in[IPC_WORDS],
		       uint64_t out[IPC_WORDS], int32_t *app_status)
{
	int rc = sys_call(call_word, in, out, app_status);

	return rt_ipc_call_slow(call_word, in, out, app_status, rc);
}
#endif

#ifdef CORDON_HOST
int rt_ipc_call(uint64_t call_word, const uint64_t in[IPC_WORDS],
		uint64_t out[IPC_WORDS], int32_t *app_status)
{
	int rc = sys_call(call_word, in, out, app_status);

	if (likely(rc == 0) && !(call_word & IPC_CW_CONFIG)) {
		return 0;
	}
	return rt_ipc_call_slow(call_word, in, out, app_status, rc);
}

void rt_ipc_host_forget(void)
{
	rt_lock_acquire(&config_lock);
	config_n = 0;
	config_full_warned = false;
	rt_lock_release(&config_lock);
}
#endif /* CORDON_HOST */

int rt_ipc_export(const struct ipc_iface_desc *desc,
		  const struct rref_type_info *types, uint32_t ntypes,
		  int32_t (*dispatch)(void *ctx, uint32_t ordinal,
				      const uint64_t in[IPC_WORDS],
				      uint64_t out[IPC_WORDS]),
		  void *ctx, const struct ipc_entry *entries)
{
	/*
	 * The kernel learns each type when the first object of it is
	 * allocated (SYS_RREF_ALLOC carries the description): a type no
	 * object has is never on the shared heap.
	 */
	(void)types;
	(void)ntypes;
	return (int)syscall5(SYS_IFACE_EXPORT, (uint64_t)desc,
			     (uint64_t)dispatch, (uint64_t)ctx,
			     (uint64_t)rt_ipc_ret_tramp, (uint64_t)entries);
}

int rt_ipc_connect(const struct ipc_iface_desc *desc, uint16_t *handle)
{
	int64_t h = syscall3(SYS_IFACE_CONNECT, (uint64_t)desc->name,
			     strlen(desc->name), desc->fingerprint);

	if (h < 0) {
		return (int)h;
	}
	*handle = (uint16_t)h;
	return 0;
}

/*
 * Shared-heap objects, cached per type so that allocation and drop cost
 * no system call on the hot path: the kernel hands out RT_RREF_BATCH
 * objects per SYS_RREF_ALLOC, and a dropped object waits in its type's
 * cache (still owned by this domain, so it costs quota) until reused or
 * until the cache overflows, when half of it goes back in one
 * SYS_RREF_FREE. A reused object is zeroed again.
 */
#define RT_RREF_TYPES 16u
#define RT_RREF_CACHE_MAX 32u
#define RT_RREF_BATCH 8u

struct rref_cache {
	uint64_t type_id; /* 0: unused */
	uint32_t n;
	void *obj[RT_RREF_CACHE_MAX];
};

static struct rt_lock rref_lock;
static struct rref_cache rref_caches[RT_RREF_TYPES];

/* The cache of @type_id, claiming a free one; NULL if all are taken. */
static struct rref_cache *cache_of(uint64_t type_id)
{
	struct rref_cache *free_one = NULL;

	for (unsigned int i = 0; i < RT_RREF_TYPES; i++) {
		if (rref_caches[i].type_id == type_id) {
			return &rref_caches[i];
		}
		if (!rref_caches[i].type_id && !free_one) {
			free_one = &rref_caches[i];
		}
	}
	if (free_one) {
		free_one->type_id = type_id;
		free_one->n = 0;
	}
	return free_one;
}

void *rt_rref_alloc(const struct rref_type_info *type)
{
	uint64_t got[RT_RREF_BATCH];
	struct rref_cache *c;
	void *obj = NULL;
	int64_t n;

	rt_lock_acquire(&rref_lock);
	c = cache_of(type->desc.id);
	if (c && c->n > 0) {
		obj = c->obj[--c->n];
	}
	rt_lock_release(&rref_lock);
	if (obj) {
		memset(obj, 0, type->desc.size);
		return obj;
	}
	n = sys_rref_alloc(&type->desc, 0, c ? RT_RREF_BATCH : 1, got);
	if (n <= 0) {
		return NULL;
	}
	rt_lock_acquire(&rref_lock);
	while (n > 1 && c->n < RT_RREF_CACHE_MAX) {
		c->obj[c->n++] = (void *)got[--n];
	}
	rt_lock_release(&rref_lock);
	/* Other threads filled the cache meanwhile: give the rest back. */
	if (n > 1 && sys_rref_free(&got[1], (uint64_t)n - 1)) {
		dom_panic("rt_rref_alloc: cannot free fresh rrefs");
	}
	return (void *)got[0];
}

/* Frees @obj, whose nested rrefs are gone: into its type's cache. */
static void free_one(const struct rref_type_info *type, void *obj)
{
	uint64_t back[RT_RREF_CACHE_MAX / 2];
	unsigned int nback = 0;
	struct rref_cache *c;

	rt_lock_acquire(&rref_lock);
	c = cache_of(type->desc.id);
	if (c && c->n == RT_RREF_CACHE_MAX) {
		while (nback < RT_RREF_CACHE_MAX / 2) {
			back[nback++] = (uint64_t)c->obj[--c->n];
		}
	}
	if (c) {
		c->obj[c->n++] = obj;
	} else {
		back[nback++] = (uint64_t)obj;
	}
	rt_lock_release(&rref_lock);
	if (nback && sys_rref_free(back, nback)) {
		dom_panic("rt_rref_drop: freed an rref this domain does not "
			  "own");
	}
}

/* Objects waiting to be dropped (rt_rref_drop()), last in first out. */
#define RT_RREF_DROPQ_LOCAL 64u

struct rt_rref_pending {
	const struct rref_type_info *type;
	void *obj;
};

struct rt_rref_dropq {
	struct rt_rref_pending *v; /* local, or from malloc() */
	size_t n;
	size_t cap;
	struct rt_rref_pending local[RT_RREF_DROPQ_LOCAL];
};

void rt_rref_drop_later(struct rt_rref_dropq *q,
			const struct rref_type_info *type, void *obj)
{
	if (!obj) {
		return;
	}
	if (q->n == q->cap) {
		size_t cap = q->cap * 2;
		struct rt_rref_pending *v =
			q->v == q->local ? malloc(cap * sizeof(*v))
					 : realloc(q->v, cap * sizeof(*v));

		if (!v) {
			rt_rref_drop(type, obj); /* only then, a recursion */
			return;
		}
		if (q->v == q->local) {
			memcpy(v, q->local, sizeof(q->local));
		}
		q->v = v;
		q->cap = cap;
	}
	q->v[q->n++] = (struct rt_rref_pending){type, obj};
}

void rt_rref_drop(const struct rref_type_info *type, void *obj)
{
	struct rt_rref_dropq q = {.n = 0, .cap = RT_RREF_DROPQ_LOCAL};

	q.v = q.local;
	rt_rref_drop_later(&q, type, obj);
	while (q.n > 0) {
		struct rt_rref_pending p = q.v[--q.n];

		if (p.type->drop_nested) {
			p.type->drop_nested(p.obj, &q);
		}
		free_one(p.type, p.obj);
	}
	if (q.v != q.local) {
		free(q.v);
	}
}
