// SPDX-License-Identifier: MIT
/*
 * init: the first domain the kernel starts (ARCHITECTURE.md, "Boot"). Its
 * boot string is the profile chosen on the kernel command line
 * (profile=NAME; empty means "default"). A profile is a list of boot
 * modules, started in order with SYS_DOM_START; init then waits for each
 * with SYS_DOM_WAIT and reports how it ended. init's exit code is 0 if
 * every domain started and exited with 0, else 1.
 *
 * Module names are the multiboot2 module strings, i.e. the image file
 * names ("hello.elf"). To add a profile, add an entry to init_profiles[].
 */
#include "abi/errno.h"
#include "rt/rt.h"
#include "rt/syscall.h"

#define INIT_MAX_MODULES 16
/* SYS_DOM_WAIT slice: wait without limit, a bounded call at a time. */
#define INIT_WAIT_SLICE_NS 1000000000ull
#define INIT_DEFAULT_PROFILE "default"

struct init_profile {
	const char *name;
	const char *const *modules; /* NULL-terminated, started in order */
};

static const char *const profile_default[] = {"hello.elf", NULL};

static const struct init_profile init_profiles[] = {
	{.name = INIT_DEFAULT_PROFILE, .modules = profile_default},
};

static const struct init_profile *find_profile(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(init_profiles); i++) {
		if (strcmp(init_profiles[i].name, name) == 0) {
			return &init_profiles[i];
		}
	}
	return NULL;
}

/* Length of @module without a trailing ".elf": the domain's name. */
static int stem_len(const char *module)
{
	size_t n = strlen(module);

	if (n > 4 && strcmp(module + n - 4, ".elf") == 0) {
		n -= 4;
	}
	return (int)n;
}

static const char *fault_name(uint32_t fault)
{
	switch (fault) {
	case SYS_FAULT_EXCEPTION:
		return "exception";
	case SYS_FAULT_PANIC:
		return "panic";
	case SYS_FAULT_QUOTA:
		return "quota exceeded";
	case SYS_FAULT_BAD_SYSCALL:
		return "bad system call";
	default:
		return "unknown fault";
	}
}

/*
 * Waits until domain @id (started from @module) ends and reports how.
 * Returns true if it exited with code 0.
 */
static bool wait_and_report(const char *module, uint64_t id)
{
	int n = stem_len(module);
	struct sys_dom_status st;
	int err;

	do {
		err = sys_dom_wait(id, &st, INIT_WAIT_SLICE_NS);
	} while (err == -ETIMEDOUT);
	if (err) {
		printf("init: waiting for %.*s (domain %lu) failed: %s\n", n,
		       module, id, errno_name(err));
		return false;
	}
	switch (st.end) {
	case SYS_DOM_EXITED:
		printf("init: %.*s exited with %ld\n", n, module,
		       (long)st.exit_code);
		return st.exit_code == 0;
	case SYS_DOM_FAILED:
		printf("init: %.*s failed: %s (detail %lu, address %p)\n", n,
		       module, fault_name(st.fault), st.detail,
		       (void *)st.addr);
		return false;
	case SYS_DOM_KILLED:
		printf("init: %.*s was killed\n", n, module);
		return false;
	default:
		printf("init: %.*s ended in unknown state %u\n", n, module,
		       st.end);
		return false;
	}
}

/* Starts the profile's modules in order, then waits for each of them. */
static int run_profile(const struct init_profile *p)
{
	uint64_t ids[INIT_MAX_MODULES];
	size_t started = 0;
	bool ok = true;

	for (size_t i = 0; p->modules[i]; i++) {
		const char *mod = p->modules[i];
		int err;

		if (started == ARRAY_SIZE(ids)) {
			printf("init: profile %s lists more than %d modules\n",
			       p->name, INIT_MAX_MODULES);
			ok = false;
			break;
		}
		err = sys_dom_start(mod, strlen(mod), 0, &ids[started]);
		if (err) {
			/* Later modules may need this one: stop here. */
			printf("init: cannot start %s: %s\n", mod,
			       errno_name(err));
			ok = false;
			break;
		}
		printf("init: started %s as domain %lu\n", mod, ids[started]);
		started++;
	}
	for (size_t i = 0; i < started; i++) {
		if (!wait_and_report(p->modules[i], ids[i])) {
			ok = false;
		}
	}
	return ok ? 0 : 1;
}

int dom_main(uint64_t arg, const char *boot)
{
	const char *name = boot[0] ? boot : INIT_DEFAULT_PROFILE;
	const struct init_profile *p = find_profile(name);

	if (!p) {
		printf("init: unknown boot profile \"%s\"; known profiles:",
		       name);
		for (size_t i = 0; i < ARRAY_SIZE(init_profiles); i++) {
			printf(" %s", init_profiles[i].name);
		}
		printf("\n");
		return 1;
	}
	printf("init: boot profile \"%s\"\n", p->name);
	return run_profile(p);
}
