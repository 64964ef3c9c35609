/* SPDX-License-Identifier: MIT */
/*
 * Private to the bench domain: the echo server it runs inside itself, so
 * that `make bench` can time the generated dispatch (echo_dispatch())
 * without a crossing, beside the same calls made to the callee domain.
 */
#pragma once

#include "gen/echo.h"

/*
 * The instance pointer both echo servers (this one and the callee's, in
 * tests/call/callee/callee.c) pass to their ops; ping answers v ^ it.
 */
#define BENCH_ECHO_INST 0x1000u

/* An echo server with the callee's semantics for ping, bounce, peek, batch. */
extern struct echo_server bench_local_echo;
