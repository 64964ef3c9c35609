// SPDX-License-Identifier: MIT
/* The callee test domain's manifest: serves calltest and calltest2. */
#include "abi/manifest.h"
#include "tests/call/callrt.h"
#include "gen/echo.h"

DOMAIN_MANIFEST(.name = "callee", .version = 1, .mem_pages = 256, .threads = 2,
		.restart = MANIFEST_RESTART_NEVER,
		.exports = {MANIFEST_IFACE("calltest", CALLTEST_FP, 1),
			    MANIFEST_IFACE("calltest2", CALLTEST2_FP, 1),
			    MANIFEST_IFACE(ECHO_NAME, ECHO_FINGERPRINT,
					   ECHO_VERSION)},
		.nexports = 3,
		.imports = {MANIFEST_IFACE("calltest2", CALLTEST2_FP, 1)},
		.nimports = 1);
