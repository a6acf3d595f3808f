"""tests/qemu/badimage.py - broken inputs for the boot tests (issue 7):
kernels that break one ELF rule each, files swapped in or deleted with
mtools, and the FAT chain, GPT headers and sectors of a copied image
edited in place.

The FAT is read and edited through fat_image.Fat, which follows whatever
FAT type mkimage chose.
"""
import os
import shutil
import subprocess

from conftest import KERNEL, image
from fat_image import SECTOR

ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")

# ELF64 header and program header field offsets (System V gABI).
E_MACHINE, E_ENTRY, E_PHOFF, E_PHNUM = 0x12, 0x18, 0x20, 0x38
PHDR = 56
P_TYPE, P_FLAGS, P_OFFSET, P_VADDR, P_FILESZ, P_MEMSZ = 0, 4, 8, 16, 32, 40
PT_LOAD, PT_NOTE = 1, 4


# --- kernels ----------------------------------------------------------------
class Elf:
    """The built kernel as a mutable byte array with field accessors."""

    def __init__(self, data=None):
        if data is None:
            with open(KERNEL, "rb") as f:
                data = f.read()
        self.b = bytearray(data)

    def get(self, off, size):
        return int.from_bytes(self.b[off:off + size], "little")

    def put(self, off, size, value):
        self.b[off:off + size] = value.to_bytes(size, "little")

    def phdr(self, i):
        return self.get(E_PHOFF, 8) + i * PHDR

    def loads(self):
        """Indexes of the PT_LOAD program headers."""
        return [i for i in range(self.get(E_PHNUM, 2))
                if self.get(self.phdr(i) + P_TYPE, 4) == PT_LOAD]

    def seg(self, i, field, value=None, size=8):
        off = self.phdr(i) + field
        if value is None:
            return self.get(off, size)
        self.put(off, size, value)
        return value


def broken_kernel(kind):
    """The kernel broken one way; returns its bytes."""
    k = Elf()
    load = k.loads()
    text, rodata, data = load[0], load[1], load[-1]
    if kind == "truncated-header":
        return bytes(k.b[:40])
    if kind == "truncated":  # cut inside the first segment
        return bytes(k.b[:k.seg(text, P_OFFSET) + 0x100])
    if kind == "bad-magic":
        k.b[1:4] = b"ELG"
    elif kind == "wrong-class":
        k.b[4] = 1
    elif kind == "big-endian":
        k.b[5] = 2
    elif kind == "wrong-machine":
        k.put(E_MACHINE, 2, 0x28)  # EM_ARM
    elif kind == "wrong-type":
        k.put(0x10, 2, 1)  # ET_REL
    elif kind == "filesz-gt-memsz":
        k.seg(rodata, P_FILESZ, k.seg(rodata, P_MEMSZ) + 0x1000)
    elif kind == "segment-outside-file":
        k.seg(rodata, P_OFFSET, len(k.b) + 0x10000)
    elif kind == "overlapping":
        k.seg(rodata, P_VADDR, k.seg(text, P_VADDR) + 0x1000)
    elif kind == "entry-outside-code":
        k.put(E_ENTRY, 8, k.seg(rodata, P_VADDR))
    elif kind == "no-pt-load":
        for i in load:
            k.seg(i, P_TYPE, PT_NOTE, size=4)
    elif kind == "direct-map":
        k.seg(data, P_VADDR, 0xffff800000000000 + (k.seg(data, P_VADDR) & 0xfff))
    elif kind == "stack-region":
        k.seg(data, P_VADDR, 0xffffffff7fe00000 + (k.seg(data, P_VADDR) & 0xfff))
    elif kind == "non-canonical":
        k.seg(data, P_VADDR, 0x0000900000000000 + (k.seg(data, P_VADDR) & 0xfff))
    elif kind.startswith("bss-"):  # bss-<MiB>: a .bss that many MiB long
        k.seg(data, P_MEMSZ, int(kind[4:]) << 20)
    else:
        raise ValueError(kind)
    return bytes(k.b)


# --- images -----------------------------------------------------------------
def copy_image(tmp_path, name="plain", variant="plain"):
    img = tmp_path / f"{name}.img"
    shutil.copy(image(variant), img)
    return img


def put_file(img, path, data):
    """Write `data` as ESP file `path` (e.g. "/boot/kernel.elf")."""
    src = f"{img}.{os.path.basename(path)}.tmp"
    with open(src, "wb") as f:
        f.write(data)
    subprocess.run(["mcopy", "-o", "-i", f"{img}@@1M", src, "::" + path],
                   check=True, env=ENV, capture_output=True)
    os.unlink(src)


def delete_file(img, path):
    subprocess.run(["mdel", "-i", f"{img}@@1M", "::" + path], check=True, env=ENV,
                   capture_output=True)


def make_directory(img, path):
    """An empty ESP directory `path` where a file may have been."""
    subprocess.run(["mdel", "-i", f"{img}@@1M", "::" + path], env=ENV, capture_output=True)
    subprocess.run(["mmd", "-i", f"{img}@@1M", "::" + path], check=True, env=ENV,
                   capture_output=True)


# --- GPT ----------------------------------------------------------------------
def corrupt_gpt_header(img, which):
    """Flip a bit of the primary (LBA 1) or backup (last LBA) header's CRC."""
    size = os.path.getsize(img)
    lba = 1 if which == "primary" else size // SECTOR - 1
    with open(img, "r+b") as f:
        f.seek(lba * SECTOR)
        assert f.read(8) == b"EFI PART", f"no GPT header at LBA {lba}"
        f.seek(lba * SECTOR + 16)
        crc = bytearray(f.read(4))
        crc[0] ^= 0x01
        f.seek(lba * SECTOR + 16)
        f.write(crc)


def blkdebug_config(path, sectors):
    """A blkdebug config failing every read of any of `sectors` with EIO."""
    rules = "".join(f'[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "{s}"\n\n'
                    for s in sectors)
    path.write_text(rules)
    return path
