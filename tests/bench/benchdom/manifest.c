// SPDX-License-Identifier: MIT
/*
 * The bench domain's manifest: calls calltest and echo in the callee.
 * Shared-heap quota: one message, a deque of 32 and the runtime's per-type
 * caches (up to 32 objects each, fetched 8 at a time), one page each.
 */
#include "abi/manifest.h"
#include "tests/call/callrt.h"
#include "gen/echo.h"

DOMAIN_MANIFEST(.name = "bench", .version = 1, .mem_pages = 160, .threads = 1,
		.restart = MANIFEST_RESTART_NEVER,
		.imports = {MANIFEST_IFACE("calltest", CALLTEST_FP, 1),
			    MANIFEST_IFACE(ECHO_NAME, ECHO_FINGERPRINT,
					   ECHO_VERSION)},
		.nimports = 2);
