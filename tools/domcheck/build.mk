# SPDX-License-Identifier: MIT
# domcheck, the build-time gate for domain images: the kernel's signature
# check (with the kernel's trusted key table) and image validator, run on
# every signed image by domains/domain.mk. Rebuilt when the key changes.

HOST_TOOLS += domcheck
HOST_SRCS_domcheck := tools/domcheck/domcheck.c tools/domcheck/elfsym.c \
	kernel/elf_check.c kernel/manifest.c lib/crypto/sigtrailer.c \
	lib/crypto/sha512.c lib/crypto/ed25519.c lib/base/errno.c \
	lib/base/fmt.c
HOST_CFLAGS_domcheck := -I$(B) -iquote tools/domcheck
$(B)/tools/domcheck: $(B)/keys/trusted_keys.inc tools/domcheck/elfsym.h \
	kernel/elf_check.h kernel/manifest.h lib/abi/manifest.h \
	lib/abi/layout.h lib/abi/sigtrailer.h lib/crypto/sigtrailer.h
