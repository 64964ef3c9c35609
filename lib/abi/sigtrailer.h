/* SPDX-License-Identifier: MIT */
/*
 * The signature trailer of a domain image (ARCHITECTURE.md, "Domains"):
 * tools/domsign appends it after the final strip and the kernel checks it
 * before loading (lib/crypto/sigtrailer.c). Layout of a signed file:
 *
 *	+-------------------------------+ 0
 *	| ELF image: the signed message |
 *	+-------------------------------+ signed_len = file size - 96
 *	| struct sigtrailer (96 bytes)  |
 *	+-------------------------------+ file size
 *
 * The signature is Ed25519 (RFC 8032) over bytes [0, signed_len) of the
 * file. The trailer itself is not signed: every field is either checked
 * (magic, algorithm, version, signed_len) or only selects which trusted
 * key to verify with (key_id). All integers are little-endian; fields are
 * naturally aligned, so the struct has no padding. Read and write the
 * trailer with sigtrailer_parse() / sigtrailer_encode(), never by casting
 * file bytes to the struct.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

#define SIGTRAILER_MAGIC "CRDNSIG1" /* 8 bytes, no NUL in the file */
#define SIGTRAILER_MAGIC_SIZE 8u
#define SIGTRAILER_VERSION 1u
#define SIGTRAILER_KEY_ID_SIZE 8u
#define SIGTRAILER_SIG_SIZE 64u

/* sigtrailer.algorithm */
#define SIGTRAILER_ALG_ED25519 1u

struct sigtrailer {
	uint8_t magic[SIGTRAILER_MAGIC_SIZE]; /* SIGTRAILER_MAGIC */
	uint32_t algorithm;		      /* SIGTRAILER_ALG_* */
	uint32_t version;		      /* SIGTRAILER_VERSION */
	/* First 8 bytes of SHA-512 of the 32-byte Ed25519 public key. */
	uint8_t key_id[SIGTRAILER_KEY_ID_SIZE];
	/* Bytes before the trailer: the signed message. */
	uint64_t signed_len;
	uint8_t signature[SIGTRAILER_SIG_SIZE]; /* Ed25519: R || S */
};

#define SIGTRAILER_SIZE 96u

BUILD_ASSERT(sizeof(struct sigtrailer) == SIGTRAILER_SIZE);
BUILD_ASSERT(offsetof(struct sigtrailer, magic) == 0);
BUILD_ASSERT(offsetof(struct sigtrailer, algorithm) == 8);
BUILD_ASSERT(offsetof(struct sigtrailer, version) == 12);
BUILD_ASSERT(offsetof(struct sigtrailer, key_id) == 16);
BUILD_ASSERT(offsetof(struct sigtrailer, signed_len) == 24);
BUILD_ASSERT(offsetof(struct sigtrailer, signature) == 32);
