// SPDX-License-Identifier: MIT
/*
 * Runs the real signed domain images (build/domains/modules.txt) on the
 * host, before the kernel can: a test double of the kernel's domain ABI.
 * Each image is mapped at its domain region address following the load
 * plan of kernel/elf_check.c, relocated and write-protected like the
 * kernel loader does, and entered with the documented register contract
 * (rdi = arg, rsi = boot string, rsp 16-byte aligned minus 8). Linux
 * syscall user dispatch (prctl PR_SET_SYSCALL_USER_DISPATCH, Linux 5.11)
 * turns every `syscall` executed inside a domain region into SIGSYS; the
 * handler implements the calls of lib/abi/syscall.h with host threads,
 * mmap and clock_gettime. A domain thread that exits, panics or faults
 * leaves its host thread through siglongjmp.
 *
 * This checks the runtime end to end (rt_start, constructors, printf line
 * buffering, thread_spawn/join, malloc over SYS_MEM_MAP, sleep, dom_panic,
 * frame-pointer backtraces) and init starting hello by module name. It is
 * not the kernel: isolation, quotas and scheduling are modelled only as
 * far as these tests need. Built without sanitizers: ASan's shadow
 * memory covers the domain region addresses.
 */
#define _GNU_SOURCE /* REG_* register indices in <ucontext.h> */

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "abi/errno.h"
#include "abi/layout.h"
#include "abi/syscall.h"
#include "crypto/sigtrailer.h"
#include "elf_check.h"
#include "elfsym.h"
#include "unit.h"

#ifndef RT_MODULES_TXT
#error "build with -DRT_MODULES_TXT='\"path/to/modules.txt\"'"
#endif

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_ON 1
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
#endif

#define PAGE LAYOUT_PAGE_SIZE
#define RUN_DOMS 4     /* region slots used by the tests */
#define RUN_THREADS 16 /* threads per domain */
#define RUN_MAPS 256   /* SYS_MEM_MAP mappings per domain */
#define RUN_OUT 16384  /* console bytes kept per domain */
#define RUN_TIMEOUT_NS 20000000000ull
#define RUN_MAX_IMAGE (DOM_IMAGE_MAX + SIGTRAILER_SIZE)
#define ALTSTACK_SIZE (256 * 1024)

struct run_dom;

struct run_thread {
	struct run_dom *d;
	uint64_t tid;
	pthread_t pt;
	bool started;
	bool done;
	bool joined;
	int code;
	unsigned int stack_slot;
	uint64_t rip;
	uint64_t rdi;
	uint64_t rsi;
	uint64_t rsp;
	sigjmp_buf env;
};

struct run_map {
	uint64_t va;
	uint64_t npages;
	bool live;
};

struct run_dom {
	bool used;
	bool ready; /* SYS_DOM_READY seen */
	unsigned int slot;
	uint64_t id;
	uint64_t base;
	char name[MANIFEST_NAME_LEN];
	uint32_t flags;
	uint32_t threads_quota;
	uint64_t mem_quota;
	uint64_t pages_used;
	uint64_t heap_next; /* offset of the next SYS_MEM_MAP */
	struct run_map maps[RUN_MAPS];
	struct run_thread threads[RUN_THREADS];
	unsigned int live_threads;
	bool ended;
	struct sys_dom_status st;
	char panic_msg[256];
	char out[RUN_OUT];
	size_t out_len;
	unsigned int writes;
	unsigned int writes_without_newline;
	/* Symbols of the thread-exit backtrace of the main thread. */
	char exit_trace[8][32];
	unsigned int exit_trace_len;
	struct elfsym_table syms;
	uint8_t *img; /* kept for syms */
};

/* The kernel loader's bounds. */
static const struct elf_limits run_limits = ELF_DOMAIN_LIMITS;

/* Overrides for the next load_image(); 0 keeps the manifest's value. */
static struct {
	uint32_t threads;
} next_quota;

/* Faults to inject into the calls; reset by every test. */
static struct {
	int dom_info_err; /* SYS_DOM_INFO returns this when nonzero */
} inject;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct run_dom doms[RUN_DOMS];
static uint64_t next_dom_id = 1;
static uint64_t next_tid = 1;
static __thread struct run_thread *cur;
static char dispatch_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
static bool harness_ok;
static bool harness_tried;

