/* SPDX-License-Identifier: MIT */
/*
 * The rref type registry: for every type that lives on the shared heap,
 * its identity, size and where its nested rrefs are. idlc emits one table
 * per interface (`const struct rref_type_info <iface>_types[]`, see
 * idl/README.md). Part of the kernel<->domain ABI (ARCHITECTURE.md,
 * "Shared heap and rrefs"): when a domain dies the kernel drops every rref
 * it owns, nested rrefs included, by walking these descriptions.
 *
 * The kernel reads only struct rref_type_desc: fixed-width fields, no
 * pointers, so it can be copied out of a domain and validated once. The
 * function pointer that follows it in struct rref_type_info is for the
 * domain's own runtime and is never read by the kernel.
 *
 * Nested rrefs are described as slot runs: `count` pointer-sized slots,
 * the first at byte `offset` of the object, the next ones `stride` bytes
 * apart. Each slot holds 0 (none) or the address of a shared-heap object
 * of type `type_id`, owned by the object that contains the slot. Slots are
 * always optional: shared memory may hold 0 in any of them at any time.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

#define RREF_TYPE_MAX_SLOTS 16u	      /* slot runs per type */
#define RREF_TYPE_NAME_LEN 64u	      /* including the NUL; may be truncated */
#define RREF_TYPE_MAX_SIZE (1u << 24) /* bytes per object */
#define RREF_TYPE_MAX_TYPES 256u      /* registry entries per interface */
#define RREF_TYPE_MAX_TOTAL_SLOTS 4096u /* slots per type, all runs together */

/* rref_type_desc.kind */
enum rref_type_kind {
	RREF_TYPE_STRUCT = 0, /* an IDL struct, target of rref<T> */
	RREF_TYPE_ARRAY = 1,  /* rref_array<T, N>: N slots of rref<T> */
	RREF_TYPE_DEQUE = 2,  /* rref_deque<T, N>: a ring of N slots */
};

/* One run of nested rref slots. */
struct rref_slot_run {
	uint32_t offset;   /* byte offset of the first slot */
	uint32_t stride;   /* bytes between slots, >= 8 when count > 1 */
	uint32_t count;	   /* slots in the run, >= 1 */
	uint32_t reserved; /* zero */
	uint64_t type_id;  /* type of the objects the slots point to */
};
BUILD_ASSERT(sizeof(struct rref_slot_run) == 24);

/* What the kernel reads about one shared-heap type. */
struct rref_type_desc {
	uint64_t id;	 /* stable hash of the type's definition, nonzero */
	uint32_t size;	 /* bytes, 1..RREF_TYPE_MAX_SIZE */
	uint32_t align;	 /* 1, 2, 4 or 8 */
	uint32_t kind;	 /* enum rref_type_kind */
	uint32_t nslots; /* slot runs used, 0..RREF_TYPE_MAX_SLOTS */
	struct rref_slot_run slots[RREF_TYPE_MAX_SLOTS];
	char name[RREF_TYPE_NAME_LEN]; /* C name, for diagnostics only */
};
BUILD_ASSERT(sizeof(struct rref_type_desc) == 472);
BUILD_ASSERT(offsetof(struct rref_type_desc, slots) == 24);
BUILD_ASSERT(offsetof(struct rref_type_desc, name) == 408);

struct rt_rref_dropq;

/*
 * A registry entry: the kernel-readable description, then the domain-side
 * drop hook. drop_nested, when not NULL, hands every non-NULL nested rref
 * of @obj to rt_rref_drop_later(@q, ...) (lib/rt/ipc.h), setting its slot
 * to NULL, but not @obj itself; the runtime calls it before freeing an
 * object of this type, and drops what it was handed after, without
 * recursing, however long a list of rrefs is. NULL means the type has no
 * nested rrefs. Never read by the kernel.
 */
struct rref_type_info {
	struct rref_type_desc desc;
	void (*drop_nested)(void *obj, struct rt_rref_dropq *q);
};
BUILD_ASSERT(offsetof(struct rref_type_info, drop_nested) ==
	     sizeof(struct rref_type_desc));
