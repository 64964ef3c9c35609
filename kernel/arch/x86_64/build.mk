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
