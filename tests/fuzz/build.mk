# SPDX-License-Identifier: MIT
# libFuzzer targets for the image validator and the manifest parser, built
# with Debian's clang, ASan and UBSan. `make fuzz` runs each for
# FUZZ_SECONDS (default 60), seeded from tests/elf/corpus and the
# regenerated corpus (both hold the sample image as ok_sample.elf) or the
# sample's manifest; the working corpus grows in build/fuzz/corpus_* and
# any crashing input is saved as build/fuzz/crashes/<target>-crash-<sha1>.
# Reproduce one with `build/fuzz/fuzz_elf FILE`.

FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS ?=
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -I. -Ilib -iquote kernel -iquote tests/elf \
	-DCORDON_HOST=1

FUZZ_SRCS_elf := tests/fuzz/fuzz_elf.c kernel/elf_check.c kernel/manifest.c \
	lib/base/fmt.c
FUZZ_DEPS_elf := $(FUZZ_SRCS_elf) kernel/elf_check.h kernel/manifest.h \
	lib/abi/manifest.h lib/abi/layout.h lib/base/fmt.h tests/elf/plan_check.h
FUZZ_SEEDS_elf :=
FUZZ_SEEDDIRS_elf := tests/elf/corpus $(B)/elf/corpus
FUZZ_SRCS_manifest := tests/fuzz/fuzz_manifest.c kernel/manifest.c
FUZZ_DEPS_manifest := $(FUZZ_SRCS_manifest) kernel/manifest.h \
	lib/abi/manifest.h
FUZZ_SEEDS_manifest := $(B)/elf/manifest_seed.bin
FUZZ_SEEDDIRS_manifest :=

define fuzz_rule
$(B)/fuzz/fuzz_$(1): $(FUZZ_DEPS_$(1))
	@mkdir -p $$(dir $$@)
	@echo "  FUZZCC  $$@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $$@ $(FUZZ_SRCS_$(1))

.PHONY: fuzz-$(1)
fuzz-$(1): $(B)/fuzz/fuzz_$(1) $(B)/elf/corpus/EXPECTED
	@mkdir -p $(B)/fuzz/corpus_$(1) $(B)/fuzz/crashes
	@$(if $(FUZZ_SEEDS_$(1)),cp $(FUZZ_SEEDS_$(1)) $(B)/fuzz/corpus_$(1)/)
	@echo "  FUZZ    $(1) for $(FUZZ_SECONDS) s"
	@set -o pipefail; $(B)/fuzz/fuzz_$(1) -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 -artifact_prefix=$(B)/fuzz/crashes/$(1)- \
		$(FUZZ_FLAGS) $(B)/fuzz/corpus_$(1) $(FUZZ_SEEDDIRS_$(1)) \
		> $(B)/fuzz/$(1).log 2>&1; \
	rc=$$$$?; \
	execs=$$$$(sed -n 's/^stat::number_of_executed_units: *//p' $(B)/fuzz/$(1).log); \
	secs=$$$$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' $(B)/fuzz/$(1).log); \
	echo "fuzz_$(1): $$$${execs:-?} execs in $$$${secs:-?} s" \
		"($$$$(( $$$${execs:-0} / ($$$${secs:-1} > 0 ? $$$${secs:-1} : 1) )) execs/s)," \
		"corpus $$$$(ls $(B)/fuzz/corpus_$(1) | wc -l) inputs"; \
	if [ $$$$rc -ne 0 ]; then \
		tail -40 $(B)/fuzz/$(1).log; \
		echo "fuzz_$(1): FAILED, input saved in $(B)/fuzz/crashes/"; \
		exit 1; \
	fi
endef
$(eval $(call fuzz_rule,elf))
$(eval $(call fuzz_rule,manifest))

.PHONY: fuzz
fuzz: fuzz-elf fuzz-manifest fuzz-idlc
