# SPDX-License-Identifier: MIT
# bench: the domain that measures ring-3 costs for `make bench`; a client
# of the callee test domain (calltest, and echo through the idlc proxies).
include domains/domain.mk
include tools/idlc/build.mk
DOMAIN_SRCS_bench := tests/bench/benchdom/bench.c \
	tests/bench/benchdom/local_echo.c tests/bench/benchdom/manifest.c \
	$(IDL_C_echo)
DOMAIN_CFLAGS_bench := -I$(B)
$(eval $(call domain_add,bench))
$(DOMAIN_OBJS_bench): | $(IDL_H_echo)
