# SPDX-License-Identifier: MIT
# Fault-containment tests: the in-kernel harness (fault_tests.c), and
# images the loader must refuse, derived from the faulter domain and put on
# the ISO next to the real domains:
#   faulter_otherkey.elf  signed by a key the kernel does not trust
#   faulter_badhdr.elf    program headers past the end, signed with ours
#   faulter_wx.elf        a writable+executable segment, signed with ours
include domains/domain.mk

KERNEL_SRCS += tests/fault/fault_tests.c

TEST_IMAGES += $(B)/domains/faulter_otherkey.elf \
	$(B)/domains/faulter_badhdr.elf $(B)/domains/faulter_wx.elf

$(B)/keys/untrusted.pem: | $(B)/tools/domsign
	@mkdir -p $(dir $@)
	@rm -f $@ $(B)/keys/untrusted.pub.pem
	@$(B)/tools/domsign keygen $@ $(B)/keys/untrusted.pub.pem >/dev/null

$(B)/domains/faulter_otherkey.elf: $(B)/domains/faulter.unsigned.elf \
		$(B)/keys/untrusted.pem $(B)/tools/domsign
	@echo "  SIGN    $@ (untrusted key)"
	@rm -f $@
	@$(B)/tools/domsign sign $(B)/keys/untrusted.pem $< $@

$(B)/domains/faulter_%.bad: $(B)/domains/faulter.unsigned.elf \
		tests/fault/mkbad.py
	@$(PYTHON) tests/fault/mkbad.py $* $< $@

$(B)/domains/faulter_badhdr.elf $(B)/domains/faulter_wx.elf: \
$(B)/domains/faulter_%.elf: $(B)/domains/faulter_%.bad $(DOMAIN_SIGN_KEY) \
		$(B)/tools/domsign
	@echo "  SIGN    $@ (deliberately malformed)"
	@rm -f $@
	@$(B)/tools/domsign sign $(DOMAIN_SIGN_KEY) $< $@

$(B)/domains/test_modules.txt: $(TEST_IMAGES) FORCE
	@printf '%s\n' $(abspath $(TEST_IMAGES)) | cmp -s - $@ || \
		printf '%s\n' $(abspath $(TEST_IMAGES)) > $@

$(B)/cordon.iso: $(B)/domains/test_modules.txt
TEST_DEPS += $(B)/domains/test_modules.txt
