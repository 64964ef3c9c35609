# SPDX-License-Identifier: MIT
# Recovery: restarts of failed domains (recovery_tests.c) and the
# fault-injection campaign (campaign.c), with domains/ramblk as the
# target and tests/recovery/blkclient as the load.
KERNEL_SRCS += tests/recovery/campaign.c tests/recovery/recovery_tests.c

# make faultinject N=1000 SEED=1: a full campaign, table on stdout.
# ICOUNT=1 runs under -icount shift=0, so recovery times are instructions.
N ?= 1000
SEED ?= 1
ICOUNT ?= 0
.PHONY: faultinject
faultinject: $(B)/cordon.iso
	@$(PYTHON) tools/faultinject.py --build $(B) --qemu "$(QEMU)" \
		--n $(N) --seed $(SEED) $(if $(filter 1,$(ICOUNT)),--icount)
