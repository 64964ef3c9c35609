# SPDX-License-Identifier: MIT
#
## Cordon make targets (README.md has the details):
##   make / make all   build build/cordon.iso (kernel, symbols, disassembly)
##   make run          build, then boot in QEMU on this terminal (Ctrl-A X quits)
##   make test         host unit tests, in-kernel self-tests, boot scenarios
##   make unit         host unit tests only
##   make selftest     in-kernel self-tests only (one QEMU boot)
##   make gdb          boot with QEMU waiting for gdb (alias: make debug)
##   make check        clang-format check and every header compiled alone
##   make format       reformat the tree with clang-format
##   make kernel       build/kernel.elf only
##   make clean        remove build/
## Variables: CMDLINE="..." CPUS=2 MEM=512M QEMU=... KVM=0|1 CROSS=x86_64-elf-
#
# Cordon's one, non-recursive build. Each folder adds what it builds in its
# own build.mk (kernel sources, host tools, unit tests, domains); this file
# holds the rules. `make help` lists the targets.

.DEFAULT_GOAL := all
SHELL := /bin/bash

B := build

# --- Toolchain ---------------------------------------------------------------
# Host gcc with freestanding flags by default; CROSS=x86_64-elf- selects a
# prefixed cross toolchain.
CROSS ?=
CC := $(CROSS)gcc
LD := $(CROSS)ld
OBJCOPY := $(CROSS)objcopy
OBJDUMP := $(CROSS)objdump
NM := $(CROSS)nm
NASM ?= nasm
HOSTCC ?= gcc
PYTHON ?= python3

VERSION := $(shell git describe --always --dirty --tags 2>/dev/null || echo unknown)

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
KCFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-common \
	-fno-omit-frame-pointer -fno-stack-protector -fno-pic -fno-pie \
	-mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx -mcmodel=kernel \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-I. -Ilib -Ikernel -I$(B) -MD
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments
NASMFLAGS := -f elf64 -g -F dwarf -Ikernel/arch/x86_64/ -I$(B)/gen/

# Host programs: tools and unit tests.
HOSTCFLAGS := -std=gnu11 -O1 -g $(WARN) -I. -Ilib -iquote kernel -Itests/unit -MD \
	-DCORDON_HOST=1
UNIT_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined

# --- What each folder contributes ---------------------------------------------
KERNEL_SRCS :=
KERNEL_ASMS :=
HOST_TOOLS :=
UNIT_TESTS :=
CHECK_DIRS := kernel lib tools tests domains

