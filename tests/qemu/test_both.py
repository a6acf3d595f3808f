"""tests/qemu/test_both.py - one image, both firmwares: the kernel must
see the same command line and modules, and usable memory that differs
only by what each firmware and loader keep."""
import os
import re

import pytest

from fat_image import Fat
from conftest import BIGKERNEL_TAIL, IMAGES, blob_bytes, image
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


def test_kernel_debug_info_stays_on_the_disk():
    # Our kernel's segments (about 36 KiB) end inside the loaders' first
    # read of its file; the rest of the file is symbols and DWARF, which
    # nothing loads, so neither loader reads further.
    # The BIOS loader's first read is 60 KiB and takes them all; the UEFI
    # loader's is 16 KiB (files_uefi.c), after which it reads the rest of
    # them in place.
    for firmware, how in (("bios", "read in one go"), ("uefi", "read in place")):
        with Qemu(image("verbose"), firmware=firmware) as q:
            serial = q.wait_serial(r"kernel: halting", timeout=90)
        assert f"kernel: /boot/kernel.elf {how}" in serial, serial
        assert re.search(r"kernel: the last \d+ bytes of /boot/kernel.elf left on the disk",
                         serial), serial
        assert "Hello World!" in serial


def test_big_kernel_is_read_once_straight_to_its_pages():
    # Our kernel with a 1 MiB segment more, then 4 MiB that no segment
    # holds (conftest.bulky_kernel). Its file lays the segments out as
    # memory does, so both loaders read up to the last segment's end in
    # one go, to where it runs (no copy, issue 8), and not the tail.
    for firmware in ("bios", "uefi"):
        with Qemu(image("bigkernel"), firmware=firmware) as q:
            serial = q.wait_serial(r"kernel: halting", timeout=90)
        assert "kernel: /boot/kernel.elf read in place" in serial, serial
        assert (f"kernel: the last {BIGKERNEL_TAIL} bytes of /boot/kernel.elf left on the disk"
                in serial), serial
        assert "Hello World!" in serial


def test_uefi_kernel_head_comes_from_the_firmware_cache(tmp_path):
    """Under the firmware's FAT driver (virtio-blk), the UEFI loader's
    first read of the kernel, 16 KiB, stays in the 64 KiB block the driver
    cached when it loaded BOOTX64.EFI, which the kernel's first cluster
    follows (mkimage). The rest, up to the last segment, then takes one
    request of its own plus the block its end lies in: two requests for
    the kernel alone, where a 60 KiB first read made three, the third for
    the next block. Counted from QEMU's own trace of virtio-blk reads."""
    img = image("bigkernel")
    fat = Fat(img)
    with open(os.path.join(IMAGES, "bigkernel.elf"), "rb") as f:
        used = len(f.read()) - BIGKERNEL_TAIL  # the tail is left on the disk
    kernel = fat.extent("boot/kernel.elf", used)
    loader = fat.extent("EFI/BOOT/BOOTX64.EFI")
    trace = tmp_path / "virtio.trace"
    with Qemu(img, firmware="uefi", machine="pc", disk="virtio",
              extra=["-trace", "virtio_blk_handle_read", "-D", str(trace)]) as q:
        serial = q.wait_serial(r"kernel: halting", timeout=90)
    assert "Hello World!" in serial
    reads = [(int(m.group(1)), int(m.group(1)) + int(m.group(2))) for m in
             re.finditer(r"virtio_blk_handle_read .*sector (\d+) nsectors (\d+)",
                         trace.read_text())]

    def overlaps(a, b):
        return a[0] < b[1] and b[0] < a[1]

    # The firmware's read of the loader's last block holds the kernel's
    # first bytes; every other read that touches the kernel is the loader's.
    for_kernel = [r for r in reads if overlaps(r, kernel) and not overlaps(r, loader)]
    assert 1 <= len(for_kernel) <= 2, (kernel, loader, for_kernel)
    assert sum(min(e, kernel[1]) - max(s, kernel[0]) for s, e in for_kernel) > \
        (kernel[1] - kernel[0]) * 9 // 10


