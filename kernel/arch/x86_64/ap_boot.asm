; SPDX-License-Identifier: MIT
;
; Application-processor trampoline. smp.c copies it to physical AP_TRAMPOLINE
; (0x8000) and fills in the parameter block at its end; each AP starts here
; in real mode after INIT-SIPI-SIPI, enables PAE and long mode in one step
; (the boot page tables identity-map this page and also map the kernel),
; and jumps to ap_main(cpu_index) on the stack it was given.
; Spec: Intel SDM Vol. 3A, 9.4.4 (MP initialization), 10.8.5 (IA-32e mode).

%define AP_TRAMPOLINE 0x8000
%define REL(x) ((x) - ap_trampoline + AP_TRAMPOLINE)

section .ap_trampoline progbits alloc noexec nowrite align=16
bits 16
global ap_trampoline
ap_trampoline:
	cli
	cld
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	o32 lgdt [REL(tramp_gdt_ptr)]

	mov eax, cr4
	or eax, 1 << 5			; PAE
	mov cr4, eax
	mov eax, [REL(ap_param_cr3)]
	mov cr3, eax
	mov ecx, 0xc0000080		; EFER
	rdmsr
	or eax, 1 << 8			; LME
	or eax, [REL(ap_param_efer_extra)]	; NXE when available
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | (1 << 16) | 1	; PG | WP | PE
	mov cr0, eax
	jmp dword 0x08:REL(tramp64)

bits 64
tramp64:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, [REL(ap_param_stack)]
	mov rdi, [REL(ap_param_cpu)]
	xor rbp, rbp
	mov rax, [REL(ap_param_entry)]
	call rax
.hang:
	cli
	hlt
	jmp .hang

align 16
tramp_gdt:
	dq 0
	dq 0x00af9a000000ffff		; 0x08: 64-bit code
	dq 0x00cf92000000ffff		; 0x10: data
tramp_gdt_ptr:
	dw tramp_gdt_ptr - tramp_gdt - 1
	dd REL(tramp_gdt)

; Parameter block, written by smp.c before each SIPI.
align 8
global ap_param_block
ap_param_block:
ap_param_cr3:		dq 0
ap_param_stack:		dq 0
ap_param_entry:		dq 0
ap_param_cpu:		dq 0
ap_param_efer_extra:	dq 0