/* Jumps to @rip with rdi, rsi and rsp set; never returns. */
void run_enter(uint64_t rip, uint64_t rdi, uint64_t rsi, uint64_t rsp);
__asm__(".text\n"
	".globl run_enter\n"
	".type run_enter, @function\n"
	"run_enter:\n"
	"	movq %rcx, %rsp\n"
	"	movq %rdi, %rax\n"
	"	movq %rsi, %rdi\n"
	"	movq %rdx, %rsi\n"
	"	xorl %ebp, %ebp\n"
	"	jmpq *%rax\n"
	".size run_enter, . - run_enter\n");

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool in_region(const struct run_dom *d, uint64_t a)
{
	return a >= d->base && a < d->base + DOM_REGION_SIZE;
}

/* Replaces [va, va + len) of a region with inaccessible reserved pages. */
static void unmap_range(uint64_t va, uint64_t len)
{
	mmap((void *)va, len, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
}

static int map_range(uint64_t va, uint64_t len, int prot)
{
	void *p = mmap((void *)va, len, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	return p == MAP_FAILED ? -ENOMEM : 0;
}

/* Called with mu held: the domain's last thread is gone. */
static void dom_end(struct run_dom *d, uint32_t end, uint32_t fault,
		    uint64_t detail, uint64_t addr, int code)
{
	if (d->ended) {
		return;
	}
	d->ended = true;
	d->st.end = end;
	d->st.fault = fault;
	d->st.detail = detail;
	d->st.addr = addr;
	d->st.exit_code = code;
	pthread_cond_broadcast(&cv);
}

static void enable_dispatch(void)
{
	stack_t ss = {.ss_sp = malloc(ALTSTACK_SIZE), .ss_size = ALTSTACK_SIZE};

	sigaltstack(&ss, NULL);
	/* Syscalls from anywhere above the domain regions stay native. */
	prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, DOM_REGION_END,
	      (1ull << 47) - DOM_REGION_END, &dispatch_selector);
}

static void *thread_main(void *arg)
{
	struct run_thread *t = arg;
	struct run_dom *d = t->d;
	stack_t ss;

	sigset_t set;

	cur = t;
	/*
	 * Threads made by SYS_THREAD_CREATE are created inside the SIGSYS
	 * handler and inherit its mask; a blocked SIGSYS would kill us.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	sigaddset(&set, SIGSEGV);
	sigaddset(&set, SIGBUS);
	sigaddset(&set, SIGILL);
	sigaddset(&set, SIGFPE);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	enable_dispatch();
	if (sigsetjmp(t->env, 1) == 0) {
		run_enter(t->rip, t->rdi, t->rsi, t->rsp);
	}
	prctl(PR_SET_SYSCALL_USER_DISPATCH, 0, 0, 0, 0);
	pthread_mutex_lock(&mu);
	t->done = true;
	unmap_range(d->base + DOM_STACKS_OFF +
			    (uint64_t)(t->stack_slot + 1) * DOM_STACK_SLOT -
			    DOM_STACK_SIZE,
		    DOM_STACK_SIZE);
	d->pages_used -= DOM_STACK_SIZE / PAGE;
	if (--d->live_threads == 0) {
		dom_end(d, SYS_DOM_EXITED, SYS_FAULT_NONE, 0, 0, t->code);
	}
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	if (sigaltstack(NULL, &ss) == 0 && ss.ss_sp) {
		stack_t off = {.ss_flags = SS_DISABLE};

		sigaltstack(&off, NULL);
		free(ss.ss_sp);
	}
	return NULL;
}

/* Called with mu held. Starts a thread of @d at @rip. */
static int thread_start(struct run_dom *d, uint64_t rip, uint64_t rdi,
			uint64_t rsi, uint64_t *tid)
{
	struct run_thread *t = NULL;
	unsigned int slot;
	uint64_t top;

	if (d->live_threads >= d->threads_quota ||
	    d->pages_used + DOM_STACK_SIZE / PAGE > d->mem_quota) {
		return -EDQUOT;
	}
	for (slot = 0; slot < RUN_THREADS; slot++) {
		if (!d->threads[slot].started ||
		    (d->threads[slot].done && d->threads[slot].joined)) {
			t = &d->threads[slot];
			break;
		}
	}
	if (!t) {
		return -EDQUOT;
	}
	if (t->started) {
		pthread_join(t->pt, NULL);
	}
	memset(t, 0, sizeof(*t));
	top = d->base + DOM_STACKS_OFF + (uint64_t)(slot + 1) * DOM_STACK_SLOT;
	if (map_range(top - DOM_STACK_SIZE, DOM_STACK_SIZE,
		      PROT_READ | PROT_WRITE)) {
		return -ENOMEM;
	}
	d->pages_used += DOM_STACK_SIZE / PAGE;
	t->d = d;
	t->tid = next_tid++;
	t->stack_slot = slot;
	t->rip = rip;
	t->rdi = rdi;
	t->rsi = rsi;
	t->rsp = top - 8; /* as after a call */
	t->started = true;
	d->live_threads++;
	if (pthread_create(&t->pt, NULL, thread_main, t) != 0) {
		t->started = false;
		d->live_threads--;
		return -ENOMEM;
	}
	*tid = t->tid;
	return 0;
}

/*
 * Frame-pointer walk from a register state, symbolized with .symtab the
 * way the kernel is meant to: frame 0 at rip itself, every caller at its
 * return address minus one (a call to a noreturn function is often the
 * last instruction of its caller, so the return address lies past the
 * caller's symbol). The walk ends at rbp == 0, which rt_start sets.
 */
static void record_trace(struct run_dom *d, uint64_t rip, uint64_t rbp)
{
	d->exit_trace_len = 0;
	for (unsigned int i = 0; i < 8; i++) {
		uint64_t at = i == 0 ? rip : rip - 1;
		uint64_t off;
		const char *s = NULL;

		if (in_region(d, at)) {
			s = elfsym_lookup(&d->syms, at - d->base, &off);
		}
		snprintf(d->exit_trace[i], sizeof(d->exit_trace[i]), "%s",
			 s ? s : "?");
		d->exit_trace_len++;
		if (rbp == 0 || !in_region(d, rbp) || rbp % 8 != 0) {
			break;
		}
		rip = ((uint64_t *)rbp)[1];
		rbp = ((uint64_t *)rbp)[0];
	}
}

static int load_image(const char *module, uint64_t arg, const char *boot,
		      struct run_dom **out);

static const char *module_path(const char *module, char *buf, size_t size)
{
	FILE *f = fopen(RT_MODULES_TXT, "r");
	const char *found = NULL;

	if (!f) {
		return NULL;
	}
	while (fgets(buf, (int)size, f)) {
		const char *base;

		buf[strcspn(buf, "\n")] = '\0';
		base = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
		if (strcmp(base, module) == 0) {
			found = buf;
			break;
		}
	}
	fclose(f);
	return found;
}

static struct run_dom *dom_by_id(uint64_t id)
{
	for (unsigned int i = 0; i < RUN_DOMS; i++) {
		if (doms[i].used && doms[i].id == id) {
			return &doms[i];
		}
	}
	return NULL;
}

static int64_t do_syscall(struct run_thread *t, uint64_t nr, const greg_t *r,
			  bool *leave)
{
	struct run_dom *d = t->d;
	uint64_t a1 = (uint64_t)r[REG_RDI];
	uint64_t a2 = (uint64_t)r[REG_RSI];
	uint64_t a3 = (uint64_t)r[REG_RDX];
	int64_t ret = 0;

	switch (nr) {
	case SYS_CONSOLE_WRITE: {
		size_t n = MIN(a2, (uint64_t)SYS_CONSOLE_MAX);

		pthread_mutex_lock(&mu);
		n = MIN(n, sizeof(d->out) - 1 - d->out_len);
		memcpy(d->out + d->out_len, (const void *)a1, n);
		d->out_len += n;
		d->writes++;
		if (n == 0 || d->out[d->out_len - 1] != '\n') {
			d->writes_without_newline++;
		}
		pthread_mutex_unlock(&mu);
		return (int64_t)a2;
	}
	case SYS_THREAD_CREATE: {
		uint64_t tid = 0;

		pthread_mutex_lock(&mu);
		ret = thread_start(d, a1, a2, 0, &tid);
		if (ret == -EDQUOT) {
			/* As the kernel does: a quota breach fails the domain. */
			dom_end(d, SYS_DOM_FAILED, SYS_FAULT_QUOTA, 2,
				(uint64_t)r[REG_RIP], 0);
			*leave = true;
		}
		pthread_mutex_unlock(&mu);
		return ret ? ret : (int64_t)tid;
	}
	case SYS_THREAD_EXIT:
		t->code = (int)a1;
		if (t == &d->threads[0]) {
			record_trace(d, (uint64_t)r[REG_RIP],
				     (uint64_t)r[REG_RBP]);
		}
		*leave = true;
		return 0;
	case SYS_THREAD_JOIN: {
		struct run_thread *target = NULL;

		pthread_mutex_lock(&mu);
		for (unsigned int i = 0; i < RUN_THREADS; i++) {
			if (d->threads[i].started && d->threads[i].tid == a1 &&
			    !d->threads[i].joined && &d->threads[i] != t) {
				target = &d->threads[i];
			}
		}
		if (!target) {
			pthread_mutex_unlock(&mu);
			return -ENOENT;
		}
		while (!target->done) {
			pthread_cond_wait(&cv, &mu);
		}
		target->joined = true;
		*(int *)a2 = target->code;
		pthread_mutex_unlock(&mu);
		return 0;
	}
	case SYS_THREAD_YIELD:
		sched_yield();
		return 0;
	case SYS_THREAD_SLEEP: {
		struct timespec ts = {.tv_sec = (time_t)(a1 / 1000000000ull),
				      .tv_nsec = (long)(a1 % 1000000000ull)};

		nanosleep(&ts, NULL);
		return 0;
	}
	case SYS_TIME_NS:
		return (int64_t)mono_ns();
	case SYS_DOM_READY:
		/* The runtime says init is done before dom_main. */
		d->ready = true;
		return 0;
	case SYS_MEM_MAP: {
		int prot = (a2 & SYS_PROT_READ ? PROT_READ : 0) |
			   (a2 & SYS_PROT_WRITE ? PROT_WRITE : 0) |
			   (a2 & SYS_PROT_EXEC ? PROT_EXEC : 0);
		uint64_t va;

		if (a1 == 0 || (a2 & SYS_PROT_WRITE && a2 & SYS_PROT_EXEC)) {
			return -EINVAL;
		}
		pthread_mutex_lock(&mu);
		va = d->base + d->heap_next;
		ret = -EDQUOT;
		if (d->pages_used + a1 <= d->mem_quota &&
		    d->heap_next + (a1 + 1) * PAGE <= DOM_HEAP_END) {
			for (unsigned int i = 0; i < RUN_MAPS; i++) {
				if (!d->maps[i].live) {
					d->maps[i].va = va;
					d->maps[i].npages = a1;
					d->maps[i].live = true;
					ret = map_range(va, a1 * PAGE, prot);
					break;
				}
			}
		}
		if (ret == -EDQUOT) {
			dom_end(d, SYS_DOM_FAILED, SYS_FAULT_QUOTA, 1,
				(uint64_t)r[REG_RIP], 0);
			*leave = true;
		}
		if (ret == 0) {
			d->pages_used += a1;
			/* A guard page between mappings. */
			d->heap_next += (a1 + 1) * PAGE;
			ret = (int64_t)va;
		}
		pthread_mutex_unlock(&mu);
		return ret;
	}
	case SYS_MEM_UNMAP:
		pthread_mutex_lock(&mu);
		ret = -EINVAL;
		for (unsigned int i = 0; i < RUN_MAPS; i++) {
			struct run_map *m = &d->maps[i];

			if (m->live && m->va == a1 && m->npages == a2) {
				unmap_range(m->va, m->npages * PAGE);
				d->pages_used -= m->npages;
				m->live = false;
				ret = 0;
				break;
			}
		}
		pthread_mutex_unlock(&mu);
		return ret;
	case SYS_DOM_PANIC:
		pthread_mutex_lock(&mu);
		snprintf(d->panic_msg, sizeof(d->panic_msg), "%.*s",
			 (int)MIN(a2, sizeof(d->panic_msg) - 1),
			 (const char *)a1);
		dom_end(d, SYS_DOM_FAILED, SYS_FAULT_PANIC, 0,
			(uint64_t)r[REG_RIP], 0);
		pthread_mutex_unlock(&mu);
		*leave = true;
		return 0;
	case SYS_DOM_INFO: {
		struct sys_dom_info *info = (struct sys_dom_info *)a1;

		if (inject.dom_info_err) {
			return inject.dom_info_err;
		}
		memset(info, 0, sizeof(*info));
		info->id = d->id;
		info->region_base = d->base;
		info->mem_pages_used = d->pages_used;
		info->mem_pages_quota = d->mem_quota;
		info->threads_quota = d->threads_quota;
		snprintf(info->name, sizeof(info->name), "%s", d->name);
		return 0;
	}
	case SYS_DOM_START: {
		char name[64];
		struct run_dom *child;

		if (!(d->flags & MANIFEST_F_INIT)) {
			return -EPERM;
		}
		snprintf(name, sizeof(name), "%.*s",
			 (int)MIN(a2, sizeof(name) - 1), (const char *)a1);
		ret = load_image(name, a3, "", &child);
		return ret ? ret : (int64_t)child->id;
	}
	case SYS_DOM_WAIT: {
		struct run_dom *target;
		uint64_t deadline = mono_ns() + MIN(a3, RUN_TIMEOUT_NS);

		if (!(d->flags & MANIFEST_F_INIT)) {
			return -EPERM;
		}
		pthread_mutex_lock(&mu);
		target = dom_by_id(a1);
		if (!target || target == d) {
			pthread_mutex_unlock(&mu);
			return -ENOENT;
		}
		while (!target->ended && mono_ns() < deadline) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 10000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&cv, &mu, &ts);
		}
		if (target->ended) {
			*(struct sys_dom_status *)a2 = target->st;
			ret = 0;
		} else {
			ret = -ETIMEDOUT;
		}
		pthread_mutex_unlock(&mu);
		return ret;
	}
	default:
		pthread_mutex_lock(&mu);
		dom_end(d, SYS_DOM_FAILED, SYS_FAULT_BAD_SYSCALL, nr,
			(uint64_t)r[REG_RIP], 0);
		pthread_mutex_unlock(&mu);
		*leave = true;
		return -ENOSYS;
	}
}

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *r = uc->uc_mcontext.gregs;
	struct run_thread *t = cur;
	bool leave = false;
	int64_t ret;

	if (!t) {
		abort();
	}
	ret = do_syscall(t, (uint64_t)si->si_syscall, r, &leave);
	if (leave) {
		siglongjmp(t->env, 1);
	}
	r[REG_RAX] = ret;
}

