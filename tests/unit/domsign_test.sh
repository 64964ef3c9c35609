#!/bin/bash
# SPDX-License-Identifier: MIT
#
# End-to-end test of tools/domsign: keygen, sign, verify, info and
# pubkey-c on real files, cross-checked with the openssl command line and
# with a small C program that verifies through lib/crypto using the key
# initialiser printed by "domsign pubkey-c" (what the kernel embeds).
#
# Usage: tests/unit/domsign_test.sh [path/to/domsign]   (or: make domsign-test)
# Output: one "ok N - name" / "not ok N - name" line per check and a final
# "# domsign_test.sh: N ok, M not ok"; exit status 1 if any check failed.

set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOMSIGN=$(realpath "${1:-$ROOT/build/tools/domsign}")
CC=${HOSTCC:-gcc}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

n=0
nok=0
nfail=0

check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@" >>log 2>&1; then
		nok=$((nok + 1))
		echo "ok $n - $name"
	else
		nfail=$((nfail + 1))
		echo "not ok $n - $name"
		sed 's/^/# /' log | tail -n 5
	fi
	: >log
}

# Runs domsign expecting exit status $1 and, if given, stderr matching $2.
expect() {
	local want=$1 pattern=$2
	shift 2
	"$DOMSIGN" "$@" >out.txt 2>err.txt
	local got=$?
	if [ "$got" -ne "$want" ]; then
		echo "exit $got, wanted $want: domsign $*"
		cat err.txt
		return 1
	fi
	if [ -n "$pattern" ] && ! grep -q -- "$pattern" err.txt; then
		echo "stderr lacks '$pattern':"
		cat err.txt
		return 1
	fi
}

flip_byte() {		# flip_byte FILE OFFSET
	python3 - "$1" "$2" <<'EOF'
import sys
path, off = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, "rb").read())
data[off] ^= 0x01
open(path, "wb").write(data)
EOF
}

mode_of() {
	stat -c %a "$1"
}

echo "KTAP version 1"

if [ ! -x "$DOMSIGN" ]; then
	echo "not ok 1 - domsign binary exists ($DOMSIGN)"
	echo "# domsign_test.sh: 0 ok, 1 not ok"
	exit 1
fi

# An "image": any ELF file will do; the signer does not parse it further.
head -c 5000 /dev/urandom >body
printf '\177ELF' | cat - body >in.elf
printf 'not an elf' >notelf

check "keygen writes a key pair" expect 0 "" keygen k.pem k.pub.pem
check "private key is mode 0600" test "$(mode_of k.pem)" = 600
check "public key is a PEM public key" grep -q "BEGIN PUBLIC KEY" k.pub.pem
cp k.pem k.pem.orig
check "keygen refuses to overwrite" \
	expect 1 "domsign: k.pem: already exists" keygen k.pem k2.pub.pem
check "refused keygen leaves the key alone" cmp -s k.pem k.pem.orig
check "refused keygen writes no public key" test ! -e k2.pub.pem
check "keygen of a second key" expect 0 "" keygen o.pem o.pub.pem

check "sign" expect 0 "" sign k.pem in.elf out.elf
check "signed file is image plus 96 bytes" \
	test "$(stat -c %s out.elf)" -eq $(($(stat -c %s in.elf) + 96))
check "signed file starts with the image" \
	cmp -s in.elf <(head -c "$(stat -c %s in.elf)" out.elf)
check "verify accepts" expect 0 "" verify k.pub.pem out.elf
check "verify reports success on stdout" grep -q "good signature" out.txt
check "info shows the trailer" expect 0 "" info out.elf
check "info names the algorithm" grep -q "Ed25519" out.txt
check "signing again is refused" \
	expect 1 "already has a signature trailer" sign k.pem out.elf out2.elf
check "non-ELF input is refused" expect 1 "not an ELF file" \
	sign k.pem notelf notelf.signed
: >empty.elf
check "empty input is refused" expect 1 "not an ELF file" \
	sign k.pem empty.elf empty.signed
check "device input is refused" expect 1 "not a regular file" \
	sign k.pem /dev/null null.signed
