/* SPDX-License-Identifier: MIT */
/*
 * Domain entry points (lib/rt/internal.h has the contracts). Both clear
 * rbp so that frame-pointer backtraces end here, force the 16-byte stack
 * alignment the System V x86-64 psABI (3.2.2) requires at a call, and call
 * into C with rdi (and rsi) untouched. The C functions never return; ud2
 * traps if one does.
 */
	.section .text.start, "ax", @progbits
	.globl	rt_start
	.hidden	rt_start
	.type	rt_start, @function
rt_start:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	rt_main
	ud2
	.size	rt_start, . - rt_start

	.text
	.globl	rt_thread_entry
	.hidden	rt_thread_entry
	.type	rt_thread_entry, @function
rt_thread_entry:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	rt_thread_main
	ud2
	.size	rt_thread_entry, . - rt_thread_entry

	.section .note.GNU-stack, "", @progbits
