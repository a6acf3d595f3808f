#!/usr/bin/python3
"""tests/bench/bench.py - how long twinboot takes to reach a kernel, against
the firmware floor, the raw disk speed and GRUB, all measured in one run.

For each setup (SeaBIOS and OVMF on QEMU's pc machine; IDE, virtio-blk,
USB xHCI; TCG, and KVM too where it is faster: kvm_usable) and bench
kernel size (tiny, 1, 16, 64 MiB) it boots every
case BENCH_RUNS times (default 7) in turns, so slow spells of a shared
machine spread over all cases alike, and takes the time from QEMU's start
to the first "bench: " line on the serial port, read through a pipe and
timestamped as it arrives. The cases:
  floor     tests/bench/rawread.asm / rawread_efi.c reading nothing
  floor+exit  (OVMF) the same, calling ExitBootServices first, as any
            OS loader must: the firmware's share of a loader's time
  raw       the same reading the kernel file's own sectors
  twinboot  build/twinboot's loaders and the bench kernel
  grub      GRUB 2 (grub-mkrescue image, timeout 0) and the same kernel
            through its Multiboot2 header
Under OVMF each boot is also timed from the firmware's hand-off (its
"BdsDxe: loading" line) to the same line: OVMF's start-up alone spreads by
half a second under TCG, more than a loader's whole overhead, and issue
8's OVMF targets are judged on that measure.
The load speed is also taken inside the guest, from the TSC: the raw
reader's ticks for its read against the ticks from twinboot's start to
its kernel being in memory (the bench kernel prints the loader's stamps),
less the same with the tiny kernel. That leaves out the firmware's loading
of the loader and the serial line's way to the host, whose spread is as
large as a fast disk's whole read of 64 MiB under OVMF.
Only ratios within one run mean anything: nothing here is a pass/fail
test. report.py writes docs/BENCHMARKS.md. BENCH_QUICK=1: fewer sizes and runs;
BENCH_SIZES=tiny,64 and BENCH_SETUPS=bios:ide,uefi:virtio: a part only
(BENCH_SETUPS=bios:ahci,uefi:ahci: the AHCI disks issue 8 doesn't list);
BENCH_KVM=1 or 0: KVM timed or not, whatever kvm_usable finds.
"""
import argparse
import collections
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time

from report import Run, write_report  # tests/bench/report.py
from setups import DEFAULT_DISKS, DISKS, FIRMWARES, OVMF_CODE, OVMF_VARS, ROOT, sh
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
from fat_image import ESP_LBA, Fat  # noqa: E402 (tests/qemu/fat_image.py)
from no_thp import no_huge_pages  # noqa: E402 (tests/qemu/no_thp.py)
GRUB_PACKAGES = ["grub-pc-bin", "grub-efi-amd64-bin", "grub-common", "xorriso", "mtools"]
BOOT_TIMEOUT = 240


def have_grub():
    return (shutil.which("grub-mkrescue") and shutil.which("xorriso")
            and shutil.which("mformat") and os.path.isdir("/usr/lib/grub/i386-pc")
            and os.path.isdir("/usr/lib/grub/x86_64-efi"))


def ensure_grub():
    """GRUB and grub-mkrescue's helpers; install them on Debian if missing."""
    if have_grub():
        return True
    if not shutil.which("apt-get"):
        print("bench: GRUB not installed and no apt-get: skipping GRUB", file=sys.stderr)
        return False
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print(f"bench: installing {' '.join(GRUB_PACKAGES)} (for the GRUB comparison)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update"],
                ["apt-get", "install", "-y", "--no-install-recommends"] + GRUB_PACKAGES):
        if subprocess.run(sudo + cmd, env=env).returncode:
            print("bench: could not install GRUB: skipping it", file=sys.stderr)
            return False
    return bool(have_grub())


# ------------------------------------------------------------------ images
class View:
    """One bench image file as a case boots it: the boot code it must hold,
    (offset, bytes) pairs written in place before the boot (select). Every
    case of a kernel size boots the same file, twinboot's image, with the
    raw reader or the floor swapped in for the loader: how fast the host
    copies a read into the guest depends on the file it comes from. A 64
    MiB read of byte-identical images took 10.9 and 13.8 ms (medians of 8
    boots, OVMF virtio-blk), and 13.5 and 19.6 ms once both were copied to
    a tmpfs; from one file, the raw reader and twinboot's loader moved the
    kernel in 7.6 and 8.9 ms."""

    def __init__(self, path, patches):
        self.path, self.patches = path, patches

    def select(self):
        with open(self.path, "r+b") as f:
            for offset, data in self.patches:
                f.seek(offset)
                f.write(data)
        return self.path


