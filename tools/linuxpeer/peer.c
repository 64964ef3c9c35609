// SPDX-License-Identifier: MIT
/*
 * The Linux peer of `make bench` (shared/BENCHMARKING.md, "Peers in the
 * same run"): /init of a small initramfs that Debian's kernel boots under
 * the same QEMU flags as Cordon's bench, -icount shift=0 included, so its
 * rdtsc deltas are exact instruction counts, kernel instructions
 * included. Built on the host with gcc -static against glibc's libc.a
 * (tools/linuxpeer/run.py); mkinitramfs.py packs it.
 *
 * It measures the nearest equivalents of Cordon's figures: getpid by a
 * bare SYSCALL instruction (Cordon's null_syscall), and a one-byte pipe
 * and an eventfd ping-pong between two processes (a cross-domain null
 * call), with the same harness as tests/bench/benchdom/bench.c: best of
 * rounds of N round trips less best of rounds of one, per round trip,
 * less the empty loop. Event runs count, from /proc, the system calls
 * and context switches each round trip costs. Then it prints one
 * "LINUXBENCH name value unit [key=value...]" line per figure and
 * "LINUXINFO key value" lines saying how the kernel ran (PTI, PCID,
 * mitigations), and powers the machine off.
 *
 * Run as an ordinary program (not PID 1) it mounts nothing and does not
 * power off, so the harness can be tried on the host, where rdtsc counts
 * TSC ticks rather than instructions.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define PEER_ROUNDS 11	       /* best of; rounds differ only by interrupts */
#define PEER_WARMUP 64	       /* round trips before the first timed round */
#define PEER_ITERS_NULL 2000u  /* per round: loop, call, getpid */
#define PEER_ITERS_PING 100u   /* per round: ping-pongs, < one 4 ms tick */
#define PEER_EVENT_ITERS 1000u /* round trips per event run */
#define PEER_EVENT_RUNS 5      /* median of */
#define PEER_OUT_MAX 16384     /* bytes of output kept until the end */

/* What the child of a ping-pong is told to do instead of answering. */
#define PEER_PIPE_STOP 0xffu
#define PEER_EVENTFD_STOP (1ull << 40)

/* What a figure's round trips go through. */
enum peer_chan {
	PEER_CHAN_NONE, /* no second process */
	PEER_CHAN_PIPE,
	PEER_CHAN_EVENTFD,
};

/* The two channels of a ping-pong, and its child. */
struct pingpong {
	int to_child[2];  /* pipe: [0] read end, [1] write end */
	int to_parent[2]; /* eventfd: both the same descriptor */
	pid_t child;
	enum peer_chan chan;
};

/* One figure: @op makes one round trip and checks it (0 or -1). */
struct peer_fig {
	const char *name;
	int (*op)(struct pingpong *pp, uint64_t i);
	uint32_t iters;
	enum peer_chan chan;
};

/* Counters read from /proc around an event run. */
struct peer_events {
	uint64_t syscalls; /* read + write system calls, parent and child */
	uint64_t switches; /* context switches out of parent and child */
	uint64_t ctxt;	   /* context switches of the whole system */
};

static char out_buf[PEER_OUT_MAX];
static size_t out_len;
static const char *fail_why;

/*
 * Output is kept until the measurements are done: a line written to the
 * serial console while a round runs would add its interrupts to it.
 */
static __attribute__((format(printf, 1, 2))) void out(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out_buf + out_len, sizeof(out_buf) - out_len, fmt, ap);
	va_end(ap);
	if (n > 0) {
		out_len += (size_t)n;
		if (out_len >= sizeof(out_buf)) {
			out_len = sizeof(out_buf) - 1;
		}
	}
}

static void out_flush(void)
{
	fwrite(out_buf, 1, out_len, stdout);
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
	out_len = 0;
}

