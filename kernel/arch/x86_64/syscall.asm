; SPDX-License-Identifier: MIT
;
; Ring 3 <-> ring 0 transitions other than interrupts.
;
; syscall_entry: the SYSCALL target (MSR_LSTAR). The CPU has put the user
; rip in rcx and rflags in r11 and masked IF (MSR_SFMASK). SYS_CALL and
; SYS_CALL_RETURN through the thread's parked frame are made right here,
; on no stack and with interrupts off (kernel/call_fast.c, "Parked
; frames"). Everything else, and anything those decline, switches to the
; thread's kernel stack, builds a struct trap_frame identical to the one
; isr.asm builds (vector SYSCALL_VECTOR), runs syscall_dispatch() with
; interrupts enabled, and leaves through SYSRET.
;
; user_enter_frame: start (or resume) ring 3 from a struct trap_frame,
; through the iretq path of isr.asm.
; Spec: Intel SDM Vol. 2B (SYSCALL, SYSRET, MOV CR3), Vol. 3A 4.10.4.1
; (PCID and CR3 bit 63), 5.8.8.

%define CPU_OFF_SCRATCH_RSP 8
%define CPU_OFF_KERNEL_RSP 16
%define GDT_UDATA (0x20 | 3)
%define GDT_UCODE (0x28 | 3)
%define SYSCALL_VECTOR 0x100

%include "asm_offsets.inc"	; $(B)/gen, from asm_offsets.c

; SWITCH_AS as, resume, flush: load aspace %1 on this CPU as aspace_switch()
; does (paging.c): this CPU's arch_aspace first (active_cpus() in paging.c
; says why), then CR3, keeping the TLB entries tagged with %1's PCID
; unless this CPU must flush them (stale_cpus). Clobbers rcx. %2 is where
; FLUSH_CR3 (at %3) comes back to.
%macro SWITCH_AS 3
	mov [gs:CPU_ARCH_ASPACE], %1
	mov ecx, [gs:CPU_ID]
	lock btr [%1 + AS_STALE], rcx
	jc %3
	mov rcx, [%1 + AS_CR3_KEEP]
%2:
	mov cr3, rcx
	inc qword [gs:CPU_FAST_CROSSINGS]
%endmacro

; FLUSH_CR3 as, resume: the stale case of SWITCH_AS, out of line. Without
; PCID every CR3 write flushes, and fast_crossings counts those.
%macro FLUSH_CR3 2
	mov rcx, [%1 + AS_CR3_FLUSH]
	cmp rcx, [%1 + AS_CR3_KEEP]
	je %2
	inc qword [gs:CPU_TLB_FLUSHES]
	jmp %2
%endmacro

%include "frame.inc"

section .text
bits 64
extern syscall_dispatch
extern isr_return

global syscall_entry
syscall_entry:
	swapgs
	cmp eax, SYS_CALL_NR
	je .fcall
	cmp eax, SYS_CALL_RETURN_NR
	je .fret
.general:
	mov [gs:CPU_OFF_SCRATCH_RSP], rsp
	mov rsp, [gs:CPU_OFF_KERNEL_RSP]
	push GDT_UDATA			; ss
	push qword [gs:CPU_OFF_SCRATCH_RSP]	; rsp
	push r11			; rflags
	push GDT_UCODE			; cs
	push rcx			; rip
	push 0				; error
	push SYSCALL_VECTOR		; vector
	PUSH_GPRS
	mov rdi, rsp
	push qword [rsp + 17 * 8]	; rip, for backtraces
	push rbp
	mov rbp, rsp