class Images:
    """Every disk image the run boots, made once under build/bench/."""

    def __init__(self, build, grub):
        self.build = build
        self.dir = os.path.join(build, "bench")
        self.grub = grub
        self.loaders = ["--mbr-code", f"{build}/loader/bios/mbr.bin",
                        "--stage2", f"{build}/loader/bios/stage2.bin"]
        self.efi = f"{build}/loader/uefi/BOOTX64.EFI"
        self.twinboots = {}  # size -> (twinboot's View, the kernel file's first LBA)

    def kernel(self, size):
        return os.path.join(self.dir, f"kernel-{size}.elf" if size == "tiny"
                            else f"kernel-{size}M.elf")

    def twinboot(self, size):
        out = os.path.join(self.dir, f"twinboot-{size}.img")
        sh(f"{self.build}/tools/mkimage", "-o", out, "--kernel", self.kernel(size),
           *self.loaders, "--efi", self.efi)
        fat = Fat(out)
        start, _ = fat.extent("EFI/BOOT/BOOTX64.EFI")
        with open(out, "rb") as f:
            mbr = f.read(440)
            f.seek(start * 512)
            efi = f.read(os.path.getsize(self.efi))
        view = View(out, [(0, mbr), (start * 512, efi)])
        self.twinboots[size] = (view, fat.extent("boot/kernel.elf")[0])
        return view

    def raw(self, firmware, size, nbytes, exit_boot_services=False):
        """The raw reader (the floor when nbytes is 0) in place of the
        loader on twinboot's image of this size (made first), reading the
        kernel file's first nbytes."""
        twinboot, lba = self.twinboots[size]
        (_, mbr), (efi_at, efi) = twinboot.patches
        if firmware == "uefi":
            with open(os.path.join(self.dir, "rawread.efi"), "rb") as f:
                raw = bytearray(f.read())
            at = raw.index(b"TBBENCHN") + 8
            raw[at:at + 24] = struct.pack("<QQQ", nbytes, int(exit_boot_services),
                                          lba - ESP_LBA)  # BlockIo of the ESP
            assert len(raw) <= len(efi), "the raw reader must fit in BOOTX64.EFI's place"
            return View(twinboot.path,
                        [(0, mbr), (efi_at, bytes(raw) + bytes(len(efi) - len(raw)))])
        with open(os.path.join(self.dir, "rawread.bin"), "rb") as f:
            code = bytearray(f.read(440))
        code[428:440] = struct.pack("<QI", lba, (nbytes + 511) // 512)
        return View(twinboot.path, [(0, bytes(code)), (efi_at, efi)])

    def grub_image(self, size):
        out = os.path.join(self.dir, f"grub-{size}.iso")
        tree = tempfile.mkdtemp(prefix="bench-grub-", dir=self.dir)
        try:
            os.makedirs(os.path.join(tree, "boot", "grub"))
            shutil.copy(self.kernel(size), os.path.join(tree, "boot", "kernel.elf"))
            with open(os.path.join(tree, "boot", "grub", "grub.cfg"), "w") as f:
                f.write("set timeout=0\nmultiboot2 /boot/kernel.elf\nboot\n")
            sh("grub-mkrescue", "-o", out, tree)
        finally:
            shutil.rmtree(tree)
        return out


# ------------------------------------------------------------------ booting
def warm(path):
    """Read a file so that the host's page cache holds it. This machine
    drops its cache between boots (1.6 GiB cached of 22 GiB free), and a
    64 MiB read that goes to the host's disk took 0.17 to 0.6 s from
    OVMF's hand-off instead of 0.03 s: the host's disk, not the loader."""
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


def parse_ticks(line):
    """"bench: ticks <hex>" (raw readers) or "bench: ticks <hex> of <hex>"
    (the bench kernel: twinboot's start to kernel loaded, ticks per
    second): (ticks, ticks per second or None)."""
    words = line.decode(errors="replace").split()
    if len(words) == 3:
        return int(words[2], 16), None
    if len(words) == 5 and words[3] == "of":
        return int(words[2], 16), int(words[4], 16) or None
    raise RuntimeError(f"bad ticks line {line!r}")


GUEST_RAM_MIB = 256
GUEST_RAM_HUGE_PAGES = GUEST_RAM_MIB // 2  # of 2 MiB
HUGE_PAGES = "/proc/sys/vm/nr_hugepages"
FREE_HUGE_PAGES = "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"


def free_huge_pages():
    try:
        with open(FREE_HUGE_PAGES) as f:
            return int(f.read())
    except (OSError, ValueError):
        return 0


def huge_pages_enough():
    return free_huge_pages() >= GUEST_RAM_HUGE_PAGES


def guest_ram(huge):
    """QEMU's options for the guest's RAM, backed before the firmware runs.
    This machine, itself a guest of a PVM hypervisor, pays about 5 us for
    the first touch of each 4 KiB page of QEMU's memory, even after
    -mem-prealloc has allocated it (a 64 MiB memcpy into allocated memory:
    80 to 110 ms the first time, 4 to 8 ms the next; into 2 MiB huge pages:
    7 ms both times). A real machine doesn't spend that, and it falls on
    whoever writes fresh guest memory first: a loader storing a 64 MiB
    kernel pays it, SeaBIOS's raw reader, rereading one buffer, doesn't.
    So guest RAM is in hugetlb pages (reserve_huge_pages) where there are
    enough, else -mem-prealloc, which at least takes the host's allocation
    out of the boot."""
    backing = (["-object", f"memory-backend-memfd,id=ram,size={GUEST_RAM_MIB}M,hugetlb=on,"
                "hugetlbsize=2M,prealloc=on", "-machine", "memory-backend=ram"] if huge
               else ["-mem-prealloc"])
    return ["-m", f"{GUEST_RAM_MIB}M"] + backing


def reserve_huge_pages():
    """Make room for one guest's RAM in the host's 2 MiB huge page pool, as
    root. Returns the pool's size before, to give back, or None where
    nothing was changed; the boots fall back to -mem-prealloc where the
    pool stays short (guest_ram)."""
    need = GUEST_RAM_HUGE_PAGES - free_huge_pages()
    if need <= 0:
        return None
    try:
        with open(HUGE_PAGES) as f:
            before = int(f.read())
        with open(HUGE_PAGES, "w") as f:
            f.write(str(before + need))
    except (OSError, ValueError) as e:
        print(f"bench: no huge pages for guest RAM ({e}): using -mem-prealloc",
              file=sys.stderr)
        return None
    return before


def release_huge_pages(before):
    if before is not None:
        with open(HUGE_PAGES, "w") as f:
            f.write(str(before))


RAM_OPTIONS = guest_ram(huge=False)  # main() sets it once the pool is reserved


def boot(image, firmware, disk, vars_copy, accel="tcg", timeout=BOOT_TIMEOUT):
    """Seconds from QEMU's start to the first line starting "bench: ", and
    from the firmware's hand-off to it: SeaBIOS's "Booting from 0000:7c00"
    on its debug port, just before it jumps to the boot sector, or OVMF's
    last "BdsDxe: loading" line, just before it reads the boot option's
    EFI application. That part has no firmware start-up in it, whose
    spread under TCG is larger than a loader's whole overhead. Third, the
    guest's "bench: ticks" line that follows (parse_ticks), or None where
    there is none (GRUB's boots). accel: "tcg" or "kvm"."""
    cmd = ["qemu-system-x86_64", "-machine", f"pc,accel={accel}"] + RAM_OPTIONS + [
           "-no-reboot",
           "-display", "none", "-net", "none", "-monitor", "none",
           "-chardev", "stdio,id=out,mux=on", "-serial", "chardev:out",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-drive", f"if=none,id=d,format=raw,file={image},snapshot=on"] + DISKS[disk]
    if firmware == "bios":
        # SeaBIOS's debug port, for its "Booting from 0000:7c00" line;
        # it writes nothing there once the boot sector runs.
        cmd += ["-device", "isa-debugcon,iobase=0x402,chardev=out"]
    if firmware == "uefi":
        shutil.copy(OVMF_VARS, vars_copy)
        cmd += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                "-drive", f"if=pflash,format=raw,file={vars_copy}"]
    for path in [image] + ([OVMF_CODE] if firmware == "uefi" else []):
        warm(path)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=no_huge_pages)
    out = b""
    handoff = times = None
    seen = 0  # complete lines already looked at
    try:
        while True:
            left = start + timeout - time.monotonic()
            if left <= 0 or not select.select([proc.stdout], [], [], left)[0]:
                raise RuntimeError(f"timeout; serial: {out[-300:]!r}")
            chunk = os.read(proc.stdout.fileno(), 65536)
            now = time.monotonic()
            if not chunk:
                if times:  # GRUB's boots end without a ticks line
                    return times + (None,)
                raise RuntimeError(f"QEMU ended ({proc.wait()}); serial: {out[-300:]!r}")
            out += chunk
            lines = out.replace(b"\r", b"").split(b"\n")[:-1]
            for line in lines[seen:]:
                if b"BdsDxe: loading " in line or line.startswith(b"Booting from 0000:7c00"):
                    handoff = now
                if times and line.startswith(b"bench: ticks "):
                    return times + (parse_ticks(line),)
                if not times and line.startswith(b"bench: "):
                    if line != b"bench: kernel up" and line != b"bench: raw read done":
                        raise RuntimeError(f"{line.decode(errors='replace')}")
                    times = (now - start, now - handoff if handoff is not None else None)
            seen = len(lines)
    finally:
        if proc.poll() is None:
            try:
                proc.wait(timeout=5)  # the guest exits right after its line
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()


