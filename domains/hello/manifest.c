// SPDX-License-Identifier: MIT
/*
 * The hello domain's manifest (lib/abi/manifest.h). The memory quota
 * covers the image, the boot-string page, three 64 KiB thread stacks
 * (16 pages each) and the malloc() heap.
 */
#include "abi/manifest.h"

DOMAIN_MANIFEST(.name = "hello", .version = 1, .mem_pages = 256, .threads = 4,
		.restart = MANIFEST_RESTART_NEVER);
