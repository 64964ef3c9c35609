# SPDX-License-Identifier: MIT
# `make bench`: instruction counts under QEMU -icount (tools/bench.py).
KERNEL_SRCS += tests/bench/kbench.c

.PHONY: bench
bench: $(B)/cordon.iso
	@$(PYTHON) tools/bench.py --build $(B) --qemu "$(QEMU)"
