"""tests/qemu/test_bios.py - the image under SeaBIOS: what the screen and
the serial port show, and the kernel's conformance checks across
machines, disks, memory sizes and CPU counts (issue 5)."""
import os
import re

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


def ranges(pairs):
    """Merge (start, end) pairs (end exclusive) into sorted disjoint ranges."""
    out = []
    for start, end in sorted(pairs):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def covered(inner, outer):
    """Is every range of `inner` inside some range of `outer`?"""
    return all(any(o0 <= i0 and i1 <= o1 for o0, o1 in outer) for i0, i1 in inner)


@pytest.mark.parametrize("memory", ["256M", "3584M"])
def test_kernel_memory_is_the_e820_ram_less_the_loaders_own(memory, tmp_path):
    debug_log = tmp_path / "seabios.txt"
    extra = ["-chardev", f"file,id=dbg,path={debug_log}",
             "-device", "isa-debugcon,iobase=0x402,chardev=dbg"]
    with Qemu(image("memmap"), memory=memory, extra=extra) as q:
        serial = q.wait_serial(r"kernel: halting", timeout=60)
    e820 = [(int(a, 16), int(b, 16)) for a, b, t in re.findall(
        r"^\s*\d+: ([0-9a-f]{16}) - ([0-9a-f]{16}) = (\d+)", debug_log.read_text(), re.M)
        if t == "1"]
    assert e820, "no e820 map in SeaBIOS's debug output"
    kernel_map = [(int(a, 16), int(b, 16) + 1, t) for a, b, t in
                  re.findall(r"^map: 0x([0-9a-f]+)-0x([0-9a-f]+) (\S+)$", serial, re.M)]
    ram_types = {"usable", "loader", "kernel", "module"}
    ram = ranges([(a, b) for a, b, t in kernel_map if t in ram_types])
    # The firmware's RAM, in whole pages, is all still RAM to the kernel...
    e820_pages = ranges([((a + 4095) & ~4095, b & ~4095) for a, b in e820 if b - a >= 4096])
    assert covered(e820_pages, ram), (e820_pages, ram)
    # ...and the kernel is given no RAM the firmware did not report.
    assert covered(ram, ranges(e820)), (ram, e820)
    taken = sum(b - a for a, b, t in kernel_map if t in ("loader", "kernel"))
    usable = sum(b - a for a, b, t in kernel_map if t == "usable")
    assert taken < 4 << 20, f"loader and kernel took {taken >> 10} KiB"
    # Exactly: what is not usable now is what the loader and kernel took.
    assert usable + taken == sum(b - a for a, b in e820_pages)
    # Stage 2's INT 13h bounce area runs from 0x70000 through the rest of
    # free base memory (up to the EBDA, where SeaBIOS's RAM below 1 MiB
    # ends): loader memory to the kernel, which may reclaim it.
    base_end = next(b & ~4095 for a, b in e820 if a <= 0x80000 < b)
    assert any(a <= 0x70000 and base_end <= b for a, b, t in kernel_map if t == "loader"), \
        [(hex(a), hex(b), t) for a, b, t in kernel_map if a < 0x100000]
