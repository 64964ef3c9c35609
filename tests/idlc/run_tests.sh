#!/bin/bash
# SPDX-License-Identifier: MIT
#
# File-level tests of idlc (idl/README.md):
#   golden   tests/idlc/golden/NAME.idl must compile to exactly
#            NAME.h.golden and NAME.c.golden (byte for byte);
#   errors   each tests/idlc/errors/NAME.idl must fail with exit status 1,
#            print exactly the line after "// expect: " on its first line,
#            and write no output file;
#   compile  the code generated for every idl/*.idl and golden input
#            compiles with the domain flags and the host flags (gcc, and
#            clang when present), -Wall -Wextra -Werror and more, each
#            header on its own and all headers together;
#   random   20 random valid interfaces (random_idl.py) compile and have
#            consistent registries and descriptors;
#   canon    the canonical form is valid IDL with the same fingerprint;
#   cli      usage and I/O errors, atomic outputs.
#
# Usage: run_tests.sh IDLC                 run the tests
#        run_tests.sh --update IDLC        rewrite the golden outputs
# The compile flags come from IDLC_DOMAIN_CFLAGS and IDLC_HOST_CFLAGS
# (set by the wrapper tests/idlc/build.mk makes). Output: "ok N - name" /
# "not ok N - name" per check and "# run_tests.sh: N ok, M not ok"; exit
# status 1 if any check failed.

set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
UPDATE=0
if [ "${1:-}" = "--update" ]; then
	UPDATE=1
	shift
fi
IDLC=$(realpath "${1:-$ROOT/build/tools/idlc}")
CC=${HOSTCC:-gcc}
DOMAIN_CFLAGS=${IDLC_DOMAIN_CFLAGS:-}
HOST_CFLAGS=${IDLC_HOST_CFLAGS:--std=gnu11 -O1 -Wall -Wextra -Werror}
# Stricter than the tree's own flags: generated code must not need
# -Wno-unused-parameter or tolerate shadowing and missing prototypes.
STRICT="-Wunused-parameter -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wcast-qual -Wconversion -Wundef"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

GOLDEN=$ROOT/tests/idlc/golden
ERRORS=$ROOT/tests/idlc/errors

