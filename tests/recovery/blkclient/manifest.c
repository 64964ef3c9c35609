// SPDX-License-Identifier: MIT
/*
 * The blkclient test domain's manifest: imports blk, never restarted. The
 * quota covers the image, the main stack and a few shared-heap blocks
 * (the runtime caches up to 40 of them).
 */
#include "abi/manifest.h"
#include "gen/blk.h"

DOMAIN_MANIFEST(.name = "blkclient", .version = 1, .mem_pages = 128,
		.threads = 2, .restart = MANIFEST_RESTART_NEVER,
		.imports = {MANIFEST_IFACE(BLK_NAME, BLK_FINGERPRINT,
					   BLK_VERSION)},
		.nimports = 1);