/* A CPU exception in domain code fails the domain, as in the kernel. */
static void on_fault(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct run_thread *t = cur;
	uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];

	if (!t || !in_region(t->d, rip)) {
		signal(sig, SIG_DFL);
		return;
	}
	pthread_mutex_lock(&mu);
	dom_end(t->d, SYS_DOM_FAILED, SYS_FAULT_EXCEPTION,
		(uint64_t)uc->uc_mcontext.gregs[REG_TRAPNO],
		(uint64_t)si->si_addr, 0);
	pthread_mutex_unlock(&mu);
	siglongjmp(t->env, 1);
}

/* Sets up signal handlers and the regions once; false if unsupported. */
static bool harness_init(void)
{
	struct sigaction sa;
	void *p;

	if (harness_tried) {
		return harness_ok;
	}
	harness_tried = true;
	if ((uint64_t)(uintptr_t)&harness_init < DOM_REGION_END) {
		printf("# host code below the domain regions; cannot run\n");
		return false;
	}
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, 0, 0, 0, 0) != 0) {
		printf("# syscall user dispatch unsupported (Linux < 5.11)\n");
		return false;
	}
	p = mmap((void *)DOM_REGION_BASE, RUN_DOMS * DOM_REGION_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			 MAP_FIXED_NOREPLACE,
		 -1, 0);
	if (p != (void *)DOM_REGION_BASE) {
		printf("# cannot reserve the domain regions\n");
		return false;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGSYS, &sa, NULL);
	sa.sa_sigaction = on_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	harness_ok = true;
	return true;
}

