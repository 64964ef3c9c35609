# SPDX-License-Identifier: MIT
# In-kernel self-tests: linked into every kernel, run only with test=.
KERNEL_SRCS += $(sort $(wildcard tests/self/*.c))
