# SPDX-License-Identifier: MIT
# callee: a test domain for cross-domain calls (tests/call).
include domains/domain.mk
include tools/idlc/build.mk
DOMAIN_SRCS_callee := tests/call/callee/callee.c tests/call/callee/manifest.c $(IDL_C_echo)
DOMAIN_CFLAGS_callee := -I$(B)
$(eval $(call domain_add,callee))
$(DOMAIN_OBJS_callee): | $(IDL_H_echo)
