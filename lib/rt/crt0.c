// SPDX-License-Identifier: MIT
/*
 * The C half of a domain's start-up: what rt_start (lib/rt/start.S) calls.
 * The kernel loader has already mapped the image, applied its relocations
 * and zeroed .bss; it runs no initialisers, so this walks .init_array
 * (bounds from lib/rt/domain.ld) before dom_main().
 */
#include "rt/internal.h"
#include "rt/rt.h"
#include "rt/syscall.h"

#define RT_HIDDEN __attribute__((visibility("hidden")))

extern void (*const __init_array_start[])(void) RT_HIDDEN;
extern void (*const __init_array_end[])(void) RT_HIDDEN;

void rt_main(uint64_t arg, const char *boot)
{
	for (void (*const *c)(void) = __init_array_start; c < __init_array_end;
	     c++) {
		(*c)();
	}
	if (dom_init) {
		int err = dom_init(arg, boot ? boot : "");

		if (err) {
			dom_panic("dom_init failed: %d", err);
		}
	}
	sys_dom_ready();
	thread_exit(dom_main(arg, boot ? boot : ""));
}
