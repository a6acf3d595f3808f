"""tests/qemu/test_matrix.py - the configuration matrix (issue 7): one image,
both firmwares, every machine and boot disk the firmware can boot from,
memory from the smallest to 16 GiB (3584M and 5G split RAM around the PCI
hole), 1/4/8 CPUs, no VGA, a 2 TiB disk and CPU models from the first
long-mode Opteron to Skylake. Each run is the kernel's conformance mode,
which must pass (exit status 33); a reset or a hang fails.

make test runs the rows in DEFAULT (new ground next to test_bios.py and
test_uefi.py); make test-matrix runs all of them. The harness's lock keeps
guests of 4 GiB or more one at a time.
"""
import re
import subprocess

import pytest

from badimage import corrupt_gpt_header
from conftest import KERNEL, LOADERS, MKIMAGE, image
from harness import EXIT_PASS, Qemu

DISKS = {"pc": ["ide", "ahci", "virtio", "nvme", "usb-xhci", "usb-ehci"],
         "q35": ["ahci", "virtio", "nvme", "usb-xhci", "usb-ehci"]}
MEMORY = ["64M", "256M", "1G", "3584M", "4G", "5G", "16G"]
CPU_MODELS = ["Opteron_G1", "core2duo", "Nehalem", "Skylake-Client", "EPYC"]

# Run by make test as well: about 8 boots, under ~90 s with -n 2.
DEFAULT = {"bios-q35-nvme", "uefi-pc-ide", "uefi-q35-usb-ehci", "bios-mem-5G",
           "uefi-mem-3584M", "bios-cpus-8-Opteron_G1", "uefi-cpu-core2duo",
           "bios-vga-none"}


def rows():
    out = []
    for fw in ("bios", "uefi"):
        for machine, disks in DISKS.items():
            out += [(f"{fw}-{machine}-{d}", dict(firmware=fw, machine=machine, disk=d))
                    for d in disks]
        out += [(f"{fw}-mem-{m}", dict(firmware=fw, memory=m)) for m in MEMORY
                if m != "64M" or fw == "bios"]
        out += [(f"{fw}-cpus-{n}", dict(firmware=fw, cpus=n)) for n in (1, 4, 8)]
        out.append((f"{fw}-cpus-8-Opteron_G1", dict(firmware=fw, cpus=8, cpu="Opteron_G1")))
        out += [(f"{fw}-cpu-{c}", dict(firmware=fw, cpu=c)) for c in CPU_MODELS]
        out.append((f"{fw}-vga-none", dict(firmware=fw, vga=False)))
        out.append((f"{fw}-2TiB-disk", dict(firmware=fw, disk_size="2T")))
        # The primary GPT damaged: the loader must read the backup in the
        # disk's last sector, LBA 0xffffffff.
        out.append((f"{fw}-2TiB-disk-backup-gpt", dict(firmware=fw, disk_size="2T-backup")))
    return [pytest.param(config, id=name,
                         marks=() if name in DEFAULT else pytest.mark.matrix)
            for name, config in rows_unique(out)]


def rows_unique(pairs):
    seen = set()
    for name, config in pairs:
        if name not in seen:
            seen.add(name)
            yield name, config


def big_disk(tmp_path):
    """The test image as a 2 TiB disk: mkimage makes the ESP fill it (a
    FAT32 of 2 TiB) and puts the backup GPT in its last sector. Sparse:
    about 512 MiB of FAT is really written."""
    img = tmp_path / "2tib.img"
    subprocess.run([MKIMAGE, "-o", str(img), "--kernel", KERNEL, "--config",
                    image("test").replace(".img", ".cfg"), "--size", "2097152"] + LOADERS,
                   check=True)
    return img


@pytest.mark.parametrize("config", rows())
def test_conformance(config, tmp_path, request):
    config = dict(config)
    firmware = config["firmware"]
    config.setdefault("memory", "256M")
    img = image("test")
    disk_size = config.pop("disk_size", None)
    if disk_size:
        img = big_disk(tmp_path)
        if disk_size.endswith("-backup"):
            corrupt_gpt_header(img, "primary")
    with Qemu(str(img), timeout=240, **config) as q:
        status = q.wait_exit()
        serial = q.serial()
    summary = re.search(r"test: \d+ passed, \d+ failed", serial)
    request.node.user_properties.append(("outcome", summary.group(0) if summary
                                         else q.exit_reason()))
    assert status == EXIT_PASS, f"{q.exit_reason()}; serial:\n{serial[-3000:]}"
    assert f"firmware: {firmware.upper()}" in serial
    if disk_size == "2T-backup" and firmware == "bios":
        assert "gpt: primary GPT damaged, using the backup" in serial
    assert summary and summary.group(0).endswith(" 0 failed")
