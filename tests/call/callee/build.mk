# SPDX-License-Identifier: MIT
# callee: a test domain for cross-domain calls (tests/call).
include domains/domain.mk
DOMAIN_SRCS_callee := tests/call/callee/callee.c tests/call/callee/manifest.c
$(eval $(call domain_add,callee))
