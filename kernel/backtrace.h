/* SPDX-License-Identifier: MIT */
/*
 * Frame-pointer backtraces of kernel stacks, printed as function+offset
 * (the kernel is built with -fno-omit-frame-pointer).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define BACKTRACE_MAX 32

/* Print the chain starting at @rip with frame pointer @rbp. */
void backtrace_print(uint64_t rip, uint64_t rbp);
/* Print the caller's own backtrace. */
void backtrace_print_here(void);
/* Collect up to @max return addresses from @rbp; returns the count. */
size_t backtrace_collect(uint64_t rbp, uint64_t *out, size_t max);
/* Format @addr as "function+0xoff/0xsize" (or hex) into @buf. */
void backtrace_symbolize(uint64_t addr, char *buf, size_t size);
