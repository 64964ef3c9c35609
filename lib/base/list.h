/* SPDX-License-Identifier: MIT */
/*
 * Intrusive circular doubly-linked lists. A struct list_head is either a
 * list's head or a link inside an element; an unlinked element points to
 * itself, so list_unlink() is safe to call twice.
 */
#pragma once

#include <stdbool.h>

#include "base/compiler.h"

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

#define LIST_HEAD_INIT(name)     \
	{                        \
		&(name), &(name) \
	}

static inline void list_init(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

static inline void list_insert_between(struct list_head *n,
				       struct list_head *prev,
				       struct list_head *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

/* Append @n at the tail of @h. */
static inline void list_push_back(struct list_head *h, struct list_head *n)
{
	list_insert_between(n, h->prev, h);
}

/* Insert @n at the front of @h. */
static inline void list_push_front(struct list_head *h, struct list_head *n)
{
	list_insert_between(n, h, h->next);
}

/* Insert @n just before @pos. */
static inline void list_insert_before(struct list_head *pos,
				      struct list_head *n)
{
	list_insert_between(n, pos->prev, pos);
}

static inline void list_unlink(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

static inline bool list_is_linked(const struct list_head *n)
{
	return n->next != n;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)

#define list_for_each(pos, h) \
	for ((pos) = (h)->next; (pos) != (h); (pos) = (pos)->next)

/* Iterate while allowing the current element to be unlinked. */
#define list_for_each_safe(pos, tmp, h)                            \
	for ((pos) = (h)->next, (tmp) = (pos)->next; (pos) != (h); \
	     (pos) = (tmp), (tmp) = (pos)->next)
