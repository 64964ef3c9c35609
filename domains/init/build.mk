# SPDX-License-Identifier: MIT
# init: the first domain the kernel starts; starts the others according to
# the boot profile. Adding a domain: see domains/build.mk.
include domains/domain.mk
DOMAIN_SRCS_init := domains/init/init.c domains/init/manifest.c
$(eval $(call domain_add,init))
