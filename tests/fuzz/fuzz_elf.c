// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the domain image validator (kernel/elf_check.c).
 * Any input must be handled without a crash, an out-of-bounds read (ASan)
 * or undefined behaviour (UBSan); a rejection must come with a known error
 * and a reason; an acceptance must yield a plan that keeps every promise
 * of kernel/elf_check.h (tests/elf/plan_check.h). Built by `make fuzz`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "elf_check.h"
#include "plan_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The limits the corpus expectations assume (tests/elf/mkcorpus.py). */
static const struct elf_limits fuzz_limits = {
	.max_phnum = 64,
	.max_image_pages = 4096,
	.max_relocs = 4096,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elf_plan plan;
	const char *why = "unset";
	const char *bad;
	int err;

	err = elf_check(data, size, &fuzz_limits, &plan, &why);
	if (err == 0) {
		if (why != NULL) {
			fprintf(stderr, "accepted with a reason\n");
			abort();
		}
		bad = plan_violation(data, size, &fuzz_limits, &plan);
		if (bad) {
			fprintf(stderr, "accepted plan breaks: %s\n", bad);
			abort();
		}
		return 0;
	}
	if (err != -ENOEXEC && err != -EPERM && err != -E2BIG &&
	    err != -EINVAL) {
		fprintf(stderr, "unexpected error %d\n", err);
		abort();
	}
	if (!why || why[0] == '\0' || strlen(why) >= ELF_WHY_LEN) {
		fprintf(stderr, "bad reason for error %d\n", err);
		abort();
	}
	return 0;
}
