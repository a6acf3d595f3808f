#!/usr/bin/env python3
"""scripts/run.py - boot a twinboot image in QEMU for a person to watch.

  make run         run.py --firmware bios build/twinboot.img
  make run-uefi    run.py --firmware uefi build/twinboot.img
  make run-usb     run.py --firmware $(FW) --disk usb-xhci build/twinboot.img
  make debug       run.py --firmware $(FW) --gdb build/twinboot.img

The kernel's serial output is this terminal (Ctrl-A then X quits QEMU).
With $DISPLAY there is a QEMU window; without one, the screen is saved as
build/screen-<firmware>.png when QEMU ends.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
from harness import DISKS, OVMF_CODE, OVMF_VARS  # noqa: E402


def qemu_command(args, workdir, qmp_path):
    accel = "kvm" if os.environ.get("ACCEL") == "kvm" else "tcg"
    machine = "q35" if args.firmware == "uefi" or args.disk in ("ahci", "nvme") else "pc"
    cmd = ["qemu-system-x86_64", "-machine", f"{machine},accel={accel}", "-m", args.memory,
           "-no-reboot", "-net", "none", "-serial", "mon:stdio",
           "-qmp", f"unix:{qmp_path},server=on,wait=off"]
    if not os.environ.get("DISPLAY"):
        cmd += ["-display", "none"]
    if args.firmware == "uefi":
        vars_copy = os.path.join(workdir, "vars.fd")
        shutil.copy(OVMF_VARS, vars_copy)
        cmd += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                "-drive", f"if=pflash,format=raw,file={vars_copy}"]
    cmd += [a.format(img=args.image) for a in DISKS[args.disk]]
    if args.gdb:
        cmd += ["-s", "-S"]
    return cmd


def keep_screenshots(qmp_path, ppm_path, stop):
    """Take a screendump every second, so the last one survives QEMU."""
    sock = None
    while not stop.is_set():
        try:
            if sock is None:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.connect(qmp_path)
                f = sock.makefile("rw")
                f.readline()
                for cmd in ({"execute": "qmp_capabilities"},):
                    f.write(json.dumps(cmd) + "\n")
                    f.flush()
                    f.readline()
            tmp = ppm_path + ".new"
            f.write(json.dumps({"execute": "screendump", "arguments": {"filename": tmp}}) + "\n")
            f.flush()
            reply = json.loads(f.readline())
            if "return" in reply and os.path.exists(tmp):
                os.replace(tmp, ppm_path)
        except (OSError, ValueError):
            sock = None
        stop.wait(1.0)


def write_gdbinit(path):
    with open(path, "w") as f:
        f.write(f"""# make debug: QEMU waits on :1234 at the first BIOS/UEFI instruction.
# The kernel's symbols are loaded; for stage 2 (32-bit) use:
#   set architecture i386
#   add-symbol-file {ROOT}/build/loader/bios/stage2.elf
set confirm off
symbol-file {ROOT}/build/kernel/kernel.elf
target remote :1234
break kmain
""")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--firmware", choices=["bios", "uefi"], default="bios")
    p.add_argument("--disk", choices=sorted(DISKS), default="ide")
    p.add_argument("--memory", default="256M")
    p.add_argument("--gdb", action="store_true")
    p.add_argument("image")
    args = p.parse_args()
    if args.firmware == "uefi" and args.disk == "ide":
        args.disk = "ahci"
    if not os.path.exists(args.image):
        sys.exit(f"run: {args.image} is missing: run make first")

    workdir = tempfile.mkdtemp(prefix="twinboot-run-")
    qmp_path = os.path.join(workdir, "qmp.sock")
    ppm_path = os.path.join(workdir, "screen.ppm")
    png_path = os.path.join(ROOT, "build", f"screen-{args.firmware}.png")
    cmd = qemu_command(args, workdir, qmp_path)
    name = "SeaBIOS" if args.firmware == "bios" else "OVMF"
    print(f"twinboot: QEMU running ({name}, {args.disk}); press Ctrl-A then X to quit",
          flush=True)
    if args.gdb:
        gdbinit = os.path.join(ROOT, "build", ".gdbinit")
        write_gdbinit(gdbinit)
        print(f"twinboot: QEMU waits for gdb on :1234; in another terminal: gdb -x {gdbinit}",
              flush=True)
    stop = threading.Event()
    shooter = threading.Thread(target=keep_screenshots, args=(qmp_path, ppm_path, stop),
                               daemon=True)
    proc = subprocess.Popen(cmd)
    shooter.start()
    try:
        status = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        status = proc.wait()
    stop.set()
    shooter.join(timeout=2)
    if os.path.exists(ppm_path):
        from PIL import Image
        with Image.open(ppm_path) as image:
            image.save(png_path)
        print(f"twinboot: the last screen is in {os.path.relpath(png_path)}")
    shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0 if status in (0, 33) else status)


if __name__ == "__main__":
    main()
