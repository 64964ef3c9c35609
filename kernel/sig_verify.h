/* SPDX-License-Identifier: MIT */
/*
 * Domain image signatures: the keys the kernel trusts and the domsig=
 * policy (enforce, the default, or warn). The build embeds the public
 * key(s) from build/keys/trusted_keys.inc (DOMAIN_KEY= selects your own).
 */
#pragma once

#include <stddef.h>

/*
 * Check the trailer of @img under the policy. Returns 0 and the number of
 * signed bytes in *signed_len, or the verifier's error when the policy is
 * enforce. Under warn, a bad or missing signature is reported loudly and
 * 0 is returned with *signed_len covering the ELF part.
 */
int sig_check_image(const char *name, const void *img, size_t size,
		    size_t *signed_len);
/* Human-readable reason for a sig_verify_image() error. */
const char *sig_error_reason(int err);
size_t sig_trusted_key_count(void);
