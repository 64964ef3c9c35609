// SPDX-License-Identifier: MIT
/* The bench domain's manifest. */
#include "abi/manifest.h"
#include "tests/call/callrt.h"

DOMAIN_MANIFEST(.name = "bench", .version = 1, .mem_pages = 64, .threads = 1,
		.restart = MANIFEST_RESTART_NEVER,
		.imports = {MANIFEST_IFACE("calltest", CALLTEST_FP, 1)},
		.nimports = 1);
