// SPDX-License-Identifier: MIT
/*
 * Round trip of idlc-generated code on the host (idl/README.md,
 * "Generated code"): the proxies of idl/echo.idl and of the golden input
 * tests/idlc/golden/everything.idl call, through a fake rt_ipc_call()
 * that checks every call word against the callee's descriptor the way
 * the kernel does (lib/abi/ipc.h, lib/abi/ipc_desc.h), straight into the
 * generated dispatch stubs and test servers. Checks that every argument
 * and result of every kind packs and unpacks exactly, the register words
 * themselves, the descriptors and the type registry against the C layout,
 * the drop functions, the deque helpers, and the error paths (unknown
 * ordinal, missing op, transport errors).
 */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "everything.h"
#include "gen/echo.h"

/* --- A fake rref runtime: objects on the host heap, tracked ------------- */

#define MAX_OBJS 1024

static struct {
	void *p;
	const struct rref_type_info *type;
} objs[MAX_OBJS];
static unsigned int nobjs;
static unsigned int ndrops;
static char runtime_error[256];

static int obj_find(const void *p)
{
	for (unsigned int i = 0; i < nobjs; i++) {
		if (objs[i].p == p) {
			return (int)i;
		}
	}
	return -1;
}

void *rt_rref_alloc(const struct rref_type_info *type)
{
	void *p;

	if (nobjs == MAX_OBJS) {
		return NULL;
	}
	p = calloc(1, type->desc.size);
	objs[nobjs].p = p;
	objs[nobjs].type = type;
	nobjs++;
	return p;
}

void rt_rref_drop(const struct rref_type_info *type, void *obj)
{
	int i;

	if (!obj) {
		return;
	}
	i = obj_find(obj);
	if (i < 0) {
		snprintf(runtime_error, sizeof(runtime_error),
			 "drop of unknown object %p as %s", obj,
			 type->desc.name);
		return;
	}
	if (objs[i].type->desc.id != type->desc.id) {
		snprintf(runtime_error, sizeof(runtime_error),
			 "drop of a %s as a %s", objs[i].type->desc.name,
			 type->desc.name);
	}
	objs[i] = objs[--nobjs];
	ndrops++;
	if (type->drop_nested) {
		type->drop_nested(obj, NULL);
	}
	free(obj);
}

/* The fake runtime drops nested rrefs at once (lib/rt/ipc.c queues them). */
void rt_rref_drop_later(struct rt_rref_dropq *q,
			const struct rref_type_info *type, void *obj)
{
	rt_rref_drop(type, obj);
}

/* The type id of live object @p, or 0. */
static uint64_t obj_type(uint64_t p)
{
	int i = obj_find((const void *)(uintptr_t)p);

	return i < 0 ? 0 : objs[i].type->desc.id;
}

/* --- A fake kernel --------------------------------------------------------- */

typedef int32_t (*dispatch_fn)(void *ctx, uint32_t ordinal,
			       const uint64_t in[IPC_WORDS],
			       uint64_t out[IPC_WORDS]);

static struct {
	const struct ipc_iface_desc *desc;
	dispatch_fn dispatch;
	void *ctx;
} exports[4];
static int transport_error; /* when nonzero, calls fail with it */
static char kernel_error[256];
static uint64_t last_cw;
static uint64_t last_in[IPC_WORDS];
static uint64_t last_out[IPC_WORDS];
static unsigned int ncalls;

static const struct ipc_method_desc *method_of(const struct ipc_iface_desc *d,
					       uint32_t ordinal)
{
	for (uint32_t i = 0; i < d->nmethods; i++) {
		if (d->methods[i].ordinal == ordinal) {
			return &d->methods[i];
		}
	}
	return NULL;
}

/*
 * Checks the words of one direction as the kernel would. Non-optional
 * rrefs must be present, except in the results of a call that failed
 * (@may_omit: nonzero application status).
 */
static bool words_ok(const uint64_t w[IPC_WORDS], uint16_t kinds,
		     unsigned int used, const uint64_t types[IPC_WORDS],
		     const char *what, bool may_omit)
{
	for (unsigned int i = 0; i < IPC_WORDS; i++) {
		unsigned int k = ipc_kind_at(kinds, i);

		if (i >= used && (w[i] != 0 || k != IPC_KIND_SCALAR)) {
			snprintf(kernel_error, sizeof(kernel_error),
				 "%s word %u is unused but not zero", what, i);
			return false;
		}
		if ((k == IPC_KIND_RREF_MOVE || k == IPC_KIND_RREF_BORROW) &&
		    w[i] == 0 && !may_omit) {
			snprintf(kernel_error, sizeof(kernel_error),
				 "%s word %u: NULL for a non-optional rref",
				 what, i);
			return false;
		}
		if (k >= IPC_KIND_RREF_MOVE && k <= IPC_KIND_RREF_BORROW_OPT &&
		    w[i] != 0 && obj_type(w[i]) != types[i]) {
			snprintf(kernel_error, sizeof(kernel_error),
				 "%s word %u: object of type %llx, wanted %llx",
				 what, i, (unsigned long long)obj_type(w[i]),
				 (unsigned long long)types[i]);
			return false;
		}
	}
	return true;
}

int rt_ipc_call(uint64_t cw, const uint64_t in[IPC_WORDS],
		uint64_t out[IPC_WORDS], int32_t *app_status)
{
	unsigned int handle =
		(unsigned int)(cw >> IPC_CW_HANDLE_SHIFT) & 0xffff;
	uint32_t ordinal = (uint32_t)(cw >> IPC_CW_ORDINAL_SHIFT) & 0xffff;
	uint16_t argk = (uint16_t)((cw >> IPC_CW_ARGK_SHIFT) & 0xfff);
	uint16_t resk = (uint16_t)((cw >> IPC_CW_RESK_SHIFT) & 0xfff);
	bool idem = (cw & IPC_CW_IDEMPOTENT) != 0;
	const struct ipc_method_desc *m;
	uint64_t callee_in[IPC_WORDS];

	ncalls++;
	last_cw = cw;
	memcpy(last_in, in, sizeof(last_in));
	if (transport_error) {
		memset(out, 0xa5, IPC_WORDS * sizeof(*out));
		*app_status = 0x5a5a;
		return transport_error;
	}
	if (handle == 0 || handle > ARRAY_SIZE(exports) ||
	    !exports[handle - 1].desc) {
		return -EBADF;
	}
	m = method_of(exports[handle - 1].desc, ordinal);
	if (!m) {
		snprintf(kernel_error, sizeof(kernel_error),
			 "ordinal %u not in %s", ordinal,
			 exports[handle - 1].desc->name);
		return -EINVAL;
	}
	if (argk != m->arg_kinds || resk != m->res_kinds ||
	    idem != ((m->flags & IPC_METHOD_IDEMPOTENT) != 0)) {
		snprintf(kernel_error, sizeof(kernel_error),
			 "call word of %s disagrees with the descriptor",
			 m->name);
		return -EINVAL;
	}
	if (!words_ok(in, argk, m->nargs, m->arg_types, "argument", false)) {
		return -EINVAL;
	}
	/* The callee gets a copy; out[] starts as garbage. */
	memcpy(callee_in, in, sizeof(callee_in));
	memset(out, 0xcc, IPC_WORDS * sizeof(*out));
	*app_status = exports[handle - 1].dispatch(exports[handle - 1].ctx,
						   ordinal, callee_in, out);
	memcpy(last_out, out, sizeof(last_out));
	if (!words_ok(out, resk, m->nres, m->res_types, "result",
		      *app_status != 0)) {
		return -EDOMDEAD;
	}
	return 0;
}