/* Called without mu. Maps @module into a free slot and starts it. */
static int load_image(const char *module, uint64_t arg, const char *boot,
		      struct run_dom **out)
{
	static struct elf_plan plan;
	struct sigtrailer trailer;
	char pathbuf[4096];
	const char *path = module_path(module, pathbuf, sizeof(pathbuf));
	struct run_dom *d = NULL;
	const char *why;
	size_t signed_len;
	uint64_t boot_va;
	uint64_t tid;
	uint8_t *img;
	size_t size;
	FILE *f;
	int err;

	if (!path) {
		return -ENOENT;
	}
	f = fopen(path, "rb");
	img = malloc(RUN_MAX_IMAGE);
	if (!f || !img) {
		if (f) {
			fclose(f);
		}
		free(img);
		return -ENOENT;
	}
	size = fread(img, 1, RUN_MAX_IMAGE, f);
	fclose(f);
	pthread_mutex_lock(&mu);
	err = sigtrailer_parse(img, size, &trailer, &signed_len);
	if (!err) {
		err = elf_check(img, signed_len, &run_limits, &plan, &why);
	}
	for (unsigned int i = 0; !err && i < RUN_DOMS; i++) {
		if (!doms[i].used) {
			d = &doms[i];
			break;
		}
	}
	if (err || !d) {
		pthread_mutex_unlock(&mu);
		free(img);
		return err ? err : -ENOMEM;
	}
	memset(d, 0, sizeof(*d));
	d->used = true;
	d->slot = (unsigned int)(d - doms);
	d->id = next_dom_id++;
	d->base = dom_region_base(d->slot);
	d->img = img;
	snprintf(d->name, sizeof(d->name), "%s", plan.manifest.name);
	d->flags = plan.manifest.flags;
	d->threads_quota =
		next_quota.threads ? next_quota.threads : plan.manifest.threads;
	d->mem_quota = plan.manifest.mem_pages;
	d->heap_next = DOM_HEAP_OFF;
	elfsym_open(img, signed_len, &d->syms);

