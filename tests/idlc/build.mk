# SPDX-License-Identifier: MIT
# Tests of idlc, the IDL compiler (idl/README.md). All run in `make test`:
#   build/unit/test_idlc        the compiler in process: errors, positions,
#                               limits, fingerprints and type ids, and a
#                               time-bounded random mutation of every
#                               input (tests/unit/test_idlc.c)
#   build/unit/test_idlc_rt     generated code round trip: proxies through a
#                               fake kernel into the dispatch stubs, the
#                               registry and descriptors
#                               (tests/unit/test_idlc_rt.c)
#   build/unit/test_idlc_files  golden outputs, error messages, generated
#                               code compiled with domain and host flags,
#                               the command line (tests/idlc/run_tests.sh)
#   build/unit/test_rt_recovery what generated proxies rely on at a callee
#                               restart: rt_ipc_call() (lib/rt/ipc.c)
#                               recording and replaying @config calls and
#                               retrying @idempotent ones, over a fake
#                               kernel (tests/unit/test_rt_recovery.c)
# Targets:
#   make idlc-test              the four above
#   make idlc-golden-update     rewrites tests/idlc/golden/*.{h,c}.golden
#   make fuzz-idlc              libFuzzer on idlc_compile() for FUZZ_SECONDS
#                               (tests/fuzz/fuzz_idlc.c)

include tools/idlc/build.mk

