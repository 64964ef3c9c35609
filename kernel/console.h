/* SPDX-License-Identifier: MIT */
/*
 * Kernel console: formatted output to the serial console (COM1), and the
 * kernel log, which goes to the console or, with klog=com2, to a port of its
 * own so that test output on COM1 stays clean.
 */
#pragma once

#include <stdarg.h>

#include "base/compiler.h"

enum klog_level {
	KLOG_ERR,
	KLOG_WARN,
	KLOG_INFO,
	KLOG_DEBUG,
};

void console_init(void);
/* Re-read klog= from the command line and open the log port. */
void console_late_init(void);

/* Print to the console. Whole calls are atomic with respect to other CPUs. */
int kprintf(const char *fmt, ...) __printf(1, 2);
int kvprintf(const char *fmt, va_list ap);
/* Log a line with a timestamp and level prefix; @fmt ends without '\n'. */
void klog(enum klog_level lvl, const char *fmt, ...) __printf(2, 3);

#define pr_err(...) klog(KLOG_ERR, __VA_ARGS__)
#define pr_warn(...) klog(KLOG_WARN, __VA_ARGS__)
#define pr_info(...) klog(KLOG_INFO, __VA_ARGS__)
#define pr_debug(...) klog(KLOG_DEBUG, __VA_ARGS__)

/* Panic path: stop honouring the console lock so a dying CPU can print. */
void console_panic_mode(void);
