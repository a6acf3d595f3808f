"""tests/qemu/test_uefi.py - the image under OVMF: "Hello World!" read off
the GOP framebuffer with the kernel's font, and the conformance checks
across disks, memory sizes, CPU counts and resolutions (issue 6)."""
import os
import re

import pytest

from conftest import image
from harness import EXIT_PASS, ROOT, Qemu
from screen import text_in_colour

SAVE = os.environ.get("TWINBOOT_SAVE_SCREENSHOTS") == "1"


def test_hello_world_on_the_framebuffer_and_serial():
    with Qemu(image("plain"), firmware="uefi") as q:
        serial = q.wait_serial(r"kernel: halting", timeout=90)
        screen = q.screenshot()
    if SAVE:
        screen.save(os.path.join(ROOT, "docs", "screenshots", "uefi-gop.png"))
    assert "Hello World!" in serial
    assert "firmware: UEFI" in serial
    # The loader's banner, held until ExitBootServices (log_banner), then
    # on COM1: once, before the kernel's first line.
    banners = re.findall(r"twinboot \d+\.\d+\.\d+ \(UEFI\)", serial)
    assert len(banners) == 1, serial
    assert serial.index(banners[0]) < serial.index("Hello World!")
    lines = text_in_colour(screen)
    assert any("Hello World!" in line for line in lines), \
        "no 'Hello World!' in the kernel's font on screen"


CONFIGS = [
    pytest.param(dict(disk="ahci"), id="q35-ahci"),
    # pc's IDE, read by BOOTX64.EFI's own DMA driver (disk_uefi.c).
    pytest.param(dict(disk="ide"), id="pc-ide"),
    pytest.param(dict(disk="virtio"), id="virtio-blk"),
    pytest.param(dict(disk="nvme"), id="nvme"),
    pytest.param(dict(disk="usb-xhci"), id="usb-xhci"),
    pytest.param(dict(memory="2G"), id="2G"),
    pytest.param(dict(memory="8G"), id="8G"),
    pytest.param(dict(cpus=4), id="4cpus"),
    pytest.param(dict(vga=False), id="no-vga"),
    pytest.param(dict(variant="video1024-test"), id="gop-1024x768"),
]


@pytest.mark.parametrize("config", CONFIGS)
def test_conformance(config):
    config = dict(config)
    with Qemu(image(config.pop("variant", "test")), firmware="uefi", timeout=180,
              **config) as q:
        status = q.wait_exit()
        serial = q.serial()
    assert status == EXIT_PASS, f"{q.exit_reason()}; serial:\n{serial}"
    assert "firmware: UEFI" in serial
    if not config.get("vga", True):
        assert "console: serial only" in serial


@pytest.mark.parametrize("variant, size", [("video800", (800, 600)), ("video1024", (1024, 768))])
def test_video_mode_is_chosen(variant, size):
    with Qemu(image(variant), firmware="uefi", timeout=120) as q:
        serial = q.wait_serial(r"kernel: halting", timeout=90)
        screen = q.screenshot()
    assert f"console: framebuffer {size[0]}x{size[1]}" in serial
    assert screen.size == size
    assert any("Hello World!" in line for line in text_in_colour(screen))


@pytest.mark.parametrize("variant, message", [
    ("pagefault", r"EXCEPTION: page fault \(#PF\).*CR2=0x00000dead0000000"),
    ("stackoverflow", r"EXCEPTION: (double fault \(#DF\)|page fault \(#PF\))"),
])
def test_deliberate_faults_print_and_halt(variant, message):
    with Qemu(image(variant), firmware="uefi") as q:
        q.wait_serial(message, timeout=90)
        assert q.still_running(after=1.0), q.exit_reason()
