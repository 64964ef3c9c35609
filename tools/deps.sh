#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Check that the host tools Cordon's build and tests need are present. As
# root on Debian/Ubuntu, install what is missing with apt-get; otherwise
# stop and print the exact command to run. Called by the Makefile once per
# build tree (build/.deps-ok) and by .ci/run.
#
# `deps.sh --linux-peer` checks instead only what make bench's Linux peer
# needs (tools/linuxpeer/): Debian's kernel image in /boot and glibc's
# static libc.a. Neither make test nor .ci/run asks for them.
set -euo pipefail

# install_or_say WHAT PACKAGE...: installs the Debian packages, when
# root; otherwise names the missing WHAT, prints the command and fails.
install_or_say() {
	local what=$1
	shift
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "deps: installing $*"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null
		# On an older list the first try can miss; refresh once more if so.
		if ! apt-get install -y -qq --no-install-recommends "$@" >/dev/null; then
			apt-get update >/dev/null
			apt-get install -y -qq --no-install-recommends "$@"
		fi
		return 0
	fi
	echo "deps: missing $what: $*" >&2
	echo "deps: install them with:" >&2
	echo "    sudo apt-get install $*" >&2
	return 1
}

if [ "${1:-}" = --linux-peer ]; then
	missing=()
	compgen -G '/boot/vmlinuz-*' >/dev/null || missing+=(linux-image-amd64)
	[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)
	[ ${#missing[@]} -eq 0 ] && exit 0
	install_or_say "packages for the Linux peer" "${missing[@]}"
	exit
fi

# command -> Debian package
declare -A need=(
	[gcc]=gcc
	[make]=make
	[nasm]=nasm
	[ld]=binutils
	[python3]=python3
	[grub-mkrescue]=grub-common
	[xorriso]=xorriso
	[mformat]=mtools
	[qemu-system-x86_64]=qemu-system-x86
	[clang]=clang
	[clang-format]=clang-format
	[gnuplot]=gnuplot-nox
)
# Files rather than commands.
declare -A need_files=(
	[/usr/lib/grub/i386-pc/moddep.lst]=grub-pc-bin
	[/usr/include/openssl/evp.h]=libssl-dev
	[/usr/share/seabios/bios-256k.bin]=seabios
)

missing=()
for cmd in "${!need[@]}"; do
	command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
for f in "${!need_files[@]}"; do
	[ -e "$f" ] || missing+=("${need_files[$f]}")
done
# libFuzzer and the sanitizer runtimes come with clang's runtime package.
if command -v clang >/dev/null 2>&1; then
	rt=$(clang -print-resource-dir 2>/dev/null)/lib/linux
	ls "$rt"/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
		missing+=("libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev")
fi

[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

install_or_say tools "${missing[@]}"