.slow:
	sti
	call syscall_dispatch
	cli
	add rsp, 16
	; The dispatcher may have redirected the frame (new thread, unwind):
	; take the general iretq path unless it is a plain return to the
	; 64-bit user code segment at a canonical lower-half address.
	cmp qword [rsp + 15 * 8], SYSCALL_VECTOR
	jne isr_return
	cmp qword [rsp + 18 * 8], GDT_UCODE
	jne isr_return
	mov rax, [rsp + 17 * 8]
	shr rax, 47
	jnz isr_return
	POP_GPRS
	mov rcx, [rsp + 16]		; rip
	mov r11, [rsp + 32]		; rflags
	mov rsp, [rsp + 40]		; user rsp
	swapgs
	o64 sysret


	; --- Calls and returns through a parked frame ----------------------
	; kernel/call_fast.c, "Parked frames", says why each step is safe.
	; Until a path commits, it has changed nothing but rax, r9 and r11
	; (and a parked frame's claim bit, put back): a decline restores rax,
	; zeroes r9, sets r11 to USER_RFLAGS (the call ABI keeps neither r9
	; nor rflags; a SYS_CALL_RETURN the general path refuses resumes its
	; caller with USER_RFLAGS too) and takes the general path with the
	; user's rcx and rsp untouched. After the commit, rflags is
	; USER_RFLAGS (lib/abi/ipc.h) and r11 and rcx are scratch.

	; SYS_CALL: rdi the call word, rsi, rdx, r10, r8 the arguments.
.fcall:
	mov r11, [gs:CPU_CURRENT]	; t, until SWITCH_AS
	mov rax, [r11 + T_FAST]		; f = t->fast, never NULL
	cmp rdi, [rax + F_CW]
	jne .call_decline
	lock bts qword [rax + F_INSIDE], 0	; claim f; a full barrier
	jc .call_decline		; f is in use further up: leave it
	mov r9, [r11 + T_DOM]
	mov r9, [r9 + D_HANDLES_VER]	; unique to the domain and its table
	cmp r9, [rax + F_FAST_HVER]	; 0 once the callee blocked f
	jne .call_undo
	; Committed. The caller's registers the call keeps, then f on the
	; thread's call stack and the thread in the callee.
	mov r9, [rax + F_CALLEE]
	mov [rax + F_RIP], rcx
	mov [rax + F_RSP], rsp
	mov [rax + F_RBX], rbx
	mov [rax + F_RBP], rbp
	mov [rax + F_R12], r12
	mov [rax + F_R13], r13
	mov [rax + F_R14], r14
	mov [rax + F_R15], r15
	mov rcx, [r11 + T_CALLS]
	mov [rax + F_PREV], rcx
	mov [r11 + T_CALLS], rax
	mov [r11 + T_DOM], r9
	mov r9, [r9 + D_AS]
	SWITCH_AS r9, .call_cr3, .call_flush
	; The callee's entry registers (lib/abi/ipc.h): nothing of the
	; caller's but the arguments.
	xor ebx, ebx
	xor ebp, ebp
	xor r12d, r12d
	xor r13d, r13d
	xor r14d, r14d
	xor r15d, r15d
	mov rcx, [rax + F_ENTRY]
	mov rsp, [rax + F_STACK_TOP]
	mov rdi, [rax + F_CTX]
	mov r9, [rax + F_ARG]
	mov eax, [rax + F_ORDINAL]
	mov r11d, USER_RFLAGS_VALUE
	swapgs
	o64 sysret
.call_flush:
	FLUSH_CR3 r9, .call_cr3
.call_undo:
	btr qword [rax + F_INSIDE], 0	; only this CPU writes it while set
.call_decline:
	mov eax, SYS_CALL_NR
	xor r9d, r9d
	mov r11d, USER_RFLAGS_VALUE
	jmp .general

	; SYS_CALL_RETURN: rdi, rsi, rdx, r10 the results, r8 the app status;
	; they pass through untouched.
.fret:
	mov r11, [gs:CPU_CURRENT]	; t, until SWITCH_AS
	mov rax, [r11 + T_CALLS]
	cmp rax, [r11 + T_FAST]		; the innermost call is the parked one
	jne .ret_decline
	cmp qword [rax + F_FAST_HVER], 0	; the callee blocked f
	je .ret_decline
	; Committed: f off the call stack, the thread back in the caller,
	; and only then (CR3 written) out of the callee.
	mov r9, [rax + F_PREV]
	mov [r11 + T_CALLS], r9
	mov r9, [rax + F_CALLER]
	mov [r11 + T_DOM], r9
	mov r9, [r9 + D_AS]
	SWITCH_AS r9, .ret_cr3, .ret_flush
	inc qword [rax + F_INSIDE]	; out (bit 0), one more call done
	mov rcx, [rax + F_RIP]
	mov rsp, [rax + F_RSP]
	mov rbx, [rax + F_RBX]
	mov rbp, [rax + F_RBP]
	mov r12, [rax + F_R12]
	mov r13, [rax + F_R13]
	mov r14, [rax + F_R14]
	mov r15, [rax + F_R15]
	mov r11d, USER_RFLAGS_VALUE
	xor eax, eax			; the call went through
	xor r9d, r9d
	swapgs
	o64 sysret
.ret_flush:
	FLUSH_CR3 r9, .ret_cr3
.ret_decline:
	mov eax, SYS_CALL_RETURN_NR
	xor r9d, r9d
	mov r11d, USER_RFLAGS_VALUE
	jmp .general

; void user_enter_frame(struct trap_frame *tf): never returns.
global user_enter_frame
user_enter_frame:
	cli
	mov rsp, rdi
	jmp isr_return