int rt_ipc_export(const struct ipc_iface_desc *desc,
		  const struct rref_type_info *types, uint32_t ntypes,
		  dispatch_fn dispatch, void *ctx,
		  const struct ipc_entry *entries)
{
	if (entries) {
		return -EINVAL; /* ring-3 entries: not on the host */
	}
	for (uint32_t i = 0; i < ntypes; i++) {
		if (types[i].desc.id == 0 || types[i].desc.size == 0) {
			return -EINVAL;
		}
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(exports); i++) {
		if (!exports[i].desc) {
			exports[i].desc = desc;
			exports[i].dispatch = dispatch;
			exports[i].ctx = ctx;
			return 0;
		}
	}
	return -ENOSPC;
}

int rt_ipc_connect(const struct ipc_iface_desc *desc, uint16_t *handle)
{
	/* The last export of that name wins, as a test convenience. */
	for (unsigned int i = ARRAY_SIZE(exports); i-- > 0;) {
		if (exports[i].desc &&
		    strcmp(exports[i].desc->name, desc->name) == 0) {
			if (exports[i].desc->fingerprint != desc->fingerprint) {
				return -EBADMSG;
			}
			*handle = (uint16_t)(i + 1);
			return 0;
		}
	}
	return -ENOENT;
}

/* Resets the fakes. */
static void fakes_reset(void)
{
	transport_error = 0;
	kernel_error[0] = '\0';
	runtime_error[0] = '\0';
	ncalls = 0;
}

#define FAKES_CLEAN()                                                         \
	do {                                                                  \
		if (kernel_error[0] || runtime_error[0]) {                    \
			printf("# kernel: %s\n# runtime: %s\n", kernel_error, \
			       runtime_error);                                \
		}                                                             \
		UNIT_ASSERT(kernel_error[0] == '\0');                         \
		UNIT_ASSERT(runtime_error[0] == '\0');                        \
	} while (0)

/* --- The echo server ------------------------------------------------------- */

static uint32_t echo_delay;

static int32_t srv_echo_ping(void *inst, uint64_t value, uint64_t *out_value)
{
	*out_value = value;
	return 0;
}

static int32_t srv_echo_add(void *inst, struct echo_pair p, int64_t *out_sum,
			    int64_t *out_diff)
{
	*out_sum = (int64_t)p.a + p.b;
	*out_diff = (int64_t)p.a - p.b;
	return 0;
}

static int32_t srv_echo_bounce(void *inst, struct echo_msg *m,
			       struct echo_msg **out_m)
{
	m->seq++;
	*out_m = m;
	return 0;
}

static int32_t srv_echo_peek(void *inst, const struct echo_msg *m,
			     uint32_t *out_len)
{
	*out_len = m->len;
	return 0;
}

static int32_t srv_echo_make(void *inst, uint32_t len, uint8_t fill,
			     struct echo_msg **out_m)
{
	struct echo_msg *m;

	if (len == 0) {
		return 0;
	}
	m = echo_msg_alloc();
	if (!m) {
		return -ENOMEM;
	}
	m->len = len;
	memset(m->data, fill, MIN(len, (uint32_t)sizeof(m->data)));
	*out_m = m;
	return 0;
}

static int32_t srv_echo_sink(void *inst, struct echo_msg *m)
{
	echo_msg_drop(m);
	return 0;
}

static int32_t srv_echo_fail(void *inst, int32_t status)
{
	return status;
}

static int32_t srv_echo_relay(void *inst, struct echo_client peer,
			      struct echo_client *out_peer)
{
	out_peer->handle = (uint16_t)(peer.handle + 1);
	return 0;
}

static int32_t srv_echo_set_delay(void *inst, uint32_t usec)
{
	echo_delay = usec;
	return 0;
}

static const struct echo_ops echo_ops = {
	.ping = srv_echo_ping,
	.add = srv_echo_add,
	.bounce = srv_echo_bounce,
	.peek = srv_echo_peek,
	.make = srv_echo_make,
	.sink = srv_echo_sink,
	.fail = srv_echo_fail,
	.relay = srv_echo_relay,
	.set_delay = srv_echo_set_delay,
};
static struct echo_server echo_srv = {.ops = &echo_ops};

/* --- The everything server --------------------------------------------------- */

/* What the server saw last, for the tests to compare. */
static struct {
	uint64_t u[4];
	int64_t s[4];
	bool b[2];
	struct everything_point p;
	struct everything_rect r;
	struct everything_triple t;
	struct everything_flags f;
	struct everything_matrix mx;
	uint16_t h;
	int16_t sh;
	const void *ptr[4];
	uint16_t handles[2];
	uint32_t level;
} seen;

static int32_t ev_unsigned(void *inst, uint8_t a, uint16_t b, uint32_t c,
			   uint64_t d, uint8_t *out_a, uint16_t *out_b,
			   uint32_t *out_c, uint64_t *out_d)
{
	seen.u[0] = a;
	seen.u[1] = b;
	seen.u[2] = c;
	seen.u[3] = d;
	*out_a = (uint8_t)~a;
	*out_b = (uint16_t)~b;
	*out_c = ~c;
	*out_d = ~d;
	return 1;
}

static int32_t ev_signed(void *inst, int8_t a, int16_t b, int32_t c, int64_t d,
			 int8_t *out_a, int16_t *out_b, int32_t *out_c,
			 int64_t *out_d)
{
	seen.s[0] = a;
	seen.s[1] = b;
	seen.s[2] = c;
	seen.s[3] = d;
	*out_a = (int8_t)~a;
	*out_b = (int16_t)~b;
	*out_c = ~c;
	*out_d = ~d;
	return -2;
}

static int32_t ev_enums(void *inst, uint8_t c, int8_t d, uint64_t w, int64_t s,
			uint8_t *out_c, int8_t *out_d, uint64_t *out_w,
			int32_t *out_m)
{
	seen.u[0] = c;
	seen.s[1] = d;
	seen.u[2] = w;
	seen.s[3] = s;
	*out_c = c;
	*out_d = d;
	*out_w = w;
	*out_m = s < 0 ? EVERYTHING_MIXED_LOW : EVERYTHING_MIXED_HIGH;
	return 0;
}

