"""tests/bench/setups.py - what the bench boots, shared by the runner
(bench.py) and the report (report.py): the firmware and disk options,
the firmware's files, and one helper to run a command for its output."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
DISKS = {
    "ide": ["-device", "ide-hd,drive=d,bootindex=0"],
    # QEMU's ich9-ahci (q35's own controller), here on pc. Not one of issue
    # 8's setups, so timed only when asked: BENCH_SETUPS=bios:ahci,uefi:ahci.
    "ahci": ["-device", "ahci,id=ahci0", "-device", "ide-hd,drive=d,bus=ahci0.0,bootindex=0"],
    "virtio": ["-device", "virtio-blk-pci,drive=d,bootindex=0"],
    "usb-xhci": ["-device", "qemu-xhci,id=xhci",
                 "-device", "usb-storage,bus=xhci.0,drive=d,bootindex=0"],
}
FIRMWARES = {"bios": "SeaBIOS", "uefi": "OVMF"}
DEFAULT_DISKS = ["ide", "virtio", "usb-xhci"]  # issue 8's


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout
