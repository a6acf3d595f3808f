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
    "virtio": ["-device", "virtio-blk-pci,drive=d,bootindex=0"],
    "usb-xhci": ["-device", "qemu-xhci,id=xhci",
                 "-device", "usb-storage,bus=xhci.0,drive=d,bootindex=0"],
}
FIRMWARES = {"bios": "SeaBIOS", "uefi": "OVMF"}


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout
