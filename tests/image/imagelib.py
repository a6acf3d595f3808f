"""tests/image/imagelib.py - what the image tests build from (imported by the
test files; not a conftest.py, so it never shadows tests/qemu/conftest.py).

The real loaders and kernel when they are built; otherwise stand-ins made
here (a 512-byte stage 1 template with "TBS1" at 0x1a8, a few KiB of stage
2, a dummy BOOTX64.EFI and a minimal ELF64 kernel), so mkimage's tests do
not wait on the other parts of the tree. mkimage itself must be built.
"""
import os
import struct
import subprocess
import uuid
import zlib

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
MKIMAGE = os.path.join(BUILD, "tools", "mkimage")
REAL = {
    "kernel": os.path.join(BUILD, "kernel", "kernel.elf"),
    "mbr": os.path.join(BUILD, "loader/bios/mbr.bin"),
    "stage2": os.path.join(BUILD, "loader/bios/stage2.bin"),
    "efi": os.path.join(BUILD, "loader/uefi/BOOTX64.EFI"),
}
ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1", SOURCE_DATE_EPOCH="1700000000", TZ="UTC0")
SECTOR = 512
ESP_TYPE = uuid.UUID("C12A7328-F81F-11D2-BA4B-00A0C93EC93B")
BIOS_BOOT_TYPE = uuid.UUID("21686148-6449-6E6F-744E-656564454649")


def make_elf(entry=0x401000, segments=None, machine=0x3E, elf_class=2, etype=2):
    """A minimal ELF64 executable: segments are (vaddr, flags, data, memsz);
    each segment's bytes sit at a file offset congruent to its vaddr mod 4 KiB."""
    if segments is None:
        segments = [(0x401000, 5, b"\xfa\xf4" * 64, 128), (0x402000, 6, b"\x01" * 16, 0x2000)]
    phoff, phnum = 64, len(segments)
    header = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", elf_class, 1, 1, 0, 0,
                         bytes(7), etype, machine, 1, entry, phoff, 0, 0, 64, 56, phnum,
                         64, 0, 0)
    body = bytearray(header)
    offsets = []
    for i, (vaddr, _, data, _) in enumerate(segments):
        offsets.append(0x1000 * (i + 1) + (vaddr & 0xFFF))
    for (vaddr, flags, data, memsz), off in zip(segments, offsets):
        body += struct.pack("<IIQQQQQQ", 1, flags, off, vaddr, vaddr, len(data), memsz, 0x1000)
    for (vaddr, flags, data, memsz), off in zip(segments, offsets):
        body += bytes(off - len(body)) + data
    return bytes(body)


@pytest.fixture(scope="session")
def inputs(tmp_path_factory):
    """Paths of kernel, mbr, stage2, efi (real or stand-ins), plus 'fake'."""
    # TWINBOOT_FAKE_INPUTS=1 forces the stand-ins, to test that path too.
    if os.environ.get("TWINBOOT_FAKE_INPUTS") != "1" and all(map(os.path.exists, REAL.values())):
        return dict(REAL, fake=False)
    d = tmp_path_factory.mktemp("inputs")
    mbr = bytearray(512)
    mbr[0:2] = b"\xeb\x58"  # jmp short over the BPB gap to 0x5a
    mbr[0x5A:0x5E] = b"\xfa\xf4\xeb\xfd"  # cli; hlt; jmp $-1
    mbr[0x1A8:0x1AC] = b"TBS1"
    files = {"kernel": make_elf(), "mbr": bytes(mbr),
             "stage2": bytes(range(256)) * 24, "efi": b"MZ" + bytes(4094)}
    paths = {}
    for name, data in files.items():
        paths[name] = str(d / name)
        with open(paths[name], "wb") as f:
            f.write(data)
    return dict(paths, fake=True)


def loader_args(inputs):
    return ["--mbr-code", inputs["mbr"], "--stage2", inputs["stage2"], "--efi", inputs["efi"]]


def mkimage(*args, check=True, env=ENV):
    return subprocess.run([MKIMAGE, *map(str, args)], capture_output=True, text=True,
                          check=check, env=env)


def read_gpt(path):
    """Parse and verify the GPT independently of mkimage: both headers,
    their CRCs and the entry arrays. Returns (disk_guid, entries), entries
    as (type, guid, first, last, name)."""
    with open(path, "rb") as f:
        disk = f.read()
    total = len(disk) // SECTOR
    headers = []
    for lba, alt, entries_lba in ((1, total - 1, 2), (total - 1, 1, total - 33)):
        h = disk[lba * SECTOR:lba * SECTOR + 92]
        assert h[:8] == b"EFI PART"
        crc = struct.unpack_from("<I", h, 16)[0]
        assert zlib.crc32(h[:16] + bytes(4) + h[20:]) == crc, f"header CRC at LBA {lba}"
        my, other, first, last = struct.unpack_from("<QQQQ", h, 24)
        assert (my, other, first, last) == (lba, alt, 34, total - 34)
        start, count, size, ecrc = struct.unpack_from("<QIII", h, 72)
        assert (start, count, size) == (entries_lba, 128, 128)
        array = disk[start * SECTOR:start * SECTOR + count * size]
        assert zlib.crc32(array) == ecrc, f"entry array CRC at LBA {start}"
        headers.append((h[56:72], array))
    assert headers[0] == headers[1]  # the backup says the same
    guid, array = headers[0]
    entries = []
    for i in range(128):
        e = array[i * 128:(i + 1) * 128]
        if e[:16] == bytes(16):
            continue
        first, last = struct.unpack_from("<QQ", e, 32)
        name = e[56:128].decode("utf-16-le").rstrip("\0")
        entries.append((uuid.UUID(bytes_le=e[:16]), uuid.UUID(bytes_le=e[16:32]), first, last,
                        name))
    return uuid.UUID(bytes_le=guid), entries
