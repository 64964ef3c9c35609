# SPDX-License-Identifier: MIT
# Host-built domain images for the image validator (kernel/elf_check.c):
# a tiny domain linked with tests/elf/domain.ld exactly as real domains are,
# the malformed variants tests/elf/mkcorpus.py derives from it, and the unit
# tests of the validator and of the manifest parser.
#   make build/elf/sample_dom.elf   the valid sample image
#   make elf-corpus                 refresh the committed tests/elf/corpus

ELF_TEST_CFLAGS := -std=gnu11 -O2 $(WARN) -ffreestanding -fPIE \
	-fvisibility=hidden -fno-plt -fno-stack-protector -fno-common \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fcf-protection=none \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-I. -Ilib -MD
# -z text refuses text relocations at link time; -z relro with the
# script's DATA_SEGMENT_RELRO_END emits PT_GNU_RELRO.
ELF_TEST_LDFLAGS := -pie --no-dynamic-linker -z text -z relro \
	-z noexecstack -z max-page-size=4096 -z common-page-size=4096 \
	--build-id=none --hash-style=gnu -s -T tests/elf/domain.ld

$(B)/elf/sample_dom.o: tests/elf/sample_dom.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(ELF_TEST_CFLAGS) -c $< -o $@

$(B)/elf/sample_dom.elf: $(B)/elf/sample_dom.o tests/elf/domain.ld
	@echo "  LD      $@"
	@$(LD) $(ELF_TEST_LDFLAGS) $< -o $@

$(B)/elf/corpus/EXPECTED $(B)/elf/manifest_seed.bin &: tests/elf/mkcorpus.py \
		$(B)/elf/sample_dom.elf
	@echo "  GEN     $(B)/elf/corpus"
	@rm -rf $(B)/elf/corpus
	@$(PYTHON) tests/elf/mkcorpus.py $(B)/elf/sample_dom.elf \
		$(B)/elf/corpus --manifest-seed $(B)/elf/manifest_seed.bin

.PHONY: elf-corpus
elf-corpus: $(B)/elf/sample_dom.elf
	rm -f tests/elf/corpus/*.elf tests/elf/corpus/EXPECTED
	$(PYTHON) tests/elf/mkcorpus.py $(B)/elf/sample_dom.elf tests/elf/corpus \
		--committed
	@du -cb tests/elf/corpus | tail -1

UNIT_TESTS += elf_check
UNIT_SRCS_elf_check := tests/unit/test_elf_check.c kernel/elf_check.c \
	kernel/manifest.c lib/base/errno.c lib/base/fmt.c
UNIT_CFLAGS_elf_check := -iquote tests/elf \
	-DELF_SAMPLE_PATH='"$(B)/elf/sample_dom.elf"' \
	-DELF_CORPUS_DIR='"tests/elf/corpus"' \
	-DELF_GEN_CORPUS_DIR='"$(B)/elf/corpus"'
$(B)/unit/test_elf_check: $(B)/elf/sample_dom.elf $(B)/elf/corpus/EXPECTED \
	tests/elf/plan_check.h kernel/elf_check.h kernel/manifest.h \
	lib/abi/manifest.h lib/abi/layout.h

UNIT_TESTS += manifest
UNIT_SRCS_manifest := tests/unit/test_manifest.c kernel/manifest.c
$(B)/unit/test_manifest: kernel/manifest.h lib/abi/manifest.h
