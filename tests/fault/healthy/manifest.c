// SPDX-License-Identifier: MIT
/* The healthy test domain's manifest: one thread, no heap to speak of. */
#include "abi/manifest.h"

DOMAIN_MANIFEST(.name = "healthy", .version = 1, .mem_pages = 64, .threads = 1,
		.restart = MANIFEST_RESTART_NEVER);
