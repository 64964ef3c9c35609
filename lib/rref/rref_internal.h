/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/rref: what rref_cross.c (the crossing rules) needs from
 * rref_table.c (hash table, virtual pages, type registry). Not part of
 * the table's interface; the kernel includes rref_table.h only.
 */
#pragma once

#include <stdint.h>

#include "abi/rref_types.h"
#include "rref/rref_table.h"

/* Hash slot keys that are never object addresses (those are page aligned). */
#define RREF_SLOT_EMPTY 0ull
#define RREF_SLOT_TOMB 1ull

/* A registered type: the part of struct rref_type_desc the table uses. */
struct rref_type_ent {
	uint64_t id;
	uint32_t size;
	uint32_t nruns;
	struct rref_slot_run runs[RREF_TYPE_MAX_SLOTS];
};

/* Hash slots in the table. */
static inline uint64_t rref_tab_cap(const struct rref_table *t)
{
	return 1ull << t->shift;
}

/*
 * The writable entry of the object at @addr, or NULL. Valid until the
 * next insertion or rref_tab_shrink() (removals move no live entry).
 */
struct rref_meta *rref_tab_slot(const struct rref_table *t, uint64_t addr);
/* The registered layout of @id, or NULL (also for id 0). */
const struct rref_type_ent *rref_tab_type(const struct rref_table *t,
					  uint64_t id);
/* Remove live entry @m; its pages and guards go back to the pool. */
void rref_tab_remove(struct rref_table *t, struct rref_meta *m);
/* Shrink a mostly empty hash table; may move entries; cannot fail. */
void rref_tab_shrink(struct rref_table *t);
