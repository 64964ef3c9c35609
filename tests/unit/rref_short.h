/* SPDX-License-Identifier: MIT */
/*
 * Short names the rref table tests (test_rref_calls.c, test_rref_nested.c,
 * test_rref_seal.c, test_rref_table.c) share: the fixture, three domain
 * ids and the word
 * kinds of lib/abi/ipc.h. Not in rref_fixture.h, whose other users have
 * names of their own (test_rref_model.c has its own F).
 */
#pragma once

#include "abi/ipc.h"
#include "rref_fixture.h"

#define F rfx_cur

#define D_A 1ull
#define D_B 2ull
#define D_C 3ull

#define S IPC_KIND_SCALAR
#define MV IPC_KIND_RREF_MOVE
#define BR IPC_KIND_RREF_BORROW
#define MVO IPC_KIND_RREF_MOVE_OPT
#define BRO IPC_KIND_RREF_BORROW_OPT
#define H IPC_KIND_HANDLE