# How each loader reads each disk. Stage 2: bus-master DMA where the BIOS
# says the boot drive is an IDE disk on PCI (common/ata_dma.c), the
# device's own queue where it names a virtio-blk function
# (loader/bios/virtio_disk.c), the disk's AHCI port where it names no
# device and one AHCI disk reads as INT 13h does (common/ahci_disk.c),
# INT 13h elsewhere. BOOTX64.EFI: the same DMA driver where the boot
# partition's device path ends in Ata(..) on a PCI IDE controller, the
# AHCI driver from the first read of 1 MiB on (here the 9 MiB module)
# where it ends in Sata(..) (loader/uefi/disk_uefi.c), the firmware's
# file system elsewhere. Both go through the firmware when the config
# says disk=firmware. All on QEMU's pc machine, whose IDE is where OVMF
# is slow.
READ_PATHS = [
    pytest.param("bios", "ide", "bigmodule",
                 r"bus-master DMA \(the ATA master at 0x170, PCI 00:01\.1\)", id="bios-ide"),
    pytest.param("bios", "ide-slave", "bigmodule",
                 r"bus-master DMA \(the ATA slave at 0x1f0, PCI 00:01\.1\)", id="bios-ide-slave"),
    pytest.param("bios", "virtio", "bigmodule", r"virtio-blk \(PCI 00:03\.0, queue size 8\)",
                 id="bios-virtio-blk"),
    pytest.param("bios", "virtio-second", "bigmodule",
                 r"virtio-blk \(PCI 00:04\.0, queue size 8\)", id="bios-virtio-blk-second"),
    pytest.param("bios", "virtio-high", "bigmodule", r"INT 13h \(virtio: notify capability is "
                 r"in BAR 4 at 0x1[0-9a-f]{8}, above 4 GiB\)", id="bios-virtio-blk-above-4g"),
    pytest.param("bios", "ahci", "bigmodule", r"AHCI \(port 0, PCI 00:03\.0\)",
                 id="bios-ahci"),
    pytest.param("bios", "ahci-third", "bigmodule", r"AHCI \(port 2, PCI 00:03\.0\)",
                 id="bios-ahci-third-port"),
    pytest.param("bios", "usb-xhci", "bigmodule", r"INT 13h \(edd: no EDD 3\.0 device path\)",
                 id="bios-usb-xhci"),
    pytest.param("bios", "ide", "bigmodule-firmware", r"INT 13h \(disk=firmware in the config\)",
                 id="bios-ide-disk-firmware"),
    pytest.param("bios", "virtio", "bigmodule-firmware",
                 r"INT 13h \(disk=firmware in the config\)", id="bios-virtio-blk-disk-firmware"),
    pytest.param("uefi", "ide", "bigmodule",
                 r"bus-master DMA \(the ATA master at 0x170, PCI 00:01\.1\)", id="uefi-ide"),
    pytest.param("uefi", "ide-slave", "bigmodule",
                 r"bus-master DMA \(the ATA slave at 0x1f0, PCI 00:01\.1\)", id="uefi-ide-slave"),
    pytest.param("uefi", "ahci", "bigmodule", r"AHCI \(port 0, PCI 00:03\.0\)",
                 id="uefi-ahci"),
    pytest.param("uefi", "ahci-third", "bigmodule", r"AHCI \(port 2, PCI 00:03\.0\)",
                 id="uefi-ahci-third-port"),
    pytest.param("uefi", "virtio", "bigmodule",
                 r"the firmware \(the boot disk is on neither an IDE channel nor an AHCI "
                 r"port\)", id="uefi-virtio-blk"),
    pytest.param("uefi", "ide", "bigmodule-firmware",
                 r"the firmware \(disk=firmware in the config\)", id="uefi-ide-disk-firmware"),
]


@pytest.mark.parametrize("firmware,disk,variant,how", READ_PATHS)
def test_module_bytes_arrive_intact_by_each_read_path(firmware, disk, variant, how):
    """A 9 MiB module of random bytes (more than one DMA command, a part
    sector at the end) must be in memory exactly as in the file."""
    with Qemu(image(variant), firmware=firmware, machine="pc", disk=disk, timeout=120) as q:
        serial = q.wait_serial(r"kernel: halting", timeout=100)
        m = re.search(r"module: /boot/blob, (\d+) bytes at 0x([0-9a-f]+)", serial)
        assert m, serial
        loaded = q.read_memory(int(m.group(2), 16), int(m.group(1)))
    assert re.search(r"disk: reading by " + how, serial), serial
    expected = blob_bytes()
    assert len(loaded) == len(expected)
    if loaded != expected:
        first = next(i for i in range(len(expected)) if loaded[i] != expected[i])
        pytest.fail(f"module differs from byte {first:#x} on")


def test_small_files_stay_with_the_firmware_on_ahci_uefi():
    """BOOTX64.EFI takes an AHCI port only at the first read of 1 MiB or
    more: below that edk2's driver is as fast from its cache, and mounting
    the partition over our driver would cost a small kernel's boot more
    than it saves. The test kernel and its config are small."""
    with Qemu(image("verbose"), firmware="uefi", machine="pc", disk="ahci", timeout=120) as q:
        serial = q.wait_serial(r"kernel: halting", timeout=100)
    assert "disk: reading by the firmware, by AHCI from the first read of 1 MiB on" in serial
    assert "disk: reading by AHCI" not in serial, serial
