"""tests/qemu/harness.py - boot a disk image in QEMU and look at it as a
person would: the serial port, the VGA text buffer, the screen.

Every run has -no-reboot (a triple fault ends QEMU instead of looping),
the isa-debug-exit device (the kernel's conformance mode reports through
it: exit status 33 passes, 35 fails), a QMP socket for memory reads and
screenshots, and a hard timeout. TCG unless ACCEL=kvm.
"""
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from PIL import Image

from no_thp import no_huge_pages

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
# OVMF's Secure Boot build with Debian's snakeoil PK, KEK and db enrolled;
# it needs SMM (q35,smm=on) and a secure flash (docs/SECURE-BOOT.md).
OVMF_SB_CODE = "/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd"
OVMF_SB_VARS = "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd"
EXIT_PASS = 33  # (0x10 << 1) | 1
EXIT_FAIL = 35  # (0x11 << 1) | 1
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIG_MEMORY_LOCK = os.path.join(ROOT, "build", "tests", "qemu", "big-memory.lock")

IDE_DISKS = ("ide", "ide-slave")
DISKS = {
    "ide": ["-drive", "if=none,id=d,format=raw,file={img},snapshot=on",
            "-device", "ide-hd,drive=d,bootindex=0"],
    # The boot disk as the slave behind an empty master on the primary
    # channel: the BIOS and twinboot must address the right device.
    "ide-slave": ["-drive", "if=none,id=blank,driver=null-co,size=16M",
                  "-device", "ide-hd,drive=blank,bus=ide.0,unit=0",
                  "-drive", "if=none,id=d,format=raw,file={img},snapshot=on",
                  "-device", "ide-hd,drive=d,bus=ide.0,unit=1,bootindex=0"],
    "ahci": ["-drive", "if=none,id=d,format=raw,file={img},snapshot=on",
             "-device", "ahci,id=ahci0",
             "-device", "ide-hd,drive=d,bus=ahci0.0,bootindex=0"],
    # The boot disk on the third port, behind a blank disk on the first:
    # stage 2 must read the one whose first sectors INT 13h reads.
    "ahci-third": ["-drive", "if=none,id=blank,driver=null-co,size=64M,read-zeroes=on",
                   "-drive", "if=none,id=d,format=raw,file={img},snapshot=on",
                   "-device", "ahci,id=ahci0",
                   "-device", "ide-hd,drive=blank,bus=ahci0.0",
                   "-device", "ide-hd,drive=d,bus=ahci0.2,bootindex=0"],
    "virtio": ["-drive", "if=none,id=d,format=raw,file={img},snapshot=on",
               "-device", "virtio-blk-pci,drive=d,bootindex=0"],
    # The boot disk as the second of two virtio-blk functions: stage 2
    # must take over the one the BIOS's EDD names, not the first it sees.
    "virtio-second": ["-drive", "if=none,id=blank,driver=null-co,size=64M,read-zeroes=on",
                      "-device", "virtio-blk-pci,drive=blank",
                      "-drive", "if=none,id=d,format=raw,file={img},snapshot=on",
                      "-device", "virtio-blk-pci,drive=d,bootindex=0"],
    # virtio-blk with its 64-bit BAR above 4 GiB, where SeaBIOS moves it
    # to make room for a 2 GiB one (ivshmem): out of stage 2's reach, so
    # it must stay with INT 13h, the device untouched.
    "virtio-high": ["-object", "memory-backend-ram,id=shm,size=2G",
                    "-device", "ivshmem-plain,memdev=shm",
                    "-drive", "if=none,id=d,format=raw,file={img},snapshot=on",
                    "-device", "virtio-blk-pci,drive=d,bootindex=0"],
    "nvme": ["-drive", "if=none,id=d,format=raw,file={img},snapshot=on",
             "-device", "nvme,serial=twinboot,drive=d,bootindex=0"],
    "usb-xhci": ["-drive", "if=none,id=d,format=raw,file={img},snapshot=on",
                 "-device", "qemu-xhci,id=xhci",
                 "-device", "usb-storage,bus=xhci.0,drive=d,bootindex=0"],
    "usb-ehci": ["-drive", "if=none,id=d,format=raw,file={img},snapshot=on",
                 "-device", "usb-ehci,id=ehci",
                 "-device", "usb-storage,bus=ehci.0,drive=d,bootindex=0"],
}


def memory_mib(memory):
    """'256M' / '8G' -> MiB."""
    number, unit = int(memory[:-1]), memory[-1].upper()
    return number * 1024 if unit == "G" else number


