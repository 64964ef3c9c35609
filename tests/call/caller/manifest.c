// SPDX-License-Identifier: MIT
/* The caller test domain's manifest: imports calltest. */
#include "abi/manifest.h"
#include "tests/call/callrt.h"
#include "gen/echo.h"

DOMAIN_MANIFEST(.name = "caller", .version = 1, .mem_pages = 128, .threads = 2,
		.restart = MANIFEST_RESTART_NEVER,
		.imports = {MANIFEST_IFACE("calltest", CALLTEST_FP, 1),
			    MANIFEST_IFACE(ECHO_NAME, ECHO_FINGERPRINT,
					   ECHO_VERSION)},
		.nimports = 2);
