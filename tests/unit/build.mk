# SPDX-License-Identifier: MIT
# Host unit tests. Each test adds itself as:
#   UNIT_TESTS += name
#   UNIT_SRCS_name := tests/unit/test_name.c <sources under test>
# and is built as build/unit/test_name with ASan+UBSan.
