# SPDX-License-Identifier: MIT
# caller: a test domain for cross-domain calls (tests/call).
include domains/domain.mk
DOMAIN_SRCS_caller := tests/call/caller/caller.c tests/call/caller/manifest.c
$(eval $(call domain_add,caller))
