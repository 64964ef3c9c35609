; SPDX-License-Identifier: MIT
;
; struct thread *switch_to(uint64_t *prev_ksp, uint64_t next_ksp,
;                          struct thread *prev)
;
; Save the callee-saved registers on the current stack, store the stack
; pointer in *prev_ksp, load next_ksp and pop the next thread's registers.
; Returns, in the next thread, the thread that switched to it (prev).
; A new thread's stack is built by thread_create() to "return" into
; thread_entry_asm with six zeroed registers below the return address.

section .text
bits 64
global switch_to
switch_to:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	mov [rdi], rsp
	mov rsp, rsi
	mov rax, rdx
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

extern thread_first_run
global thread_entry_asm
thread_entry_asm:
	xor rbp, rbp
	and rsp, -16
	call thread_first_run
	ud2
