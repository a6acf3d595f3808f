"""tests/qemu/test_both.py - one image, both firmwares: the kernel must
see the same command line and modules, and usable memory that differs
only by what each firmware and loader keep."""
import re

from conftest import image
from harness import Qemu


def summary(firmware):
    with Qemu(image("modules"), firmware=firmware, memory="512M") as q:
        return q.wait_serial(r"kernel: halting", timeout=90)


def line(serial, key):
    m = re.search(rf"^{key}: (.*)$", serial, re.M)
    assert m, f"no '{key}:' line in:\n{serial}"
    return m.group(1)


def test_same_kernel_same_view_under_both_firmwares():
    bios, uefi = summary("bios"), summary("uefi")
    assert line(bios, "cmdline") == line(uefi, "cmdline") == "console=ttyS0 twinboot"
    assert line(bios, "modules") == line(uefi, "modules")
    assert "initrd 16384 bytes" in line(bios, "modules")
    mib = [int(re.match(r"(\d+) MiB usable", line(s, "memory")).group(1)) for s in (bios, uefi)]
    # 512 MiB of RAM: each firmware keeps some, each loader a little.
    assert all(400 <= m <= 512 for m in mib), mib
    assert abs(mib[0] - mib[1]) <= 64, mib


def test_serial_off_silences_only_the_loader():
    # BIOS only: under UEFI the loader writes ConOut until ExitBootServices,
    # and OVMF itself mirrors ConOut to the serial port.
    with Qemu(image("quiet"), firmware="bios") as q:
        serial = q.wait_serial(r"kernel: halting", timeout=90)
        screen = "\n".join(text for text, _ in q.vga_text())
    # verbose=1 prints "config: kernel=..." - on screen, not on serial.
    assert "config: kernel=" not in serial, serial
    assert "Hello World!" in serial  # the kernel keeps its serial console
    assert "Hello World!" in screen


def test_kernel_is_read_once_straight_to_its_pages():
    # Our kernel's file lays its segments out as memory does, so both
    # loaders read it in one go to where it runs (no copy, issue 8).
    for firmware in ("bios", "uefi"):
        with Qemu(image("verbose"), firmware=firmware) as q:
            serial = q.wait_serial(r"kernel: halting", timeout=90)
        assert "kernel: /boot/kernel.elf read in place" in serial, serial
        assert "Hello World!" in serial
