// SPDX-License-Identifier: MIT
/*
 * The healthy test domain: runs alongside a misbehaving one and keeps
 * making system calls (each counted by the kernel) until it is killed, so
 * the harness can see that it still makes progress.
 */
#include <stdint.h>

#include "rt/rt.h"
#include "rt/syscall.h"

int dom_main(uint64_t arg, const char *boot)
{
	for (;;) {
		sys_thread_yield();
		if (arg) {
			sleep_ms(1);
		}
	}
	return 0;
}
