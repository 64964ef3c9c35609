# SPDX-License-Identifier: MIT
# Domains: one folder per domain under domains/, each built into a signed
# ELF image build/domains/<name>.elf that GRUB loads as a multiboot2 module
# named "<name>.elf" (the name init passes to SYS_DOM_START). The rules
# live in domains/domain.mk; this file only pulls them in, so that the
# keys, `make domains` and build/domains/modules.txt exist even before any
# domain does.
#
# How to add a domain "foo" (lower case letters, digits, '_' or '-'):
#
#  1. Create domains/foo/ with
#       foo.c        #include "rt/rt.h" and define
#                      int dom_main(uint64_t arg, const char *boot)
#                    (arg: what the starter passed to SYS_DOM_START;
#                    boot: the boot profile for init, "" otherwise).
#                    Returning ends the main thread with that code.
#       manifest.c   #include "abi/manifest.h" and declare exactly one
#                      DOMAIN_MANIFEST(.name = "foo", .version = 1,
#                                      .mem_pages = 64, .threads = 4,
#                                      .restart = MANIFEST_RESTART_NEVER);
#                    .name must be "foo": the build checks it.
#       build.mk     these three lines:
#                      include domains/domain.mk
#                      DOMAIN_SRCS_foo := domains/foo/foo.c domains/foo/manifest.c
#                      $(eval $(call domain_add,foo))
#                    optionally DOMAIN_CFLAGS_foo := ... (extra flags for
#                    foo's own objects) before the eval.
#  2. `make build/domains/foo.elf` compiles with the domain flags
#     (lib/rt/build.mk), links with lib/rt/domain.ld and the runtime
#     archive, strips debug info (keeping .symtab for the kernel's
#     backtraces), signs with build/tools/domsign and checks the result
#     with build/tools/domcheck, the kernel's own validator (kernel/
#     elf_check.c, signature, manifest name, symbol table). A failing check
#     fails the build and names the reason.
#  3. The image joins DOMAIN_IMAGES, hence the ISO (`make iso`) and
#     build/domains/modules.txt. To start it at boot, add "foo.elf" to a
#     profile in domains/init/init.c.
#
# Sources elsewhere (test domains under tests/) use the same three lines.
# Signing key: DOMAIN_KEY=path/to/ed25519-private.pem, else a development
# key pair is generated under build/keys/.

include domains/domain.mk
