# SPDX-License-Identifier: MIT
KERNEL_ASMS += \
	kernel/arch/x86_64/boot.asm \
	kernel/arch/x86_64/ap_boot.asm \
	kernel/arch/x86_64/isr.asm \
	kernel/arch/x86_64/probe.asm \
	kernel/arch/x86_64/switch.asm \
	kernel/arch/x86_64/syscall.asm

KERNEL_SRCS += \
	kernel/arch/x86_64/apic.c \
	kernel/arch/x86_64/gdt.c \
	kernel/arch/x86_64/idt.c \
	kernel/arch/x86_64/paging.c \
	kernel/arch/x86_64/serial.c \
	kernel/arch/x86_64/user.c

# Offsets of C structures for syscall.asm (asm_offsets.c): compiled to
# assembly, whose "->NAME value" lines become NASM %defines.
$(B)/gen/asm_offsets.inc: kernel/arch/x86_64/asm_offsets.c | $(B)/.deps-ok
	@mkdir -p $(dir $@) $(B)/kobj/kernel/arch/x86_64
	@echo "  GEN     $@"
	@$(CC) $(filter-out -MD,$(KCFLAGS)) -MD -MF $(B)/kobj/kernel/arch/x86_64/asm_offsets.d \
		-MT $@ -S $< -o $(B)/kobj/kernel/arch/x86_64/asm_offsets.s
	@sed -n 's/^.*->\([A-Z0-9_]*\) \([0-9]*\).*/%define \1 \2/p' \
		$(B)/kobj/kernel/arch/x86_64/asm_offsets.s > $@.tmp
	@test -s $@.tmp && mv $@.tmp $@

$(B)/kobj/kernel/arch/x86_64/syscall.o: $(B)/gen/asm_offsets.inc
