"""tests/qemu/conftest.py - the images the boot tests use, and --matrix.

Images are built once, before any test runs, on the pytest-xdist
controller (or the only process), with the real mkimage from variants of
one kernel: each differs only in its twinboot.cfg.
"""
import os
import random
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
# A module of random bytes, large enough for more than one bus-master DMA
# command (8 MiB each) and ending in part of a sector.
BLOB_SIZE = 9 * 2**20 + 4096 + 700


def blob_bytes():
    return random.Random(8).randbytes(BLOB_SIZE)


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
