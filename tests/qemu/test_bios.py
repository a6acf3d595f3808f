"""tests/qemu/test_bios.py - the image under SeaBIOS: what the screen and
the serial port show, and the kernel's conformance checks across
machines, disks, memory sizes and CPU counts (issue 5)."""
import os

import pytest

from conftest import image
from harness import EXIT_PASS, ROOT, Qemu
from screen import text_in_colour

SAVE = os.environ.get("TWINBOOT_SAVE_SCREENSHOTS") == "1"


def test_hello_world_in_vga_text_and_on_serial():
    with Qemu(image("plain")) as q:
        serial = q.wait_serial(r"kernel: halting", timeout=30)
        rows = q.vga_text()
        if SAVE:
            q.screenshot().save(os.path.join(ROOT, "docs", "screenshots", "bios-vga.png"))
    assert "Hello World!" in serial
    hello = [(text, attrs) for text, attrs in rows if "Hello World!" in text]
    assert hello, "no 'Hello World!' on the VGA text screen:\n" + \
        "\n".join(text for text, _ in rows)
    text, attrs = hello[0]
    start = text.index("Hello World!")
    assert attrs[start:start + 12] == [0x0B] * 12, "not light cyan on black"
    assert any(t.startswith("firmware: BIOS") for t, _ in rows)


CONFIGS = [
    pytest.param(dict(machine="pc", disk="ide"), id="pc-ide"),
    pytest.param(dict(machine="q35", disk="ahci"), id="q35-ahci"),
    pytest.param(dict(machine="pc", disk="virtio"), id="virtio-blk"),
    pytest.param(dict(machine="q35", disk="usb-xhci"), id="usb-xhci"),
    pytest.param(dict(machine="pc", disk="usb-ehci"), id="usb-ehci"),
    pytest.param(dict(memory="64M"), id="64M"),
    pytest.param(dict(memory="1G"), id="1G"),
    pytest.param(dict(memory="8G"), id="8G"),
    pytest.param(dict(cpus=4), id="4cpus"),
    pytest.param(dict(variant="video1024-test"), id="vbe-1024x768"),
]


@pytest.mark.parametrize("config", CONFIGS)
def test_conformance(config):
    config = dict(config)
    with Qemu(image(config.pop("variant", "test")), timeout=120, **config) as q:
        status = q.wait_exit()
        serial = q.serial()
    assert status == EXIT_PASS, f"{q.exit_reason()}; serial:\n{serial}"
    assert "firmware: BIOS" in serial
    assert "test: 0 failed" in serial or ", 0 failed" in serial


def test_vbe_framebuffer_shows_hello_world():
    with Qemu(image("video1024")) as q:
        serial = q.wait_serial(r"kernel: halting", timeout=60)
        screen = q.screenshot()
    assert "console: framebuffer 1024x768" in serial
    assert screen.size == (1024, 768)
    assert any("Hello World!" in line for line in text_in_colour(screen))


def test_cpu_without_long_mode_is_named_and_halts():
    message = "This CPU does not support 64-bit long mode"
    with Qemu(image("plain"), cpu="qemu32") as q:
        q.wait_serial(message, timeout=30)
        assert q.still_running(after=1.0), q.exit_reason()
        rows = q.vga_text()
    assert any(message in text for text, _ in rows)


@pytest.mark.parametrize("variant, message", [
    ("pagefault", r"EXCEPTION: page fault \(#PF\).*CR2=0x00000dead0000000"),
    ("stackoverflow", r"EXCEPTION: (double fault \(#DF\)|page fault \(#PF\))"),
])
def test_deliberate_faults_print_and_halt(variant, message):
    with Qemu(image(variant)) as q:
        q.wait_serial(message, timeout=30)
        assert q.still_running(after=1.0), q.exit_reason()