class Qemu:
    """One QEMU run, as a context manager that always ends QEMU."""

    def __init__(self, image, firmware="bios", machine=None, disk=None, memory="256M",
                 cpus=1, cpu=None, vga=True, extra=(), timeout=60, blkdebug=None,
                 secure_boot=False):
        self.image = image
        self.secure_boot = secure_boot  # OVMF's Secure Boot build (firmware="uefi")
        self.blkdebug = blkdebug  # a blkdebug config file: inject disk errors
        self.firmware = firmware
        # OVMF on q35 (AHCI) unless the disk is IDE, which only pc has.
        self.machine = machine or ("q35" if firmware == "uefi" and disk not in IDE_DISKS
                                   else "pc")
        self.disk = disk or ("ahci" if self.machine == "q35" else "ide")
        self.memory = memory
        self.cpus = cpus
        self.cpu = cpu
        self.vga = vga
        self.extra = list(extra)
        self.timeout = timeout
        self.workdir = tempfile.mkdtemp(prefix="twinboot-qemu-")
        self.serial_path = os.path.join(self.workdir, "serial.txt")
        self.qmp_path = os.path.join(self.workdir, "qmp.sock")
        self.proc = None
        self.qmp = None
        self.lock = None
        self.started = None

    def command(self):
        accel = "kvm" if os.environ.get("ACCEL") == "kvm" else "tcg"
        smm = ",smm=on" if self.secure_boot else ""
        args = ["qemu-system-x86_64", "-machine", f"{self.machine}{smm},accel={accel}",
                "-m", self.memory, "-smp", str(self.cpus), "-no-reboot",
                "-display", "none", "-net", "none",
                "-serial", f"file:{self.serial_path}",
                "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if self.cpu:
            args += ["-cpu", self.cpu]
        if not self.vga:
            args += ["-vga", "none"]
        if self.firmware == "uefi":
            vars_copy = os.path.join(self.workdir, "vars.fd")
            code, nvram = ((OVMF_SB_CODE, OVMF_SB_VARS) if self.secure_boot
                           else (OVMF_CODE, OVMF_VARS))
            shutil.copy(nvram, vars_copy)
            if self.secure_boot:
                args += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
            args += ["-drive", f"if=pflash,format=raw,readonly=on,file={code}",
                     "-drive", f"if=pflash,format=raw,file={vars_copy}"]
        img = f"blkdebug:{self.blkdebug}:{self.image}" if self.blkdebug else self.image
        args += [a.format(img=img) for a in DISKS[self.disk]]
        return args + self.extra

    def __enter__(self):
        if not os.path.exists(self.image):
            raise FileNotFoundError(f"{self.image} is missing: run make first")
        # Two 8 GiB guests at once would not fit this machine's memory.
        if memory_mib(self.memory) >= 4096:
            os.makedirs(os.path.dirname(BIG_MEMORY_LOCK), exist_ok=True)
            self.lock = open(BIG_MEMORY_LOCK, "w")
            fcntl.flock(self.lock, fcntl.LOCK_EX)
        open(self.serial_path, "w").close()
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True, preexec_fn=no_huge_pages)
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.qmp:
            self.qmp.close()
        if self.lock:
            self.lock.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # --- what the guest printed -------------------------------------------
    def serial(self):
        with open(self.serial_path, "rb") as f:
            return f.read().decode("latin-1").replace("\r", "")

    def remaining(self, timeout):
        return (timeout or self.timeout) - (time.monotonic() - self.started)

    def wait_serial(self, pattern, timeout=None):
        """Wait until the serial output matches `pattern` (a regex)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            text = self.serial()
            if regex.search(text):
                return text
            if self.proc.poll() is not None:
                text = self.serial()
                if regex.search(text):
                    return text
                raise AssertionError(f"QEMU ended ({self.exit_reason()}) before "
                                     f"/{pattern}/ appeared; serial:\n{text}")
            time.sleep(0.05)
        raise AssertionError(f"timeout waiting for /{pattern}/; serial:\n{self.serial()}")

    def wait_exit(self, timeout=None):
        try:
            return self.proc.wait(timeout=timeout or self.timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"QEMU still running after {timeout or self.timeout} s; "
                                 f"serial:\n{self.serial()}") from None

    def exit_reason(self):
        code = self.proc.poll()
        if code is None:
            return "running"
        if code == 0:
            return "QEMU reset (triple fault?) or powered off"
        return f"exit status {code}"

    def still_running(self, after=1.0):
        """True if the guest neither reset nor exited within `after` s:
        with -no-reboot a reset ends QEMU, so this tells a halt from one."""
        time.sleep(after)
        return self.proc.poll() is None

    # --- QMP: memory and screen ---------------------------------------------
    def qmp_command(self, name, **arguments):
        if self.qmp is None:
            deadline = time.monotonic() + 10
            while True:
                try:
                    self.qmp = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    self.qmp.connect(self.qmp_path)
                    break
                except OSError:
                    self.qmp.close()
                    self.qmp = None
                    if self.proc.poll() is not None:
                        raise AssertionError(f"QEMU ended ({self.exit_reason()}) before "
                                             f"QMP {name}; serial:\n{self.serial()}") from None
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            self.qmp_file = self.qmp.makefile("rw")
            json.loads(self.qmp_file.readline())  # greeting
            self._qmp_send("qmp_capabilities")
        return self._qmp_send(name, **arguments)

    def _qmp_send(self, name, **arguments):
        self.qmp_file.write(json.dumps({"execute": name, "arguments": arguments}) + "\n")
        self.qmp_file.flush()
        while True:
            reply = json.loads(self.qmp_file.readline())
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise AssertionError(f"QMP {name}: {reply['error']}")

    def read_memory(self, phys, size):
        path = os.path.join(self.workdir, "mem.bin")
        self.qmp_command("pmemsave", val=phys, size=size, filename=path)
        with open(path, "rb") as f:
            return f.read()

    def vga_text(self):
        """The 80x25 text screen: 25 rows of (text, [attributes])."""
        raw = self.read_memory(0xB8000, 80 * 25 * 2)
        rows = []
        for r in range(25):
            cells = raw[r * 160:(r + 1) * 160]
            rows.append(("".join(chr(c) if 32 <= c < 127 else " " for c in cells[0::2]),
                         list(cells[1::2])))
        return rows

    def screenshot(self):
        path = os.path.join(self.workdir, "screen.ppm")
        self.qmp_command("screendump", filename=path)
        with Image.open(path) as image:
            return image.convert("RGB")