	/* Map writable, copy, relocate, then apply the final protections. */
	for (uint32_t i = 0; i < plan.nsegs; i++) {
		const struct elf_segment *s = &plan.segs[i];
		uint64_t lo = ALIGN_DOWN(s->vaddr, PAGE);
		uint64_t hi = ALIGN_UP(s->vaddr + s->memsz, PAGE);

		map_range(d->base + lo, hi - lo, PROT_READ | PROT_WRITE);
		memcpy((void *)(d->base + s->vaddr), img + s->offset,
		       s->filesz);
		d->pages_used += (hi - lo) / PAGE;
	}
	for (uint64_t i = 0; i < plan.rela_count; i++) {
		uint64_t va;
		uint64_t addend;

		elf_plan_reloc(img, &plan, i, &va, &addend);
		*(uint64_t *)(d->base + va) = d->base + addend;
	}
	for (uint32_t i = 0; i < plan.nsegs; i++) {
		const struct elf_segment *s = &plan.segs[i];
		uint64_t lo = ALIGN_DOWN(s->vaddr, PAGE);
		uint64_t hi = ALIGN_UP(s->vaddr + s->memsz, PAGE);
		int prot = (s->prot & ELF_PROT_R ? PROT_READ : 0) |
			   (s->prot & ELF_PROT_W ? PROT_WRITE : 0) |
			   (s->prot & ELF_PROT_X ? PROT_EXEC : 0);

		mprotect((void *)(d->base + lo), hi - lo, prot);
	}
	if (plan.relro_end > plan.relro_start) {
		mprotect((void *)(d->base + plan.relro_start),
			 plan.relro_end - plan.relro_start, PROT_READ);
	}
	/* The boot string: a read-only page at the start of the heap. */
	boot_va = d->base + d->heap_next;
	map_range(boot_va, PAGE, PROT_READ | PROT_WRITE);
	snprintf((char *)boot_va, PAGE, "%s", boot);
	mprotect((void *)boot_va, PAGE, PROT_READ);
	d->heap_next += 2 * PAGE;
	d->pages_used += 1;