static int32_t ev_bools(void *inst, bool a, bool b, bool *out_a, bool *out_b)
{
	seen.b[0] = a;
	seen.b[1] = b;
	*out_a = !a;
	*out_b = !b;
	return 0;
}

static int32_t ev_structs(void *inst, struct everything_point p,
			  struct everything_rect r,
			  struct everything_rect *out_r,
			  struct everything_point *out_p)
{
	seen.p = p;
	seen.r = r;
	*out_r = r;
	out_r->tag++;
	out_p->x = -p.x;
	out_p->y = -p.y;
	return 0;
}

static int32_t ev_small(void *inst, struct everything_triple t,
			struct everything_flags f,
			struct everything_quad *out_q)
{
	seen.t = t;
	seen.f = f;
	out_q->v[0] = t.a;
	out_q->v[1] = t.b;
	out_q->v[2] = t.c;
	out_q->v[3] = f.bits ^ f.on;
	return 0;
}

static int32_t ev_take(void *inst, struct everything_blob *b,
		       struct everything_blob *maybe,
		       const struct everything_blob *look,
		       const struct everything_blob *glance,
		       struct everything_blob **out_b,
		       struct everything_blob **out_maybe)
{
	seen.ptr[0] = b;
	seen.ptr[1] = maybe;
	seen.ptr[2] = look;
	seen.ptr[3] = glance;
	b->len = look->len + (glance ? glance->len : 1000);
	*out_b = b;
	*out_maybe = maybe;
	return 0;
}

static int32_t ev_containers(void *inst, struct everything_blob_array4 *arr,
			     struct everything_packet_deque16 *q,
			     struct everything_packet_deque16 **out_q,
			     struct everything_blob_array4 **out_arr)
{
	struct everything_packet *p = everything_packet_deque16_pop(q);

	/* Rotate: the oldest packet goes to the back. */
	if (p && everything_packet_deque16_push(q, p) != 0) {
		everything_packet_drop(p);
	}
	*out_q = q;
	everything_blob_array4_drop(arr);
	*out_arr = NULL;
	return 0;
}

static int32_t ev_nested(void *inst, struct everything_batch *b,
			 struct everything_batch **out_b)
{
	b->count++;
	*out_b = b;
	return 0;
}

static int32_t ev_handles(void *inst, struct blk_client dev,
			  struct everything_client self,
			  struct blk_client *out_dev)
{
	seen.handles[0] = dev.handle;
	seen.handles[1] = self.handle;
	out_dev->handle = (uint16_t)(dev.handle * 2);
	return 0;
}

static int32_t ev_list(void *inst, struct everything_node *head,
		       uint64_t *out_sum, uint32_t *out_count)
{
	for (struct everything_node *n = head; n; n = n->next) {
		*out_sum += n->value;
		(*out_count)++;
	}
	everything_node_drop(head);
	return 0;
}

static int32_t ev_configure(void *inst, uint32_t level,
			    struct everything_rect area)
{
	seen.level = level;
	seen.r = area;
	return 0;
}

static int32_t ev_grid(void *inst, struct everything_matrix m, uint16_t h,
		       int16_t s, struct everything_matrix *out_m,
		       uint32_t *out_w)
{
	seen.mx = m;
	seen.h = h;
	seen.sh = s;
	*out_m = m;
	out_m->m[1][2] = (int16_t)(m.m[0][0] + 1);
	*out_w = EVERYTHING_WORD_W;
	return 0;
}

static int32_t ev_nothing(void *inst)
{
	return 42;
}

static int32_t ev_last(void *inst, int32_t *out_code)
{
	*out_code = -65535;
	return 0;
}

static const struct everything_ops ev_ops = {
	.unsigned_scalars = ev_unsigned,
	.signed_scalars = ev_signed,
	.enums = ev_enums,
	.bools = ev_bools,
	.structs = ev_structs,
	.small_structs = ev_small,
	.take = ev_take,
	.containers = ev_containers,
	.nested = ev_nested,
	.handles = ev_handles,
	.list = ev_list,
	.configure = ev_configure,
	.grid = ev_grid,
	.nothing = ev_nothing,
	.last = ev_last,
};
static struct everything_server ev_srv = {.ops = &ev_ops};
static const struct everything_ops ev_none = {.nothing = NULL};
static struct everything_server ev_empty = {.ops = &ev_none};

/* Handle 1: echo; 2: everything; 3: everything without ops. */
static struct echo_client echo = {.handle = 1};
static struct everything_client ev = {.handle = 2};
static struct everything_client ev_bare = {.handle = 3};

__attribute__((constructor)) static void exports_init(void)
{
	exports[0].desc = &echo_desc;
	exports[0].dispatch = echo_dispatch;
	exports[0].ctx = &echo_srv;
	exports[1].desc = &everything_desc;
	exports[1].dispatch = everything_dispatch;
	exports[1].ctx = &ev_srv;
	exports[2].desc = &everything_desc;
	exports[2].dispatch = everything_dispatch;
	exports[2].ctx = &ev_empty;
}

/* --- echo ------------------------------------------------------------------------ */

UNIT_TEST(rt_echo_every_method_round_trips)
{
	unsigned int live = nobjs;
	struct echo_pair pr = {.a = 0xffffffffffffffffull, .b = -5};
	struct echo_msg *m = echo_msg_alloc();
	struct echo_msg *back = NULL;
	struct echo_client peer = {.handle = 77};
	struct echo_client got = {0};
	uint64_t v = 0;
	int64_t sum = 0;
	int64_t diff = 0;
	uint32_t len = 0;
	int32_t app = -1;

	fakes_reset();
	UNIT_EQ(echo_ping(&echo, 0x8000000000000001ull, &v, &app), 0);
	UNIT_ASSERT(v == 0x8000000000000001ull);
	UNIT_EQ(app, 0);
	UNIT_ASSERT(last_cw == ipc_call_word(1, ECHO_PING_ORDINAL,
					     ECHO_PING_ARG_KINDS,
					     ECHO_PING_RES_KINDS, 1));

	UNIT_EQ(echo_add(&echo, pr, &sum, &diff, &app), 0);
	UNIT_ASSERT(sum == (int64_t)(0xffffffffffffffffull - 5));
	UNIT_ASSERT(diff == (int64_t)(0xffffffffffffffffull + 5));
	UNIT_ASSERT(last_in[0] == pr.a && last_in[1] == (uint64_t)-5);

	UNIT_ASSERT(m != NULL);
	m->seq = 41;
	m->len = 3;
	UNIT_EQ(echo_bounce(&echo, m, &back, &app), 0);
	UNIT_ASSERT(back == m);
	UNIT_EQ(back->seq, 42);
	UNIT_EQ(echo_peek(&echo, back, &len, &app), 0);
	UNIT_EQ(len, 3);

	UNIT_EQ(echo_make(&echo, 0, 1, &back, &app), 0);
	UNIT_ASSERT(back == NULL);
	UNIT_EQ(echo_make(&echo, 5, 0xab, &back, &app), 0);
	UNIT_ASSERT(back != NULL);
	UNIT_EQ(back->len, 5);
	UNIT_EQ(back->data[4], 0xab);
	UNIT_EQ(echo_sink(&echo, back, &app), 0);
	UNIT_EQ(echo_sink(&echo, m, &app), 0);
	UNIT_EQ(echo_sink(&echo, NULL, &app), 0);
	UNIT_EQ(nobjs, live);

	UNIT_EQ(echo_fail(&echo, -EIO, &app), 0);
	UNIT_EQ(app, -EIO);
	UNIT_EQ(echo_fail(&echo, 0x7fffffff, &app), 0);
	UNIT_EQ(app, 0x7fffffff);

	UNIT_EQ(echo_relay(&echo, peer, &got, &app), 0);
	UNIT_EQ(got.handle, 78);
	UNIT_EQ(echo_set_delay(&echo, 250, &app), 0);
	UNIT_EQ(echo_delay, 250);
	UNIT_EQ(ncalls, 13);
	FAKES_CLEAN();
}

