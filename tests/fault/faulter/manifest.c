// SPDX-License-Identifier: MIT
/*
 * The faulter test domain's manifest. The quotas are small on purpose:
 * 160 pages hold the image, the boot page, four 16-page stacks and a
 * little heap, so FAULTER_MEM_QUOTA and FAULTER_THREAD_QUOTA cross them
 * quickly.
 */
#include "abi/manifest.h"

DOMAIN_MANIFEST(.name = "faulter", .version = 1, .mem_pages = 160, .threads = 4,
		.restart = MANIFEST_RESTART_NEVER);
