; SPDX-License-Identifier: MIT
;
; Interrupt and exception entry stubs for all 256 vectors. Each stub pushes
; an error code (0 where the CPU pushes none) and its vector number, then
; joins isr_common, which saves the general registers into a struct
; trap_frame (idt.h) and calls trap_dispatch(). Entries from ring 3 swap GS
; so that %gs:0 is always this CPU's struct cpu inside the kernel.
; Spec: Intel SDM Vol. 3A, 6.14 (64-bit mode exception and interrupt handling).

%include "frame.inc"

section .text
bits 64

; Vectors for which the CPU pushes an error code.
%define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%macro ISR 1
isr_%1:
%if HAS_ERR(%1) == 0
	push 0
%endif
	push %1
	jmp isr_common
%endmacro

%assign i 0
%rep 256
	align 16
	ISR i
%assign i i + 1
%endrep

extern trap_dispatch
global isr_common
isr_common:
	cld
	; cs sits at 8 * (vector, error, rip) = 24 bytes above rsp.
	test qword [rsp + 24], 3
	jz .from_kernel
	swapgs
.from_kernel:
	PUSH_GPRS
	mov rdi, rsp
	; Frame pointer chain: make the interrupted rip look like a caller so
	; backtraces run through the trap (rbp -> [saved rbp, rip]).
	push qword [rsp + 17 * 8]	; rip
	push rbp
	mov rbp, rsp
	call trap_dispatch
	add rsp, 16
global isr_return
isr_return:
	POP_GPRS
	test qword [rsp + 24], 3
	jz .to_kernel
	swapgs
.to_kernel:
	add rsp, 16
	iretq

section .rodata
global isr_table
isr_table:
%assign i 0
%rep 256
	dq isr_ %+ i
%assign i i + 1
%endrep