	err = thread_start(d, d->base + plan.entry, arg, boot_va, &tid);
	pthread_mutex_unlock(&mu);
	if (err) {
		return err;
	}
	*out = d;
	return 0;
}

/* Waits for @d to end; false on timeout. */
static bool run_wait(struct run_dom *d)
{
	uint64_t deadline = mono_ns() + RUN_TIMEOUT_NS;
	bool ended;

	pthread_mutex_lock(&mu);
	while (!d->ended && mono_ns() < deadline) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&cv, &mu, &ts);
	}
	ended = d->ended;
	if (ended && d->st.end == SYS_DOM_FAILED) {
		printf("# %s failed: fault %u, detail %lu, \"%s\"\n", d->name,
		       d->st.fault, (unsigned long)d->st.detail, d->panic_msg);
	}
	pthread_mutex_unlock(&mu);
	return ended;
}

/*
 * Waits for every host thread of the ended domain @d to leave it (a
 * domain ends in the SIGSYS handler, before its thread has unwound), joins
 * them and frees the region slot for the next test.
 */
static void run_reap(struct run_dom *d)
{
	uint64_t deadline = mono_ns() + RUN_TIMEOUT_NS;

	pthread_mutex_lock(&mu);
	for (unsigned int i = 0; i < RUN_THREADS; i++) {
		struct run_thread *t = &d->threads[i];

		while (t->started && !t->done && mono_ns() < deadline) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&cv, &mu, &ts);
		}
		if (t->started && !t->done) {
			/* Still running domain code: nothing safe to do. */
			printf("# %s: thread %lu never ended\n", d->name,
			       (unsigned long)t->tid);
			abort();
		}
	}
	pthread_mutex_unlock(&mu);
	for (unsigned int i = 0; i < RUN_THREADS; i++) {
		struct run_thread *t = &d->threads[i];

		if (t->started) {
			pthread_join(t->pt, NULL);
			t->started = false;
		}
	}
	unmap_range(d->base, DOM_REGION_SIZE);
	free(d->img);
	d->used = false;
}

