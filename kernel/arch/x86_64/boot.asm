; SPDX-License-Identifier: MIT
;
; Early boot: the multiboot2 header, the 32-bit entry GRUB jumps to, and the
; climb into 64-bit long mode on temporary page tables. These map physical
; 0-4 GiB three times: identity (so the switch itself keeps running), at the
; direct map (PHYS_MAP_BASE) and at the kernel's link address
; (KERNEL_VMA, top 2 GiB). paging_init() later replaces them.
;
; Spec: Multiboot2 Specification version 2.0, sections 3.1 (header) and 3.2
; (machine state); Intel SDM Vol. 3A, 10.8.5 (initializing IA-32e mode).

%define KERNEL_VMA	0xffffffff80000000
%define MB2_MAGIC	0xe85250d6
%define MB2_ARCH_I386	0
%define MB2_BOOT_MAGIC	0x36d76289

%define PTE_P		(1 << 0)
%define PTE_W		(1 << 1)
%define PTE_PS		(1 << 7)

%define CR0_PE		(1 << 0)
%define CR0_WP		(1 << 16)
%define CR0_PG		(1 << 31)
%define CR4_PAE		(1 << 5)
%define MSR_EFER	0xc0000080
%define EFER_LME	(1 << 8)
%define EFER_NXE	(1 << 11)

%define COM1		0x3f8
%define BOOT_STACK_SIZE	16384

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	; Entry address tag: we are an ELF64 whose e_entry is fine, but say it
	; explicitly so loaders need not guess.
	align 8
	dw 3, 0
	dd 12
	dd boot_entry32
	; Information request: memory map, ACPI RSDP (old and new), cmdline.
	align 8
	dw 1, 0
	dd 8 + 4 * 5
	dd 1, 6, 14, 15, 3
	; Module alignment: modules page-aligned.
	align 8
	dw 6, 0
	dd 8
	; End tag.
	align 8
	dw 0, 0
	dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite align=16
bits 32
global boot_entry32
boot_entry32:
	cli
	cld
	mov esp, boot_stack_top
	mov [boot_mb_magic], eax
	mov [boot_mb_info], ebx

	cmp eax, MB2_BOOT_MAGIC
	jne .no_multiboot

	; CPUID leaf 0x80000001 EDX bit 29: long mode.
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode
	mov [boot_ext_edx], edx

	; Four page directories of 2 MiB pages cover 0-4 GiB.
	mov edi, boot_pd
	xor eax, eax
	mov ecx, 4 * 512
.fill_pd:
	mov edx, eax
	shl edx, 21
	or edx, PTE_P | PTE_W | PTE_PS
	mov [edi], edx
	mov edx, eax
	shr edx, 11		; high bits of (index << 21)
	mov [edi + 4], edx
	add edi, 8
	inc eax
	loop .fill_pd

	; Low PDPT: entries 0-3 -> the four directories.
	mov eax, boot_pd + (PTE_P | PTE_W)
	mov [boot_pdpt_low + 0 * 8], eax
	add eax, 4096
	mov [boot_pdpt_low + 1 * 8], eax
	add eax, 4096
	mov [boot_pdpt_low + 2 * 8], eax
	add eax, 4096
	mov [boot_pdpt_low + 3 * 8], eax
	; High PDPT: entries 510, 511 -> physical 0-2 GiB at KERNEL_VMA.
	mov eax, boot_pd + (PTE_P | PTE_W)
	mov [boot_pdpt_high + 510 * 8], eax
	add eax, 4096
	mov [boot_pdpt_high + 511 * 8], eax

	; PML4: 0 (identity) and 256 (direct map) share the low PDPT;
	; 511 is the kernel.
	mov eax, boot_pdpt_low + (PTE_P | PTE_W)
	mov [boot_pml4 + 0 * 8], eax
	mov [boot_pml4 + 256 * 8], eax
	mov eax, boot_pdpt_high + (PTE_P | PTE_W)
	mov [boot_pml4 + 511 * 8], eax

	mov eax, boot_pml4
	mov cr3, eax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax

	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	test dword [boot_ext_edx], 1 << 20	; NX available?
	jz .no_nx
	or eax, EFER_NXE
.no_nx:
	wrmsr

	mov eax, cr0
	or eax, CR0_PG | CR0_PE | CR0_WP
	mov cr0, eax

	lgdt [boot_gdt_ptr]
	jmp 0x08:boot_entry64

.no_multiboot:
	mov esi, msg_no_mb
	jmp boot_fail32
.no_long_mode:
	mov esi, msg_no_lm
	jmp boot_fail32

; Print the NUL-terminated string at esi on COM1 and halt forever.
boot_fail32:
	mov dx, COM1
	lodsb
	test al, al
	jz .halt
	out dx, al
	jmp boot_fail32
.halt:
	cli
	hlt
	jmp .halt

bits 64
boot_entry64:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor ax, ax
	mov fs, ax
	mov gs, ax

	; Jump to the higher half.
	mov rax, boot_high64
	jmp rax

section .text
; Running at the link address: switch to the kernel's boot stack and call C.
boot_high64:
	; boot_stack_bottom_high is the main thread's stack (main.c); its size
	; must match BOOT_STACK_SIZE there.
	extern boot_stack_bottom_high
	mov rsp, boot_stack_bottom_high + BOOT_STACK_SIZE
	xor rbp, rbp
	mov edi, [boot_mb_magic]
	mov esi, [boot_mb_info]
	extern kmain
	call kmain
.hang:
	cli
	hlt
	jmp .hang

section .boot.data progbits alloc noexec write align=16
boot_gdt:
	dq 0
	dq 0x00af9a000000ffff	; 0x08: 64-bit code, DPL 0
	dq 0x00cf92000000ffff	; 0x10: data, DPL 0
boot_gdt_end:
boot_gdt_ptr:
	dw boot_gdt_end - boot_gdt - 1
	dq boot_gdt
global boot_mb_magic, boot_mb_info
boot_mb_magic:	dd 0
boot_mb_info:	dd 0
boot_ext_edx:	dd 0
msg_no_mb:	db "cordon: not started by a multiboot2 loader", 13, 10, 0
msg_no_lm:	db "cordon: this CPU has no 64-bit long mode", 13, 10, 0

section .boot.bss nobits alloc noexec write align=4096
global boot_pml4
boot_pml4:	resb 4096
boot_pdpt_low:	resb 4096
boot_pdpt_high:	resb 4096
boot_pd:	resb 4 * 4096
boot_stack:	resb 4096
boot_stack_top:
