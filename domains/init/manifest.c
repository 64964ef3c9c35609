// SPDX-License-Identifier: MIT
/*
 * The init domain's manifest: MANIFEST_F_INIT grants the domain-management
 * calls (SYS_DOM_START, SYS_DOM_WAIT, SYS_DOM_KILL). One thread; the quota
 * covers the image, the boot-string page, its stack and a little heap.
 */
#include "abi/manifest.h"

DOMAIN_MANIFEST(.name = "init", .version = 1, .flags = MANIFEST_F_INIT,
		.mem_pages = 64, .threads = 2,
		.restart = MANIFEST_RESTART_NEVER);
