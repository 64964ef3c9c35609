// SPDX-License-Identifier: MIT
/*
 * The fault-injection campaign (see campaign.h).
 *
 * One injection: start a client that fetches every block R times and
 * checks each byte; a few milliseconds into its run, arm one fault in
 * the current ramblk instance; wait for the client. The client's exit
 * code says whether it saw anything (transport error, app error, wrong
 * byte); the service's counters say whether the instance failed and how
 * long the first served call after it took. A fault that did nothing is
 * disarmed (a code flip is put back) so it cannot leak into the next
 * injection. A service given up on is made again, and rewritten.
 */
#include "campaign.h"

#include "abi/errno.h"
#include "arch/x86_64/cpu.h"
#include "base/string.h"
#include "cmdline.h"
#include "console.h"
#include "dom.h"
#include "heap.h"
#include "pmm.h"
#include "sheap.h"
#include "svc.h"
#include "thread.h"
#include "time.h"

#define CLIENT_ROUNDS 3ull
#define CLIENT_WRITE_FIRST (1ull << 32)
#define WAIT_NS (30 * NSEC_PER_SEC)

static uint64_t fi_n;
CMDLINE_OPTION(fi_n_opt, .name = "faultinject", .type = CMDLINE_UINT,
	       .value = &fi_n, .min = 0, .max = 10000000,
	       .help = "run a fault-injection campaign of this many "
		       "injections (make faultinject) and exit");
static uint64_t fi_seed = 1;
CMDLINE_OPTION(fi_seed_opt, .name = "fiseed", .type = CMDLINE_UINT,
	       .value = &fi_seed, .min = 0, .max = ~0ull,
	       .help = "seed of the fault-injection campaign");

/* xorshift64*: small, and the same sequence from the same seed. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

struct fi_state {
	struct svc *svc; /* ramblk's service, a reference */
};

static int run_client(uint64_t arg, struct sys_dom_status *st)
{
	struct dom *c = NULL;
	int err = dom_create("blkclient.elf", arg, "", &c);

	if (err) {
		return err;
	}
	err = dom_wait(c, WAIT_NS, st);
	if (err) {
		dom_kill(c);
		(void)dom_wait(c, WAIT_NS, st);
	}
	dom_put(c);
	return err;
}

/* A fresh ramblk service with blocks written; 0 or an error. */
static int make_service(struct fi_state *bs)
{
	struct sys_dom_status st;
	struct dom *d = NULL;
	int err;

	if (bs->svc) {
		svc_stop(bs->svc, WAIT_NS);
		svc_put(bs->svc);
		bs->svc = NULL;
	}
	err = dom_create("ramblk.elf", 0, "", &d);
	if (err) {
		return err;
	}
	bs->svc = d->svc;
	svc_get(bs->svc);
	dom_put(d);
	err = run_client(CLIENT_WRITE_FIRST | 1, &st);
	if (!err && (st.end != SYS_DOM_EXITED || st.exit_code != 0)) {
		kprintf("faultinject: writer client ended %u code %ld\n",
			st.end, st.exit_code);
		err = -EIO;
	}
	return err;
}

/* Wait until the service has a ready instance, or is gone. */
static void settle(struct svc *s)
{
	struct dom *d = svc_wait_ready(s, NULL, WAIT_NS);

	if (d) {
		dom_put(d);
	}
}

static void one(struct fi_state *bs, enum fi_kind k, uint64_t rnd,
		struct fi_row *row)
{
	struct sys_dom_status st;
	struct dom *client = NULL;
	struct dom *target;
	uint32_t restarts0 = READ_ONCE(bs->svc->restarts);
	bool manifested;
	bool client_ok;
	int armed;

	/*
	 * Arm first, then start the load: the client's calls carry the
	 * fault out at a random one of the next ring-3 entries into the
	 * target (faultinj.c), so it lands while the client is working
	 * however fast the client runs.
	 */
	target = svc_current(bs->svc);
	armed = target ? faultinj_arm(target, k, rnd) : -EINVAL;
	if (dom_create("blkclient.elf", CLIENT_ROUNDS, "", &client)) {
		if (target) {
			faultinj_disarm(target);
			dom_put(target);
		}
		return;
	}
	row->injected++;
	if (dom_wait(client, WAIT_NS, &st)) {
		dom_kill(client);
		(void)dom_wait(client, WAIT_NS, &st);
	}
	dom_put(client);
	client_ok = st.end == SYS_DOM_EXITED && st.exit_code == 0;
	manifested = !client_ok || READ_ONCE(bs->svc->restarts) != restarts0 ||
		     READ_ONCE(bs->svc->state) != SVC_LIVE ||
		     (target && READ_ONCE(target->state) != DOM_RUNNING);
	if (target && !manifested && armed == 0) {
		faultinj_disarm(target); /* it did nothing (yet) */
	}
	kprintf("fi #%lu %s: armed %d, %s, client %s (end %u code %ld)\n",
		row->injected, faultinj_name(k), armed,
		manifested ? "manifested" : "no effect",
		client_ok ? "ok" : "saw it", st.end, st.exit_code);
	if (target) {
		dom_put(target);
	}
	settle(bs->svc);
	if (manifested) {
		row->manifested++;
	}
	if (st.end != SYS_DOM_FAILED) {
		row->contained++;
	}
	if (!client_ok) {
		row->client_errors++;
	}
	if (manifested && client_ok) {
		row->recovered++;
		if (!READ_ONCE(bs->svc->recovering) && row->nrec < 64 &&
		    READ_ONCE(bs->svc->restarts) != restarts0) {
			row->rec_tsc[row->nrec] = bs->svc->recovery_tsc;
			row->rec_ns[row->nrec] = bs->svc->recovery_ns;
			row->nrec++;
		}
	}
}

