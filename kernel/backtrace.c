// SPDX-License-Identifier: MIT
/*
 * Kernel backtraces (see backtrace.h). Each frame is [saved rbp, return
 * address]; the walk stops at a null, misaligned, non-kernel or
 * non-increasing frame pointer so that a corrupt stack cannot make the
 * panic path itself fault.
 */
#include "backtrace.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vm.h"
#include "base/fmt.h"
#include "console.h"
#include "ksyms.h"
#include "pmm.h"

static bool frame_readable(uint64_t fp)
{
	if (fp & 7) {
		return false;
	}
	if (fp >= PHYS_MAP_BASE && fp + 16 <= PHYS_MAP_BASE + pmm_max_phys()) {
		return true;
	}
	return fp >= (uint64_t)__data_start && fp + 16 <= (uint64_t)__data_end;
}

size_t backtrace_collect(uint64_t rbp, uint64_t *out, size_t max)
{
	size_t n = 0;

	while (n < max && frame_readable(rbp)) {
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t ret = frame[1];

		if (ret < KERNEL_VMA) {
			break;
		}
		out[n++] = ret;
		if (frame[0] <= rbp) {
			break;
		}
		rbp = frame[0];
	}
	return n;
}

void backtrace_symbolize(uint64_t addr, char *buf, size_t size)
{
	uint64_t off;
	uint64_t sz;
	const char *name = ksyms_lookup(addr, &off, &sz);

	if (name) {
		fmt_snprintf(buf, size, "%s+0x%lx/0x%lx", name, off, sz);
	} else {
		fmt_snprintf(buf, size, "%#lx", addr);
	}
}

/*
 * A return address points after its call, which for a call to a noreturn
 * function is the next function: symbolize ret - 1, print ret - 1 + 1.
 */
static void print_return(uint64_t ret)
{
	uint64_t off;
	uint64_t sz;
	const char *name = ksyms_lookup(ret - 1, &off, &sz);

	if (name) {
		kprintf("    [<%016lx>] %s+0x%lx/0x%lx\n", ret, name, off + 1,
			sz);
	} else {
		kprintf("    [<%016lx>] ?\n", ret);
	}
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
	uint64_t addrs[BACKTRACE_MAX];
	size_t n = backtrace_collect(rbp, addrs, BACKTRACE_MAX);
	char buf[128];

	kprintf("  backtrace:\n");
	backtrace_symbolize(rip, buf, sizeof(buf));
	kprintf("    [<%016lx>] %s\n", rip, buf);
	for (size_t i = 0; i < n; i++) {
		print_return(addrs[i]);
	}
}

void backtrace_print_here(void)
{
	uint64_t addrs[BACKTRACE_MAX];
	size_t n = backtrace_collect(read_rbp(), addrs, BACKTRACE_MAX);

	kprintf("  backtrace:\n");
	for (size_t i = 0; i < n; i++) {
		print_return(addrs[i]);
	}
}
