# SPDX-License-Identifier: MIT
# Domain image signatures: SHA-512, verify-only Ed25519 and the signature
# trailer parser. Freestanding; linked into the kernel and into
# tools/domsign, and tested on the host against RFC/FIPS vectors and
# differentially against OpenSSL.

CRYPTO_SRCS := lib/crypto/sha512.c lib/crypto/ed25519.c lib/crypto/sigtrailer.c
KERNEL_SRCS += $(CRYPTO_SRCS)

UNIT_TESTS += sha512
UNIT_SRCS_sha512 := tests/unit/test_sha512.c lib/crypto/sha512.c
UNIT_LIBS_sha512 := -lcrypto

# The Ed25519 tests run thousands of verifications under ASan+UBSan; -O2
# makes them about 1.5 times faster than the default -O1.
UNIT_TESTS += ed25519
UNIT_SRCS_ed25519 := tests/unit/test_ed25519.c lib/crypto/ed25519.c \
	lib/crypto/sha512.c
UNIT_CFLAGS_ed25519 := -O2

# test_ed25519_diff.c #includes ed25519.c to reach its static helpers.
UNIT_TESTS += ed25519_diff
UNIT_SRCS_ed25519_diff := tests/unit/test_ed25519_diff.c lib/crypto/sha512.c
UNIT_LIBS_ed25519_diff := -lcrypto
UNIT_CFLAGS_ed25519_diff := -O2
$(B)/unit/test_ed25519_diff: lib/crypto/ed25519.c lib/crypto/ed25519.h

UNIT_TESTS += sigtrailer
UNIT_SRCS_sigtrailer := tests/unit/test_sigtrailer.c $(CRYPTO_SRCS)
UNIT_LIBS_sigtrailer := -lcrypto
