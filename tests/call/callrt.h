/* SPDX-License-Identifier: MIT */
/*
 * Raw cross-domain call helpers for the call test domains, straight on the
 * lib/abi/ipc.h register contract (the idlc-generated proxies and the
 * runtime's rt_ipc_call will replace them).
 */
#pragma once

#include <stdint.h>

#include "abi/ipc.h"
#include "abi/syscall.h"
#include "rt/syscall.h"

#define CALLTEST_FP 0x43414c4c54455354ull  /* "CALLTEST" */
#define CALLTEST2_FP 0x43414c4c54535432ull /* "CALLTST2" */

enum calltest_method {
	CALLTEST_ADD = 1,	   /* out[0] = in[0] + in[1] */
	CALLTEST_CRASH = 2,	   /* NULL dereference inside the call */
	CALLTEST_PANIC = 3,	   /* dom_panic inside the call */
	CALLTEST_APP_ERROR = 4,	   /* app status 7, out[0] = in[0] * 2 */
	CALLTEST_NESTED_CRASH = 5, /* call calltest2.CRASH, out[0] = status */
	CALLTEST_ECHO4 = 6,	   /* out[i] = in[i] ^ 0x5a5a for all four */
	CALLTEST_COUNTDOWN = 7,	   /* out[0] = in[0] + 1; crash on call 3000 */
	CALLTEST_HANG = 8,	   /* never returns (the watchdog must act) */
};

static inline int64_t ipc_call(uint64_t cw, const uint64_t in[4],
			       uint64_t out[4], int32_t *app)
{
	register uint64_t r10 __asm__("r10") = in[2];
	register uint64_t r8 __asm__("r8") = in[3];
	uint64_t rdi = cw;
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
	*app = (int32_t)r8;
	return rax;
}

static inline int64_t iface_connect(const char *name, uint64_t len, uint64_t fp)
{
	return syscall3(SYS_IFACE_CONNECT, (uint64_t)name, len, fp);
}
