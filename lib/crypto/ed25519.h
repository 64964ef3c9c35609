/* SPDX-License-Identifier: MIT */
/*
 * Verify-only Ed25519 (RFC 8032, https://www.rfc-editor.org/rfc/rfc8032,
 * section 5.1.7), freestanding. The kernel uses it to check domain image
 * signatures; the host signer uses the same code to check its output.
 * Verification is stricter than RFC 8032: see ed25519.c for the list.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

#define ED25519_PUBLIC_KEY_SIZE 32
#define ED25519_SIGNATURE_SIZE 64

/*
 * Checks that @sig is a valid Ed25519 signature by public key @pub over the
 * @len bytes at @msg (@msg may be NULL when @len is 0). Returns 0 when
 * valid and -EKEYREJECTED for anything else, including malformed keys or
 * signatures. Runs in variable time: every input is public.
 */
int __must_check ed25519_verify(const uint8_t sig[ED25519_SIGNATURE_SIZE],
				const uint8_t *msg, size_t len,
				const uint8_t pub[ED25519_PUBLIC_KEY_SIZE]);
