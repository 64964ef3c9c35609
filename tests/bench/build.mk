# SPDX-License-Identifier: MIT
# `make bench`: instruction counts under QEMU -icount (tools/bench.py).
KERNEL_SRCS += tests/bench/kbench.c

.PHONY: bench
bench: $(B)/cordon.iso
	@$(PYTHON) tools/bench.py --build $(B) --qemu "$(QEMU)"

# `make bench-linux`: the bench's Linux peer alone (Debian's kernel
# in the same QEMU, tools/linuxpeer/run.py).
.PHONY: bench-linux
bench-linux: | $(B)/.deps-ok
	@$(PYTHON) tools/linuxpeer/run.py --build $(B) --qemu "$(QEMU)"

# `make calltrace FIG=null_call`: one round trip of a bench figure,
# instruction by instruction, attributed to symbols (tools/calltrace.py).
FIG ?= null_call
.PHONY: calltrace
calltrace: $(B)/cordon.iso
	@$(PYTHON) tools/calltrace.py --build $(B) --fig $(FIG)
