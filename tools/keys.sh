#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Signing-key chores for the domain build (domains/domain.mk):
#   keys.sh devkey DOMSIGN PRIVATE.pem PUBLIC.pem
#       Make the development key pair unless it exists; if only the
#       private key is left, derive the public key from it again.
#   keys.sh pubkey PRIVATE.pem PUBLIC.pem
#       Derive the public key of a user-supplied Ed25519 private key
#       (DOMAIN_KEY=...) with the openssl command line tool.
#   keys.sh name PRIVATE.pem
#       Print the key's name for the kernel's key table: the file name up
#       to its last dot, limited to [A-Za-z0-9_.-] and 64 characters.
set -euo pipefail

die() {
	echo "keys.sh: $*" >&2
	exit 1
}

derive_pub() {		# derive_pub PRIVATE PUBLIC
	command -v openssl >/dev/null 2>&1 ||
		die "$1: deriving its public key needs the openssl command" \
			"(Debian package openssl)"
	mkdir -p "$(dirname "$2")"
	if ! openssl pkey -in "$1" -pubout -out "$2.tmp" 2>"$2.err"; then
		cat "$2.err" >&2
		rm -f "$2.tmp" "$2.err"
		die "$1: not a readable PEM private key"
	fi
	rm -f "$2.err"
	grep -q 'BEGIN PUBLIC KEY' "$2.tmp" || {
		rm -f "$2.tmp"
		die "$1: openssl produced no public key"
	}
	mv "$2.tmp" "$2"
}

case "${1:-}" in
devkey)
	[ $# -eq 4 ] || die "usage: keys.sh devkey DOMSIGN PRIVATE PUBLIC"
	domsign=$2 priv=$3 pub=$4
	mkdir -p "$(dirname "$priv")" "$(dirname "$pub")"
	if [ -e "$priv" ] && [ -e "$pub" ]; then
		exit 0
	fi
	if [ -e "$priv" ]; then
		derive_pub "$priv" "$pub"
		exit 0
	fi
	# A public key without its private half is useless: start over.
	rm -f "$pub"
	"$domsign" keygen "$priv" "$pub"
	;;
pubkey)
	[ $# -eq 3 ] || die "usage: keys.sh pubkey PRIVATE PUBLIC"
	[ -r "$2" ] || die "$2: cannot read the signing key (DOMAIN_KEY)"
	derive_pub "$2" "$3"
	;;
name)
	[ $# -eq 2 ] || die "usage: keys.sh name PRIVATE"
	base=$(basename -- "$2")
	base=${base%.*}
	base=$(printf '%s' "$base" | tr -c 'A-Za-z0-9_.-' '_' | cut -c1-64)
	printf '%s\n' "${base:-domain_key}"
	;;
*)
	die "usage: keys.sh devkey|pubkey|name ..."
	;;
esac