static void run_reap_all(void)
{
	for (unsigned int i = 0; i < RUN_DOMS; i++) {
		if (doms[i].used) {
			run_wait(&doms[i]);
			run_reap(&doms[i]);
		}
	}
	memset(&next_quota, 0, sizeof(next_quota));
	memset(&inject, 0, sizeof(inject));
}

/* Starts a test: the harness is up and no domain is left from before. */
static bool run_setup(void)
{
	if (!harness_init()) {
		return false;
	}
	run_reap_all();
	return true;
}

static bool has_line(const struct run_dom *d, const char *line)
{
	size_t n = strlen(line);
	const char *p = d->out;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == d->out || p[-1] == '\n') && p[n] == '\n') {
			return true;
		}
		p++;
	}
	printf("# no line \"%s\" in %s's output:\n", line, d->name);
	for (const char *l = d->out; *l;) {
		const char *e = strchr(l, '\n');
		int len = e ? (int)(e - l) : (int)strlen(l);

		printf("#   %.*s\n", len, l);
		l += len + (e ? 1 : 0);
	}
	return false;
}

static struct run_dom *find_dom(const char *name)
{
	for (unsigned int i = 0; i < RUN_DOMS; i++) {
		if (doms[i].used && strcmp(doms[i].name, name) == 0) {
			return &doms[i];
		}
	}
	return NULL;
}

UNIT_TEST(hello_runs_to_completion)
{
	struct run_dom *d = NULL;
	char line[128];

	if (!run_setup()) {
		return;
	}
	UNIT_EQ(load_image("hello.elf", 0, "", &d), 0);
	UNIT_ASSERT(run_wait(d));
	UNIT_ASSERT(d->ready); /* the runtime ended init before dom_main */
	UNIT_EQ(d->st.end, SYS_DOM_EXITED);
	UNIT_EQ(d->st.exit_code, 0);
	snprintf(line, sizeof(line),
		 "hello: hello from domain %lu \"hello\", region base 0x%016lx,"
		 " quota 256 pages, 4 threads",
		 (unsigned long)d->id, (unsigned long)d->base);
	UNIT_ASSERT(has_line(d, line));
	UNIT_ASSERT(has_line(d, "hello: thread 1 running"));
	UNIT_ASSERT(has_line(d, "hello: thread 2 running"));
	UNIT_ASSERT(has_line(d, "hello: thread 1 returned 11"));
	UNIT_ASSERT(has_line(d, "hello: thread 2 returned 12"));
	UNIT_ASSERT(has_line(d, "hello: slept 10 ms"));
	UNIT_ASSERT(has_line(d, "hello: done"));
	/* Line buffering: every SYS_CONSOLE_WRITE was a whole line. */
	UNIT_ASSERT(d->writes >= 8);
	UNIT_EQ(d->writes_without_newline, 0);
	run_reap_all();
}

UNIT_TEST(main_thread_exit_has_a_frame_pointer_backtrace)
{
	struct run_dom *d = NULL;

	if (!run_setup()) {
		return;
	}
	UNIT_EQ(load_image("hello.elf", 0, "", &d), 0);
	UNIT_ASSERT(run_wait(d));
	/*
	 * The syscall sits in sys_thread_exit, called by thread_exit, called
	 * by rt_main, called by rt_start. gcc gives frameless leaf functions
	 * like sys_thread_exit no frame, so their caller (thread_exit) is
	 * skipped by a frame-pointer walk; everything else must be there and
	 * symbolized, and the walk must end at rt_start.
	 */
	for (unsigned int i = 0; i < d->exit_trace_len; i++) {
		printf("#   frame %u: %s\n", i, d->exit_trace[i]);
	}
	UNIT_ASSERT(d->exit_trace_len == 3 || d->exit_trace_len == 4);
	UNIT_STREQ(d->exit_trace[0], "sys_thread_exit");
	if (d->exit_trace_len == 4) {
		UNIT_STREQ(d->exit_trace[1], "thread_exit");
	}
	UNIT_STREQ(d->exit_trace[d->exit_trace_len - 2], "rt_main");
	UNIT_STREQ(d->exit_trace[d->exit_trace_len - 1], "rt_start");
	run_reap_all();
}

