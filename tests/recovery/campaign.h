/* SPDX-License-Identifier: MIT */
/*
 * The fault-injection campaign (ISSUE: recovery): faults of every kind in
 * kernel/faultinj.h are injected into the RAM block device domain
 * (domains/ramblk) while a client (tests/recovery/blkclient) reads its
 * blocks back byte for byte, one injection per client run. The campaign
 * counts, per kind, what each injection did, and checks at the end that
 * everything was freed. `make faultinject N=... SEED=...` runs it alone
 * (boot option faultinject=N, fiseed=S); `make test` runs a short one.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "faultinj.h"

struct fi_row {
	uint64_t injected;
	uint64_t manifested;	/* the instance failed, or the client noticed */
	uint64_t contained;	/* no domain but the target failed */
	uint64_t recovered;	/* manifested, and the client saw nothing */
	uint64_t client_errors; /* client runs that did not end with 0 */
	uint64_t nrec;		/* recovery times recorded */
	uint64_t rec_tsc[64];	/* the first 64, for the median */
	uint64_t rec_ns[64];
};

struct fi_result {
	struct fi_row rows[FI_NKINDS];
	uint64_t setup_failures; /* the service or writer would not start */
	int64_t leaked_pages;
	int64_t leaked_bytes;
	int64_t leaked_rrefs;
	int64_t leaked_services;
};

/*
 * Run @n injections from @seed (the same seed replays the same run) and
 * print the table. Returns 0 if the campaign ran to the end with no
 * leaks; -EIO otherwise.
 */
int fi_campaign(uint64_t n, uint64_t seed, struct fi_result *res);
/* faultinject=N boot option: run the campaign and exit QEMU. */
bool fi_campaign_requested(void);
int fi_campaign_boot(void);
