// SPDX-License-Identifier: MIT
/*
 * ramblk's manifest (lib/abi/manifest.h). It exports blk and is restarted
 * after a failure with growing delays: 10 ms after the first failure,
 * doubled for each further failure with no call served in between
 * (kernel/svc.c). The 7th failure in a row within 20 s gives the service
 * up: a crash loop (an instance that fails in every init) ends after
 * about 0.6 s of backoff, while any number of crashes with calls served
 * in between are survived.
 *
 * The memory quota covers the state area (RAMBLK_STATE_PAGES = 257), the
 * image, the main stack (16 pages), the per-call stacks of concurrent
 * callers (4 pages each) and the runtime; shared-heap buffers are counted
 * apart against the same number.
 */
#include "abi/manifest.h"
#include "gen/blk.h"

DOMAIN_MANIFEST(.name = "ramblk", .version = 1, .mem_pages = 512, .threads = 2,
		.restart = MANIFEST_RESTART_BACKOFF, .max_restarts = 6,
		.restart_window_ms = 20000, .restart_backoff_ms = 10,
		.exports = {MANIFEST_IFACE(BLK_NAME, BLK_FINGERPRINT,
					   BLK_VERSION)},
		.nexports = 1);
