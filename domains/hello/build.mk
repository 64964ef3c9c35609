# SPDX-License-Identifier: MIT
# hello: the first domain, a smoke test of the domain runtime. Adding a
# domain: see domains/build.mk.
include domains/domain.mk
DOMAIN_SRCS_hello := domains/hello/hello.c domains/hello/manifest.c
$(eval $(call domain_add,hello))
