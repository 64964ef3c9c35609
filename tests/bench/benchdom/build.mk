# SPDX-License-Identifier: MIT
# bench: the domain that measures ring-3 costs for `make bench`.
include domains/domain.mk
DOMAIN_SRCS_bench := tests/bench/benchdom/bench.c \
	tests/bench/benchdom/manifest.c
$(eval $(call domain_add,bench))
