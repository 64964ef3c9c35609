// SPDX-License-Identifier: MIT
/*
 * Cross-domain calls for domains (lib/rt/ipc.h) on the kernel's call gate
 * (lib/abi/ipc.h): the proxies idlc generates call rt_ipc_call(); a server
 * exports its generated dispatch function with rt_ipc_export(), which
 * enters it through rt_ipc_ret_tramp so that its return value reaches
 * SYS_CALL_RETURN as the application status.
 */
#include "rt/ipc.h"

#include "abi/errno.h"
#include "abi/syscall.h"
#include "base/string.h"
#include "rt/syscall.h"

/* A dispatch function returns here; hand its result to the kernel. */
__asm__(".globl rt_ipc_ret_tramp\n"
	".type rt_ipc_ret_tramp, @function\n"
	"rt_ipc_ret_tramp:\n"
	"\tmovl %eax, %edi\n"
	"\tmovl $18, %eax\n" /* SYS_CALL_RETURN */
	"\tsyscall\n"
	"\tud2\n"
	".size rt_ipc_ret_tramp, . - rt_ipc_ret_tramp\n");

int rt_ipc_call(uint64_t call_word, const uint64_t in[IPC_WORDS],
		uint64_t out[IPC_WORDS], int32_t *app_status)
{
	register uint64_t r10 __asm__("r10") = in[2];
	register uint64_t r8 __asm__("r8") = in[3];
	uint64_t rdi = call_word;
	uint64_t rsi = in[0];
	uint64_t rdx = in[1];
	int64_t rax = SYS_CALL;

	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx),
			   "+r"(r10), "+r"(r8)
			 :
			 : "rcx", "r11", "memory");
	out[0] = rdi;
	out[1] = rsi;
	out[2] = rdx;
	out[3] = r10;
	*app_status = (int32_t)r8;
	return (int)rax;
}

int rt_ipc_export(const struct ipc_iface_desc *desc,
		  const struct rref_type_info *types, uint32_t ntypes,
		  int32_t (*dispatch)(void *ctx, uint32_t ordinal,
				      const uint64_t in[IPC_WORDS],
				      uint64_t out[IPC_WORDS]),
		  void *ctx)
{
	/* FIXME: register @types with the kernel once the shared heap is in. */
	(void)types;
	(void)ntypes;
	return (int)syscall6(SYS_IFACE_EXPORT, (uint64_t)desc->name,
			     strlen(desc->name), desc->fingerprint,
			     (uint64_t)dispatch, (uint64_t)ctx,
			     (uint64_t)rt_ipc_ret_tramp);
}

int rt_ipc_connect(const struct ipc_iface_desc *desc, uint16_t *handle)
{
	int64_t h = syscall3(SYS_IFACE_CONNECT, (uint64_t)desc->name,
			     strlen(desc->name), desc->fingerprint);

	if (h < 0) {
		return (int)h;
	}
	*handle = (uint16_t)h;
	return 0;
}

/* FIXME: the shared heap is not there yet; no rref can be allocated. */
void *rt_rref_alloc(const struct rref_type_info *type)
{
	(void)type;
	return NULL;
}

void rt_rref_drop(const struct rref_type_info *type, void *obj)
{
	(void)type;
	(void)obj;
}
