# SPDX-License-Identifier: MIT
# The portable kernel core. Architecture code adds itself in
# kernel/arch/x86_64/build.mk.
KERNEL_SRCS += \
	kernel/acpi.c \
	kernel/backtrace.c \
	kernel/call.c \
	kernel/call_fast.c \
	kernel/call_iface.c \
	kernel/cmdline.c \
	kernel/console.c \
	kernel/dom.c \
	kernel/dom_load.c \
	kernel/dom_report.c \
	kernel/elf_check.c \
	kernel/faultinj.c \
	kernel/heap.c \
	kernel/kheap.c \
	kernel/ksyms.c \
	kernel/main.c \
	kernel/manifest.c \
	kernel/multiboot.c \
	kernel/panic.c \
	kernel/pmm.c \
	kernel/pmm_boot.c \
	kernel/sched.c \
	kernel/sheap.c \
	kernel/smp.c \
	kernel/sig_verify.c \
	kernel/svc.c \
	kernel/spinlock.c \
	kernel/syscall.c \
	kernel/thread.c \
	kernel/time.c \
	kernel/trap.c \
	kernel/waitq.c \
	lib/base/errno.c \
	lib/base/fmt.c \
	lib/base/string.c \
	lib/rref/rref_cross.c \
	lib/rref/rref_table.c

# Host unit tests of the pure-logic parts of the kernel.
UNIT_TESTS += pmm heap multiboot
UNIT_SRCS_pmm := tests/unit/test_pmm.c kernel/pmm.c
UNIT_SRCS_heap := tests/unit/test_heap.c kernel/heap.c
UNIT_SRCS_multiboot := tests/unit/test_multiboot.c kernel/multiboot.c \
	lib/base/string.c

# The kernel embeds the public keys it trusts (domains/build.mk makes them).
$(B)/kobj/kernel/sig_verify.o: $(B)/keys/trusted_keys.inc
