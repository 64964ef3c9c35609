; SPDX-License-Identifier: MIT
;
; long probe_call_raw(long (*fn)(void *), void *arg, struct probe_info *info)
;
; Runs fn(arg) with a recovery point armed in this CPU's struct cpu. If fn
; takes an exception, trap_dispatch() fills *info and resumes at .fault with
; the stack pointer saved here, and we return -EFAULT. Callee-saved
; registers come back from this frame either way. Interrupts must be off
; (probe_call() in idt.c takes care of it).

%define CPU_OFF_PROBE_RSP 24
%define CPU_OFF_PROBE_RIP 32
%define CPU_OFF_PROBE_INFO 40
%define EFAULT 14

section .text
bits 64
global probe_call_raw
probe_call_raw:
	push rbp
	mov rbp, rsp
	push rbx
	push r12
	push r13
	push r14
	push r15
	sub rsp, 8
	mov rax, [gs:0]
	mov [rax + CPU_OFF_PROBE_RSP], rsp
	mov [rax + CPU_OFF_PROBE_INFO], rdx
	lea rcx, [rel .fault]
	mov [rax + CPU_OFF_PROBE_RIP], rcx
	mov rax, rdi
	mov rdi, rsi
	call rax
	mov rcx, [gs:0]
	mov qword [rcx + CPU_OFF_PROBE_RIP], 0
	jmp .out
.fault:
	mov rax, -EFAULT
.out:
	add rsp, 8
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret
