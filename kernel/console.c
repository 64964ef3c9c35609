// SPDX-License-Identifier: MIT
/*
 * The kernel console and log (see console.h). Output is formatted straight
 * into the UART under one lock, so concurrent CPUs never interleave within
 * a call; "\n" becomes "\r\n" for terminals.
 */
#include "console.h"

#include "arch/x86_64/serial.h"
#include "base/fmt.h"
#include "cmdline.h"
#include "percpu.h"
#include "spinlock.h"
#include "time.h"

static struct spinlock console_lock = SPINLOCK_INIT("console");
static bool panic_mode;
static bool com2_ok;

static const char *const klog_choices[] = {"console", "com2", NULL};
static unsigned int klog_target;
CMDLINE_OPTION(klog_opt, .name = "klog", .type = CMDLINE_ENUM,
	       .value = &klog_target, .choices = klog_choices,
	       .help = "where kernel log lines go: console (COM1) or com2");

static const char *const level_names[] = {
	[KLOG_ERR] = "error: ",
	[KLOG_WARN] = "warning: ",
	[KLOG_INFO] = "",
	[KLOG_DEBUG] = "debug: ",
};

static void port_putc(void *ctx, char c)
{
	uint16_t port = (uint16_t)(uintptr_t)ctx;

	if (c == '\n') {
		serial_putc(port, '\r');
	}
	serial_putc(port, c);
}

void console_init(void)
{
	serial_init(SERIAL_COM1);
}

void console_late_init(void)
{
	if (klog_target == 1) {
		com2_ok = serial_init(SERIAL_COM2);
		if (!com2_ok) {
			kprintf("warning: klog=com2 but no UART at COM2; "
				"logging to the console\n");
		}
	}
}

void console_panic_mode(void)
{
	panic_mode = true;
}

static void console_lock_acquire(void)
{
	if (!panic_mode) {
		spin_lock(&console_lock);
	}
}

static void console_lock_release(void)
{
	if (!panic_mode) {
		spin_unlock(&console_lock);
	}
}

int kvprintf(const char *fmt, va_list ap)
{
	int n;

	console_lock_acquire();
	n = fmt_vformat(port_putc, (void *)(uintptr_t)SERIAL_COM1, fmt, ap);
	console_lock_release();
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

static void klog_emit(void *port, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(port_putc, port, fmt, ap);
	va_end(ap);
}

void klog(enum klog_level lvl, const char *fmt, ...)
{
	uint64_t ns = time_ns();
	uint16_t port = com2_ok ? SERIAL_COM2 : SERIAL_COM1;
	void *ctx = (void *)(uintptr_t)port;
	va_list ap;

	console_lock_acquire();
	klog_emit(ctx, "[%5llu.%06llu] %s",
		  (unsigned long long)(ns / 1000000000),
		  (unsigned long long)(ns / 1000 % 1000000), level_names[lvl]);
	va_start(ap, fmt);
	fmt_vformat(port_putc, ctx, fmt, ap);
	va_end(ap);
	port_putc(ctx, '\n');
	console_lock_release();
	/* Errors and warnings also reach the console when logging elsewhere. */
	if (com2_ok && lvl <= KLOG_WARN) {
		console_lock_acquire();
		klog_emit((void *)(uintptr_t)SERIAL_COM1, "%s",
			  level_names[lvl]);
		va_start(ap, fmt);
		fmt_vformat(port_putc, (void *)(uintptr_t)SERIAL_COM1, fmt, ap);
		va_end(ap);
		port_putc((void *)(uintptr_t)SERIAL_COM1, '\n');
		console_lock_release();
	}
}
