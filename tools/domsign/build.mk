# SPDX-License-Identifier: MIT
# domsign, the domain image signer. It links the kernel's own verifier
# (lib/crypto) so that "domsign verify" and the boot-time check agree.

HOST_TOOLS += domsign
HOST_SRCS_domsign := tools/domsign/domsign.c lib/crypto/sha512.c \
	lib/crypto/ed25519.c lib/crypto/sigtrailer.c lib/base/errno.c
HOST_LIBS_domsign := -lcrypto
$(B)/tools/domsign: lib/crypto/sha512.h lib/crypto/ed25519.h \
	lib/crypto/sigtrailer.h lib/abi/sigtrailer.h

# The end-to-end test tests/unit/domsign_test.sh, wrapped as
# build/unit/test_domsign so that the unit-test runner (make test) picks it
# up like any other unit test. `make domsign-test` runs it directly.
$(B)/unit/test_domsign: tests/unit/domsign_test.sh $(B)/tools/domsign
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@printf '#!/bin/sh\nexec bash "%s" "%s"\n' \
		"$(CURDIR)/tests/unit/domsign_test.sh" \
		"$(CURDIR)/$(B)/tools/domsign" >$@
	@chmod +x $@
TEST_DEPS += $(B)/unit/test_domsign

.PHONY: domsign-test
domsign-test: $(B)/unit/test_domsign
	@$(B)/unit/test_domsign
