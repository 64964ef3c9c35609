/* SPDX-License-Identifier: MIT */
/*
 * The calltest interface of the call test domains, written by hand on the
 * lib/abi/ipc.h contract (idl/echo.idl is its idlc-generated twin), and
 * small helpers over the runtime's rt_ipc_call.
 */
#pragma once

#include <stdint.h>

#include "abi/ipc.h"
#include "abi/ipc_desc.h"
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
	/* out[0] = in[0] + 1, or crash or hang on the magic values below */
	CALLTEST_MAYBE = 9,
	/*
	 * out[0] = CLOBBER_RESULT, returned by a SYS_CALL_RETURN made with
	 * every register the caller's call keeps set to CLOBBER_JUNK
	 */
	CALLTEST_CLOBBER = 10,
};

#define MAYBE_CRASH 0xc0a5ull
#define MAYBE_HANG 0x4a46ull
#define CLOBBER_RESULT 0x600dull
#define CLOBBER_JUNK 0x6b6b6b6b6b6b6b6bull

/* Start arguments of the callee domain that make its init fail. */
#define CALLEE_INIT_CRASH 2
#define CALLEE_INIT_HANG 3

/* echo_msg.seq values that make the callee misbehave holding the msg. */
#define ECHO_MAGIC_CRASH 0xc0a5u    /* bounce, peek, sink, batch: crash */
#define ECHO_MAGIC_SCRIBBLE 0x5c81u /* peek: write the borrowed msg */
/* bounce: count down over all callers; the 3,000th such call crashes. */
#define ECHO_MAGIC_COUNTDOWN 0xc0d0u
/* echo.make fill byte that makes the callee return a forged rref. */
#define ECHO_FILL_FORGE 0xee

/* Scalar methods with four words each way, as the kernel checks them. */
#define CALLTEST_METHOD(ord, nm)                                      \
	{                                                             \
		.ordinal = (ord), .nargs = 4, .nres = 4, .name = (nm) \
	}
#define CALLTEST_NMETHODS 10

/* A descriptor written by hand: header and methods, laid out as one. */
struct calltest_desc {
	struct ipc_iface_desc h;
	struct ipc_method_desc m[CALLTEST_NMETHODS];
};

#define CALLTEST_DESC(nm, fp)                                             \
	{                                                                 \
		.h = {.name = (nm),                                       \
		      .fingerprint = (fp),                                \
		      .version = 1,                                       \
		      .nmethods = CALLTEST_NMETHODS},                     \
		.m = {                                                    \
			CALLTEST_METHOD(CALLTEST_ADD, "add"),             \
			CALLTEST_METHOD(CALLTEST_CRASH, "crash"),         \
			CALLTEST_METHOD(CALLTEST_PANIC, "panic"),         \
			CALLTEST_METHOD(CALLTEST_APP_ERROR, "app_error"), \
			CALLTEST_METHOD(CALLTEST_NESTED_CRASH, "nested"), \
			CALLTEST_METHOD(CALLTEST_ECHO4, "echo4"),         \
			CALLTEST_METHOD(CALLTEST_COUNTDOWN, "countdown"), \
			CALLTEST_METHOD(CALLTEST_HANG, "hang"),           \
			CALLTEST_METHOD(CALLTEST_MAYBE, "maybe"),         \
			CALLTEST_METHOD(CALLTEST_CLOBBER, "clobber"),     \
		},                                                        \
	}

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