/* --- everything ------------------------------------------------------------------- */

UNIT_TEST(rt_unsigned_and_signed_scalars_keep_every_bit)
{
	static const uint64_t u[][4] = {
		{0, 0, 0, 0},
		{0xff, 0xffff, 0xffffffffu, 0xffffffffffffffffull},
		{0x80, 0x8000, 0x80000000u, 0x8000000000000000ull},
	};
	static const int64_t s[][4] = {
		{-128, -32768, INT32_MIN, INT64_MIN},
		{127, 32767, INT32_MAX, INT64_MAX},
		{-1, -1, -1, -1},
	};
	int32_t app;

	fakes_reset();
	for (size_t i = 0; i < ARRAY_SIZE(u); i++) {
		uint8_t a;
		uint16_t b;
		uint32_t c;
		uint64_t d;

		UNIT_EQ(everything_unsigned_scalars(&ev, (uint8_t)u[i][0],
						    (uint16_t)u[i][1],
						    (uint32_t)u[i][2], u[i][3],
						    &a, &b, &c, &d, &app),
			0);
		UNIT_EQ(app, 1);
		/* Zero-extended words, delivered exactly. */
		for (int w = 0; w < 4; w++) {
			UNIT_ASSERT(last_in[w] == u[i][w]);
			UNIT_ASSERT(seen.u[w] == u[i][w]);
		}
		UNIT_ASSERT(last_out[0] == (uint8_t)~u[i][0]);
		UNIT_EQ(a, (uint8_t)~u[i][0]);
		UNIT_EQ(b, (uint16_t)~u[i][1]);
		UNIT_ASSERT(c == (uint32_t)~u[i][2]);
		UNIT_ASSERT(d == ~u[i][3]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(s); i++) {
		int8_t a;
		int16_t b;
		int32_t c;
		int64_t d;

		UNIT_EQ(everything_signed_scalars(&ev, (int8_t)s[i][0],
						  (int16_t)s[i][1],
						  (int32_t)s[i][2], s[i][3], &a,
						  &b, &c, &d, &app),
			0);
		UNIT_EQ(app, -2);
		/* Sign-extended words. */
		for (int w = 0; w < 4; w++) {
			UNIT_ASSERT(last_in[w] == (uint64_t)s[i][w]);
			UNIT_ASSERT(seen.s[w] == s[i][w]);
		}
		UNIT_ASSERT(last_out[3] == (uint64_t)~s[i][3]);
		UNIT_EQ(a, (int8_t)~s[i][0]);
		UNIT_EQ(b, (int16_t)~s[i][1]);
		UNIT_EQ(c, ~(int32_t)s[i][2]);
		UNIT_ASSERT(d == ~s[i][3]);
	}
	FAKES_CLEAN();
}

UNIT_TEST(rt_receivers_take_the_low_bits_of_scalar_words)
{
	uint64_t in[IPC_WORDS] = {0x1234567890abcdefull, 0xffffffffffff0001ull,
				  0x100000002ull, 5};
	uint64_t out[IPC_WORDS];

	/* A caller that does not extend properly: still defined values. */
	UNIT_EQ(everything_dispatch(
			&ev_srv, EVERYTHING_UNSIGNED_SCALARS_ORDINAL, in, out),
		1);
	UNIT_ASSERT(seen.u[0] == 0xef && seen.u[1] == 0x0001 &&
		    seen.u[2] == 2 && seen.u[3] == 5);
	/* Any nonzero bool word is true, and results are 0 or 1. */
	in[0] = 2;
	in[1] = 0x100;
	UNIT_EQ(everything_dispatch(&ev_srv, EVERYTHING_BOOLS_ORDINAL, in, out),
		0);
	UNIT_ASSERT(seen.b[0] && seen.b[1]);
	UNIT_ASSERT(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 0);
	in[0] = 0;
	UNIT_EQ(everything_dispatch(&ev_srv, EVERYTHING_BOOLS_ORDINAL, in, out),
		0);
	UNIT_ASSERT(out[0] == 1 && out[1] == 0);
}

UNIT_TEST(rt_enums_and_bools_round_trip)
{
	uint8_t c;
	int8_t d;
	uint64_t w;
	int32_t m;
	bool a;
	bool b;
	int32_t app;

	fakes_reset();
	UNIT_EQ(everything_enums(&ev, EVERYTHING_COLOR_BLUE,
				 EVERYTHING_DELTA_DOWN, EVERYTHING_WIDE_MAX,
				 EVERYTHING_SWIDE_MIN, &c, &d, &w, &m, &app),
		0);
	UNIT_EQ(c, 255);
	UNIT_EQ(d, -128);
	UNIT_ASSERT(w == UINT64_MAX);
	UNIT_EQ(m, INT32_MIN);
	UNIT_ASSERT(seen.s[3] == INT64_MIN);
	UNIT_ASSERT(last_in[1] == (uint64_t)-128);
	UNIT_ASSERT(last_out[3] == (uint64_t)(int64_t)INT32_MIN);
	UNIT_EQ(everything_enums(&ev, EVERYTHING_COLOR_RED, EVERYTHING_DELTA_UP,
				 EVERYTHING_WIDE_ZERO, EVERYTHING_SWIDE_MAX, &c,
				 &d, &w, &m, &app),
		0);
	UNIT_EQ(m, INT32_MAX);
	UNIT_ASSERT(everything_color_is_valid(255) &&
		    !everything_color_is_valid(2));
	UNIT_ASSERT(everything_swide_is_valid(-1) &&
		    !everything_swide_is_valid(-2));
	UNIT_ASSERT(everything_Mixed_is_valid(INT32_MIN) &&
		    !everything_Mixed_is_valid(0));
	UNIT_ASSERT(everything_word_is_valid(0xffffffffu) &&
		    everything_half_is_valid(0xffff) &&
		    everything_shalf_is_valid(-32768));

	UNIT_EQ(everything_bools(&ev, true, false, &a, &b, &app), 0);
	UNIT_ASSERT(seen.b[0] && !seen.b[1]);
	UNIT_ASSERT(!a && b);
	UNIT_ASSERT(last_in[0] == 1 && last_in[1] == 0);
	FAKES_CLEAN();
}

UNIT_TEST(rt_structs_by_value_fill_consecutive_words)
{
	struct everything_point p = {.x = -7, .y = INT32_MAX};
	struct everything_rect r = {
		.min = {1, 2},
		.max = {3, 4},
		.color = 255,
		.flags = {9, 8, 7},
		.tag = 0xfeedface,
	};
	struct everything_rect r_out;
	struct everything_point p_out;
	struct everything_triple t = {0xffff, 2, 0xabcd};
	struct everything_flags f = {.on = 1, .bits = 0xf0f0};
	struct everything_quad q;
	struct everything_matrix mx = {.m = {{1, -2, 3}, {-4, 5, -6}}};
	struct everything_matrix mx_out;
	uint32_t word;
	int32_t app;

	fakes_reset();
	UNIT_EQ(everything_structs(&ev, p, r, &r_out, &p_out, &app), 0);
	UNIT_ASSERT(memcmp(&seen.p, &p, sizeof(p)) == 0);
	UNIT_ASSERT(memcmp(&seen.r, &r, sizeof(r)) == 0);
	/* point in word 0; rect (24 bytes) in words 1..3, memory order. */
	UNIT_ASSERT(memcmp(&last_in[0], &p, sizeof(p)) == 0);
	UNIT_ASSERT(memcmp(&last_in[1], &r, sizeof(r)) == 0);
	UNIT_EQ(r_out.tag, 0xfeedfacf);
	UNIT_EQ(r_out.flags[2], 7);
	UNIT_EQ(p_out.x, 7);
	UNIT_EQ(p_out.y, -INT32_MAX);

	UNIT_EQ(everything_small_structs(&ev, t, f, &q, &app), 0);
	/* The 6-byte triple: its word's two top bytes are zero. */
	UNIT_ASSERT(last_in[0] == 0x0000abcd0002ffffull);
	UNIT_ASSERT(memcmp(&last_in[1], &f, sizeof(f)) == 0);
	UNIT_ASSERT(memcmp(&seen.t, &t, sizeof(t)) == 0);
	UNIT_ASSERT(q.v[0] == 0xffff && q.v[1] == 2 && q.v[2] == 0xabcd &&
		    q.v[3] == 0xf0f1);
	UNIT_ASSERT(memcmp(last_out, &q, sizeof(q)) == 0);

	UNIT_EQ(everything_grid(&ev, mx, 0xffff, -32768, &mx_out, &word, &app),
		0);
	UNIT_ASSERT(memcmp(&seen.mx, &mx, sizeof(mx)) == 0);
	UNIT_EQ(seen.h, 0xffff);
	UNIT_EQ(seen.sh, -32768);
	UNIT_EQ(mx_out.m[1][2], 2);
	UNIT_EQ(mx_out.m[1][1], 5);
	UNIT_ASSERT(word == 0xffffffffu);
	FAKES_CLEAN();
}

UNIT_TEST(rt_rrefs_move_borrow_and_optional)
{
	unsigned int live = nobjs;
	struct everything_blob *b = everything_blob_alloc();
	struct everything_blob *maybe = everything_blob_alloc();
	struct everything_blob *look = everything_blob_alloc();
	struct everything_blob *b_out = NULL;
	struct everything_blob *maybe_out = NULL;
	int32_t app;

	fakes_reset();
	UNIT_ASSERT(b && maybe && look);
	look->len = 10;
	UNIT_EQ(everything_take(&ev, b, maybe, look, NULL, &b_out, &maybe_out,
				&app),
		0);
	UNIT_ASSERT(seen.ptr[0] == b && seen.ptr[1] == maybe &&
		    seen.ptr[2] == look && seen.ptr[3] == NULL);
	UNIT_ASSERT(b_out == b && maybe_out == maybe);
	UNIT_EQ(b_out->len, 1010);
	UNIT_ASSERT(last_in[0] == (uint64_t)(uintptr_t)b && last_in[3] == 0);
	/* The optional ones may be NULL both ways. */
	UNIT_EQ(everything_take(&ev, b_out, NULL, look, look, &b_out,
				&maybe_out, &app),
		0);
	UNIT_ASSERT(maybe_out == NULL);
	UNIT_EQ(b_out->len, 20);
	everything_blob_drop(b_out);
	everything_blob_drop(maybe);
	everything_blob_drop(look);
	UNIT_EQ(nobjs, live);
	FAKES_CLEAN();
}

UNIT_TEST(rt_word_kinds_and_types_match_the_descriptor)
{
	const struct ipc_method_desc *m =
		method_of(&everything_desc, EVERYTHING_TAKE_ORDINAL);

	UNIT_ASSERT(m != NULL);
	UNIT_EQ(ipc_kind_at(m->arg_kinds, 0), IPC_KIND_RREF_MOVE);
	UNIT_EQ(ipc_kind_at(m->arg_kinds, 1), IPC_KIND_RREF_MOVE_OPT);
	UNIT_EQ(ipc_kind_at(m->arg_kinds, 2), IPC_KIND_RREF_BORROW);
	UNIT_EQ(ipc_kind_at(m->arg_kinds, 3), IPC_KIND_RREF_BORROW_OPT);
	UNIT_EQ(ipc_kind_at(m->res_kinds, 0), IPC_KIND_RREF_MOVE);
	UNIT_EQ(ipc_kind_at(m->res_kinds, 1), IPC_KIND_RREF_MOVE_OPT);
	for (int i = 0; i < 4; i++) {
		UNIT_ASSERT(m->arg_types[i] == EVERYTHING_BLOB_TYPE_ID);
	}
	UNIT_ASSERT(m->res_types[2] == 0 && m->res_types[3] == 0);

	m = method_of(&everything_desc, EVERYTHING_HANDLES_ORDINAL);
	UNIT_ASSERT(m != NULL);
	UNIT_EQ(m->arg_kinds, IPC_KIND_HANDLE | IPC_KIND_HANDLE << 3);
	UNIT_EQ(m->res_kinds, IPC_KIND_HANDLE);
	UNIT_ASSERT(m->arg_types[0] == ipc_iface_name_id("blk"));
	UNIT_ASSERT(m->arg_types[1] == ipc_iface_name_id("everything"));
	UNIT_ASSERT(m->res_types[0] == ipc_iface_name_id("blk"));

	m = method_of(&everything_desc, EVERYTHING_STRUCTS_ORDINAL);
	UNIT_ASSERT(m != NULL);
	UNIT_EQ(m->nargs, 4);
	UNIT_EQ(m->nres, 4);
	UNIT_EQ(m->arg_kinds, 0);

	/* A rref of the wrong type is caught by the (fake) kernel check. */
	{
		struct echo_msg *msg = echo_msg_alloc();
		struct everything_blob *out_b;
		struct everything_blob *out_m;
		int32_t app;

		fakes_reset();
		UNIT_EQ(everything_take(&ev, (struct everything_blob *)msg,
					NULL, (struct everything_blob *)msg,
					NULL, &out_b, &out_m, &app),
			-EINVAL);
		UNIT_ASSERT(strstr(kernel_error, "argument word 0") != NULL);
		echo_msg_drop(msg);
	}
}

UNIT_TEST(rt_containers_move_with_their_contents)
{
	unsigned int live = nobjs;
	struct everything_blob_array4 *arr = everything_blob_array4_alloc();
	struct everything_packet_deque16 *q = everything_packet_deque16_alloc();
	struct everything_packet_deque16 *q_out = NULL;
	struct everything_blob_array4 *arr_out = (void *)1;
	struct everything_packet *p1 = everything_packet_alloc();
	struct everything_packet *p2 = everything_packet_alloc();
	int32_t app;

	fakes_reset();
	UNIT_ASSERT(arr && q && p1 && p2);
	arr->slot[1] = everything_blob_alloc();
	arr->slot[3] = everything_blob_alloc();
	p1->hdr.tag = 1;
	p1->payload = everything_blob_alloc();
	p2->hdr.tag = 2;
	UNIT_EQ(everything_packet_deque16_push(q, p1), 0);
	UNIT_EQ(everything_packet_deque16_push(q, p2), 0);
	UNIT_EQ(everything_containers(&ev, arr, q, &q_out, &arr_out, &app), 0);
	UNIT_ASSERT(q_out == q);
	UNIT_ASSERT(arr_out == NULL);
	UNIT_EQ(everything_packet_deque16_len(q_out), 2);
	UNIT_ASSERT(everything_packet_deque16_pop(q_out) == p2);
	UNIT_ASSERT(everything_packet_deque16_pop(q_out) == p1);
	UNIT_ASSERT(everything_packet_deque16_pop(q_out) == NULL);
	UNIT_EQ(everything_packet_deque16_push(q_out, p1), 0);
	/* Dropping the deque drops p1 and its payload. */
	everything_packet_deque16_drop(q_out);
	everything_packet_drop(p2);
	UNIT_EQ(nobjs, live);
	FAKES_CLEAN();
}

UNIT_TEST(rt_deque_helpers_stay_in_bounds)
{
	struct everything_packet_deque16 d;
	struct everything_packet pk[17];

	memset(&d, 0, sizeof(d));
	for (int i = 0; i < 16; i++) {
		UNIT_EQ(everything_packet_deque16_push(&d, &pk[i]), 0);
	}
	UNIT_EQ(everything_packet_deque16_push(&d, &pk[16]), -ENOSPC);
	UNIT_EQ(everything_packet_deque16_len(&d), 16);
	for (int i = 0; i < 16; i++) {
		UNIT_ASSERT(everything_packet_deque16_pop(&d) == &pk[i]);
	}
	UNIT_ASSERT(everything_packet_deque16_pop(&d) == NULL);
	/* Wrap around the end of the ring. */
	for (int r = 0; r < 40; r++) {
		UNIT_EQ(everything_packet_deque16_push(&d, &pk[r % 17]), 0);
		UNIT_ASSERT(everything_packet_deque16_pop(&d) == &pk[r % 17]);
	}
	/* Garbage indices (shared memory) never index out of the ring. */
	d.head = 0xfffffff7u;
	d.count = 0xffffffffu;
	UNIT_EQ(everything_packet_deque16_len(&d), 16);
	UNIT_EQ(everything_packet_deque16_push(&d, &pk[0]), -ENOSPC);
	(void)everything_packet_deque16_pop(&d);
	UNIT_ASSERT(d.head < 16);
	d.count = 3;
	d.head = 1000;
	UNIT_EQ(everything_packet_deque16_push(&d, &pk[1]), 0);
	UNIT_EQ(d.count, 4);
}

/* A batch with every kind of nested slot filled. */
static struct everything_batch *full_batch(void)
{
	struct everything_batch *b = everything_batch_alloc();

	for (int i = 0; i < 4; i++) {
		b->items[i].payload = everything_blob_alloc();
	}
	for (int i = 0; i < 2; i++) {
		b->pairs[i].a = everything_blob_alloc();
		b->pairs[i].b = everything_blob_alloc();
	}
	for (int i = 0; i < 8; i++) {
		b->direct[i] = everything_blob_alloc();
	}
	for (int i = 0; i < 2; i++) {
		for (int j = 0; j < 2; j++) {
			b->grid[i][j] = everything_node_alloc();
		}
	}
	b->grid[1][1]->next = everything_node_alloc();
	b->list = everything_blob_array4_alloc();
	b->list->slot[0] = everything_blob_alloc();
	b->list->slot[3] = everything_blob_alloc();
	return b;
}

UNIT_TEST(rt_drop_nested_reaches_every_slot)
{
	unsigned int live = nobjs;
	unsigned int drops = ndrops;
	struct everything_batch *b;
	struct everything_batch *back = NULL;
	int32_t app;

	fakes_reset();
	b = full_batch();
	/* 1 batch, 4 + 4 + 8 blobs, 5 nodes, 1 array with 2 blobs. */
	UNIT_EQ(nobjs - live, 1 + 16 + 5 + 1 + 2);
	UNIT_EQ(everything_nested(&ev, b, &back, &app), 0);
	UNIT_ASSERT(back == b);
	UNIT_EQ(back->count, 1);
	everything_batch_drop(back);
	UNIT_EQ(nobjs, live);
	UNIT_EQ(ndrops - drops, 25);

	/* drop_nested clears the slots it dropped and keeps the object. */
	b = full_batch();
	everything_types[EVERYTHING_BATCH_TYPE_INDEX].drop_nested(b, NULL);
	UNIT_EQ(nobjs, live + 1);
	UNIT_ASSERT(b->items[3].payload == NULL && b->pairs[1].b == NULL &&
		    b->direct[7] == NULL && b->grid[1][1] == NULL &&
		    b->list == NULL);
	everything_batch_drop(b);
	UNIT_EQ(nobjs, live);
	FAKES_CLEAN();
}

UNIT_TEST(rt_list_of_nested_rrefs)
{
	unsigned int live = nobjs;
	struct everything_node *head = everything_node_alloc();
	struct everything_node *n = head;
	uint64_t sum = 0;
	uint32_t count = 0;
	int32_t app;

	fakes_reset();
	n->value = 1;
	for (int i = 2; i <= 10; i++) {
		n->next = everything_node_alloc();
		n = n->next;
		n->value = (uint64_t)i;
	}
	UNIT_EQ(everything_list(&ev, head, &sum, &count, &app), 0);
	UNIT_ASSERT(sum == 55);
	UNIT_EQ(count, 10);
	/* The server dropped the head, and the drop took the whole chain. */
	UNIT_EQ(nobjs, live);
	FAKES_CLEAN();
}

UNIT_TEST(rt_handles_are_granted_both_ways)
{
	struct blk_client dev = {.handle = 0x7fff};
	struct blk_client dev_out;
	int32_t app;

	fakes_reset();
	UNIT_EQ(everything_handles(&ev, dev, ev, &dev_out, &app), 0);
	UNIT_EQ(seen.handles[0], 0x7fff);
	UNIT_EQ(seen.handles[1], 2);
	UNIT_EQ(dev_out.handle, 0xfffe);
	UNIT_ASSERT(last_in[0] == 0x7fff && last_in[1] == 2);
	FAKES_CLEAN();
}

UNIT_TEST(rt_flags_reach_the_call_word)
{
	struct everything_rect area = {.tag = 3};
	int32_t code;
	int32_t app;

	fakes_reset();
	UNIT_EQ(everything_configure(&ev, 9, area, &app), 0);
	UNIT_EQ(seen.level, 9);
	UNIT_EQ(seen.r.tag, 3);
	UNIT_ASSERT(last_cw & IPC_CW_IDEMPOTENT);
	UNIT_EQ(EVERYTHING_CONFIGURE_FLAGS,
		IPC_METHOD_IDEMPOTENT | IPC_METHOD_CONFIG);
	UNIT_EQ(everything_nothing(&ev, &app), 0);
	UNIT_EQ(app, 42);
	UNIT_ASSERT(!(last_cw & IPC_CW_IDEMPOTENT));
	UNIT_ASSERT(((last_cw >> IPC_CW_ORDINAL_SHIFT) & 0xffff) == 100);
	UNIT_EQ(everything_last(&ev, &code, &app), 0);
	UNIT_EQ(code, -65535);
	UNIT_ASSERT(((last_cw >> IPC_CW_ORDINAL_SHIFT) & 0xffff) == 65535);
	UNIT_ASSERT(last_cw & IPC_CW_IDEMPOTENT);
	UNIT_ASSERT((last_cw & 0xffff) == 2);
	FAKES_CLEAN();
}

UNIT_TEST(rt_unknown_ordinal_and_missing_op_answer_enosys)
{
	uint64_t in[IPC_WORDS] = {1, 2, 3, 4};
	uint64_t out[IPC_WORDS] = {5, 6, 7, 8};
	unsigned int live = nobjs;
	struct everything_blob *b = everything_blob_alloc();
	struct everything_blob *m = everything_blob_alloc();
	struct everything_blob *look = everything_blob_alloc();
	struct everything_blob *b_out = (void *)1;
	struct everything_blob *m_out = (void *)1;
	int32_t app;

	UNIT_EQ(everything_dispatch(&ev_srv, 99, in, out), -ENOSYS);
	UNIT_ASSERT(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 0);
	UNIT_EQ(echo_dispatch(&echo_srv, 0, in, out), -ENOSYS);

	/* A server without the op: the moved rrefs are dropped for it. */
	fakes_reset();
	UNIT_EQ(everything_take(&ev_bare, b, m, look, NULL, &b_out, &m_out,
				&app),
		0);
	UNIT_EQ(app, -ENOSYS);
	UNIT_ASSERT(b_out == NULL && m_out == NULL);
	UNIT_EQ(nobjs, live + 1); /* only the borrowed one is left */
	everything_blob_drop(look);
	UNIT_EQ(nobjs, live);
	FAKES_CLEAN();
}

UNIT_TEST(rt_transport_errors_zero_every_output)
{
	struct everything_rect r = {.tag = 1};
	struct everything_rect r_out;
	struct everything_point p_out;
	struct blk_client dev_out = {.handle = 9};
	bool a = true;
	bool b = true;
	uint64_t v = 1;
	int32_t app = 1;

	fakes_reset();
	transport_error = -EDOMDEAD;
	memset(&r_out, 0xff, sizeof(r_out));
	memset(&p_out, 0xff, sizeof(p_out));
	UNIT_EQ(everything_structs(&ev, p_out, r, &r_out, &p_out, &app),
		-EDOMDEAD);
	UNIT_EQ(app, 0);
	UNIT_EQ(r_out.tag, 0);
	UNIT_EQ(p_out.x, 0);
	transport_error = -ERESTARTED;
	UNIT_EQ(everything_bools(&ev, true, true, &a, &b, &app), -ERESTARTED);
	UNIT_ASSERT(!a && !b);
	UNIT_EQ(everything_handles(&ev, dev_out, ev, &dev_out, &app),
		-ERESTARTED);
	UNIT_EQ(dev_out.handle, 0);
	transport_error = 0;
	/* A handle nobody exports: -EBADF from the (fake) kernel. */
	{
		struct echo_client nobody = {.handle = 9};

		UNIT_EQ(echo_ping(&nobody, 3, &v, &app), -EBADF);
		UNIT_ASSERT(v == 0);
	}
	FAKES_CLEAN();
}

/* --- Descriptors and registry against the C side ------------------------------ */

UNIT_TEST(rt_export_and_connect_helpers)
{
	static struct everything_server srv = {.ops = &ev_ops};
	struct everything_client c = {.handle = 0};
	uint64_t v = 0;
	int32_t code = 0;
	int32_t app;

	fakes_reset();
	UNIT_EQ(everything_export(&srv), 0);
	UNIT_EQ(everything_connect(&c), 0);
	UNIT_EQ(c.handle, 4);
	UNIT_EQ(everything_last(&c, &code, &app), 0);
	UNIT_EQ(code, -65535);
	UNIT_EQ(echo_connect(&echo), 0);
	UNIT_EQ(echo.handle, 1);
	UNIT_EQ(echo_ping(&echo, 5, &v, &app), 0);
	UNIT_ASSERT(v == 5);
	exports[3].desc = NULL;
	FAKES_CLEAN();
}

UNIT_TEST(rt_descriptors_match_the_constants)
{
	const struct ipc_iface_desc *d = &everything_desc;
	static const uint16_t ordinals[] = {1, 2,  3,  4,  5,  6,   7,	  8,
					    9, 10, 11, 12, 13, 100, 65535};

	UNIT_STREQ(d->name, "everything");
	UNIT_STREQ(d->name, EVERYTHING_NAME);
	UNIT_ASSERT(d->fingerprint == EVERYTHING_FINGERPRINT);
	UNIT_ASSERT(d->fingerprint != 0);
	UNIT_EQ(d->version, 7);
	UNIT_EQ(d->nmethods, ARRAY_SIZE(ordinals));
	UNIT_EQ(EVERYTHING_NMETHODS, ARRAY_SIZE(ordinals));
	for (uint32_t i = 0; i < d->nmethods; i++) {
		const struct ipc_method_desc *m = &d->methods[i];

		UNIT_EQ(m->ordinal, ordinals[i]);
		UNIT_ASSERT(m->nargs <= IPC_WORDS && m->nres <= IPC_WORDS);
		UNIT_EQ(m->arg_kinds >> (3 * m->nargs), 0);
		UNIT_EQ(m->res_kinds >> (3 * m->nres), 0);
		UNIT_EQ(m->flags & ~IPC_METHOD_FLAGS_ALL, 0);
		UNIT_EQ(m->reserved0, 0);
		UNIT_EQ(m->reserved1, 0);
		for (unsigned int w = 0; w < IPC_WORDS; w++) {
			unsigned int k = ipc_kind_at(m->arg_kinds, w);

			UNIT_EQ(m->arg_types[w] != 0, k != IPC_KIND_SCALAR);
			k = ipc_kind_at(m->res_kinds, w);
			UNIT_EQ(m->res_types[w] != 0, k != IPC_KIND_SCALAR);
		}
	}
	UNIT_STREQ(d->methods[0].name, "unsigned_scalars");
	UNIT_EQ(d->methods[0].arg_kinds, EVERYTHING_UNSIGNED_SCALARS_ARG_KINDS);
	UNIT_EQ(d->methods[11].flags, EVERYTHING_CONFIGURE_FLAGS);
	UNIT_EQ(d->methods[11].nargs, 4);
	UNIT_EQ(d->methods[13].nargs, 0);
	UNIT_EQ(d->methods[13].nres, 0);

	UNIT_STREQ(echo_desc.name, "echo");
	UNIT_EQ(echo_desc.nmethods, ECHO_NMETHODS);
	UNIT_ASSERT(echo_desc.fingerprint == ECHO_FINGERPRINT);
	UNIT_ASSERT(echo_desc.fingerprint != everything_desc.fingerprint);
}

UNIT_TEST(rt_registry_matches_the_c_layout)
{
	const struct rref_type_info *t = everything_types;
	const struct rref_type_desc *batch =
		&t[EVERYTHING_BATCH_TYPE_INDEX].desc;
	const struct rref_type_desc *deque =
		&t[EVERYTHING_PACKET_DEQUE16_TYPE_INDEX].desc;
	const struct rref_type_desc *blob = &t[EVERYTHING_BLOB_TYPE_INDEX].desc;

	UNIT_EQ(EVERYTHING_NTYPES, 6);
	for (uint32_t i = 0; i < EVERYTHING_NTYPES; i++) {
		UNIT_ASSERT(t[i].desc.id != 0);
		for (uint32_t j = 0; j < i; j++) {
			UNIT_ASSERT(t[i].desc.id != t[j].desc.id);
			/* Sorted by C name. */
			UNIT_ASSERT(strcmp(t[j].desc.name, t[i].desc.name) < 0);
		}
		UNIT_EQ(t[i].drop_nested != NULL, t[i].desc.nslots != 0);
	}
	UNIT_EQ(blob->size, sizeof(struct everything_blob));
	UNIT_EQ(blob->align, _Alignof(struct everything_blob));
	UNIT_EQ(blob->nslots, 0);
	UNIT_STREQ(blob->name, "everything_blob");
	UNIT_ASSERT(blob->id == EVERYTHING_BLOB_TYPE_ID);

	UNIT_EQ(batch->size, sizeof(struct everything_batch));
	UNIT_EQ(batch->kind, RREF_TYPE_STRUCT);
	UNIT_EQ(batch->nslots, 7);
	UNIT_EQ(batch->slots[0].offset,
		offsetof(struct everything_batch, items[0].payload));
	UNIT_EQ(batch->slots[0].stride, sizeof(struct everything_packet));
	UNIT_EQ(batch->slots[0].count, 4);
	UNIT_EQ(batch->slots[1].offset,
		offsetof(struct everything_batch, pairs[0].a));
	UNIT_EQ(batch->slots[2].offset,
		offsetof(struct everything_batch, pairs[0].b));
	UNIT_EQ(batch->slots[2].stride, sizeof(struct everything_slot_pair));
	UNIT_EQ(batch->slots[3].offset,
		offsetof(struct everything_batch, direct));
	UNIT_EQ(batch->slots[3].count, 8);
	UNIT_EQ(batch->slots[4].offset,
		offsetof(struct everything_batch, grid[0][0]));
	UNIT_EQ(batch->slots[5].offset,
		offsetof(struct everything_batch, grid[1][0]));
	UNIT_EQ(batch->slots[5].count, 2);
	UNIT_EQ(batch->slots[6].offset,
		offsetof(struct everything_batch, list));
	UNIT_ASSERT(batch->slots[6].type_id == EVERYTHING_BLOB_ARRAY4_TYPE_ID);
	UNIT_ASSERT(batch->slots[4].type_id == EVERYTHING_NODE_TYPE_ID);
	for (uint32_t r = 0; r < batch->nslots; r++) {
		const struct rref_slot_run *run = &batch->slots[r];

		UNIT_EQ(run->reserved, 0);
		UNIT_EQ(run->offset % 8, 0);
		UNIT_ASSERT(run->offset + (run->count - 1) * run->stride + 8 <=
			    batch->size);
	}

	UNIT_EQ(deque->kind, RREF_TYPE_DEQUE);
	UNIT_EQ(deque->size, sizeof(struct everything_packet_deque16));
	UNIT_EQ(deque->slots[0].offset,
		offsetof(struct everything_packet_deque16, slot));
	UNIT_EQ(deque->slots[0].count, 16);
	UNIT_ASSERT(deque->slots[0].type_id == EVERYTHING_PACKET_TYPE_ID);
	UNIT_EQ(t[EVERYTHING_BLOB_ARRAY4_TYPE_INDEX].desc.kind,
		RREF_TYPE_ARRAY);
	UNIT_EQ(t[EVERYTHING_NODE_TYPE_INDEX].desc.slots[0].offset,
		offsetof(struct everything_node, next));
}
