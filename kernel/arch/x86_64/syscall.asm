; SPDX-License-Identifier: MIT
;
; Ring 3 <-> ring 0 transitions other than interrupts.
;
; syscall_entry: the SYSCALL target (MSR_LSTAR). The CPU has put the user
; rip in rcx and rflags in r11 and masked IF (MSR_SFMASK). We switch to
; this thread's kernel stack, build a struct trap_frame identical to the
; one isr.asm builds (vector SYSCALL_VECTOR), run syscall_dispatch() with
; interrupts enabled, and leave through SYSRET. SYS_CALL and
; SYS_CALL_RETURN first try call_fast_call() / call_fast_return() with
; interrupts still off.
;
; user_enter_frame: start (or resume) ring 3 from a struct trap_frame,
; through the iretq path of isr.asm.
; Spec: Intel SDM Vol. 2B (SYSCALL, SYSRET), Vol. 3A 5.8.8.

%define CPU_OFF_SCRATCH_RSP 8
%define CPU_OFF_KERNEL_RSP 16
%define GDT_UDATA (0x20 | 3)
%define GDT_UCODE (0x28 | 3)
%define SYSCALL_VECTOR 0x100
%define SYS_CALL 17	; lib/abi/syscall.h; SYS_CALL_RETURN is 18 (call.c)
; struct call_regs (kernel/call.h; offsets checked in call.c)
%define REGS_RIP 0
%define REGS_RSP 8
%define REGS_RFLAGS 16
%define REGS_RBX 24
%define REGS_RBP 32
%define REGS_R9 40
%define REGS_R12 48
%define REGS_R13 56
%define REGS_R14 64
%define REGS_R15 72

%include "frame.inc"

section .text
bits 64
extern syscall_dispatch
extern call_fast_call
extern call_fast_return
extern isr_return

global syscall_entry
syscall_entry:
	swapgs
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
	; The hot pair first, with interrupts still off (kernel/call.c,
	; "Fast path"): a plain call or return completes in one C call and
	; leaves by SYSRET; anything else declines, changing nothing, and
	; takes the general path below with the same frame.
	lea rcx, [rax - SYS_CALL]	; rcx is saved: 0 call, 1 return
	cmp rcx, 1
	jbe .fast
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

	; Fast exits (kernel/call.c, "Fast path"): interrupts have stayed
	; off, and the registers are loaded here rather than from a
	; complete trap frame. Both resume at a lower-half address (checked
	; by the fast path), so SYSRET is safe. rsp + 16 is the trap frame.
	;
	; A call enters the callee at its export's entry trampoline: rdi,
	; rsi, rdx, r8, r9, rip, rflags and rsp from the frame, every other
	; register zero (lib/abi/ipc.h).
.fast:
	je .ret
	call call_fast_call
	test eax, eax
	jnz .decline
	mov rdi, [rsp + 16 + TF_RDI]
	mov rsi, [rsp + 16 + TF_RSI]
	mov rdx, [rsp + 16 + TF_RDX]
	mov r8, [rsp + 16 + TF_R8]
	mov r9, [rsp + 16 + TF_R9]
	mov rcx, [rsp + 16 + TF_RIP]
	mov r11, [rsp + 16 + TF_RFLAGS]
	xor eax, eax
	xor ebx, ebx
	xor ebp, ebp
	xor r10d, r10d
	xor r12d, r12d
	xor r13d, r13d
	xor r14d, r14d
	xor r15d, r15d
	mov rsp, [rsp + 16 + TF_RSP]
	swapgs
	o64 sysret
	; A return resumes the caller where its SYS_CALL left it: the
	; results (rdi, rsi, rdx, r10, r8) from the frame, the registers it
	; kept from its struct call_regs (rax, in the spare frame), rax 0.
.ret:
	call call_fast_return
	test rax, rax
	jz .decline
	mov rdi, [rsp + 16 + TF_RDI]
	mov rsi, [rsp + 16 + TF_RSI]
	mov rdx, [rsp + 16 + TF_RDX]
	mov r10, [rsp + 16 + TF_R10]
	mov r8, [rsp + 16 + TF_R8]
	mov rbx, [rax + REGS_RBX]
	mov rbp, [rax + REGS_RBP]
	mov r9, [rax + REGS_R9]
	mov r12, [rax + REGS_R12]
	mov r13, [rax + REGS_R13]
	mov r14, [rax + REGS_R14]
	mov r15, [rax + REGS_R15]
	mov rcx, [rax + REGS_RIP]
	mov r11, [rax + REGS_RFLAGS]
	mov rsp, [rax + REGS_RSP]
	xor eax, eax
	swapgs
	o64 sysret
.decline:
	lea rdi, [rsp + 16]		; the trap frame again
	jmp .slow

; void user_enter_frame(struct trap_frame *tf): never returns.
global user_enter_frame
user_enter_frame:
	cli
	mov rsp, rdi
	jmp isr_return