UNIT_TEST(init_default_profile_starts_hello_and_reports_it)
{
	struct run_dom *init = NULL;
	struct run_dom *hello;
	char line[128];

	if (!run_setup()) {
		return;
	}
	UNIT_EQ(load_image("init.elf", 0, "", &init), 0);
	UNIT_ASSERT(run_wait(init));
	UNIT_EQ(init->st.end, SYS_DOM_EXITED);
	UNIT_EQ(init->st.exit_code, 0);
	hello = find_dom("hello");
	UNIT_ASSERT(hello != NULL);
	UNIT_ASSERT(has_line(init, "init: boot profile \"default\""));
	snprintf(line, sizeof(line), "init: started hello.elf as domain %lu",
		 (unsigned long)hello->id);
	UNIT_ASSERT(has_line(init, line));
	UNIT_ASSERT(has_line(init, "init: hello exited with 0"));
	UNIT_ASSERT(has_line(hello, "hello: done"));
	run_reap_all();
}

UNIT_TEST(init_explicit_default_profile_is_the_same)
{
	struct run_dom *init = NULL;

	if (!run_setup()) {
		return;
	}
	UNIT_EQ(load_image("init.elf", 0, "default", &init), 0);
	UNIT_ASSERT(run_wait(init));
	UNIT_EQ(init->st.exit_code, 0);
	UNIT_ASSERT(has_line(init, "init: hello exited with 0"));
	run_reap_all();
}

UNIT_TEST(init_unknown_profile_lists_the_known_ones)
{
	struct run_dom *init = NULL;

	if (!run_setup()) {
		return;
	}
	UNIT_EQ(load_image("init.elf", 0, "nosuch", &init), 0);
	UNIT_ASSERT(run_wait(init));
	UNIT_EQ(init->st.end, SYS_DOM_EXITED);
	UNIT_EQ(init->st.exit_code, 1);
	UNIT_ASSERT(has_line(init, "init: unknown boot profile \"nosuch\"; "
				   "known profiles: default"));
	UNIT_ASSERT(find_dom("hello") == NULL);
	run_reap_all();
}

UNIT_TEST(hello_over_its_thread_quota_fails_with_a_quota_fault)
{
	struct run_dom *d = NULL;

	if (!run_setup()) {
		return;
	}
	next_quota.threads = 1;
	UNIT_EQ(load_image("hello.elf", 0, "", &d), 0);
	UNIT_ASSERT(run_wait(d));
	UNIT_EQ(d->st.end, SYS_DOM_FAILED);
	UNIT_EQ(d->st.fault, SYS_FAULT_QUOTA);
	UNIT_EQ(d->st.detail, 2);
	/* The greeting printed before the failure was written out. */
	UNIT_ASSERT(strstr(d->out, "hello: hello from domain") != NULL);
	run_reap_all();
}

UNIT_TEST(init_reports_a_failed_domain_and_exits_with_1)
{
	struct run_dom *init = NULL;

	if (!run_setup()) {
		return;
	}
	/* Applies to every domain loaded from now on: init and hello. */
	next_quota.threads = 1;
	UNIT_EQ(load_image("init.elf", 0, "", &init), 0);
	UNIT_ASSERT(run_wait(init));
	UNIT_EQ(init->st.end, SYS_DOM_EXITED);
	UNIT_EQ(init->st.exit_code, 1);
	UNIT_ASSERT(strstr(init->out, "init: hello failed: quota exceeded "
				      "(detail 2, address 0x") != NULL);
	run_reap_all();
}

UNIT_TEST(dom_panic_hands_the_formatted_message_to_the_kernel)
{
	struct run_dom *d = NULL;

	if (!run_setup()) {
		return;
	}
	/* hello panics when SYS_DOM_INFO fails. */
	inject.dom_info_err = -EIO;
	UNIT_EQ(load_image("hello.elf", 0, "", &d), 0);
	UNIT_ASSERT(run_wait(d));
	UNIT_EQ(d->st.end, SYS_DOM_FAILED);
	UNIT_EQ(d->st.fault, SYS_FAULT_PANIC);
	UNIT_STREQ(d->panic_msg, "hello: SYS_DOM_INFO: EIO");
	/* The panic came from the main thread's code, inside the image. */
	UNIT_ASSERT(in_region(d, d->st.addr));
	run_reap_all();
}
