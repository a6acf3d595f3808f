"""tests/qemu/conftest.py - the images the boot tests use, and --matrix.

Images are built once, before any test runs, on the pytest-xdist
controller (or the only process), with the real mkimage from variants of
one kernel: each differs only in its twinboot.cfg.
"""
import os
import random
import struct
import subprocess

import pytest

from harness import ROOT

BUILD = os.path.join(ROOT, "build")
IMAGES = os.path.join(BUILD, "tests", "qemu")
MKIMAGE = os.path.join(BUILD, "tools", "mkimage")
LOADERS = ["--mbr-code", os.path.join(BUILD, "loader/bios/mbr.bin"),
           "--stage2", os.path.join(BUILD, "loader/bios/stage2.bin"),
           "--efi", os.path.join(BUILD, "loader/uefi/BOOTX64.EFI")]
KERNEL = os.path.join(BUILD, "kernel", "kernel.elf")
LOWKERNEL = os.path.join(BUILD, "lowkernel", "lowkernel.elf")

# name -> lines of twinboot.cfg besides kernel=
VARIANTS = {
    "plain": [],
    "test": ["cmdline=test"],
    "pagefault": ["cmdline=test=pagefault"],
    "stackoverflow": ["cmdline=test=stackoverflow"],
    "video800": ["video=800x600"],
    "video1024": ["video=1024x768"],
    "video1024-test": ["cmdline=test", "video=1024x768"],
    "quiet": ["serial=off", "verbose=1"],
    "verbose": ["verbose=1"],
    "memmap": ["cmdline=memmap"],
    "modules": ["cmdline=console=ttyS0 twinboot", "module=/boot/initrd",
                "module=/boot/font.psf"],
    "bigmodule": ["verbose=1", "module=/boot/blob"],
    "bigmodule-firmware": ["verbose=1", "disk=firmware", "module=/boot/blob"],
}
# The "bulky" image's kernel: ours with one more PT_LOAD of BULK_SIZE
# random bytes that it never reads, so that the loaders read more than
# their first 60 KiB of it (tests of disk errors and FAT damage there).
# "bigkernel" adds BIGKERNEL_TAIL bytes no segment holds after that, what
# a debug build's symbols and DWARF are to the loaders.
BULK_SIZE = 2**20
BIGKERNEL_TAIL = 4 * 2**20
# A module of random bytes, large enough for more than one bus-master DMA
# command (8 MiB each) and ending in part of a sector.
BLOB_SIZE = 9 * 2**20 + 4096 + 700


def blob_bytes():
    return random.Random(8).randbytes(BLOB_SIZE)


def bulky_kernel(tail=0):
    """KERNEL with a PT_LOAD of BULK_SIZE random bytes appended, laid out
    as the others (p_offset - p_vaddr the same), so it is read in place;
    then `tail` random bytes that no segment holds."""
    with open(KERNEL, "rb") as f:
        elf = bytearray(f.read())
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phnum, = struct.unpack_from("<H", elf, 0x38)
    loads = [struct.unpack_from("<IIQQQQQQ", elf, phoff + 56 * i) for i in range(phnum)]
    loads = [p for p in loads if p[0] == 1]
    delta = loads[0][3] - loads[0][2]  # p_vaddr - p_offset, as in every segment
    end = max(p[3] + p[6] for p in loads)  # the last segment's memory end
    new = phoff + 56 * phnum
    assert elf[new:new + 56] == bytes(56) and new + 56 <= loads[0][2], "no room for a header"
    offset = (max(len(elf), end - delta) + 0xfff) & ~0xfff
    elf += bytes(offset - len(elf)) + random.Random(10).randbytes(BULK_SIZE)
    struct.pack_into("<IIQQQQQQ", elf, new, 1, 4, offset, offset + delta, offset + delta,
                     BULK_SIZE, BULK_SIZE, 0x1000)
    struct.pack_into("<H", elf, 0x38, phnum + 1)
    return bytes(elf) + random.Random(11).randbytes(tail)


def image(name):
    return os.path.join(IMAGES, f"{name}.img")


def build_images():
    os.makedirs(IMAGES, exist_ok=True)
    initrd = os.path.join(IMAGES, "initrd")
    with open(initrd, "wb") as f:
        f.write(bytes(range(256)) * 64)
    font = os.path.join(IMAGES, "font.psf")
    with open(font, "wb") as f:
        f.write(b"\x72\xb5\x4a\x86" + b"\0" * 4000)
    blob = os.path.join(IMAGES, "blob")
    with open(blob, "wb") as f:
        f.write(blob_bytes())
    module_files = {"modules": [initrd, font], "bigmodule": [blob],
                    "bigmodule-firmware": [blob]}
    for name, lines in VARIANTS.items():
        cfg = os.path.join(IMAGES, f"{name}.cfg")
        with open(cfg, "w") as f:
            f.write("\n".join(["kernel=/boot/kernel.elf"] + lines) + "\n")
        cmd = [MKIMAGE, "-o", image(name), "--kernel", KERNEL, "--config", cfg] + LOADERS
        for path in module_files.get(name, []):
            cmd += ["--module", path]
        subprocess.run(cmd, check=True)
    for name, tail in (("bulky", 0), ("bigkernel", BIGKERNEL_TAIL)):
        path = os.path.join(IMAGES, f"{name}.elf")
        with open(path, "wb") as f:
            f.write(bulky_kernel(tail))
        subprocess.run([MKIMAGE, "-o", image(name), "--kernel", path,
                        "--config", os.path.join(IMAGES, "verbose.cfg")] + LOADERS, check=True)
    # The second, independent kernel, straight from mkimage's command line.
    subprocess.run([MKIMAGE, "-o", image("lowkernel"), "--kernel", LOWKERNEL,
                    "--cmdline", "low and independent"] + LOADERS, check=True)


def pytest_addoption(parser):
    parser.addoption("--matrix", action="store_true",
                     help="also run the long configuration matrix")


def pytest_configure(config):
    config.addinivalue_line("markers", "matrix: long configuration runs (make test-matrix)")
    if not hasattr(config, "workerinput"):  # the controller, or no xdist
        build_images()


def pytest_collection_modifyitems(config, items):
    if config.getoption("--matrix"):
        return
    skip = pytest.mark.skip(reason="part of the matrix: make test-matrix")
    for item in items:
        if "matrix" in item.keywords:
            item.add_marker(skip)