/* Records the first failure; returns -1 for the op to return. */
static __attribute__((noinline, cold)) int fail(const char *why)
{
	if (!fail_why) {
		fail_why = why;
	}
	return -1;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo;
	uint32_t hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* --- Round trips ---------------------------------------------------------- */

__attribute__((noinline)) static uint64_t direct_fn(uint64_t x)
{
	__asm__ volatile("" : "+r"(x));
	return x;
}

/* The harness alone; subtracted from every figure. */
static int op_none(struct pingpong *pp, uint64_t i)
{
	return 0;
}

static int op_direct(struct pingpong *pp, uint64_t i)
{
	direct_fn(i);
	return 0;
}

/*
 * getpid by a bare SYSCALL instruction, as Cordon's sys_null() makes its
 * null system call: no libc wrapper, and no pid cache that could skip it.
 */
static int op_getpid(struct pingpong *pp, uint64_t i)
{
	long r = SYS_getpid;

	__asm__ volatile("syscall" : "+a"(r) : : "rcx", "r11", "memory");
	return r > 0 ? 0 : fail("getpid");
}

/* One byte to the child, which sends it back plus one. */
static int op_pipe(struct pingpong *pp, uint64_t i)
{
	uint8_t ping = (uint8_t)(i & 0x7f);
	uint8_t pong = 0;

	if (write(pp->to_child[1], &ping, 1) != 1) {
		return fail("pipe write");
	}
	if (read(pp->to_parent[0], &pong, 1) != 1 || pong != ping + 1) {
		return fail("pipe read: wrong byte");
	}
	return 0;
}

/* A count to the child's eventfd; it adds one to its own. */
static int op_eventfd(struct pingpong *pp, uint64_t i)
{
	uint64_t ping = (i & 0xffff) + 1;
	uint64_t pong = 0;

	if (write(pp->to_child[1], &ping, 8) != 8) {
		return fail("eventfd write");
	}
	if (read(pp->to_parent[0], &pong, 8) != 8 || pong != ping + 1) {
		return fail("eventfd read: wrong count");
	}
	return 0;
}

/* The child's side: answer until told to stop. */
static void __attribute__((noreturn)) child_loop(struct pingpong *pp)
{
	for (;;) {
		if (pp->chan == PEER_CHAN_EVENTFD) {
			uint64_t v;

			if (read(pp->to_child[0], &v, 8) != 8 ||
			    v == PEER_EVENTFD_STOP) {
				_exit(0);
			}
			v++;
			if (write(pp->to_parent[1], &v, 8) != 8) {
				_exit(1);
			}
		} else {
			uint8_t b;

			if (read(pp->to_child[0], &b, 1) != 1 ||
			    b == PEER_PIPE_STOP) {
				_exit(0);
			}
			b++;
			if (write(pp->to_parent[1], &b, 1) != 1) {
				_exit(1);
			}
		}
	}
}

/* Makes the two channels and forks the child. Returns 0 or -1. */
static int pingpong_start(struct pingpong *pp, enum peer_chan chan)
{
	pp->chan = chan;
	if (chan == PEER_CHAN_EVENTFD) {
		pp->to_child[0] = pp->to_child[1] = eventfd(0, EFD_CLOEXEC);
		pp->to_parent[0] = pp->to_parent[1] = eventfd(0, EFD_CLOEXEC);
		if (pp->to_child[0] < 0 || pp->to_parent[0] < 0) {
			return fail("eventfd");
		}
	} else if (pipe2(pp->to_child, O_CLOEXEC) ||
		   pipe2(pp->to_parent, O_CLOEXEC)) {
		return fail("pipe2");
	}
	fflush(stdout);
	pp->child = fork();
	if (pp->child < 0) {
		return fail("fork");
	}
	if (pp->child == 0) {
		child_loop(pp);
	}
	return 0;
}

/* Tells the child to stop, reaps it and closes the channels. */
static int pingpong_stop(struct pingpong *pp)
{
	uint64_t stop = PEER_EVENTFD_STOP;
	uint8_t stop_byte = PEER_PIPE_STOP;
	int status = -1;
	ssize_t n;

	if (pp->chan == PEER_CHAN_EVENTFD) {
		n = write(pp->to_child[1], &stop, 8);
	} else {
		n = write(pp->to_child[1], &stop_byte, 1);
	}
	if (n <= 0) {
		kill(pp->child, SIGKILL);
	}
	waitpid(pp->child, &status, 0);
	close(pp->to_child[0]);
	close(pp->to_parent[0]);
	if (pp->chan == PEER_CHAN_PIPE) {
		close(pp->to_child[1]);
		close(pp->to_parent[1]);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		return fail("ping-pong child failed");
	}
	return 0;
}

/* In the order measured; loop_overhead first, as it is subtracted. */
static const struct peer_fig figs[] = {
	{"linux_loop_overhead", op_none, PEER_ITERS_NULL, PEER_CHAN_NONE},
	{"linux_direct_call", op_direct, PEER_ITERS_NULL, PEER_CHAN_NONE},
	{"linux_getpid", op_getpid, PEER_ITERS_NULL, PEER_CHAN_NONE},
	{"linux_pipe_pingpong", op_pipe, PEER_ITERS_PING, PEER_CHAN_PIPE},
	{"linux_eventfd_pingpong", op_eventfd, PEER_ITERS_PING,
	 PEER_CHAN_EVENTFD},
};

/* --- Runs ----------------------------------------------------------------- */

/*
 * TSC ticks of @iters round trips of @op; UINT64_MAX if one failed. The
 * same code for every op and count (not inlined nor cloned).
 */
static __attribute__((noinline, noclone)) uint64_t
round_ticks(struct pingpong *pp, int (*op)(struct pingpong *pp, uint64_t i),
	    uint32_t iters)
{
	uint64_t t0 = rdtsc();

	for (uint32_t i = 0; i < iters; i++) {
		if (op(pp, i)) {
			return UINT64_MAX;
		}
	}
	return rdtsc() - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Runs @f's op PEER_WARMUP times, then PEER_ROUNDS rounds of f->iters
 * round trips and as many of one. Stores per round trip, times 100, the
 * best round of f->iters less the best of one in x100[0] (the rdtsc pair
 * and the loop's setup cancel out), and the median and the worst round
 * less the same in x100[1] and x100[2]: the spread that interrupts cause.
 * Returns 0, or -1 at the first failed round trip.
 */
static __attribute__((noinline, noclone)) int
measure(struct pingpong *pp, const struct peer_fig *f, uint64_t x100[3])
{
	uint64_t t[PEER_ROUNDS];
	uint64_t best1 = UINT64_MAX;

	for (uint32_t i = 0; i < PEER_WARMUP; i++) {
		if (f->op(pp, i)) {
			return -1;
		}
	}
	for (int round = 0; round < PEER_ROUNDS; round++) {
		uint64_t t1;

		t[round] = round_ticks(pp, f->op, f->iters);
		t1 = round_ticks(pp, f->op, 1);
		if (t[round] == UINT64_MAX || t1 == UINT64_MAX) {
			return -1;
		}
		best1 = t1 < best1 ? t1 : best1;
	}
	qsort(t, PEER_ROUNDS, sizeof(t[0]), cmp_u64);
	x100[0] = t[0];
	x100[1] = t[PEER_ROUNDS / 2];
	x100[2] = t[PEER_ROUNDS - 1];
	for (int k = 0; k < 3; k++) {
		uint64_t d = x100[k] > best1 ? x100[k] - best1 : 0;

		x100[k] = d * 100 / (f->iters - 1);
	}
	return 0;
}

/* Reads the number after @key in the file @path into *@v; 0 or -1. */
static int proc_field(const char *path, const char *key, uint64_t *v)
{
	char line[256];
	size_t klen = strlen(key);
	FILE *fp = fopen(path, "re");
	int err = -1;

	if (!fp) {
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, key, klen) == 0) {
			*v = strtoull(line + klen, NULL, 10);
			err = 0;
			break;
		}
	}
	fclose(fp);
	return err;
}

/* The read/write calls and context switches of process @pid so far. */
static int proc_task(pid_t pid, uint64_t *syscalls, uint64_t *switches)
{
	char io[64];
	char status[64];
	uint64_t r;
	uint64_t w;
	uint64_t vol;
	uint64_t invol;

	snprintf(io, sizeof(io), "/proc/%d/io", (int)pid);
	snprintf(status, sizeof(status), "/proc/%d/status", (int)pid);
	if (proc_field(io, "syscr:", &r) || proc_field(io, "syscw:", &w) ||
	    proc_field(status, "voluntary_ctxt_switches:", &vol) ||
	    proc_field(status, "nonvoluntary_ctxt_switches:", &invol)) {
		return -1;
	}
	*syscalls += r + w;
	*switches += vol + invol;
	return 0;
}

static int events_now(const struct pingpong *pp, struct peer_events *e)
{
	*e = (struct peer_events){0};
	if (proc_task(getpid(), &e->syscalls, &e->switches) ||
	    proc_task(pp->child, &e->syscalls, &e->switches) ||
	    proc_field("/proc/stat", "ctxt ", &e->ctxt)) {
		return fail("reading /proc");
	}
	return 0;
}

/*
 * Events of @iters round trips of @f's op, in *@d: the counters read
 * after them less those read before. The reads themselves add a few
 * (reading /proc is a read system call); the caller subtracts a run of
 * none.
 */
static int event_run(struct pingpong *pp, const struct peer_fig *f,
		     uint32_t iters, struct peer_events *d)
{
	struct peer_events a;
	struct peer_events b;

	if (events_now(pp, &a)) {
		return -1;
	}
	for (uint32_t i = 0; i < iters; i++) {
		if (f->op(pp, i)) {
			return -1;
		}
	}
	if (events_now(pp, &b)) {
		return -1;
	}
	d->syscalls = b.syscalls - a.syscalls;
	d->switches = b.switches - a.switches;
	d->ctxt = b.ctxt - a.ctxt;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a;
	int64_t y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Prints the median of @n[PEER_EVENT_RUNS], events per PEER_EVENT_ITERS
 * round trips, per round trip and as "n.nn", rounded: where the other
 * process stands when a run ends (blocked in read, or preempted just
 * before it) can move a count by one.
 */
static void out_per_trip(const char *fig, const char *what, int64_t *n)
{
	int64_t mid;
	uint64_t x100;

	qsort(n, PEER_EVENT_RUNS, sizeof(n[0]), cmp_i64);
	mid = n[PEER_EVENT_RUNS / 2];
	x100 = 0;
	if (mid > 0) {
		x100 = ((uint64_t)mid * 100 + PEER_EVENT_ITERS / 2) /
		       PEER_EVENT_ITERS;
	}
	out("LINUXBENCH events_%s_%s %" PRIu64 ".%02" PRIu64 " per_trip\n", fig,
	    what, x100 / 100, x100 % 100);
}

/*
 * Counts and prints @f's events per round trip (ping-pongs only): the
 * median over PEER_EVENT_RUNS of a run of PEER_EVENT_ITERS less a run of
 * none, so that a timer tick or a kernel thread in one run changes
 * nothing.
 */
static int count_events(struct pingpong *pp, const struct peer_fig *f)
{
	int64_t sc[PEER_EVENT_RUNS];
	int64_t sw[PEER_EVENT_RUNS];
	int64_t other[PEER_EVENT_RUNS];

	for (int k = 0; k < PEER_EVENT_RUNS; k++) {
		struct peer_events none;
		struct peer_events some;

		if (event_run(pp, f, 0, &none) ||
		    event_run(pp, f, PEER_EVENT_ITERS, &some)) {
			return -1;
		}
		sc[k] = (int64_t)(some.syscalls - none.syscalls);
		sw[k] = (int64_t)(some.switches - none.switches);
		/* Switches of other tasks: the idle task, kernel threads. */
		other[k] = (int64_t)(some.ctxt - some.switches) -
			   (int64_t)(none.ctxt - none.switches);
	}
	out_per_trip(f->name, "syscalls", sc);
	out_per_trip(f->name, "switches", sw);
	out_per_trip(f->name, "other_switches", other);
	return 0;
}

static void out_x100(const char *name, uint64_t x, const char *rest)
{
	out("LINUXBENCH %s %" PRIu64 ".%02" PRIu64 " insns%s\n", name, x / 100,
	    x % 100, rest);
}

/* Measures every figure; returns 0 or -1 at the first failure. */
static int run_all(void)
{
	uint64_t loop = 0;

	for (size_t k = 0; k < sizeof(figs) / sizeof(figs[0]); k++) {
		const struct peer_fig *f = &figs[k];
		struct pingpong pp = {.child = -1, .chan = PEER_CHAN_NONE};
		bool ping = f->chan != PEER_CHAN_NONE;
		uint64_t x[3];
		char rest[128];

		if (ping && pingpong_start(&pp, f->chan)) {
			return -1;
		}
		if (measure(&pp, f, x)) {
			if (ping) {
				pingpong_stop(&pp);
			}
			return -1;
		}
		if (f->op == op_none) {
			loop = x[0];
		}
		/* The loop and the call through the pointer are not it. */
		for (int j = 0; j < 3 && f->op != op_none; j++) {
			x[j] = x[j] > loop ? x[j] - loop : 0;
		}
		snprintf(rest, sizeof(rest),
			 " median=%" PRIu64 ".%02" PRIu64 " max=%" PRIu64
			 ".%02" PRIu64 " rounds=%d iters=%u",
			 x[1] / 100, x[1] % 100, x[2] / 100, x[2] % 100,
			 PEER_ROUNDS, f->iters);
		out_x100(f->name, x[0], rest);
		if (ping && count_events(&pp, f)) {
			pingpong_stop(&pp);
			return -1;
		}
		if (ping && pingpong_stop(&pp)) {
			return -1;
		}
	}
	return 0;
}

/* --- How the kernel runs -------------------------------------------------- */

/* Prints the first line of @path as "LINUXINFO @key <line>". */
static void info_file(const char *key, const char *path)
{
	char line[512] = "";
	FILE *fp = fopen(path, "re");

	if (fp) {
		if (!fgets(line, sizeof(line), fp)) {
			line[0] = '\0';
		}
		fclose(fp);
	}
	line[strcspn(line, "\n")] = '\0';
	out("LINUXINFO %s %s\n", key, fp ? line : "(unreadable)");
}

/* Whether /proc/cpuinfo's flags line lists @flag. */
static bool cpu_has(const char *flag)
{
	char line[4096];
	size_t n = strlen(flag);
	bool found = false;
	FILE *fp = fopen("/proc/cpuinfo", "re");

	if (!fp) {
		return false;
	}
	while (!found && fgets(line, sizeof(line), fp)) {
		char *p;

		if (strncmp(line, "flags", 5) != 0) {
			continue;
		}
		for (p = strstr(line, flag); p; p = strstr(p + 1, flag)) {
			if (p[-1] == ' ' && (p[n] == ' ' || p[n] == '\n')) {
				found = true;
				break;
			}
		}
	}
	fclose(fp);
	return found;
}

/*
 * The kernel, its command line, whether it uses PCID and PTI (the flags
 * "pcid" and "pti" of /proc/cpuinfo), and each line of
 * /sys/devices/system/cpu/vulnerabilities: what the figures were
 * measured with.
 */
static void report_kernel(void)
{
	const char *vdir = "/sys/devices/system/cpu/vulnerabilities";
	struct utsname u;
	DIR *d;
	struct dirent *e;

	if (uname(&u) == 0) {
		out("LINUXINFO kernel %s %s\n", u.release, u.version);
	}
	info_file("cmdline", "/proc/cmdline");
	out("LINUXINFO pcid %s\n", cpu_has("pcid") ? "yes" : "no");
	out("LINUXINFO pti %s\n", cpu_has("pti") ? "on" : "off");
	d = opendir(vdir);
	while (d && (e = readdir(d))) {
		char path[512];
		char key[300];

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", vdir, e->d_name);
		snprintf(key, sizeof(key), "vuln_%s", e->d_name);
		info_file(key, path);
	}
	if (d) {
		closedir(d);
	}
}

/* Mounts what the figures and the report read; a failure is reported. */
static void mount_all(void)
{
	static const struct {
		const char *type;
		const char *dir;
	} fs[] = {
		{"devtmpfs", "/dev"},
		{"proc", "/proc"},
		{"sysfs", "/sys"},
	};

	for (size_t k = 0; k < sizeof(fs) / sizeof(fs[0]); k++) {
		mkdir(fs[k].dir, 0755);
		if (mount(fs[k].type, fs[k].dir, fs[k].type, 0, NULL) &&
		    errno != EBUSY) {
			out("LINUXINFO mount_%s failed: %s\n", fs[k].type,
			    strerror(errno));
		}
	}
}

int main(void)
{
	bool init = getpid() == 1;
	cpu_set_t cpu0;
	int r;

	if (init) {
		mount_all();
	}
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0)) {
		out("LINUXINFO affinity failed: %s\n", strerror(errno));
	}
	report_kernel();
	/* Nothing left in flight on the console while rounds run. */
	out_flush();
	r = run_all();
	if (r) {
		out("LINUXBENCH error %s\n", fail_why ? fail_why : "failed");
	}
	out("LINUXBENCH done\n");
	out_flush();
	if (init) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return r ? 1 : 0;
}
