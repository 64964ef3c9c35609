// SPDX-License-Identifier: MIT
/*
 * Domain image signature trailer (lib/abi/sigtrailer.h): a pure parser
 * and encoder, and sig_verify_image(), which the kernel loader calls on
 * every image before looking at its ELF contents. Freestanding.
 */
#include "crypto/sigtrailer.h"

#include <stdbool.h>

#include "abi/errno.h"
#include "crypto/ed25519.h"
#include "crypto/sha512.h"

BUILD_ASSERT(SIGTRAILER_SIG_SIZE == ED25519_SIGNATURE_SIZE);

static uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t load_le64(const uint8_t *p)
{
	return (uint64_t)load_le32(p) | (uint64_t)load_le32(p + 4) << 32;
}

static void store_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
	}
}

static void store_le64(uint8_t *p, uint64_t v)
{
	store_le32(p, (uint32_t)v);
	store_le32(p + 4, (uint32_t)(v >> 32));
}

void sig_key_id(const uint8_t pub[32], uint8_t id[SIGTRAILER_KEY_ID_SIZE])
{
	uint8_t digest[SHA512_DIGEST_SIZE];

	sha512(pub, 32, digest);
	__builtin_memcpy(id, digest, SIGTRAILER_KEY_ID_SIZE);
}

void sigtrailer_decode(const uint8_t in[SIGTRAILER_SIZE],
		       struct sigtrailer *out)
{
	__builtin_memcpy(out->magic, in + offsetof(struct sigtrailer, magic),
			 SIGTRAILER_MAGIC_SIZE);
	out->algorithm = load_le32(in + offsetof(struct sigtrailer, algorithm));
	out->version = load_le32(in + offsetof(struct sigtrailer, version));
	__builtin_memcpy(out->key_id, in + offsetof(struct sigtrailer, key_id),
			 SIGTRAILER_KEY_ID_SIZE);
	out->signed_len =
		load_le64(in + offsetof(struct sigtrailer, signed_len));
	__builtin_memcpy(out->signature,
			 in + offsetof(struct sigtrailer, signature),
			 SIGTRAILER_SIG_SIZE);
}

int sigtrailer_parse(const void *file, size_t size, struct sigtrailer *out,
		     size_t *signed_len)
{
	struct sigtrailer t;

	if (size < SIGTRAILER_SIZE) {
		return -ENOEXEC;
	}
	sigtrailer_decode((const uint8_t *)file + (size - SIGTRAILER_SIZE), &t);
	if (__builtin_memcmp(t.magic, SIGTRAILER_MAGIC,
			     SIGTRAILER_MAGIC_SIZE) != 0) {
		return -ENOEXEC;
	}
	if (t.algorithm != SIGTRAILER_ALG_ED25519 ||
	    t.version != SIGTRAILER_VERSION) {
		return -EINVAL;
	}
	/* The trailer must sit right after the bytes it signs. */
	if (t.signed_len != (uint64_t)(size - SIGTRAILER_SIZE) ||
	    t.signed_len == 0) {
		return -EINVAL;
	}

	*out = t;
	*signed_len = size - SIGTRAILER_SIZE;
	return 0;
}

void sigtrailer_encode(const struct sigtrailer *t, uint8_t out[SIGTRAILER_SIZE])
{
	__builtin_memcpy(out + offsetof(struct sigtrailer, magic), t->magic,
			 SIGTRAILER_MAGIC_SIZE);
	store_le32(out + offsetof(struct sigtrailer, algorithm), t->algorithm);
	store_le32(out + offsetof(struct sigtrailer, version), t->version);
	__builtin_memcpy(out + offsetof(struct sigtrailer, key_id), t->key_id,
			 SIGTRAILER_KEY_ID_SIZE);
	store_le64(out + offsetof(struct sigtrailer, signed_len),
		   t->signed_len);
	__builtin_memcpy(out + offsetof(struct sigtrailer, signature),
			 t->signature, SIGTRAILER_SIG_SIZE);
}

/* True if @key's id is the one its public key hashes to. */
static bool sig_key_is_consistent(const struct sig_key *key)
{
	uint8_t id[SIGTRAILER_KEY_ID_SIZE];

	sig_key_id(key->pub, id);
	return __builtin_memcmp(id, key->id, SIGTRAILER_KEY_ID_SIZE) == 0;
}

int sig_verify_image(const void *file, size_t size, const struct sig_key *keys,
		     size_t nkeys, size_t *signed_len)
{
	struct sigtrailer t;
	size_t len;
	int err;

	err = sigtrailer_parse(file, size, &t, &len);
	if (err) {
		return err;
	}

	/*
	 * Key ids are only a hint for choosing the key; the signature is
	 * what counts. Every consistent key with the id is tried, so a
	 * colliding id cannot hide the right key.
	 */
	err = -EACCES;
	for (size_t i = 0; i < nkeys; i++) {
		const struct sig_key *key = &keys[i];

		if (__builtin_memcmp(key->id, t.key_id,
				     SIGTRAILER_KEY_ID_SIZE) != 0 ||
		    !sig_key_is_consistent(key)) {
			continue;
		}
		if (ed25519_verify(t.signature, file, len, key->pub) == 0) {
			*signed_len = len;
			return 0;
		}
		err = -EKEYREJECTED;
	}
	return err;
}
