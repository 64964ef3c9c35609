# SPDX-License-Identifier: MIT
# Host unit tests for lib/base (string functions, formatting) and for the
# kernel command-line parser, which is built from them. The kernel and the
# domain runtime list these sources in their own build.mk files.

UNIT_TESTS += string
UNIT_SRCS_string := tests/unit/test_string.c lib/base/string.c

UNIT_TESTS += fmt
UNIT_SRCS_fmt := tests/unit/test_fmt.c lib/base/fmt.c

UNIT_TESTS += cmdline
UNIT_SRCS_cmdline := tests/unit/test_cmdline.c kernel/cmdline.c \
	lib/base/string.c lib/base/fmt.c
