#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Property test of idlc: random *valid* interfaces compile to C that builds.

Generates random well-formed .idl files (enums of every base type, structs
with explicit padding, nested structs and arrays, optional rrefs and
containers as fields, methods whose arguments and results fill up to the
four register words with every kind of parameter), runs idlc on each, and
checks that:
  - idlc accepts it (or rejects it only for a documented limit that the
    generator can hit: too many slot runs);
  - the generated .c compiles with the domain flags and with strict host
    flags; its BUILD_ASSERTs pin idlc's layout to the C compiler's;
  - a host program linked with it finds the registry and the descriptor
    self-consistent (slot runs inside objects and 8-aligned, distinct
    type ids, kinds only in used words, ordinals ascending).

Usage: random_idl.py IDLC COUNT [SEED]
Prints one "ok N - name" / "not ok N - name" line per file.
Compile flags: IDLC_DOMAIN_CFLAGS and IDLC_HOST_CFLAGS, as for
run_tests.sh (which calls this).
"""
import os
import random
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
INTS = {"u8": (1, 0, 255), "u16": (2, 0, 65535), "u32": (4, 0, 2**32 - 1),
        "u64": (8, 0, 2**64 - 1), "i8": (1, -128, 127),
        "i16": (2, -32768, 32767), "i32": (4, -2**31, 2**31 - 1),
        "i64": (8, -2**63, 2**63 - 1)}
SCALARS = dict(INTS, bool=(1, 0, 1))


class Gen:
    def __init__(self, rng, name):
        self.rng = rng
        self.name = name
        self.enums = []    # (name, base)
        self.structs = []  # (name, size, align, has_rref) once laid out
        self.nstructs = rng.randint(1, 6)

    def enum_decl(self, i):
        rng = self.rng
        base = rng.choice(list(INTS))
        _, lo, hi = INTS[base]
        vals = set()
        while len(vals) < rng.randint(1, 6):
            vals.add(rng.choice([lo, hi, 0, 1, rng.randint(lo, hi)]))
        name = "E%d" % i if rng.random() < 0.5 else "e%d" % i
        self.enums.append((name, base))
        items = ", ".join("C%d = %s" % (k, hex(v) if v > 9 and
                                        rng.random() < 0.3 else str(v))
                          for k, v in enumerate(sorted(vals)))
        return "enum %s : %s { %s }\n" % (name, base, items)

    def rref_type(self):
        rng = self.rng
        target = "s%d" % rng.randrange(self.nstructs)
        r = rng.random()
        if r < 0.6:
            return "rref<%s>" % target
        form = "rref_array" if r < 0.8 else "rref_deque"
        return "%s<%s, %d>" % (form, target, rng.randint(1, 8))

    def field_type(self, depth):
        """(spelling, size, align, has_rref) of a random field type."""
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            s = rng.choice(list(SCALARS))
            return s, SCALARS[s][0], SCALARS[s][0], False
        if r < 0.45 and self.enums:
            e, base = rng.choice(self.enums)
            return e, INTS[base][0], INTS[base][0], False
        if r < 0.6 and self.structs:
            n, size, align, rr = rng.choice(self.structs)
            return n, size, align, rr
        if r < 0.8 and depth < 2:
            t, size, align, rr = self.field_type(depth + 1)
            n = rng.randint(1, 4)
            return "[%s; %d]" % (t, n), size * n, align, rr
        return self.rref_type() + "?", 8, 8, True

    def struct_decl(self, i):
        rng = self.rng
        fields = []
        off = 0
        align = 1
        has_rref = False
        for k in range(rng.randint(1, 5)):
            t, size, a, rr = self.field_type(0)
            if off % a:
                fields.append("pad%d: [u8; %d];" % (k, a - off % a))
                off += a - off % a
            fields.append("f%d: %s;" % (k, t))
            off += size
            align = max(align, a)
            has_rref = has_rref or rr
        if off % align:
            fields.append("tail: [u8; %d];" % (align - off % align))
            off += align - off % align
        self.structs.append(("s%d" % i, off, align, has_rref))
        return "struct s%d { %s }\n" % (i, " ".join(fields))

    def param(self, words_left, result, plain_only):
        """(spelling, words) of a random parameter fitting words_left."""
        rng = self.rng
        for _ in range(20):
            r = rng.random()
            if r < 0.3:
                return rng.choice(list(SCALARS)), 1
            if r < 0.4 and self.enums:
                return rng.choice(self.enums)[0], 1
            if r < 0.6:
                plain = [s for s in self.structs if not s[3] and
                         (s[1] + 7) // 8 <= words_left]
                if plain:
                    s = rng.choice(plain)
                    return s[0], (s[1] + 7) // 8
                continue
            if plain_only:
                continue
            if r < 0.9:
                t = self.rref_type() + ("?" if rng.random() < 0.3 else "")
                if result:
                    return t, 1
                return rng.choice(["move ", "borrow "]) + t, 1
            return "iface " + rng.choice(["blk", "other", self.name]), 1
        return "u8", 1

    def params(self, prefix, result, plain_only):
        words = 0
        out = []
        for k in range(self.rng.randint(0, 4)):
            t, w = self.param(4 - words, result, plain_only)
            if words + w > 4:
                break
            words += w
            out.append("%s %s%d" % (t, prefix, k))
        return out

    def method(self, ordinal):
        rng = self.rng
        config = rng.random() < 0.15
        args = self.params("a", False, config)
        results = self.params("r", True, config)
        attrs = ["@%d" % ordinal]
        if rng.random() < 0.3 and not any(a.startswith("move ")
                                          for a in args):
            attrs.append("@idempotent")
        if config:
            attrs.append("@config")
        rng.shuffle(attrs)
        text = "\t%s\n\trpc m%d(%s)" % (" ".join(attrs), ordinal,
                                        ", ".join(args))
        if results or rng.random() < 0.5:
            text += " -> (%s)" % ", ".join(results)
        return text + ";\n"

    def source(self):
        rng = self.rng
        parts = [self.enum_decl(i) for i in range(rng.randint(0, 3))]
        parts += [self.struct_decl(i) for i in range(self.nstructs)]
        ordinals = rng.sample(range(1, 65536), rng.randint(0, 8))
        body = "".join(self.method(o) for o in ordinals)
        parts.append("interface %s @version(%d) {\n%s}\n" %
                     (self.name, rng.randint(1, 2**32 - 1), body))
        rng.shuffle(parts)
        return "// Random interface, generated.\n" + "".join(parts)


CHECKER = r"""
#include <stdio.h>
#include <string.h>
#include "NAME.h"

