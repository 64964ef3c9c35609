/* SPDX-License-Identifier: MIT */
/*
 * Domain image signatures: parsing and writing the trailer of
 * lib/abi/sigtrailer.h and verifying a signed image against a table of
 * trusted keys. Freestanding and pure (no allocation, no globals); used by
 * the kernel loader and by tools/domsign.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "abi/sigtrailer.h"
#include "base/compiler.h"

/*
 * A trusted Ed25519 public key. @id must be the first 8 bytes of
 * SHA-512(@pub) (sig_key_id()); an entry whose id does not match its key
 * is ignored. `domsign pubkey-c` prints initialisers for this struct.
 */
struct sig_key {
	uint8_t id[SIGTRAILER_KEY_ID_SIZE];
	uint8_t pub[32];
	const char *name; /* For log messages only. */
};

/* Computes the key id of a 32-byte Ed25519 public key. */
void sig_key_id(const uint8_t pub[32], uint8_t id[SIGTRAILER_KEY_ID_SIZE]);

/*
 * Finds and checks the trailer at the end of the @size bytes at @file,
 * decoding it into @out and the signed length into @signed_len.
 * Returns 0; -ENOEXEC if the file is too small or does not end in a
 * trailer (an unsigned image); -EINVAL if the trailer has an unknown
 * algorithm or version, or a signed length other than @size minus the
 * trailer (truncated or extended file) or 0. Outputs are written only on
 * success.
 */
int __must_check sigtrailer_parse(const void *file, size_t size,
				  struct sigtrailer *out, size_t *signed_len);

/*
 * Decodes the 96 on-disk bytes at @in into @out without checking any field;
 * for tools that show broken trailers. Loaders use sigtrailer_parse().
 */
void sigtrailer_decode(const uint8_t in[SIGTRAILER_SIZE],
		       struct sigtrailer *out);

/* Writes @t into @out in its on-disk, little-endian form. */
void sigtrailer_encode(const struct sigtrailer *t,
		       uint8_t out[SIGTRAILER_SIZE]);

/*
 * Verifies the signed image of @size bytes at @file against the @nkeys
 * trusted keys at @keys, and on success stores the length of the signed
 * part (the ELF image to load) in @signed_len. Returns 0, a
 * sigtrailer_parse() error, -EACCES if no trusted key has the trailer's
 * key id, or -EKEYREJECTED if the signature does not verify.
 */
int __must_check sig_verify_image(const void *file, size_t size,
				  const struct sig_key *keys, size_t nkeys,
				  size_t *signed_len);