check "public key cannot sign" expect 1 "domsign: k.pub.pem:" \
	sign k.pub.pem in.elf x.elf
check "private key file is not a public key" expect 1 "domsign: k.pem:" \
	verify k.pem out.elf

# Independent check of the signature with the openssl command line.
head -c "$(stat -c %s in.elf)" out.elf >msg.bin
tail -c 64 out.elf >sig.bin
check "openssl accepts the signature" openssl pkeyutl -verify -pubin \
	-inkey k.pub.pem -rawin -in msg.bin -sigfile sig.bin

check "unsigned image is reported" expect 1 "not signed" \
	verify k.pub.pem in.elf
check "info on unsigned image fails" expect 1 "not signed" info in.elf
check "other key is reported" expect 1 "signed by key id" \
	verify o.pub.pem out.elf
for off in 0 2500 5003 5004 5040 5099; do
	cp out.elf t.elf
	flip_byte t.elf "$off"
	check "flipped byte at $off is rejected" expect 1 "domsign: t.elf:" \
		verify k.pub.pem t.elf
done
cp out.elf t.elf
flip_byte t.elf 2500
check "flipped image byte is a BAD signature" expect 1 "BAD signature" \
	verify k.pub.pem t.elf
head -c -1 out.elf >t.elf
check "truncated end is rejected" expect 1 "not signed" verify k.pub.pem t.elf
tail -c +2 out.elf >t.elf
check "truncated start is rejected" expect 1 "truncated or extended" \
	verify k.pub.pem t.elf
check "info explains a broken trailer" expect 1 "truncated or extended" \
	info t.elf
cp out.elf t.elf
echo x >>t.elf
check "extended file is rejected" expect 1 "" verify k.pub.pem t.elf

cp in.elf inplace.elf
check "signing in place" expect 0 "" sign k.pem inplace.elf inplace.elf
check "in-place result verifies" expect 0 "" verify k.pub.pem inplace.elf
chmod 751 in.elf
check "sign keeps the input's mode" expect 0 "" sign k.pem in.elf m.elf
check "output mode matches" test "$(mode_of m.elf)" = 751
check "no temporary files are left" \
	test -z "$(ls | grep -E '\.(elf|pem|signed)\.[A-Za-z0-9]{6}$')"
check "missing input is reported" expect 1 "domsign: nope.elf: cannot open" \
	sign k.pem nope.elf x.elf
check "missing key is reported" expect 1 "domsign: nope.pem: cannot open" \
	verify nope.pem out.elf
check "bad usage exits 2" expect 2 "usage" frobnicate
check "pubkey-c rejects a hostile name" expect 1 "key name" \
	pubkey-c k.pub.pem 'x"; evil(); "'

# The kernel's path: the pubkey-c initialiser in a key table, then
# sig_verify_image() from lib/crypto.
check "pubkey-c prints an initialiser" expect 0 "" pubkey-c k.pub.pem dev
cp out.txt key.inc
cat >kv.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include "crypto/sigtrailer.h"

static const struct sig_key keys[] = {
#include "key.inc"
};

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 20];
	FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
	size_t n;
	size_t len = 0;
	int err;

	if (!f) {
		return 2;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	err = sig_verify_image(buf, n, keys, 1, &len);

	printf("%s %d %zu\n", keys[0].name, err, len);
	return err != 0;
}
EOF
check "pubkey-c output compiles with lib/crypto" \
	"$CC" -std=gnu11 -Wall -Wextra -Werror -I"$ROOT" -I"$ROOT/lib" -I. \
	-o kv kv.c "$ROOT/lib/crypto/sigtrailer.c" \
	"$ROOT/lib/crypto/ed25519.c" "$ROOT/lib/crypto/sha512.c"
check "lib/crypto accepts the signed image" ./kv out.elf
cp out.elf t.elf
flip_byte t.elf 1234
check "lib/crypto rejects the tampered image" \
	bash -c 'test -x kv && ./kv t.elf; test $? -eq 1'

echo "1..$n"
echo "# domsign_test.sh: $nok ok, $nfail not ok"
[ "$nfail" -eq 0 ]