if [ $UPDATE -eq 1 ]; then
	for f in "$GOLDEN"/*.idl; do
		n=$(basename "$f" .idl)
		(cd "$GOLDEN" && "$IDLC" -o "$WORK" "$n.idl") || exit 1
		cp "$WORK/$n.h" "$GOLDEN/$n.h.golden"
		cp "$WORK/$n.c" "$GOLDEN/$n.c.golden"
		echo "  GOLDEN  tests/idlc/golden/$n.{h,c}.golden"
	done
	exit 0
fi

n=0
nok=0
nfail=0

# check NAME COMMAND...: one test line; the command's output is shown on
# failure.
check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@" >"$WORK/log" 2>&1; then
		nok=$((nok + 1))
		echo "ok $n - $name"
	else
		nfail=$((nfail + 1))
		echo "not ok $n - $name"
		sed 's/^/# /' "$WORK/log" | head -n 20
	fi
}

# --- golden ------------------------------------------------------------------
golden() {
	local name=$1 out=$WORK/golden_$1
	mkdir -p "$out"
	(cd "$GOLDEN" && "$IDLC" -o "$out" "$name.idl") || return 1
	diff -u "$GOLDEN/$name.h.golden" "$out/$name.h" || return 1
	diff -u "$GOLDEN/$name.c.golden" "$out/$name.c" || return 1
}
for f in "$GOLDEN"/*.idl; do
	name=$(basename "$f" .idl)
	check "golden_$name" golden "$name"
done

# --- errors ------------------------------------------------------------------
error_case() {
	local name=$1 out=$WORK/err_$1 want got status
	want=$(head -n 1 "$ERRORS/$name.idl" | sed -n 's|^// expect: ||p')
	if [ -z "$want" ]; then
		echo "$name.idl: no '// expect: ' line"
		return 1
	fi
	mkdir -p "$out"
	got=$(cd "$ERRORS" && "$IDLC" -o "$out" "$name.idl" 2>&1 >/dev/null)
	status=$?
	if [ $status -ne 1 ]; then
		echo "exit status $status, wanted 1"
		return 1
	fi
	if [ "$got" != "$want" ]; then
		echo "got:  $got"
		echo "want: $want"
		return 1
	fi
	if [ -n "$(ls -A "$out")" ]; then
		echo "wrote output despite the error: $(ls -A "$out")"
		return 1
	fi
}
for f in "$ERRORS"/*.idl; do
	name=$(basename "$f" .idl)
	check "error_$name" error_case "$name"
done

# --- compile -----------------------------------------------------------------
GEN=$WORK/gen
mkdir -p "$GEN"
INPUTS=$(ls "$ROOT"/idl/*.idl "$GOLDEN"/*.idl)
generate_all() {
	local f
	for f in $INPUTS; do
		"$IDLC" -o "$GEN" "$f" || return 1
	done
}
check "generate_every_input" generate_all

compile_one() {
	local name=$1 flags=$2 cc=$3
	# shellcheck disable=SC2086
	$cc $flags $STRICT -I"$ROOT" -I"$ROOT/lib" -c "$GEN/$name.c" \
		-o "$WORK/$name.o" || return 1
	printf '#include "%s.h"\n' "$name" >"$WORK/alone_$name.c"
	# shellcheck disable=SC2086
	$cc $flags $STRICT -I"$ROOT" -I"$ROOT/lib" -I"$GEN" -fsyntax-only \
		"$WORK/alone_$name.c" || return 1
}
for f in $INPUTS; do
	name=$(basename "$f" .idl)
	if [ -n "$DOMAIN_CFLAGS" ]; then
		check "compile_domain_$name" compile_one "$name" "$DOMAIN_CFLAGS" "$CC"
	fi
	check "compile_host_$name" compile_one "$name" "$HOST_CFLAGS" "$CC"
	if command -v clang >/dev/null; then
		check "compile_clang_$name" compile_one "$name" \
			"-std=gnu11 -O2 -Wall -Wextra -Werror" clang
	fi
done

# Every generated header in one translation unit: no clashes, and the
# client structs shared through `iface name` are defined once.
together() {
	local f
	: >"$WORK/together.c"
	for f in $INPUTS; do
		printf '#include "%s.h"\n' "$(basename "$f" .idl)" \
			>>"$WORK/together.c"
	done
	# shellcheck disable=SC2086
	$CC $HOST_CFLAGS $STRICT -I"$ROOT" -I"$ROOT/lib" -I"$GEN" \
		-fsyntax-only "$WORK/together.c"
}
check "compile_all_headers_together" together

# Random valid interfaces (tests/idlc/random_idl.py): whatever idlc
# accepts must compile, layouts pinned by the generated BUILD_ASSERTs.
random_valid() {
	IDLC_HOST_CFLAGS="$HOST_CFLAGS" IDLC_DOMAIN_CFLAGS="$DOMAIN_CFLAGS" \
		python3 "$ROOT/tests/idlc/random_idl.py" "$IDLC" 20 1 \
		>"$WORK/random.log" 2>&1
	local status=$?
	grep -v '^ok ' "$WORK/random.log"
	return $status
}
check "random_valid_interfaces_compile" random_valid

# --- canonical form ------------------------------------------------------------
canon_round_trip() {
	local f=$1 name dir
	name=$(basename "$f" .idl)
	dir=$WORK/canon_$name
	mkdir -p "$dir"
	"$IDLC" --canonical "$f" >"$dir/$name.idl" || return 1
	"$IDLC" --canonical "$dir/$name.idl" >"$dir/again" || return 1
	cmp "$dir/$name.idl" "$dir/again" || return 1
	[ "$("$IDLC" --fingerprint "$f")" = \
		"$("$IDLC" --fingerprint "$dir/$name.idl")" ] || return 1
	grep -q "$("$IDLC" --fingerprint "$f")ull" "$GEN/$name.h"
}
for f in $INPUTS; do
	check "canonical_round_trip_$(basename "$f" .idl)" canon_round_trip "$f"
done

# --- command line ------------------------------------------------------------------
cli_usage() {
	"$IDLC" >/dev/null 2>&1
	[ $? -eq 2 ] || return 1
	"$IDLC" --bogus "$ROOT/idl/echo.idl" >/dev/null 2>&1
	[ $? -eq 2 ] || return 1
	"$IDLC" a.idl b.idl >/dev/null 2>&1
	[ $? -eq 2 ]
}
check "cli_usage_errors_exit_2" cli_usage

cli_missing() {
	local msg
	msg=$("$IDLC" "$WORK/nope.idl" 2>&1)
	[ $? -eq 1 ] || return 1
	[[ "$msg" == "idlc: $WORK/nope.idl: No such file or directory" ]]
}
check "cli_missing_file_exits_1" cli_missing

cli_bad_outdir() {
	"$IDLC" -o "$WORK/no/such/dir" "$ROOT/idl/echo.idl" 2>/dev/null
	[ $? -eq 1 ]
}
check "cli_unwritable_output_exits_1" cli_bad_outdir

cli_outputs() {
	local out=$WORK/cli_out
	mkdir -p "$out"
	"$IDLC" -o "$out" "$ROOT/idl/echo.idl" || return 1
	[ "$(ls -A "$out" | tr '\n' ' ')" = "echo.c echo.h " ] || return 1
	"$IDLC" --check "$ROOT/idl/echo.idl" || return 1
	[ -z "$("$IDLC" --check "$ROOT/idl/echo.idl" 2>&1)" ]
}
check "cli_writes_exactly_two_files" cli_outputs

cli_error_keeps_old_output() {
	local out=$WORK/cli_keep
	mkdir -p "$out/x"
	cp "$GOLDEN/minimal.idl" "$out/x/minimal.idl"
	"$IDLC" -o "$out" "$out/x/minimal.idl" || return 1
	cp "$out/minimal.h" "$out/before.h"
	echo "garbage" >>"$out/x/minimal.idl"
	"$IDLC" -o "$out" "$out/x/minimal.idl" 2>/dev/null && return 1
	cmp "$out/minimal.h" "$out/before.h"
}
check "cli_error_leaves_previous_output" cli_error_keeps_old_output

echo "# run_tests.sh: $nok ok, $nfail not ok"
[ $nfail -eq 0 ]