include $(sort $(wildcard */build.mk */*/build.mk */*/*/build.mk))

# --- Dependencies ------------------------------------------------------------
# Missing tools are installed when root on Debian/Ubuntu, otherwise the
# exact command is printed (tools/deps.sh).
$(B)/.deps-ok: tools/deps.sh
	@bash tools/deps.sh
	@mkdir -p $(B) && touch $@

# --- Host tools ----------------------------------------------------------------
define host_tool_rule
$(B)/tools/$(1): $(HOST_SRCS_$(1)) | $(B)/.deps-ok
	@mkdir -p $$(dir $$@)
	@echo "  HOSTCC  $$@"
	@$(HOSTCC) $(HOSTCFLAGS) $(HOST_CFLAGS_$(1)) -o $$@ $(HOST_SRCS_$(1)) $(HOST_LIBS_$(1))
endef
$(foreach t,$(HOST_TOOLS),$(eval $(call host_tool_rule,$(t))))

# --- Unit tests ----------------------------------------------------------------
define unit_rule
$(B)/unit/test_$(1): $(UNIT_SRCS_$(1)) tests/unit/unit.c tests/unit/unit.h | $(B)/.deps-ok
	@mkdir -p $$(dir $$@)
	@echo "  HOSTCC  $$@"
	@$(HOSTCC) $(HOSTCFLAGS) $(UNIT_SAN) $(UNIT_CFLAGS_$(1)) -o $$@ tests/unit/unit.c $(UNIT_SRCS_$(1)) $(UNIT_LIBS_$(1))
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))
UNIT_BINS := $(addprefix $(B)/unit/test_,$(UNIT_TESTS))

.PHONY: unit-build
unit-build: $(UNIT_BINS)


# --- Kernel --------------------------------------------------------------------
KOBJS := $(patsubst %.c,$(B)/kobj/%.o,$(KERNEL_SRCS)) \
	$(patsubst %.asm,$(B)/kobj/%.o,$(KERNEL_ASMS)) $(B)/kobj/version.o

# The version string (git describe) is rewritten only when it changes.
$(B)/version.c: FORCE
	@mkdir -p $(B)
	@echo 'const char cordon_version[] = "$(VERSION)";' | cmp -s - $@ || \
		echo 'const char cordon_version[] = "$(VERSION)";' > $@

$(B)/kobj/version.o: $(B)/version.c
	@mkdir -p $(dir $@)
	@$(CC) $(KCFLAGS) -c $< -o $@

$(B)/kobj/%.o: %.c | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

$(B)/kobj/%.o: %.asm | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -MT $@ $< -o $@

# Two links: the second embeds the first's symbol table (tools/mksyms.py)
# in .ksyms, the image's last section, so no other address moves; the
# check below proves it.
$(B)/kobj/ksyms_empty.S: tools/mksyms.py
	@mkdir -p $(dir $@)
	@$(PYTHON) tools/mksyms.py --empty $@

$(B)/kobj/%.o: $(B)/kobj/%.S
	@$(CC) -c $< -o $@

$(B)/kernel.pass1.elf: $(KOBJS) $(B)/kobj/ksyms_empty.o linker.ld
	@echo "  LD      $@"
	@$(LD) $(KLDFLAGS) -T linker.ld -o $@ $(KOBJS) $(B)/kobj/ksyms_empty.o

$(B)/kobj/ksyms.S: $(B)/kernel.pass1.elf tools/mksyms.py
	@$(NM) -n -S --defined-only $< > $(B)/kernel.pass1.nm
	@$(PYTHON) tools/mksyms.py $(B)/kernel.pass1.nm $@

$(B)/kernel.elf: $(KOBJS) $(B)/kobj/ksyms.o linker.ld
	@echo "  LD      $@"
	@$(LD) $(KLDFLAGS) -T linker.ld -o $@ $(KOBJS) $(B)/kobj/ksyms.o
	@$(NM) -n --defined-only $(B)/kernel.pass1.elf | grep -v -e ksyms -e __kernel_end > $(B)/kernel.pass1.cmp
	@$(NM) -n --defined-only $@ | grep -v -e ksyms -e __kernel_end > $(B)/kernel.pass2.cmp
	@cmp -s $(B)/kernel.pass1.cmp $(B)/kernel.pass2.cmp || \
		{ echo "error: symbols moved between link passes" >&2; rm -f $@; exit 1; }
	@$(OBJDUMP) -d -M intel -S $@ > $(B)/kernel.asm 2>/dev/null
	@$(NM) -n -S --defined-only $@ > $(B)/kernel.sym
	@echo "  SYMS    $(B)/kernel.sym, $(B)/kernel.asm"

.PHONY: kernel
kernel: $(B)/kernel.elf

# --- ISO -------------------------------------------------------------------------
# CMDLINE is baked into the ISO's grub.cfg; changing it rebuilds the ISO.
CMDLINE ?=
ISO_MODULES ?=
$(B)/.cmdline: FORCE
	@mkdir -p $(B)
	@echo '$(CMDLINE)|$(ISO_MODULES)' | cmp -s - $@ || echo '$(CMDLINE)|$(ISO_MODULES)' > $@

$(B)/cordon.iso: $(B)/kernel.elf tools/mkiso.sh $(B)/.cmdline $(ISO_MODULES)
	@echo "  ISO     $@"
	@bash tools/mkiso.sh $@ $(B)/kernel.elf "$(CMDLINE)" $(ISO_MODULES)

.PHONY: all iso FORCE
all: $(B)/cordon.iso
iso: $(B)/cordon.iso
FORCE:

# --- Running -----------------------------------------------------------------------
QEMU ?= qemu-system-x86_64
CPUS ?= 2
MEM ?= 512M
GDBPORT ?= $(shell echo $$((20000 + $$(id -u) % 10000)))
# TCG unless a real kvm_intel/kvm_amd module is loaded or KVM=1 is given:
# the /dev/kvm of some build hosts is a paravirtual emulator (kvm_pvm)
# that mis-executes ring transitions.
KVM ?= $(shell grep -qsE '^kvm_(intel|amd) ' /proc/modules && [ -w /dev/kvm ] && echo 1 || echo 0)
ifeq ($(KVM),1)
QEMU_ACCEL := -accel kvm -cpu host
else
QEMU_ACCEL := -accel tcg -cpu max
endif
QEMUOPTS = -machine q35 $(QEMU_ACCEL) -smp $(CPUS) -m $(MEM) -no-reboot
QEMUOPTS += -display none -boot d -cdrom $(B)/cordon.iso
QEMUOPTS += -device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMUOPTS += -serial mon:stdio -serial file:$(B)/klog.txt
QEMUOPTS += $(QEMUEXTRA)

.PHONY: run qemu gdb debug
run qemu: $(B)/cordon.iso
	@echo "Booting Cordon in QEMU ($(if $(filter 1,$(KVM)),KVM,TCG), $(CPUS) CPUs, $(MEM)). Quit: Ctrl-A then X."
	@$(QEMU) $(QEMUOPTS); s=$$?; \
		if [ $$s -eq 0 ] || [ $$s -eq 33 ]; then exit 0; fi; \
		echo "QEMU exited with status $$s"; exit $$s

.gdbinit: tools/gdbinit.in FORCE
	@sed -e 's/@GDBPORT@/$(GDBPORT)/' -e 's|@KERNEL@|$(B)/kernel.elf|' $< > $@

gdb debug: $(B)/cordon.iso .gdbinit
	@echo "QEMU is waiting for a debugger on localhost:$(GDBPORT)."
	@echo "In another terminal, in this directory: gdb   (the generated .gdbinit attaches and loads $(B)/kernel.elf)"
	@$(QEMU) $(QEMUOPTS) -S -gdb tcp::$(GDBPORT)

# --- Tests -------------------------------------------------------------------------
.PHONY: test unit selftest
test: $(B)/kernel.elf $(UNIT_BINS) $(TEST_DEPS)
	@$(PYTHON) tests/runner/run_tests.py --build $(B) --qemu "$(QEMU)" --cpus $(CPUS) --mem $(MEM)

unit: $(UNIT_BINS) $(TEST_DEPS)
	@$(PYTHON) tests/runner/run_tests.py --build $(B) --only unit

selftest: $(B)/kernel.elf
	@$(PYTHON) tests/runner/run_tests.py --build $(B) --only self --qemu "$(QEMU)" --cpus $(CPUS) --mem $(MEM)

# --- Checks ------------------------------------------------------------------------
FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
HDRS = $(shell git ls-files 'kernel/*.h' 'lib/*.h' 'tests/self/*.h' 2>/dev/null)
HOST_HDRS = $(shell git ls-files 'tests/unit/*.h' 'tools/*.h' 2>/dev/null)

.PHONY: check format hdrcheck
check: format-check hdrcheck

format-check: | $(B)/.deps-ok
	@echo "  FORMAT  (clang-format --dry-run)"
	@clang-format --dry-run --Werror $(FORMAT_FILES)

format: | $(B)/.deps-ok
	@clang-format -i $(FORMAT_FILES)

# Every header must compile on its own.
hdrcheck: | $(B)/.deps-ok
	@mkdir -p $(B)/hdrcheck
	@fail=0; for h in $(HDRS); do \
		printf '#include "%s"\n' "$$h" > $(B)/hdrcheck/t.c; \
		if ! $(CC) $(filter-out -MD,$(KCFLAGS)) -fsyntax-only $(B)/hdrcheck/t.c 2> $(B)/hdrcheck/err; then \
			echo "hdrcheck: $$h does not compile on its own:"; head -5 $(B)/hdrcheck/err; fail=1; fi; \
	done; \
	for h in $(HOST_HDRS); do \
		printf '#include "%s"\n' "$$h" > $(B)/hdrcheck/t.c; \
		if ! $(HOSTCC) $(filter-out -MD,$(HOSTCFLAGS)) -fsyntax-only $(B)/hdrcheck/t.c 2> $(B)/hdrcheck/err; then \
			echo "hdrcheck: $$h does not compile on its own (host):"; head -5 $(B)/hdrcheck/err; fail=1; fi; \
	done; [ $$fail -eq 0 ] && echo "  HDRCHECK $(words $(HDRS) $(HOST_HDRS)) headers ok"

# --- Housekeeping ------------------------------------------------------------------
.PHONY: clean help
clean:
	rm -rf $(B) .gdbinit

help:
	@sed -n 's/^## //p' Makefile

-include $(shell find $(B) -name '*.d' 2>/dev/null)
