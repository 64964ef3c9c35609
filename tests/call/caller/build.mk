# SPDX-License-Identifier: MIT
# caller: a test domain for cross-domain calls (tests/call).
include domains/domain.mk
include tools/idlc/build.mk
DOMAIN_SRCS_caller := tests/call/caller/caller.c tests/call/caller/rref_scen.c \
	tests/call/caller/manifest.c $(IDL_C_echo)
DOMAIN_CFLAGS_caller := -I$(B)
$(eval $(call domain_add,caller))
$(DOMAIN_OBJS_caller): | $(IDL_H_echo)
