// SPDX-License-Identifier: MIT
/*
 * Host tests for rt_rref_drop() (lib/rt/ipc.c): dropping an rref drops
 * everything reachable through its nested rrefs exactly once, without the
 * stack growing with the length of a chain. lib/rt/ipc.c is linked with
 * a fake SYS_RREF_FREE that checks every address it is given against a
 * pool of objects and counts it; objects the runtime keeps in its
 * per-type cache (at most RT_RREF_CACHE_MAX, 32) are not given back.
 * Covered: a list of a million nodes (the recursive drop of the past
 * overflowed the stack at a few hundred on a domain's 64 KiB), a fan-out
 * wider than the queue's on-stack part, slots cleared, NULL ignored.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "abi/ipc.h"
#include "abi/rref_types.h"
#include "rt/ipc.h"
#include "rt/syscall.h"
#include "unit.h"

#define CACHE_MAX 32u /* lib/rt/ipc.c, RT_RREF_CACHE_MAX */
#define FAN 200u      /* slots of a fan; more than RT_RREF_DROPQ_LOCAL */

/* A list node, and a fan of lists: the shapes idlc's types take. */
struct node {
	uint64_t value;
	struct node *next;
};

struct fan {
	struct node *slot[FAN];
};

/* Every object lives in one pool, so that an address names its index. */
static struct {
	unsigned char *base;
	size_t size;
	size_t used;
	unsigned char *freed; /* per 16 bytes: given back how often */
	uint64_t nfreed;
	uint64_t bad; /* addresses outside the pool, or given back twice */
} pool;

static void pool_init(size_t bytes)
{
	pool.base = calloc(1, bytes);
	pool.freed = calloc(1, bytes / 16);
	pool.size = bytes;
	pool.used = 0;
	pool.nfreed = 0;
	pool.bad = 0;
}

static void pool_fini(void)
{
	free(pool.base);
	free(pool.freed);
	memset(&pool, 0, sizeof(pool));
}

static void *pool_alloc(size_t size)
{
	void *p = pool.base + pool.used;

	pool.used += (size + 15) & ~(size_t)15;
	return p;
}

/*
 * A node type and what idlc generates for it: its slot cleared, its rref
 * handed to the queue. Each test has types of its own, so that objects
 * the runtime's cache still holds from an earlier test (whose pool is
 * gone) are never touched again.
 */
#define NODE_TYPE(name, type_id)                                            \
	static void name##_drop_nested(void *obj, struct rt_rref_dropq *q); \
	static const struct rref_type_info name = {                         \
		.desc = {.id = (type_id),                                   \
			 .size = sizeof(struct node),                       \
			 .align = 8},                                       \
		.drop_nested = name##_drop_nested,                          \
	};                                                                  \
	static void name##_drop_nested(void *obj, struct rt_rref_dropq *q)  \
	{                                                                   \
		struct node *n = obj;                                       \
		struct node *next = n->next;                                \
                                                                            \
		n->next = NULL;                                             \
		rt_rref_drop_later(q, &name, next);                         \
	}

NODE_TYPE(list_node, 0x101)
NODE_TYPE(fan_node, 0x201)

static void fan_drop_nested(void *obj, struct rt_rref_dropq *q)
{
	struct fan *f = obj;

	for (unsigned int i = 0; i < FAN; i++) {
		struct node *n = f->slot[i];

		f->slot[i] = NULL;
		rt_rref_drop_later(q, &fan_node, n);
	}
}

static const struct rref_type_info fan_type = {
	.desc = {.id = 0x202, .size = sizeof(struct fan), .align = 8},
	.drop_nested = fan_drop_nested,
};

/* A list of @len nodes, values 1..@len. */
static struct node *make_list(uint64_t len)
{
	struct node *head = NULL;

	for (uint64_t i = len; i > 0; i--) {
		struct node *n = pool_alloc(sizeof(*n));

		n->value = i;
		n->next = head;
		head = n;
	}
	return head;
}

/* --- The fake kernel ------------------------------------------------------ */

int sys_rref_free(const uint64_t *addrs, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		unsigned char *p = (unsigned char *)(uintptr_t)addrs[i];
		size_t off = (size_t)(p - pool.base);

		if (p < pool.base || off >= pool.used || off % 16 ||
		    pool.freed[off / 16]++) {
			pool.bad++;
			continue;
		}
		pool.nfreed++;
	}
	return 0;
}

/* ipc.c's other dependencies, never reached by these tests. */
int64_t sys_rref_alloc(const struct rref_type_desc *type, uint64_t size,
		       uint64_t count, uint64_t *out)
{
	return -ENOMEM;
}

int sys_thread_yield(void)
{
	return 0;
}

int rt_ipc_host_syscall(uint64_t call_word, const uint64_t in[IPC_WORDS],
			uint64_t out[IPC_WORDS], int32_t *app_status)
{
	return -EBADF;
}

__attribute__((noreturn)) void dom_panic(const char *fmt, ...);
__attribute__((noreturn)) void dom_panic(const char *fmt, ...)
{
	abort();
}

/* --- Tests ---------------------------------------------------------------- */

/*
 * Given back or in the cache: @objs objects of @ntypes types were dropped
 * when all but at most CACHE_MAX per type came back, none twice.
 */
static void check_dropped(uint64_t objs, unsigned int ntypes, uint64_t nfreed0)
{
	uint64_t back = pool.nfreed - nfreed0;

	UNIT_EQ(pool.bad, 0);
	UNIT_ASSERT(back <= objs);
	UNIT_ASSERT(objs - back <= (uint64_t)CACHE_MAX * ntypes);
}

UNIT_TEST(rt_drop_a_million_node_list_without_recursion)
{
	const uint64_t len = 1000000;
	struct node *head;
	struct node *second;

	pool_init(len * 16 + 4096);
	head = make_list(len);
	second = head->next;
	rt_rref_drop(&list_node, head);
	check_dropped(len, 1, 0);
	/* Every slot was cleared on the way. */
	UNIT_ASSERT(head->next == NULL && second->next == NULL);
	pool_fini();
}

UNIT_TEST(rt_drop_fan_wider_than_the_stack_queue)
{
	struct fan *f;
	uint64_t objs = 1;
	uint64_t nfreed0;

	pool_init((FAN * 50 + 1) * 16 + sizeof(*f) + 4096);
	nfreed0 = pool.nfreed;
	f = pool_alloc(sizeof(*f));
	for (unsigned int i = 0; i < FAN; i++) {
		/* Some slots empty, lists of 0..49 nodes in the others. */
		f->slot[i] = i % 7 ? make_list(i % 50) : NULL;
		objs += i % 7 ? i % 50 : 0;
	}
	rt_rref_drop(&fan_type, f);
	check_dropped(objs, 2, nfreed0);
	for (unsigned int i = 0; i < FAN; i++) {
		UNIT_ASSERT(f->slot[i] == NULL);
	}
	pool_fini();
}

UNIT_TEST(rt_drop_null_is_ignored)
{
	pool_init(4096);
	rt_rref_drop(&list_node, NULL);
	rt_rref_drop(&fan_type, NULL);
	UNIT_EQ(pool.nfreed, 0);
	UNIT_EQ(pool.bad, 0);
	pool_fini();
}
