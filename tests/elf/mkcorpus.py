#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Derive malformed domain images from a valid one, for the image validator.

Usage: mkcorpus.py SAMPLE.elf OUTDIR [--committed] [--manifest-seed FILE]

Reads a valid domain image (build/elf/sample_dom.elf) and writes into OUTDIR
one file per defect, named for the defect, plus OUTDIR/EXPECTED listing, one
line per file, "FILE ERRNO WHY": the error elf_check() must return (an errno
name from lib/abi/errno.h, or OK) and a substring its reason must contain.
The sample itself is written as ok_sample.elf. With --committed only the
subset kept in tests/elf/corpus is written (`make elf-corpus` refreshes it;
it must stay under 200 KiB).
--manifest-seed also writes the sample's manifest descriptor, a seed for
tests/fuzz/fuzz_manifest.c.

Expectations assume the limits the tests and fuzzers use (TEST_LIMITS in
tests/unit/test_elf_check.c): 64 program headers, 4096 image pages,
4096 relocations. Layout facts come from the System V gABI (ELF64) and
lib/abi/manifest.h.
"""

import os
import struct
import sys

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
DYN = struct.Struct("<qQ")
RELA = struct.Struct("<QQq")
NHDR = struct.Struct("<III")

PT_NULL, PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 0, 1, 2, 3, 4
PT_TLS = 7
PT_GNU_STACK, PT_GNU_RELRO = 0x6474E551, 0x6474E552
PF_X, PF_W, PF_R = 1, 2, 4
DT_NULL, DT_NEEDED, DT_PLTRELSZ, DT_RELA, DT_RELASZ, DT_RELAENT = 0, 1, 2, 7, 8, 9
DT_REL, DT_RELSZ, DT_DEBUG, DT_TEXTREL, DT_JMPREL = 17, 18, 21, 22, 23
DT_FLAGS, DT_RELR = 30, 36
DT_RELACOUNT = 0x6FFFFFF9

IMAGE_MAX = 256 << 20
MAX_PAGES = 4096
MAX_RELOCS = 4096

# struct manifest_desc field offsets (lib/abi/manifest.h).
M_MAGIC, M_ABI, M_NAME, M_VERSION, M_FLAGS = 0, 4, 8, 40, 44
M_MEM, M_THREADS, M_RESTART, M_MAXR, M_WINDOW, M_BACKOFF = 48, 52, 56, 60, 64, 68
M_NEXP, M_NIMP, M_NDEV, M_RSVD = 72, 76, 80, 84
M_EXPORTS, M_IMPORTS, M_DEVICES = 88, 472, 856
IFACE_SIZE, DESC_SIZE = 48, 920


class Image:
    """A mutable copy of the sample with its structures located."""

    def __init__(self, data):
        self.b = bytearray(data)
        f = EHDR.unpack_from(self.b, 0)
        self.phoff, self.phnum = f[5], f[10]
        self.phdrs = [list(PHDR.unpack_from(self.b, self.phoff + 56 * i))
                      for i in range(self.phnum)]
        self.loads = [i for i, p in enumerate(self.phdrs) if p[0] == PT_LOAD]
        self.text = next(i for i in self.loads if self.phdrs[i][1] & PF_X)
        self.ro = next(i for i in self.loads if self.phdrs[i][1] == PF_R)
        self.rw = [i for i in self.loads if self.phdrs[i][1] & PF_W]
        self.dyn = self.find(PT_DYNAMIC)
        self.note = self.find(PT_NOTE)
        self.relro = self.find(PT_GNU_RELRO)
        self.stack = self.find(PT_GNU_STACK)
        last = self.phdrs[self.loads[-1]]
        self.image_end = (last[3] + last[6] + 4095) & ~4095

        d = self.phdrs[self.dyn]
        self.dyns = []
        for k in range(d[5] // 16):
            tag, val = DYN.unpack_from(self.b, d[2] + 16 * k)
            self.dyns.append((d[2] + 16 * k, tag, val))
            if tag == DT_NULL:
                break
        rela = self.dyn_val(DT_RELA)
        self.rela_off = self.vaddr_to_off(rela)
        self.nrela = self.dyn_val(DT_RELASZ) // 24

        n = self.phdrs[self.note]
        namesz, descsz, _ = NHDR.unpack_from(self.b, n[2])
        assert bytes(self.b[n[2] + 12:n[2] + 19]) == b"Cordon\0"
        assert descsz == DESC_SIZE
        self.note_off = n[2]
        self.desc = n[2] + 12 + ((namesz + 3) & ~3)

    def find(self, ptype):
        return next(i for i, p in enumerate(self.phdrs) if p[0] == ptype)

    def dyn_val(self, tag):
        return next(v for _, t, v in self.dyns if t == tag)

    def dyn_off(self, tag):
        return next(o for o, t, _ in self.dyns if t == tag)

    def vaddr_to_off(self, va):
        for i in self.loads:
            p = self.phdrs[i]
            if p[3] <= va < p[3] + p[5]:
                return p[2] + va - p[3]
        raise ValueError("vaddr 0x%x not in file" % va)

    # Writers.
    def ehdr(self, field, value):
        fmt, off = {"ident": ("B", None), "type": ("<H", 16),
                    "machine": ("<H", 18), "version": ("<I", 20),
                    "entry": ("<Q", 24), "phoff": ("<Q", 32),
                    "flags": ("<I", 48), "ehsize": ("<H", 52),
                    "phentsize": ("<H", 54), "phnum": ("<H", 56)}[field]
        struct.pack_into(fmt, self.b, off, value)

    def phdr(self, i, **kw):
        names = ["type", "flags", "offset", "vaddr", "paddr", "filesz",
                 "memsz", "align"]
        p = self.phdrs[i]
        for k, v in kw.items():
            p[names.index(k)] = v & 0xFFFFFFFFFFFFFFFF if k != "type" else v
        PHDR.pack_into(self.b, self.phoff + 56 * i, *p)

    def set_dyn(self, old_tag, tag, val):
        DYN.pack_into(self.b, self.dyn_off(old_tag), tag, val)

    def rela(self, k, off=None, info=None, addend=None):
        o, i, a = RELA.unpack_from(self.b, self.rela_off + 24 * k)
        RELA.pack_into(self.b, self.rela_off + 24 * k,
                       o if off is None else off,
                       i if info is None else info,
                       a if addend is None else addend)

    def m32(self, field_off, value):
        struct.pack_into("<I", self.b, self.desc + field_off, value)

    def mbytes(self, field_off, data):
        self.b[self.desc + field_off:self.desc + field_off + len(data)] = data

    def append_phdrs(self, extra):
        """Move the program header table to the end of the file, adding
        `extra` (lists of 8 fields) after the existing entries."""
        while len(self.b) % 8:
            self.b.append(0)
        self.phoff = len(self.b)
        self.phdrs += [list(p) for p in extra]
        self.phnum = len(self.phdrs)
        for p in self.phdrs:
            self.b += PHDR.pack(*p)
        self.ehdr("phoff", self.phoff)
        self.ehdr("phnum", self.phnum)


# Each variant: name, mutation, expected errno, reason substring (or a
# function of the Image giving it), and whether tests/elf/corpus keeps it.
VARIANTS = []


def variant(name, errno, why, committed=False):
    def deco(fn):
        VARIANTS.append((name, fn, errno, why, committed))
        return fn
    return deco


def truncate(n):
    def fn(im):
        del im.b[n:]
    return fn


for n in (0, 1, 4, 16, 63):
    VARIANTS.append(("trunc_%d" % n, truncate(n), "ENOEXEC",
                     "smaller than an ELF header", n in (0, 63)))
VARIANTS.append(("trunc_in_phdrs", lambda im: truncate(im.phoff + 56 + 3)(im),
                 "ENOEXEC", "program headers at", True))


@variant("trunc_in_segment", "ENOEXEC", "file range extends past", True)
def _(im):
    p = im.phdrs[im.loads[-1]]
    truncate(p[2] + p[5] - 1)(im)


@variant("trunc_in_text", "ENOEXEC", "file range extends past")
def _(im):
    p = im.phdrs[im.text]
    truncate(p[2] + 1)(im)


@variant("bad_magic", "ENOEXEC", "bad ELF magic", True)
def _(im):
    im.b[1] = ord("F")


@variant("bad_class_32", "ENOEXEC", "ELF class is 1", True)
def _(im):
    im.b[4] = 1


@variant("bad_data_msb", "ENOEXEC", "ELF data encoding is 2")
def _(im):
    im.b[5] = 2


@variant("bad_ident_version", "ENOEXEC", "ELF version")
def _(im):
    im.b[6] = 0


@variant("bad_e_version", "ENOEXEC", "ELF version")
def _(im):
    im.ehdr("version", 2)


@variant("bad_osabi", "ENOEXEC", "OS ABI is 3")
def _(im):
    im.b[7] = 3


@variant("bad_type_exec", "ENOEXEC", "e_type is 2", True)
def _(im):
    im.ehdr("type", 2)


@variant("bad_type_rel", "ENOEXEC", "e_type is 1")
def _(im):
    im.ehdr("type", 1)


@variant("bad_machine_i386", "ENOEXEC", "e_machine is 3", True)
def _(im):
    im.ehdr("machine", 3)


@variant("bad_e_flags", "ENOEXEC", "e_flags is 0x1")
def _(im):
    im.ehdr("flags", 1)


@variant("bad_ehsize", "ENOEXEC", "e_ehsize is 52")
def _(im):
    im.ehdr("ehsize", 52)


@variant("bad_phentsize", "ENOEXEC", "e_phentsize is 32")
def _(im):
    im.ehdr("phentsize", 32)


@variant("phnum_zero", "ENOEXEC", "no program headers")
def _(im):
    im.ehdr("phnum", 0)


@variant("phnum_huge", "E2BIG", "65534 program headers, limit is 64", True)
def _(im):
    im.ehdr("phnum", 0xFFFE)


@variant("phnum_xnum", "ENOEXEC", "extended program header numbering")
def _(im):
    im.ehdr("phnum", 0xFFFF)


@variant("phoff_past_end", "ENOEXEC", "extend past the image")
def _(im):
    im.ehdr("phoff", (len(im.b) + 7) & ~7)


@variant("phoff_overflow", "ENOEXEC", "extend past the image")
def _(im):
    im.ehdr("phoff", 0xFFFFFFFFFFFFFFF8)


@variant("phoff_misaligned", "ENOEXEC", "misaligned")
def _(im):
    im.ehdr("phoff", 65)


@variant("phoff_in_ehdr", "ENOEXEC", "inside the ELF header")
def _(im):
    im.ehdr("phoff", 8)


@variant("segments_overlap", "ENOEXEC", "overlaps or precedes", True)
def _(im):
    # Move the text segment onto the rodata segment's last page.
    ro = im.phdrs[im.ro]
    t = im.phdrs[im.text]
    page = (ro[3] + ro[6] - 1) & ~4095
    im.phdr(im.text, vaddr=page + (t[3] & 4095))


@variant("segments_unsorted", "ENOEXEC", "overlaps or precedes")
def _(im):
    a, b = im.loads[0], im.loads[1]
    pa, pb = list(im.phdrs[a]), list(im.phdrs[b])
    names = ["type", "flags", "offset", "vaddr", "paddr", "filesz", "memsz",
             "align"]
    im.phdr(a, **dict(zip(names, pb)))
    im.phdr(b, **dict(zip(names, pa)))


@variant("segment_wx", "EPERM", "is writable and executable (W^X)", True)
def _(im):
    im.phdr(im.text, flags=PF_R | PF_W | PF_X)


@variant("segment_data_wx", "EPERM", "is writable and executable (W^X)")
def _(im):
    im.phdr(im.rw[-1], flags=PF_R | PF_W | PF_X)


@variant("segment_unknown_flags", "ENOEXEC", "unknown flags")
def _(im):
    im.phdr(im.ro, flags=PF_R | 0x100000)


@variant("segment_no_flags", "ENOEXEC", "no access flags")
def _(im):
    im.phdr(im.ro, flags=0)


@variant("filesz_gt_memsz", "ENOEXEC", "p_filesz > p_memsz")
def _(im):
    p = im.phdrs[im.ro]
    im.phdr(im.ro, memsz=p[5] - 1)


@variant("segment_empty", "ENOEXEC", "is empty")
def _(im):
    im.phdr(im.ro, filesz=0, memsz=0)


@variant("memsz_huge", "ENOEXEC", "outside the image area", True)
def _(im):
    im.phdr(im.rw[-1], memsz=0xFFFFFFFFFFFFF000)


@variant("memsz_past_image_max", "ENOEXEC", "outside the image area")
def _(im):
    p = im.phdrs[im.rw[-1]]
    im.phdr(im.rw[-1], memsz=IMAGE_MAX - p[3] + 1)


@variant("vaddr_past_image_max", "ENOEXEC", "outside the image area")
def _(im):
    p = im.phdrs[im.rw[-1]]
    im.phdr(im.rw[-1], vaddr=IMAGE_MAX + (p[3] & 4095))


@variant("vaddr_overflow", "ENOEXEC", "outside the image area")
def _(im):
    p = im.phdrs[im.rw[-1]]
    im.phdr(im.rw[-1], vaddr=0xFFFFFFFFFFFFF000 + (p[3] & 4095))


@variant("offset_overflow", "ENOEXEC", "file range extends past", True)
def _(im):
    p = im.phdrs[im.rw[-1]]
    im.phdr(im.rw[-1], offset=0xFFFFFFFFFFFFF000 + (p[2] & 4095))


@variant("filesz_past_end", "ENOEXEC", "file range extends past")
def _(im):
    i = im.rw[-1]
    p = im.phdrs[i]
    im.phdr(i, filesz=len(im.b) - p[2] + 1, memsz=len(im.b) - p[2] + 1)


@variant("align_small", "ENOEXEC", "bad p_align 0x800")
def _(im):
    im.phdr(im.text, align=0x800)


@variant("align_not_pow2", "ENOEXEC", "bad p_align 0x3000")
def _(im):
    im.phdr(im.text, align=0x3000)


@variant("align_huge", "ENOEXEC", "bad p_align")
def _(im):
    im.phdr(im.text, align=1 << 40)


@variant("vaddr_offset_incongruent", "ENOEXEC", "differ modulo p_align", True)
def _(im):
    p = im.phdrs[im.text]
    im.phdr(im.text, vaddr=p[3] + 0x10)


@variant("no_exec_segment", "ENOEXEC", "no executable segment", True)
def _(im):
    im.phdr(im.text, flags=PF_R)


@variant("no_load_segment", "ENOEXEC", "no PT_LOAD segment")
def _(im):
    for i in im.loads:
        im.phdr(i, type=PT_NULL)


@variant("too_many_loads", "E2BIG", "more than 8 PT_LOAD segments")
def _(im):
    extra = []
    for k in range(6):
        extra.append([PT_LOAD, PF_R, 0, 0x100000 + 0x1000 * k, 0, 0, 1,
                      0x1000])
    im.append_phdrs(extra)


@variant("image_too_big", "E2BIG", "pages, limit is 4096", True)
def _(im):
    p = im.phdrs[im.rw[-1]]
    im.phdr(im.rw[-1], memsz=p[6] + (MAX_PAGES << 12))


@variant("pt_interp", "ENOEXEC", "PT_INTERP present", True)
def _(im):
    im.phdr(im.stack, type=PT_INTERP)


@variant("pt_tls", "ENOEXEC", "PT_TLS present")
def _(im):
    im.phdr(im.stack, type=PT_TLS)


@variant("unknown_phdr_type", "ENOEXEC", "unsupported type 0x70000001")
def _(im):
    im.phdr(im.stack, type=0x70000001)


@variant("exec_stack", "EPERM", "executable stack", True)
def _(im):
    im.phdr(im.stack, flags=PF_R | PF_W | PF_X)


@variant("two_dynamic", "ENOEXEC", "more than one PT_DYNAMIC")
def _(im):
    d = im.phdrs[im.dyn]
    im.phdr(im.stack, type=PT_DYNAMIC, offset=d[2], filesz=d[5])


@variant("two_relro", "ENOEXEC", "more than one PT_GNU_RELRO")
def _(im):
    im.phdr(im.stack, type=PT_GNU_RELRO)


@variant("entry_in_rodata", "ENOEXEC", "entry point", True)
def _(im):
    im.ehdr("entry", im.phdrs[im.ro][3] + 8)


@variant("entry_past_text", "ENOEXEC", "entry point")
def _(im):
    p = im.phdrs[im.text]
    im.ehdr("entry", p[3] + p[5])


@variant("entry_huge", "ENOEXEC", "entry point")
def _(im):
    im.ehdr("entry", 0xFFFFFFFFFFFFFFFF)


@variant("relro_in_rodata", "ENOEXEC", "PT_GNU_RELRO is not inside")
def _(im):
    im.phdr(im.relro, vaddr=im.phdrs[im.ro][3])


@variant("relro_overflow", "ENOEXEC", "PT_GNU_RELRO is not inside")
def _(im):
    im.phdr(im.relro, memsz=0xFFFFFFFFFFFFFFFF)


@variant("reloc_bad_type", "ENOEXEC",
         "relocation 3 has type 7, only R_X86_64_RELATIVE", True)
def _(im):
    im.rela(3, info=7)


@variant("reloc_type_64", "ENOEXEC", "relocation 0 has type 1,")
def _(im):
    im.rela(0, info=1)


@variant("reloc_symbol", "ENOEXEC", "relocation 1 names symbol 1", True)
def _(im):
    im.rela(1, info=(1 << 32) | 8)


@variant("reloc_target_out_of_range", "ENOEXEC",
         "target 0x7fff0000 is not in a writable segment", True)
def _(im):
    im.rela(0, off=0x7FFF0000)


@variant("reloc_target_rodata", "ENOEXEC", "is not in a writable segment")
def _(im):
    im.rela(2, off=(im.phdrs[im.ro][3] + 15) & ~7)


@variant("reloc_target_text", "ENOEXEC", "is not in a writable segment")
def _(im):
    im.rela(2, off=(im.phdrs[im.text][3] + 7) & ~7)


@variant("reloc_target_straddles_end", "ENOEXEC",
         "is not in a writable segment")
def _(im):
    p = im.phdrs[im.rw[-1]]
    end = p[3] + p[6]
    im.rela(0, off=(end - 1) & ~7 if end % 8 else end)


@variant("reloc_target_misaligned", "ENOEXEC", "not 8-byte aligned")
def _(im):
    o, _, _ = RELA.unpack_from(im.b, im.rela_off)
    im.rela(0, off=o + 4)


@variant("reloc_addend_out_of_range", "ENOEXEC", "addend", True)
def _(im):
    im.rela(0, addend=im.image_end + 8)


@variant("reloc_addend_negative", "ENOEXEC", "addend")
def _(im):
    im.rela(0, addend=-8)


@variant("relasz_not_multiple", "ENOEXEC", "not a multiple of 24")
def _(im):
    im.set_dyn(DT_RELASZ, DT_RELASZ, im.dyn_val(DT_RELASZ) - 1)


@variant("relaent_bad", "ENOEXEC", "DT_RELAENT is missing or not 24")
def _(im):
    im.set_dyn(DT_RELAENT, DT_RELAENT, 16)


@variant("relaent_missing", "ENOEXEC", "DT_RELAENT is missing or not 24")
def _(im):
    im.set_dyn(DT_RELAENT, DT_DEBUG, 0)


@variant("rela_without_relasz", "ENOEXEC", "must appear together")
def _(im):
    im.set_dyn(DT_RELASZ, DT_DEBUG, 0)


@variant("rela_table_out_of_range", "ENOEXEC", "relocation table at", True)
def _(im):
    im.set_dyn(DT_RELA, DT_RELA, 0x7FFF000)


@variant("rela_table_misaligned", "ENOEXEC", "is misaligned")
def _(im):
    im.set_dyn(DT_RELA, DT_RELA, im.dyn_val(DT_RELA) + 4)


@variant("rela_table_in_bss", "ENOEXEC", "not inside a segment's file data")
def _(im):
    p = im.phdrs[im.rw[-1]]
    im.set_dyn(DT_RELA, DT_RELA, (p[3] + p[5] + 7) & ~7)
    im.set_dyn(DT_RELASZ, DT_RELASZ, 24)
    im.set_dyn(DT_RELACOUNT, DT_RELACOUNT, 1)


@variant("relocs_over_limit", "E2BIG", "relocations, limit is 4096", True)
def _(im):
    im.set_dyn(DT_RELASZ, DT_RELASZ, 24 * (MAX_RELOCS + 1))


@variant("relasz_huge", "E2BIG", "relocations, limit is 4096")
def _(im):
    im.set_dyn(DT_RELASZ, DT_RELASZ, 0xFFFFFFFFFFFFFFF0 // 24 * 24)


@variant("relacount_too_big", "ENOEXEC", "DT_RELACOUNT exceeds")
def _(im):
    im.set_dyn(DT_RELACOUNT, DT_RELACOUNT, im.nrela + 1)


@variant("dt_needed", "ENOEXEC", "DT_NEEDED present", True)
def _(im):
    im.set_dyn(DT_DEBUG, DT_NEEDED, 1)


@variant("dt_textrel", "EPERM", "DT_TEXTREL present", True)
def _(im):
    im.set_dyn(DT_DEBUG, DT_TEXTREL, 0)


@variant("dt_flags_textrel", "EPERM", "DF_TEXTREL set")
def _(im):
    im.set_dyn(DT_DEBUG, DT_FLAGS, 4)


@variant("dt_jmprel", "ENOEXEC", "DT_JMPREL present", True)
def _(im):
    im.set_dyn(DT_DEBUG, DT_JMPREL, 0x100)


@variant("dt_pltrelsz", "ENOEXEC", "DT_PLTRELSZ is not zero")
def _(im):
    im.set_dyn(DT_DEBUG, DT_PLTRELSZ, 24)


@variant("dt_rel", "ENOEXEC", "DT_REL present")
def _(im):
    im.set_dyn(DT_DEBUG, DT_REL, 0x100)


@variant("dt_relsz", "ENOEXEC", "DT_RELSZ is not zero")
def _(im):
    im.set_dyn(DT_DEBUG, DT_RELSZ, 24)


@variant("dt_flags_bind_now", "OK", "-")
def _(im):
    im.set_dyn(DT_DEBUG, DT_FLAGS, 8)


@variant("dt_relr", "ENOEXEC", "DT_RELR present")
def _(im):
    im.set_dyn(DT_DEBUG, DT_RELR, 0x100)


@variant("dt_rela_twice", "ENOEXEC", "dynamic tag 0x7 appears twice")
def _(im):
    im.set_dyn(DT_DEBUG, DT_RELA, im.dyn_val(DT_RELA))


@variant("dt_unknown", "ENOEXEC", "dynamic tag 0x12345678 is not supported")
def _(im):
    im.set_dyn(DT_DEBUG, 0x12345678, 0)


@variant("dynamic_past_end", "ENOEXEC", "PT_DYNAMIC file range")
def _(im):
    im.phdr(im.dyn, offset=len(im.b) - 8)


@variant("manifest_missing", "ENOEXEC", "no Cordon manifest note", True)
def _(im):
    im.b[im.note_off + 12 + 5] = ord("m")


@variant("note_phdr_missing", "ENOEXEC", "no Cordon manifest note")
def _(im):
    im.phdr(im.note, type=PT_NULL)


@variant("note_unknown_cordon_type", "ENOEXEC", "unknown Cordon note type")
def _(im):
    struct.pack_into("<I", im.b, im.note_off + 8, 0x32464D43)


@variant("note_descsz_huge", "ENOEXEC", "extending past the segment")
def _(im):
    struct.pack_into("<I", im.b, im.note_off + 4, 0xFFFFFFFF)


@variant("note_namesz_huge", "ENOEXEC", "extending past the segment")
def _(im):
    struct.pack_into("<I", im.b, im.note_off, 0xFFFFFFFF)


@variant("note_past_end", "ENOEXEC",
         lambda im: "PT_NOTE %d file range" % im.note)
def _(im):
    im.phdr(im.note, offset=len(im.b) - 4)


@variant("note_bad_align", "ENOEXEC",
         lambda im: "PT_NOTE %d has bad p_align 0x10" % im.note)
def _(im):
    im.phdr(im.note, align=16)


@variant("manifest_twice", "ENOEXEC", "more than one manifest note")
def _(im):
    n = im.phdrs[im.note]
    im.phdr(im.stack, type=PT_NOTE, offset=n[2], filesz=n[5], align=4)


@variant("too_many_notes", "ENOEXEC", "more than 4 PT_NOTE headers")
def _(im):
    n = im.phdrs[im.note]
    im.append_phdrs([[PT_NOTE, PF_R, n[2], 0, 0, 0, 0, 4]] * 4)


@variant("manifest_descsz_short", "ENOEXEC", "manifest: descriptor size")
def _(im):
    struct.pack_into("<I", im.b, im.note_off + 4, DESC_SIZE - 4)


@variant("manifest_bad_magic", "ENOEXEC", "manifest: bad magic", True)
def _(im):
    im.m32(M_MAGIC, 0x12345678)


@variant("manifest_bad_abi", "ENOEXEC", "manifest: unsupported manifest ABI")
def _(im):
    im.m32(M_ABI, 2)


@variant("manifest_name_chars", "EINVAL", "manifest: name has a character",
         True)
def _(im):
    im.mbytes(M_NAME, b"Sample")


@variant("manifest_name_slash", "EINVAL", "manifest: name has a character")
def _(im):
    im.mbytes(M_NAME, b"../etc")


@variant("manifest_name_unterminated", "EINVAL", "not NUL-terminated")
def _(im):
    im.mbytes(M_NAME, b"a" * 32)


@variant("manifest_name_empty", "EINVAL", "manifest: name is empty")
def _(im):
    im.mbytes(M_NAME, b"\0" * 32)


@variant("manifest_name_trailing", "EINVAL", "bytes after its NUL")
def _(im):
    im.mbytes(M_NAME + 20, b"x")


@variant("manifest_name_leading_dash", "EINVAL", "must start with")
def _(im):
    im.mbytes(M_NAME, b"-ample")


@variant("manifest_reserved", "EINVAL", "manifest: reserved field")
def _(im):
    im.m32(M_RSVD, 1)


@variant("manifest_flags_unknown", "EINVAL", "flags has unknown bits")
def _(im):
    im.m32(M_FLAGS, 0x80)


@variant("manifest_mem_pages_zero", "EINVAL", "mem_pages out of range", True)
def _(im):
    im.m32(M_MEM, 0)


@variant("manifest_mem_pages_huge", "EINVAL", "mem_pages out of range")
def _(im):
    im.m32(M_MEM, 0xFFFFFFFF)


@variant("manifest_threads_zero", "EINVAL", "threads out of range")
def _(im):
    im.m32(M_THREADS, 0)


@variant("manifest_threads_huge", "EINVAL", "threads out of range")
def _(im):
    im.m32(M_THREADS, 100000)


@variant("manifest_restart_enum", "EINVAL", "restart policy is not", True)
def _(im):
    im.m32(M_RESTART, 7)


@variant("manifest_restart_never_fields", "EINVAL",
         "must be zero when restart is never")
def _(im):
    im.m32(M_RESTART, 0)


@variant("manifest_backoff_zero", "EINVAL", "restart_backoff_ms out of range")
def _(im):
    im.m32(M_BACKOFF, 0)


@variant("manifest_max_restarts_zero", "EINVAL", "max_restarts out of range")
def _(im):
    im.m32(M_MAXR, 0)


@variant("manifest_window_huge", "EINVAL", "restart_window_ms out of range")
def _(im):
    im.m32(M_WINDOW, 0xFFFFFFFF)


@variant("manifest_nexports_9", "EINVAL", "nexports exceeds 8", True)
def _(im):
    im.m32(M_NEXP, 9)


@variant("manifest_nimports_huge", "EINVAL", "nimports exceeds 8")
def _(im):
    im.m32(M_NIMP, 0xFFFFFFFF)


@variant("manifest_ndevices_9", "EINVAL", "ndevices exceeds 8")
def _(im):
    im.m32(M_NDEV, 9)


@variant("manifest_unused_export_set", "EINVAL", "beyond nexports")
def _(im):
    im.m32(M_NEXP, 0)


@variant("manifest_unused_device_set", "EINVAL", "beyond ndevices")
def _(im):
    im.mbytes(M_DEVICES + 8 * 7, b"\x01")


@variant("manifest_export_name_chars", "EINVAL",
         "export name has a character")
def _(im):
    im.mbytes(M_EXPORTS, b"He")


@variant("manifest_import_fingerprint_zero", "EINVAL",
         "import fingerprint is zero")
def _(im):
    im.mbytes(M_IMPORTS + 32, b"\0" * 8)


@variant("manifest_import_duplicate", "EINVAL", "import name appears twice")
def _(im):
    im.mbytes(M_IMPORTS + IFACE_SIZE, b"console\0")


@variant("manifest_device_vendor_ffff", "EINVAL", "vendor ID is 0 or 0xffff")
def _(im):
    im.mbytes(M_DEVICES, b"\xff\xff")


@variant("manifest_device_flags_unknown", "EINVAL",
         "device grant has unknown flags")
def _(im):
    im.mbytes(M_DEVICES + 4, b"\0\1\0\0")


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    committed = "--committed" in argv
    seed = None
    if "--manifest-seed" in argv:
        seed = argv[argv.index("--manifest-seed") + 1]
        args.remove(seed)
    if len(args) != 2:
        sys.exit(__doc__)
    sample, outdir = args
    with open(sample, "rb") as f:
        data = f.read()
    os.makedirs(outdir, exist_ok=True)
    lines = ["ok_sample.elf OK -"]
    with open(os.path.join(outdir, "ok_sample.elf"), "wb") as f:
        f.write(data)
    names = set()
    for name, fn, errno, why, keep in VARIANTS:
        assert name not in names, name
        names.add(name)
        if committed and not keep:
            continue
        im = Image(data)
        fn(im)
        assert bytes(im.b) != data, name
        if callable(why):
            why = why(im)
        with open(os.path.join(outdir, name + ".elf"), "wb") as f:
            f.write(im.b)
        lines.append("%s.elf %s %s" % (name, errno, why))
    with open(os.path.join(outdir, "EXPECTED"), "w") as f:
        f.write("# Generated by tests/elf/mkcorpus.py: FILE ERRNO WHY.\n")
        f.write("\n".join(lines) + "\n")
    if seed:
        im = Image(data)
        with open(seed, "wb") as f:
            f.write(im.b[im.desc:im.desc + DESC_SIZE])


if __name__ == "__main__":
    main(sys.argv)
