/* SPDX-License-Identifier: MIT */
/*
 * The calltest interface of the call test domains, written by hand on the
 * lib/abi/ipc.h contract (idl/echo.idl is its idlc-generated twin), and
 * small helpers over the runtime's rt_ipc_call.
 */
#pragma once

#include <stdint.h>

#include "abi/ipc.h"
#include "abi/syscall.h"
#include "rt/ipc.h"
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

/* One SYS_CALL through the runtime (rt_ipc_call), as a 64-bit status. */
static inline int64_t ipc_call(uint64_t cw, const uint64_t in[4],
			       uint64_t out[4], int32_t *app)
{
	return rt_ipc_call(cw, in, out, app);
}

static inline int64_t iface_connect(const char *name, uint64_t len, uint64_t fp)
{
	return syscall3(SYS_IFACE_CONNECT, (uint64_t)name, len, fp);
}
