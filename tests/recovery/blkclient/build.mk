# SPDX-License-Identifier: MIT
# blkclient: a test domain that writes and checks blocks through blk
# while the service restarts under it (tests/recovery).
include domains/domain.mk
include tools/idlc/build.mk
DOMAIN_SRCS_blkclient := tests/recovery/blkclient/blkclient.c \
	tests/recovery/blkclient/manifest.c $(IDL_C_blk)
DOMAIN_CFLAGS_blkclient := -I$(B)
$(eval $(call domain_add,blkclient))
$(DOMAIN_OBJS_blkclient): | $(IDL_H_blk)