KVM_PROBE_TIMEOUT = 60


def kvm_usable(made, vars_copy):
    """(usable, why): KVM is timed beside TCG when /dev/kvm opens and both
    firmwares' floors reach their line sooner under it than under TCG. On a
    nested machine (KVM inside a virtual machine) every port and MMIO exit
    goes through two hypervisors and KVM is the slower of the two: its
    figures would time the nesting, not the loaders. (Where this was
    written, SeaBIOS with twinboot's tiny kernel took 2.1 s under KVM
    against 0.25 s, GRUB 18 s, and OVMF wrote nothing in 240 s.)
    BENCH_KVM=1 times KVM regardless, BENCH_KVM=0 skips the probe."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False, "/dev/kvm is missing or not ours to open"
    seen = []
    for fw, disk in (("bios", "ide"), ("uefi", "virtio")):
        image = made[(fw, "floor", "tiny")].select()
        tcg = boot(image, fw, disk, vars_copy)[0]
        try:
            kvm = boot(image, fw, disk, vars_copy, accel="kvm", timeout=KVM_PROBE_TIMEOUT)[0]
        except RuntimeError:
            seen.append(f"{FIRMWARES[fw]}'s floor wrote nothing in {KVM_PROBE_TIMEOUT} s "
                        f"under KVM ({tcg:.2f} s under TCG)")
            return False, "; ".join(seen)
        seen.append(f"{FIRMWARES[fw]}'s floor took {kvm:.2f} s under KVM, {tcg:.2f} s "
                    f"under TCG")
        if kvm >= tcg:
            return False, "; ".join(seen) + ": KVM is nested here, slower than TCG"
    return True, "; ".join(seen)


# One accelerator's boots: seconds from QEMU's start and from the hand-off,
# the guest's ticks (by case, a list indexed by run, None where a boot
# failed, so report.py can pair each run's cases), TSC rates (by setup),
# the load average after each turn.
Measured = collections.namedtuple("Measured", "from_start from_handoff ticks hz loads")


def run_cases(cases, runs, vars_copy, accel):
    """Every case `runs` times, in turns: a Measured."""
    results, from_handoff, ticks, hz = {}, {}, {}, {}
    loads = [os.getloadavg()[0]]
    for run in range(runs):
        t = time.monotonic()
        for fw, disk, kind, size, view in cases:
            try:
                seconds, after_handoff, guest = boot(view.select(), fw, disk, vars_copy, accel)
            except RuntimeError as e:
                print(f"bench: {accel} {fw} {disk} {kind} {size}: {e}", file=sys.stderr)
                continue
            key = (fw, disk, kind, size)
            results.setdefault(key, [None] * runs)[run] = seconds
            if guest is not None and kind in ("raw", "twinboot"):
                ticks.setdefault(key, [None] * runs)[run] = guest[0]
                if guest[1]:
                    hz.setdefault((fw, disk), []).append(guest[1])
            if after_handoff is not None:
                from_handoff.setdefault(key, [None] * runs)[run] = after_handoff
        loads.append(os.getloadavg()[0])
        print(f"bench: {accel} run {run + 1}/{runs}: {len(cases)} boots in "
              f"{time.monotonic() - t:.0f} s")
    return Measured(results, from_handoff, ticks, hz, loads)


def save_samples(path, on_tcg, on_kvm):
    """Every boot's numbers, for a second look at a run: JSON, each case
    as "firmware disk kind size" with its list by run (null: failed)."""
    def plain(measured):
        return {name: {" ".join(map(str, key)): values for key, values in table.items()}
                for name, table in measured._asdict().items() if isinstance(table, dict)}
    with open(path, "w") as f:
        json.dump({"tcg": plain(on_tcg), "kvm": plain(on_kvm) if on_kvm else None}, f)
    print(f"bench: every boot's numbers in {os.path.relpath(path, ROOT)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "BENCHMARKS.md"))
    args = ap.parse_args()
    quick = os.environ.get("BENCH_QUICK") == "1"
    runs = int(os.environ.get("BENCH_RUNS", "3" if quick else "7"))
    sizes = ["tiny", 16] if quick else ["tiny", 1, 16, 64]
    setups = [(fw, disk) for fw in FIRMWARES for disk in DEFAULT_DISKS]
    if os.environ.get("BENCH_SIZES"):  # e.g. BENCH_SIZES=tiny,64
        sizes = [s if s == "tiny" else int(s) for s in os.environ["BENCH_SIZES"].split(",")]
    if os.environ.get("BENCH_SETUPS"):  # e.g. BENCH_SETUPS=bios:ide,uefi:virtio
        setups = [tuple(s.split(":")) for s in os.environ["BENCH_SETUPS"].split(",")]
    grub = os.environ.get("BENCH_GRUB", "1") == "1" and ensure_grub()

    os.chdir(ROOT)
    images = Images(args.build, grub)
    print("bench: making images")
    cases = []  # (firmware, disk, kind, size, image)
    made = {}
    for size in sizes:
        nbytes = os.path.getsize(images.kernel(size))
        made[("twinboot", size)] = images.twinboot(size)
        if grub:
            made[("grub", size)] = View(images.grub_image(size), [])
        for fw in FIRMWARES:
            if size == "tiny":
                made[(fw, "floor", size)] = images.raw(fw, size, 0)
                if fw == "uefi":
                    made[(fw, "floor+exit", size)] = images.raw(fw, size, 0, True)
            else:
                made[(fw, "raw", size)] = images.raw(fw, size, nbytes)
    for fw, disk in setups:
        for size in sizes:
            kinds = ["floor"] if size == "tiny" else ["raw"]
            if size == "tiny" and fw == "uefi":
                kinds.append("floor+exit")
            kinds += ["twinboot"] + (["grub"] if grub else [])
            for kind in kinds:
                image = made.get((fw, kind, size)) or made[(kind, size)]
                cases.append((fw, disk, kind, size, image))

    global RAM_OPTIONS
    pool_before = reserve_huge_pages()
    try:
        huge = huge_pages_enough()
        RAM_OPTIONS = guest_ram(huge)
        print(f"bench: guest RAM {'in 2 MiB huge pages' if huge else 'by -mem-prealloc'}")
        vars_copy = os.path.join(images.dir, "vars.fd")
        total = time.monotonic()
        kvm_wanted = os.environ.get("BENCH_KVM", "auto")  # auto, 1 or 0
        kvm, kvm_why = (False, "BENCH_KVM=0") if kvm_wanted == "0" else kvm_usable(made, vars_copy)
        if kvm_wanted == "1" and not kvm:
            kvm, kvm_why = True, kvm_why + "; timed anyway (BENCH_KVM=1)"
        print(f"bench: KVM {'timed' if kvm else 'not timed'}: {kvm_why}")
        on_tcg = run_cases(cases, runs, vars_copy, "tcg")
        on_kvm = run_cases(cases, runs, vars_copy, "kvm") if kvm else None
    finally:
        release_huge_pages(pool_before)

    save_samples(os.path.join(images.dir, "samples.json"), on_tcg, on_kvm)
    write_report(args.out, args.build, Run(runs, quick, time.monotonic() - total, setups, sizes,
                                         grub, huge, on_tcg, on_kvm, kvm_why))


if __name__ == "__main__":
    main()
