# SPDX-License-Identifier: MIT
# The domain build pipeline: compile -> link -> strip debug -> sign ->
# check, the signing keys, and the list of boot modules. How to add a
# domain is described in domains/build.mk.
#
# Why an include instead of relying on the automatic includes: the
# top-level Makefile includes every */build.mk in sorted path order, so
# domains/blk/build.mk would be read before domains/build.mk, and
# lib/rt/build.mk (which defines the runtime) comes after every domain.
# Each domain's build.mk therefore starts with "include domains/domain.mk";
# make reads an include at once, so domain_add is always defined before it
# is called, and the guard below makes every later include a no-op.
#
# Outputs, for domain <name>:
#   build/dobj/domains/<name>/*.o   objects (DOMAIN_CFLAGS, lib/rt/build.mk)
#   build/domains/<name>.debug.elf  linked image with debug info, for gdb
#   build/domains/<name>.unsigned.elf  debug stripped, .symtab kept
#   build/domains/<name>.elf        signed image: the boot module
#   build/domains/modules.txt       every signed image, one path per line
# Keys: build/keys/dev.pem and dev.pub.pem (made on first use) unless
# DOMAIN_KEY=path/to/private.pem is given; build/keys/trusted_keys.inc is
# the kernel's trusted key table entry for whichever key signs.

ifndef DOMAIN_MK_INCLUDED
DOMAIN_MK_INCLUDED := 1

include lib/rt/build.mk

DOMAIN_LDS := lib/rt/domain.ld
# -z text refuses relocations against read-only segments at link time;
# -z relro with the script's DATA_SEGMENT_RELRO_END emits PT_GNU_RELRO.
DOMAIN_LDFLAGS := -pie --no-dynamic-linker -z text -z relro -z noexecstack \
	-z max-page-size=4096 -z common-page-size=4096 --build-id=none \
	--hash-style=gnu --fatal-warnings -T $(DOMAIN_LDS)

DOMAINS :=
DOMAIN_IMAGES :=
# Deferred: the list is complete only once every build.mk has been read.
# The Makefile's ISO rule passes these to tools/mkiso.sh, which names each
# multiboot2 module after its file ("hello.elf").
ISO_MODULES = $(DOMAIN_IMAGES) $(TEST_IMAGES)
TEST_IMAGES :=

# --- Keys ----------------------------------------------------------------
KEYS_DIR := $(B)/keys
DOMAIN_KEY ?=
ifeq ($(strip $(DOMAIN_KEY)),)
DOMAIN_SIGN_KEY := $(KEYS_DIR)/dev.pem
DOMAIN_PUB_KEY := $(KEYS_DIR)/dev.pub.pem
DOMAIN_KEY_NAME := dev

$(DOMAIN_SIGN_KEY) $(DOMAIN_PUB_KEY) &: | $(B)/tools/domsign
	@echo "  KEYGEN  $(DOMAIN_SIGN_KEY) (development key pair)"
	@bash tools/keys.sh devkey $(B)/tools/domsign $(DOMAIN_SIGN_KEY) \
		$(DOMAIN_PUB_KEY)
else
DOMAIN_SIGN_KEY := $(DOMAIN_KEY)
DOMAIN_KEY_NAME := $(shell bash tools/keys.sh name '$(DOMAIN_KEY)')
DOMAIN_PUB_KEY := $(KEYS_DIR)/$(DOMAIN_KEY_NAME).pub.pem

$(DOMAIN_PUB_KEY): $(DOMAIN_SIGN_KEY) $(KEYS_DIR)/.choice tools/keys.sh
	@echo "  PUBKEY  $@"
	@bash tools/keys.sh pubkey $(DOMAIN_SIGN_KEY) $@
endif

# Which key signs, rewritten only when that changes, so switching
# DOMAIN_KEY (even to an older file) re-signs every image and regenerates
# the kernel's key table.
$(KEYS_DIR)/.choice: FORCE
	@mkdir -p $(dir $@)
	@echo '$(abspath $(DOMAIN_SIGN_KEY))' | cmp -s - $@ || \
		echo '$(abspath $(DOMAIN_SIGN_KEY))' > $@

# The kernel compiles this inside its trusted key array:
#   const struct sig_key sig_trusted_keys[] = {
#   #include "keys/trusted_keys.inc"
#   };
# (with -I$(B)); its object must depend on this file.
$(KEYS_DIR)/trusted_keys.inc: $(DOMAIN_PUB_KEY) $(KEYS_DIR)/.choice \
		| $(B)/tools/domsign
	@echo "  KEYS    $@ (key \"$(DOMAIN_KEY_NAME)\")"
	@$(B)/tools/domsign pubkey-c $(DOMAIN_PUB_KEY) $(DOMAIN_KEY_NAME) \
		> $@.tmp
	@mv $@.tmp $@

