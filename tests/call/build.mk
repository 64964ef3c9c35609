# SPDX-License-Identifier: MIT
# Cross-domain call tests: the in-kernel harness (call_tests.c) and the
# callee/caller test domains in the subfolders.
KERNEL_SRCS += tests/call/call_tests.c
