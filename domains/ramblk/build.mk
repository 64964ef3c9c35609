# SPDX-License-Identifier: MIT
# ramblk: a RAM block device exporting blk, its blocks in the state area
# so that they survive a restart. Adding a domain: see domains/build.mk.
include domains/domain.mk
include tools/idlc/build.mk
DOMAIN_SRCS_ramblk := domains/ramblk/ramblk.c domains/ramblk/ramblk_store.c \
	domains/ramblk/manifest.c $(IDL_C_blk)
DOMAIN_CFLAGS_ramblk := -I$(B)
$(eval $(call domain_add,ramblk))
$(DOMAIN_OBJS_ramblk): | $(IDL_H_blk)

# Host tests of the store logic (ramblk_store.c) on plain memory.
UNIT_TESTS += ramblk
UNIT_SRCS_ramblk := domains/ramblk/test_ramblk.c domains/ramblk/ramblk_store.c
UNIT_CFLAGS_ramblk := -I$(B)
$(B)/unit/test_ramblk: domains/ramblk/ramblk.h | $(IDL_H_blk)