# --- Domains -------------------------------------------------------------
# $(call domain_add,NAME) with DOMAIN_SRCS_NAME set (and optionally
# DOMAIN_CFLAGS_NAME): the rules that turn those sources into the signed
# image $(B)/domains/NAME.elf. NAME must equal the manifest's name.
define domain_add
DOMAINS += $(1)
DOMAIN_IMAGES += $(B)/domains/$(1).elf
DOMAIN_OBJS_$(1) := $(patsubst %,$(B)/dobj/%.o,$(basename $(DOMAIN_SRCS_$(1))))
$$(DOMAIN_OBJS_$(1)): DOMAIN_EXTRA_CFLAGS := $(DOMAIN_CFLAGS_$(1))

$(B)/domains/$(1).debug.elf: $$(DOMAIN_OBJS_$(1)) $(RT_START_OBJ) \
		$(RT_LIB) $(DOMAIN_LDS)
	@mkdir -p $$(dir $$@)
	@echo "  DOMLD   $$@"
	@$(LD) $(DOMAIN_LDFLAGS) -o $$@ $$(DOMAIN_OBJS_$(1)) \
		$(RT_START_OBJ) $(RT_LIB)

$(B)/domains/$(1).unsigned.elf: $(B)/domains/$(1).debug.elf
	@$(OBJCOPY) --strip-debug $$< $$@

$(B)/domains/$(1).elf: $(B)/domains/$(1).unsigned.elf $(DOMAIN_SIGN_KEY) \
		$(KEYS_DIR)/.choice $(B)/tools/domsign $(B)/tools/domcheck
	@echo "  SIGN    $$@"
	@rm -f $$@.tmp
	@$(B)/tools/domsign sign $(DOMAIN_SIGN_KEY) $$< $$@.tmp
	@$(B)/tools/domcheck --name $(1) $$@.tmp || { rm -f $$@.tmp; exit 1; }
	@mv $$@.tmp $$@

$(B)/domains/modules.txt: $(B)/domains/$(1).elf
endef

# The boot module list for the test runner: absolute paths, one a line;
# rewritten only when it changes.
$(B)/domains/modules.txt: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' $(abspath $(DOMAIN_IMAGES)) | grep . | cmp -s - $@ || \
		printf '%s\n' $(abspath $(DOMAIN_IMAGES)) | grep . > $@ || true

$(B)/cordon.iso: $(B)/domains/modules.txt

.PHONY: domains
domains: $(B)/domains/modules.txt

# Host tests of the built images: signature with the kernel's key table,
# the kernel's validator, manifests, symbols, tamper detection.
UNIT_TESTS += rt_images
UNIT_SRCS_rt_images := tests/unit/test_rt_images.c tools/domcheck/elfsym.c \
	kernel/elf_check.c kernel/manifest.c lib/crypto/sigtrailer.c \
	lib/crypto/sha512.c lib/crypto/ed25519.c lib/base/errno.c \
	lib/base/fmt.c
UNIT_CFLAGS_rt_images := -I$(B) -iquote tools/domcheck \
	-DRT_MODULES_TXT='"$(abspath $(B))/domains/modules.txt"'
$(B)/unit/test_rt_images: $(B)/domains/modules.txt \
	$(KEYS_DIR)/trusted_keys.inc tools/domcheck/elfsym.h \
	kernel/elf_check.h kernel/manifest.h

# The images run on the host under a test double of the kernel's syscall
# ABI (Linux syscall user dispatch). No sanitizers: ASan's shadow memory
# covers the domain region addresses.
UNIT_TESTS += rt_run
UNIT_SRCS_rt_run := tests/unit/test_rt_run.c tools/domcheck/elfsym.c \
	kernel/elf_check.c kernel/manifest.c lib/crypto/sigtrailer.c \
	lib/crypto/sha512.c lib/crypto/ed25519.c lib/base/errno.c \
	lib/base/fmt.c
UNIT_CFLAGS_rt_run := -fno-sanitize=all -iquote tools/domcheck \
	-DRT_MODULES_TXT='"$(abspath $(B))/domains/modules.txt"'
UNIT_LIBS_rt_run := -lpthread
$(B)/unit/test_rt_run: $(B)/domains/modules.txt tools/domcheck/elfsym.h \
	kernel/elf_check.h kernel/manifest.h

endif # DOMAIN_MK_INCLUDED
