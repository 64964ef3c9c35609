# SPDX-License-Identifier: MIT
# healthy: a test domain that keeps making progress next to a faulty one.
include domains/domain.mk
DOMAIN_SRCS_healthy := tests/fault/healthy/healthy.c \
	tests/fault/healthy/manifest.c
$(eval $(call domain_add,healthy))