IDLC_TEST_DEPS := $(IDLC_DEPS) $(wildcard tests/idlc/golden/*.idl) \
	$(wildcard tests/idlc/errors/*.idl) $(wildcard idl/*.idl)

UNIT_TESTS += idlc
UNIT_SRCS_idlc := tests/unit/test_idlc.c $(IDLC_SRCS) lib/crypto/sha512.c
UNIT_CFLAGS_idlc := -iquote tools/idlc -O2 -DIDLC_ROOT='"$(CURDIR)"'
$(B)/unit/test_idlc: $(IDLC_TEST_DEPS)

# The round trip links the code generated for idl/echo.idl and for the
# golden input everything.idl (into build/idlc/gen/).
IDLC_RT_GEN := $(B)/idlc/gen
$(IDLC_RT_GEN)/everything.h $(IDLC_RT_GEN)/everything.c &: \
		tests/idlc/golden/everything.idl $(B)/tools/idlc
	@mkdir -p $(IDLC_RT_GEN)
	@$(B)/tools/idlc -o $(IDLC_RT_GEN) $<

UNIT_TESTS += idlc_rt
UNIT_SRCS_idlc_rt := tests/unit/test_idlc_rt.c $(IDL_C_echo) \
	$(IDLC_RT_GEN)/everything.c
UNIT_CFLAGS_idlc_rt := -I$(B) -I$(IDLC_RT_GEN)
$(B)/unit/test_idlc_rt: $(IDL_H_echo) $(IDLC_RT_GEN)/everything.h \
	lib/abi/ipc.h lib/abi/ipc_desc.h lib/abi/rref_types.h lib/rt/ipc.h

# Restart recovery in the runtime, on the host: lib/rt/ipc.c reaches the
# kernel through rt_ipc_host_syscall(), which the test defines.
UNIT_TESTS += rt_recovery
UNIT_SRCS_rt_recovery := tests/unit/test_rt_recovery.c lib/rt/ipc.c
$(B)/unit/test_rt_recovery: lib/rt/ipc.h lib/rt/lock.h lib/abi/ipc.h

# rt_rref_drop() on the host: long chains, wide fans, no recursion.
UNIT_TESTS += rt_drop
UNIT_SRCS_rt_drop := tests/unit/test_rt_drop.c lib/rt/ipc.c
$(B)/unit/test_rt_drop: lib/rt/ipc.h lib/rt/lock.h lib/abi/rref_types.h

# The file tests, wrapped as build/unit/test_idlc_files so that the unit
# runner picks them up; the wrapper carries the compile flags.
$(B)/unit/test_idlc_files: tests/idlc/run_tests.sh tests/idlc/random_idl.py \
		$(B)/tools/idlc \
		$(IDLC_TEST_DEPS) lib/abi/ipc_desc.h lib/abi/rref_types.h \
		lib/rt/ipc.h
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@{ printf '#!/bin/sh\n'; \
	  printf "export IDLC_DOMAIN_CFLAGS='%s'\n" \
		"$(filter-out -MD,$(DOMAIN_CFLAGS))"; \
	  printf "export IDLC_HOST_CFLAGS='%s'\n" \
		"$(filter-out -MD -I. -Ilib -iquote kernel -Itests/unit,$(HOSTCFLAGS))"; \
	  printf 'exec bash "%s" "%s"\n' "$(CURDIR)/tests/idlc/run_tests.sh" \
		"$(CURDIR)/$(B)/tools/idlc"; } >$@
	@chmod +x $@
TEST_DEPS += $(B)/unit/test_idlc_files

.PHONY: idlc-test idlc-golden-update
idlc-test: $(B)/unit/test_idlc $(B)/unit/test_idlc_rt $(B)/unit/test_idlc_files \
		$(B)/unit/test_rt_recovery
	@$(B)/unit/test_idlc | tail -n 1
	@$(B)/unit/test_idlc_rt | tail -n 1
	@$(B)/unit/test_rt_recovery | tail -n 1
	@$(B)/unit/test_idlc_files | tail -n 1

idlc-golden-update: $(B)/tools/idlc
	@bash tests/idlc/run_tests.sh --update $(B)/tools/idlc

# --- Fuzzing ---------------------------------------------------------------
# Seeds: every interface, golden input and error case. The working corpus
# grows in build/fuzz/corpus_idlc; a crashing input is saved as
# build/fuzz/crashes/idlc-crash-<sha1>; reproduce with
# `build/fuzz/fuzz_idlc FILE`.
FUZZ_IDLC_SECONDS ?= $(or $(FUZZ_SECONDS),60)
FUZZ_IDLC_CC ?= clang
FUZZ_IDLC_CFLAGS := -std=gnu11 -O1 -g $(WARN) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -I. -Ilib -iquote tools/idlc -DCORDON_HOST=1

$(B)/fuzz/fuzz_idlc: tests/fuzz/fuzz_idlc.c $(IDLC_SRCS) lib/crypto/sha512.c \
		$(IDLC_DEPS)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@$(FUZZ_IDLC_CC) $(FUZZ_IDLC_CFLAGS) -o $@ tests/fuzz/fuzz_idlc.c \
		$(IDLC_SRCS) lib/crypto/sha512.c

.PHONY: fuzz-idlc
fuzz-idlc: $(B)/fuzz/fuzz_idlc
	@mkdir -p $(B)/fuzz/corpus_idlc $(B)/fuzz/seeds_idlc $(B)/fuzz/crashes
	@cp idl/*.idl tests/idlc/golden/*.idl tests/idlc/errors/*.idl \
		$(B)/fuzz/seeds_idlc/
	@echo "  FUZZ    idlc for $(FUZZ_IDLC_SECONDS) s"
	@set -o pipefail; $(B)/fuzz/fuzz_idlc \
		-max_total_time=$(FUZZ_IDLC_SECONDS) -print_final_stats=1 \
		-dict=tests/idlc/idl.dict -max_len=4096 \
		-artifact_prefix=$(B)/fuzz/crashes/idlc- $(FUZZ_FLAGS) \
		$(B)/fuzz/corpus_idlc $(B)/fuzz/seeds_idlc \
		> $(B)/fuzz/idlc.log 2>&1; \
	rc=$$?; \
	execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(B)/fuzz/idlc.log); \
	echo "fuzz_idlc: $${execs:-?} execs, corpus" \
		"$$(ls $(B)/fuzz/corpus_idlc | wc -l) inputs"; \
	if [ $$rc -ne 0 ]; then \
		tail -40 $(B)/fuzz/idlc.log; \
		echo "fuzz_idlc: FAILED, input saved in $(B)/fuzz/crashes/"; \
		exit 1; \
	fi