static uint64_t median(uint64_t *v, uint64_t n)
{
	/* Insertion sort: at most 64 values. */
	for (uint64_t i = 1; i < n; i++) {
		uint64_t x = v[i];
		uint64_t j = i;

		while (j > 0 && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
	return n ? v[n / 2] : 0;
}

static void print_table(uint64_t n, uint64_t seed, struct fi_result *res)
{
	struct fi_row tot;

	memset(&tot, 0, sizeof(tot));
	kprintf("FAULTINJECT seed=%lu injections=%lu\n", seed, n);
	kprintf("FAULTINJECT %-20s %8s %10s %9s %9s %8s %7s %12s %9s\n", "kind",
		"injected", "manifested", "contained", "recovered", "visible",
		"panics", "median-tsc", "median-ms");
	for (int k = 0; k < FI_NKINDS; k++) {
		struct fi_row *r = &res->rows[k];
		uint64_t nrec = r->nrec;
		uint64_t mi = median(r->rec_tsc, nrec);
		uint64_t mn = median(r->rec_ns, nrec);

		kprintf("FAULTINJECT %-20s %8lu %10lu %9lu %9lu %8lu %7u "
			"%12lu %5lu.%03lu\n",
			faultinj_name((enum fi_kind)k), r->injected,
			r->manifested, r->contained, r->recovered,
			r->client_errors, 0, mi,
			(unsigned long)(mn / NSEC_PER_MSEC),
			(unsigned long)((mn / 1000) % 1000));
		tot.injected += r->injected;
		tot.manifested += r->manifested;
		tot.contained += r->contained;
		tot.recovered += r->recovered;
		tot.client_errors += r->client_errors;
	}
	kprintf("FAULTINJECT %-20s %8lu %10lu %9lu %9lu %8lu %7u\n", "total",
		tot.injected, tot.manifested, tot.contained, tot.recovered,
		tot.client_errors, 0);
	kprintf("FAULTINJECT leaks: pages %ld, heap bytes %ld, rrefs %ld, "
		"services %ld; setup failures %lu; kernel panics 0\n",
		res->leaked_pages, res->leaked_bytes, res->leaked_rrefs,
		res->leaked_services, res->setup_failures);
}

int fi_campaign(uint64_t n, uint64_t seed, struct fi_result *res)
{
	struct fi_state bs = {.svc = NULL};
	struct heap_stats hs0, hs1;
	struct sheap_stats sh0, sh1;
	struct svc_stats sv0, sv1;
	struct dom_stats ds;
	uint64_t rng = seed;
	uint64_t live0;
	size_t pages0;

	memset(res, 0, sizeof(*res));
	dom_get_stats(&ds);
	live0 = ds.live_domains;
	heap_stats(&hs0);
	pages0 = pmm_free_pages();
	sheap_get_stats(&sh0);
	svc_get_stats(&sv0);

	for (uint64_t i = 0; i < n; i++) {
		uint64_t r = rng_next(&rng);
		enum fi_kind k = (enum fi_kind)(r % FI_NKINDS);

		if (!bs.svc || READ_ONCE(bs.svc->state) == SVC_GONE) {
			if (make_service(&bs)) {
				res->setup_failures++;
				continue;
			}
		}
		one(&bs, k, rng_next(&rng), &res->rows[k]);
		if ((i + 1) % 50 == 0) {
			kprintf("faultinject: %lu of %lu injections\n", i + 1,
				n);
		}
	}
	if (bs.svc) {
		svc_stop(bs.svc, WAIT_NS);
		svc_put(bs.svc);
	}
	(void)dom_wait_freed(live0, WAIT_NS);
	/* The reaper and restarter finish their last frees. */
	thread_sleep_ns(20 * NSEC_PER_MSEC);
	heap_stats(&hs1);
	sheap_get_stats(&sh1);
	svc_get_stats(&sv1);
	res->leaked_pages = (int64_t)pages0 - (int64_t)pmm_free_pages();
	res->leaked_bytes =
		(int64_t)hs1.bytes_in_use - (int64_t)hs0.bytes_in_use;
	res->leaked_rrefs = (int64_t)sh1.live - (int64_t)sh0.live;
	res->leaked_services = (int64_t)sv1.live - (int64_t)sv0.live;
	print_table(n, seed, res);
	return res->leaked_pages || res->leaked_bytes || res->leaked_rrefs ||
			       res->leaked_services
		       ? -EIO
		       : 0;
}

bool fi_campaign_requested(void)
{
	return fi_n > 0;
}

int fi_campaign_boot(void)
{
	static struct fi_result res;

	return fi_campaign(fi_n, fi_seed, &res);
}
