/* SPDX-License-Identifier: MIT */
/*
 * Interface descriptors: what idlc emits for each interface (as
 * `const struct ipc_iface_desc <iface>_desc`) so that the kernel can check
 * every cross-domain call against the interface the callee exported. Part
 * of the kernel<->domain ABI, companion of lib/abi/ipc.h; the language is
 * specified in idl/README.md.
 *
 * A descriptor is one contiguous, position-independent object: a header
 * followed by nmethods method records sorted by ordinal. It holds no
 * pointers, so the kernel can copy it (ipc_iface_desc_size() bytes) out of
 * a domain and validate it once, at export time. Every field is fixed
 * width; reserved fields and the bytes after a name's NUL are zero.
 *
 * Checks the kernel can make with it, per call word (lib/abi/ipc.h):
 *   - the ordinal names a method of the callee's interface;
 *   - the call word's argument and result kinds equal arg_kinds and
 *     res_kinds (so both sides agree which words are rrefs to move or
 *     lend and which are handles to grant);
 *   - each rref argument's object has the type id in arg_types[word];
 *   - each handle argument names the interface whose ipc_iface_name_id()
 *     is in arg_types[word];
 *   - the idempotent bit of the call word equals IPC_METHOD_IDEMPOTENT;
 *   - on return, the same for results (res_types), and the result words
 *     at index >= nres are zero.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "abi/ipc.h"
#include "base/compiler.h"

#define IPC_DESC_NAME_LEN 32u	  /* names, including the NUL */
#define IPC_DESC_MAX_METHODS 256u /* methods per interface */

/* ipc_method_desc.flags */
#define IPC_METHOD_IDEMPOTENT (1u << 0) /* @idempotent: may be retried */
#define IPC_METHOD_CONFIG (1u << 1)	/* @config: replayed after restart */
#define IPC_METHOD_FLAGS_ALL (IPC_METHOD_IDEMPOTENT | IPC_METHOD_CONFIG)

/* One method of an interface. */
struct ipc_method_desc {
	uint16_t ordinal;   /* 1..65535, unique in the interface */
	uint16_t arg_kinds; /* IPC_KIND_* per argument word, 3 bits each */
	uint16_t res_kinds; /* IPC_KIND_* per result word, 3 bits each */
	uint16_t flags;	    /* IPC_METHOD_* */
	uint8_t nargs;	    /* argument words used, 0..IPC_WORDS */
	uint8_t nres;	    /* result words used, 0..IPC_WORDS */
	uint16_t reserved0; /* zero */
	uint32_t reserved1; /* zero */
	/*
	 * Per word: the type id (lib/abi/rref_types.h) of the object an rref
	 * word points to, ipc_iface_name_id() of the interface a handle
	 * word grants, or 0 for scalar and unused words.
	 */
	uint64_t arg_types[IPC_WORDS];
	uint64_t res_types[IPC_WORDS];
	char name[IPC_DESC_NAME_LEN]; /* the method's IDL name */
};
BUILD_ASSERT(sizeof(struct ipc_method_desc) == 112);
BUILD_ASSERT(offsetof(struct ipc_method_desc, arg_types) == 16);
BUILD_ASSERT(offsetof(struct ipc_method_desc, name) == 80);

/* An interface: header, then its methods. */
struct ipc_iface_desc {
	char name[IPC_DESC_NAME_LEN];	  /* [a-z][a-z0-9_]*, as in manifests */
	uint64_t fingerprint;		  /* idlc's fingerprint, nonzero */
	uint32_t version;		  /* @version, nonzero */
	uint32_t nmethods;		  /* 0..IPC_DESC_MAX_METHODS */
	struct ipc_method_desc methods[]; /* sorted by ordinal */
};
BUILD_ASSERT(sizeof(struct ipc_iface_desc) == 48);
BUILD_ASSERT(offsetof(struct ipc_iface_desc, methods) == 48);

/* Bytes a descriptor with @nmethods methods occupies. */
static inline size_t ipc_iface_desc_size(uint32_t nmethods)
{
	return sizeof(struct ipc_iface_desc) +
	       (size_t)nmethods * sizeof(struct ipc_method_desc);
}

/*
 * The id of an interface name, as found in arg_types/res_types for handle
 * words: FNV-1a 64 (http://www.isthe.com/chongo/tech/comp/fnv/) over the
 * name's bytes, without the NUL. Names are short and chosen by people, so
 * this only has to tell them apart, which FNV-1a does.
 */
static inline uint64_t ipc_iface_name_id(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < IPC_DESC_NAME_LEN && name[i] != '\0'; i++) {
		h ^= (uint8_t)name[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
