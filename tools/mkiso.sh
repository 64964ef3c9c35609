#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# mkiso.sh OUT.iso KERNEL.elf "CMDLINE" [MODULE...]
# Build a GRUB (multiboot2) ISO that boots KERNEL with CMDLINE and loads
# each MODULE (signed domain images) as a multiboot2 module. BIOS always;
# UEFI too when GRUB's x86_64-efi files are installed.
set -euo pipefail

out=$1 kernel=$2 cmdline=$3
shift 3
stage=$(mktemp -d "${out%.iso}.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/boot/grub" "$stage/boot/domains"
cp "$kernel" "$stage/boot/kernel.elf"
{
	echo "set timeout=0"
	echo "set default=0"
	echo "menuentry \"Cordon\" {"
	echo "	multiboot2 /boot/kernel.elf $cmdline"
	for m in "$@"; do
		name=$(basename "$m")
		cp "$m" "$stage/boot/domains/$name"
		echo "	module2 /boot/domains/$name $name"
	done
	echo "	boot"
	echo "}"
} > "$stage/boot/grub/grub.cfg"

log=$(mktemp)
if ! grub-mkrescue -o "$out.tmp" "$stage" >"$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log" "$out.tmp"
	echo "mkiso: grub-mkrescue failed" >&2
	exit 1
fi
rm -f "$log"
mv "$out.tmp" "$out"