int rt_ipc_call(uint64_t cw, const uint64_t in[IPC_WORDS],
		uint64_t out[IPC_WORDS], int32_t *app)
{
	(void)cw; (void)in; (void)out; (void)app;
	return -EBADF;
}
void rt_rref_drop(const struct rref_type_info *type, void *obj)
{
	(void)type; (void)obj;
}
void rt_rref_drop_later(struct rt_rref_dropq *q,
			const struct rref_type_info *type, void *obj)
{
	(void)q; (void)type; (void)obj;
}
int rt_ipc_export(const struct ipc_iface_desc *desc,
		  const struct rref_type_info *types, uint32_t ntypes,
		  int32_t (*dispatch)(void *ctx, uint32_t ordinal,
				      const uint64_t in[IPC_WORDS],
				      uint64_t out[IPC_WORDS]),
		  void *ctx, const struct ipc_entry *entries)
{
	(void)desc; (void)types; (void)ntypes; (void)dispatch; (void)ctx;
	(void)entries;
	return -ENOSYS;
}

int main(void)
{
	int bad = 0;
	const struct ipc_iface_desc *d = &NAME_desc;

	for (uint32_t i = 0; i < NAMEU_NTYPES; i++) {
		const struct rref_type_desc *t = &NAME_types[i].desc;
		uint64_t total = 0;

		bad |= t->id == 0 || t->size == 0 || t->nslots > 16;
		bad |= (NAME_types[i].drop_nested == NULL) != (t->nslots == 0);
		for (uint32_t j = 0; j < i; j++) {
			bad |= NAME_types[j].desc.id == t->id;
		}
		for (uint32_t r = 0; r < t->nslots; r++) {
			const struct rref_slot_run *s = &t->slots[r];

			bad |= s->count == 0 || s->offset % 8 || s->reserved;
			bad |= s->count > 1 && (s->stride < 8 || s->stride % 8);
			bad |= (uint64_t)s->offset +
				       (uint64_t)(s->count - 1) * s->stride + 8 >
			       t->size;
			total += s->count;
			bad |= s->type_id == 0;
		}
		bad |= total > RREF_TYPE_MAX_TOTAL_SLOTS;
		if (bad) {
			printf("bad type %s\n", t->name);
			return 1;
		}
	}
	bad |= d->nmethods != NAMEU_NMETHODS || d->fingerprint == 0;
	for (uint32_t i = 0; i < d->nmethods; i++) {
		const struct ipc_method_desc *m = &d->methods[i];

		bad |= i && m->ordinal <= d->methods[i - 1].ordinal;
		bad |= m->nargs > 4 || m->nres > 4;
		bad |= (m->arg_kinds >> (3 * m->nargs)) != 0;
		bad |= (m->res_kinds >> (3 * m->nres)) != 0;
		for (unsigned int w = 0; w < 4; w++) {
			bad |= (m->arg_types[w] != 0) !=
			       (ipc_kind_at(m->arg_kinds, w) != 0);
			bad |= (m->res_types[w] != 0) !=
			       (ipc_kind_at(m->res_kinds, w) != 0);
		}
		if (bad) {
			printf("bad method %s\n", m->name);
			return 1;
		}
	}
	return 0;
}
"""


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def check_one(idlc, work, name, src, dom_flags, host_flags):
    """Returns None when fine, else the reason."""
    path = os.path.join(work, name + ".idl")
    with open(path, "w") as f:
        f.write(src)
    p = run([idlc, "-o", work, path])
    if p.returncode != 0:
        if "runs of nested rrefs" in p.stderr:
            return None  # a documented limit the generator may hit
        return "idlc rejected a valid file: " + p.stderr.strip()
    inc = ["-I" + ROOT, "-I" + os.path.join(ROOT, "lib"), "-I" + work]
    c = os.path.join(work, name + ".c")
    for flags in (dom_flags, host_flags):
        if not flags:
            continue
        p = run(["gcc"] + shlex.split(flags) + inc +
                ["-c", c, "-o", os.path.join(work, name + ".o")])
        if p.returncode != 0:
            return "does not compile: " + p.stderr[:800]
    checker = os.path.join(work, name + "_check.c")
    with open(checker, "w") as f:
        f.write(CHECKER.replace("NAMEU", name.upper()).replace("NAME", name))
    exe = os.path.join(work, name + "_check")
    p = run(["gcc", "-std=gnu11", "-O1", "-Wall", "-Werror",
             "-DCORDON_HOST=1"] + inc +
            [checker, c, "-o", exe])
    if p.returncode != 0:
        return "checker does not build: " + p.stderr[:800]
    p = run([exe])
    if p.returncode != 0:
        return "registry or descriptor inconsistent: " + p.stdout
    return None


def main():
    idlc = os.path.abspath(sys.argv[1])
    count = int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    dom = os.environ.get("IDLC_DOMAIN_CFLAGS", "")
    host = os.environ.get("IDLC_HOST_CFLAGS", "-std=gnu11 -O1 -Wall "
                          "-Wextra -Werror") + \
        " -Wunused-parameter -Wshadow -Wmissing-prototypes -Wconversion"
    failed = 0
    with tempfile.TemporaryDirectory() as work:
        for i in range(count):
            rng = random.Random(seed * 100003 + i)
            name = "rnd%d" % i
            src = Gen(rng, name).source()
            why = check_one(idlc, work, name, src, dom, host)
            if why:
                failed += 1
                keep = os.path.join(tempfile.gettempdir(), name + ".idl")
                with open(keep, "w") as f:
                    f.write(src)
                print("not ok %d - random_interface_%d_seed_%d # %s "
                      "(kept as %s)" % (i + 1, i, seed,
                                        why.splitlines()[0], keep))
                for line in why.splitlines()[1:12]:
                    print("# " + line)
            else:
                print("ok %d - random_interface_%d_seed_%d" % (i + 1, i,
                                                               seed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
