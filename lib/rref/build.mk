# SPDX-License-Identifier: MIT
# The rref ownership table: storage (rref_table.c) and crossing rules
# (rref_cross.c). Pure logic, freestanding, to be linked into the kernel,
# which adds $(RREF_SRCS) to KERNEL_SRCS when the shared heap lands. Host
# tests: unit tests of every rule, and a randomised run against a model.

RREF_SRCS := lib/rref/rref_table.c lib/rref/rref_cross.c
RREF_HDRS := lib/rref/rref_table.h lib/rref/rref_internal.h \
	tests/unit/rref_fixture.h
RREF_TEST_SRCS := tests/unit/rref_fixture.c $(RREF_SRCS)

UNIT_TESTS += rref_table rref_calls rref_nested rref_seal
UNIT_SRCS_rref_table := tests/unit/test_rref_table.c $(RREF_TEST_SRCS)
UNIT_SRCS_rref_calls := tests/unit/test_rref_calls.c $(RREF_TEST_SRCS)
UNIT_SRCS_rref_nested := tests/unit/test_rref_nested.c $(RREF_TEST_SRCS)
UNIT_SRCS_rref_seal := tests/unit/test_rref_seal.c $(RREF_TEST_SRCS)
$(B)/unit/test_rref_table $(B)/unit/test_rref_calls: $(RREF_HDRS)
$(B)/unit/test_rref_nested $(B)/unit/test_rref_seal: $(RREF_HDRS)

# 10,000 random sequences with a full consistency check after every step.
UNIT_TESTS += rref_model
UNIT_SRCS_rref_model := tests/unit/test_rref_model.c $(RREF_TEST_SRCS)
UNIT_CFLAGS_rref_model := -O2
$(B)/unit/test_rref_model: $(RREF_HDRS)
