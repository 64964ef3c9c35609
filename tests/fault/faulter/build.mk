# SPDX-License-Identifier: MIT
# faulter: a test domain that misbehaves on request (faulter.h).
include domains/domain.mk
DOMAIN_SRCS_faulter := tests/fault/faulter/faulter.c \
	tests/fault/faulter/manifest.c
$(eval $(call domain_add,faulter))
