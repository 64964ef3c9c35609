# SPDX-License-Identifier: MIT
# idlc, the IDL compiler (idl/README.md), and the rules that compile every
# idl/NAME.idl into build/gen/NAME.h and build/gen/NAME.c.
#
# For each idl/NAME.idl this defines:
#   IDL_H_NAME    $(B)/gen/NAME.h
#   IDL_C_NAME    $(B)/gen/NAME.c
#   IDL_GEN_NAME  both
# and IDL_NAMES lists every NAME. Editing idl/blk.idl regenerates exactly
# blk's two files; the objects that include gen/blk.h are rebuilt through
# their -MD dependency files.
#
# A domain that uses interface blk (client, server or both) adds to its
# build.mk, before domain_add:
#     include tools/idlc/build.mk
#     DOMAIN_SRCS_foo := domains/foo/foo.c domains/foo/manifest.c $(IDL_C_blk)
#     DOMAIN_CFLAGS_foo := -I$(B)
# and after it, so that the header exists before the first compile:
#     $(DOMAIN_OBJS_foo): | $(IDL_H_blk)
# Its sources then #include "gen/blk.h", and its manifest names the
# interface with MANIFEST_IFACE(BLK_NAME, BLK_FINGERPRINT, BLK_VERSION).
#
# The include is needed because the top-level Makefile reads
# domains/*/build.mk before this file; the guard makes the later automatic
# include a no-op.

ifndef IDLC_MK_INCLUDED
IDLC_MK_INCLUDED := 1

IDLC_SRCS := tools/idlc/util.c tools/idlc/lex.c tools/idlc/parse.c \
	tools/idlc/check.c tools/idlc/heap.c tools/idlc/names.c \
	tools/idlc/canon.c tools/idlc/gen_h.c tools/idlc/gen_c.c
IDLC_DEPS := tools/idlc/idlc.h lib/abi/ipc.h lib/abi/ipc_desc.h \
	lib/abi/rref_types.h \
	lib/crypto/sha512.h

HOST_TOOLS += idlc
HOST_SRCS_idlc := tools/idlc/main.c $(IDLC_SRCS) lib/crypto/sha512.c
$(B)/tools/idlc: $(IDLC_DEPS)

IDL_NAMES := $(basename $(notdir $(wildcard idl/*.idl)))
$(foreach n,$(IDL_NAMES),$(eval IDL_H_$(n) := $(B)/gen/$(n).h))
$(foreach n,$(IDL_NAMES),$(eval IDL_C_$(n) := $(B)/gen/$(n).c))
$(foreach n,$(IDL_NAMES),$(eval IDL_GEN_$(n) := $(B)/gen/$(n).h $(B)/gen/$(n).c))

# One idlc run makes both files (a grouped target).
$(B)/gen/%.h $(B)/gen/%.c &: idl/%.idl $(B)/tools/idlc
	@mkdir -p $(B)/gen
	@echo "  IDLC    $<"
	@$(B)/tools/idlc -o $(B)/gen $<

.PHONY: idl
idl: $(foreach n,$(IDL_NAMES),$(IDL_GEN_$(n)))

endif # IDLC_MK_INCLUDED
