# SPDX-License-Identifier: MIT
# The domain runtime (lib/rt): how domain code is compiled, and the runtime
# archive every domain links (domains/domain.mk has the link and signing
# rules). The archive lets ld take only the members a domain uses.
#
# domains/domain.mk includes this file before defining its rules, because
# make reads domains/*/build.mk before lib/rt/build.mk; the guard makes the
# later automatic include a no-op.

ifndef RT_MK_INCLUDED
RT_MK_INCLUDED := 1

RT_AR := $(CROSS)ar

# Ring 3, position independent, no FPU/SSE state (the kernel does not save
# it yet), frame pointers kept for the kernel's domain backtraces.
DOMAIN_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fPIE \
	-fvisibility=hidden -fno-plt -fno-stack-protector -fno-common \
	-fno-omit-frame-pointer -mgeneral-regs-only -mno-red-zone \
	-fcf-protection=none -fno-asynchronous-unwind-tables \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-I. -Ilib -MD

# Domain objects live under build/dobj/, mirroring the source tree.
# DOMAIN_EXTRA_CFLAGS is set per domain (DOMAIN_CFLAGS_<name>).
$(B)/dobj/%.o: %.c | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  DOMCC   $<"
	@$(CC) $(DOMAIN_CFLAGS) $(DOMAIN_EXTRA_CFLAGS) -c $< -o $@

$(B)/dobj/%.o: %.S | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  DOMAS   $<"
	@$(CC) $(DOMAIN_CFLAGS) $(DOMAIN_EXTRA_CFLAGS) -c $< -o $@

# rt_start must be linked explicitly: nothing refers to the entry point.
RT_START_OBJ := $(B)/dobj/lib/rt/start.o
RT_SRCS := lib/rt/crt0.c lib/rt/console.c lib/rt/ipc.c lib/rt/panic.c \
	lib/rt/thread.c \
	lib/rt/syscall.c lib/rt/malloc.c lib/rt/heap.c \
	lib/base/fmt.c lib/base/string.c lib/base/errno.c
RT_OBJS := $(patsubst %.c,$(B)/dobj/%.o,$(RT_SRCS))
RT_LIB := $(B)/dobj/librt.a

$(RT_LIB): $(RT_OBJS)
	@echo "  AR      $@"
	@rm -f $@
	@$(RT_AR) rcsD $@ $(RT_OBJS)

# Host tests of the allocator core.
UNIT_TESTS += rt_heap
UNIT_SRCS_rt_heap := tests/unit/test_rt_heap.c lib/rt/heap.c
$(B)/unit/test_rt_heap: lib/rt/heap.h lib/base/list.h

endif # RT_MK_INCLUDED
