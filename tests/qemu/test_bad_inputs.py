"""tests/qemu/test_bad_inputs.py - every bad input the loaders can meet
(issue 7), on both firmwares where it applies: a broken or missing kernel
or config, a damaged FAT or GPT, a disk that fails reads, a kernel too big
for memory, and the largest good inputs (64 modules, a 4095-byte command
line). Each expects its own message on serial (and on the VGA text screen
under BIOS) and a clean halt: QEMU still running, not reset.

Under UEFI the loader waits ~10 s for a key after an error; the tests stop
once the message is out and the guest has stayed up for a second.
"""
import re
import struct

import pytest

from badimage import (blkdebug_config, broken_kernel, copy_image, corrupt_gpt_header, delete_file,
                      make_directory, put_file)
from fat_image import ESP_LBA, Fat
from conftest import KERNEL
from harness import Qemu

FIRMWARES = ["bios", "uefi"]
ERROR = r"twinboot: error: "
# The checks behind these messages are common/ code, the same in both
# loaders: make test boots each case under BIOS (seconds) and a few under
# OVMF (~10 s each); make test-matrix boots every case under both.
UEFI_IN_DEFAULT = {"truncated", "bad-magic", "direct-map", "unknown-key", "missing-module"}


def cases(table):
    """(kind, firmware) parameters, the slow duplicates marked matrix."""
    out = []
    for kind in table:
        out.append(pytest.param(kind, "bios", id=f"{kind}-bios"))
        marks = () if kind in UEFI_IN_DEFAULT else pytest.mark.matrix
        out.append(pytest.param(kind, "uefi", id=f"{kind}-uefi", marks=marks))
    return out


@pytest.fixture(autouse=True)
def _record_node(request):
    """Lets the helpers record what the guest showed (docs/RELIABILITY.md)."""
    global _node
    _node = request.node
    yield
    _node = None


_node = None


def record(seen):
    if _node is not None:
        _node.user_properties.append(("seen", seen))


def vga_screen(q):
    """The text screen as one string: wrapped lines join up again."""
    return "".join(text for text, _ in q.vga_text())


def expect_error(img, firmware, message, memory=None, blkdebug=None, before=None, disk=None):
    """Boot `img`; `message` (a regex) must follow 'twinboot: error: ' on
    serial and, under BIOS, on screen; the guest must then stay halted.
    `before`, a regex, must match the serial output ahead of the error.
    The line comes once: under OVMF, whose ConOut already reaches the
    serial port, the loader must not write it to COM1 as well."""
    memory = memory or ("64M" if firmware == "bios" else "256M")
    with Qemu(str(img), firmware=firmware, memory=memory, timeout=60,
              blkdebug=blkdebug, disk=disk) as q:
        serial = q.wait_serial(ERROR + r".*\n")
        line = re.search(ERROR + r".*", serial).group(0)
        record(line)
        assert re.search(message, line), f"wrong message: {line}"
        if before:
            assert re.search(before, serial[:serial.index(line)]), serial
        assert q.still_running(after=1.0), f"{q.exit_reason()} after: {line}"
        assert q.serial().count(line) == 1, q.serial()
        if firmware == "bios":
            head = re.escape(line[:70])
            assert re.search(head, vga_screen(q)), f"'{line}' is not on the screen"
    assert "Hello World!" not in serial
    return line


def expect_boot(img, firmware, memory=None, pattern=r"kernel: halting"):
    memory = memory or "256M"
    with Qemu(str(img), firmware=firmware, memory=memory, timeout=90) as q:
        serial = q.wait_serial(pattern)
        assert q.still_running(after=0.5), q.exit_reason()
    record(" / ".join(re.findall(r"^(?:gpt: .*|modules: \d+|cmdline: .{0,40}|kernel: halting)",
                                 serial, re.M)))
    assert "twinboot: error" not in serial
    return serial


# --- the kernel ---------------------------------------------------------------
ELF_CASES = {
    "truncated-header": r"/boot/kernel\.elf: elf: file is 0x28 bytes, shorter than the "
                        r"64-byte ELF header",
    "truncated": r"/boot/kernel\.elf: elf: segment \d+ p_offset 0x\w+ \+ p_filesz 0x\w+ "
                 r"is outside the file",
    "bad-magic": r"/boot/kernel\.elf: elf: bad magic 7f 45 4c 47 \(want 7f 45 4c 46\)",
    "wrong-class": r"elf: EI_CLASS 1 is not ELFCLASS64",
    "big-endian": r"elf: EI_DATA 2 is not little-endian",
    "wrong-machine": r"elf: e_machine 0x28 is not x86-64",
    "wrong-type": r"elf: e_type 1 is not ET_EXEC",
    "filesz-gt-memsz": r"elf: segment \d+ p_filesz 0x\w+ > p_memsz 0x\w+",
    "segment-outside-file": r"elf: segment \d+ p_offset 0x\w+ \+ p_filesz 0x\w+ is outside",
    "overlapping": r"elf: segments \d+ \[0x\w+, 0x\w+\) and \d+ \[0x\w+, 0x\w+\) overlap",
    "entry-outside-code": r"elf: entry 0xffffffff8\w+ is outside every executable segment",
    "no-pt-load": r"elf: no PT_LOAD segment among \d+ program headers",
    "direct-map": r"elf: segment \d+ \[0xffff800000000\w+, 0x\w+\) overlaps the direct map",
    "stack-region": r"elf: segment \d+ \[0x\w+, 0x\w+\) overlaps the loader's stack",
    "non-canonical": r"elf: segment \d+ \[0x\w+, 0x\w+\) is not canonical",
}


@pytest.mark.parametrize("kind, firmware", cases(ELF_CASES))
def test_broken_kernel_is_named(kind, firmware, tmp_path):
    img = copy_image(tmp_path)
    put_file(img, "/boot/kernel.elf", broken_kernel(kind))
    expect_error(img, firmware, ELF_CASES[kind])


@pytest.mark.parametrize("firmware", FIRMWARES)
def test_missing_kernel_is_named(firmware, tmp_path):
    img = copy_image(tmp_path)
    delete_file(img, "/boot/kernel.elf")
    expect_error(img, firmware, r".*/boot/kernel\.elf.*(not found|NOT_FOUND|Not Found)")


TOO_BIG = r"/boot/kernel\.elf: elf: kernel needs 0x\w+ bytes, only 0x\w+"
NO_ROOM = r"boot: no free memory for /boot/kernel\.elf: it needs \d+ KiB"


@pytest.mark.parametrize("firmware, memory, bss_mib, message", [
    # Larger than all RAM: elf_check refuses it from the size alone.
    pytest.param("bios", "64M", 128, TOO_BIG, id="bios-64M-bss-128M"),
    pytest.param("uefi", "256M", 512, TOO_BIG, id="uefi-256M-bss-512M"),
    # Smaller than RAM but larger than any free piece of it.
    pytest.param("bios", "64M", 63, NO_ROOM, id="bios-64M-bss-63M"),
    pytest.param("uefi", "256M", 250, NO_ROOM, id="uefi-256M-bss-250M"),
])
def test_kernel_larger_than_memory_is_named(firmware, memory, bss_mib, message, tmp_path):
    img = copy_image(tmp_path)
    put_file(img, "/boot/kernel.elf", broken_kernel(f"bss-{bss_mib}"))
    expect_error(img, firmware, message, memory=memory)


# --- the config ---------------------------------------------------------------
CONFIG_CASES = {
    "empty": ("", r"/boot/twinboot\.cfg: config: no settings"),
    "comments-only": ("# nothing\n\n", r"/boot/twinboot\.cfg: config: no settings"),
    "unknown-key": ("kernel=/boot/kernel.elf\ncolour=blue\n",
                    r"/boot/twinboot\.cfg: config: line 2: unknown key 'colour'"),
    "malformed": ("kernel=/boot/kernel.elf\njust some words\n",
                  r"/boot/twinboot\.cfg: config: line 2: expected key=value, "
                  r"got 'just some words'"),
    "bad-video": ("video=big\n", r"config: line 1: video 'big' is not WIDTHxHEIGHT"),
    "cmdline-4096": ("cmdline=" + "x" * 4096 + "\n",
                     r"/boot/twinboot\.cfg: config: line 1: cmdline longer than 4095 bytes"),
    "65-modules": ("".join(f"module=/boot/m{i}\n" for i in range(65)),
                   r"config: line 65: more than 64 module= lines"),
    "missing-module": ("kernel=/boot/kernel.elf\nmodule=/boot/initrd.gz\n",
                       r".*/boot/initrd\.gz.*(not found|NOT_FOUND|Not Found)"),
}


@pytest.mark.parametrize("kind, firmware", cases(CONFIG_CASES))
def test_bad_config_is_named(kind, firmware, tmp_path):
    text, message = CONFIG_CASES[kind]
    img = copy_image(tmp_path)
    put_file(img, "/boot/twinboot.cfg", text.encode())
    expect_error(img, firmware, message)


@pytest.mark.parametrize("firmware", FIRMWARES)
def test_missing_config_is_named(firmware, tmp_path):
    img = copy_image(tmp_path)
    delete_file(img, "/boot/twinboot.cfg")
    expect_error(img, firmware, r".*/boot/twinboot\.cfg.*(not found|NOT_FOUND|Not Found)")


# The largest config the loaders take (CONFIG_FILE_MAX): the UEFI loader
# reads a config in one call that must reach its end to tell its size
# (files_uefi.c); one that fills the buffer asks the firmware instead.
CONFIG_FILE_MAX = 60 << 10


def config_of(size):
    head = b"kernel=/boot/kernel.elf\n"
    return head + b"#" * (size - len(head) - 1) + b"\n"


@pytest.mark.parametrize("firmware", FIRMWARES)
def test_config_of_the_largest_size_boots(firmware, tmp_path):
    img = copy_image(tmp_path)
    put_file(img, "/boot/twinboot.cfg", config_of(CONFIG_FILE_MAX))
    assert "Hello World!" in expect_boot(img, firmware)


@pytest.mark.parametrize("firmware", FIRMWARES)
def test_config_over_the_largest_size_is_named(firmware, tmp_path):
    img = copy_image(tmp_path)
    put_file(img, "/boot/twinboot.cfg", config_of(CONFIG_FILE_MAX + 1))
    expect_error(img, firmware, r"/boot/twinboot\.cfg: 61441 bytes, more than a config may "
                                r"have \(61440\)")


# A directory where a file belongs. The UEFI loader learns a small file's
# size from its one read, and the firmware's FAT driver reads a directory
# as directory entries, which must not pass for a config or a kernel.
DIRECTORY = {"bios": "fat: {} is a directory, not a file", "uefi": "uefi: {} is a directory"}


@pytest.mark.parametrize("path", ["/boot/twinboot.cfg", "/boot/kernel.elf"])
@pytest.mark.parametrize("firmware", FIRMWARES)
def test_directory_in_place_of_a_file_is_named(firmware, path, tmp_path):
    img = copy_image(tmp_path)
    make_directory(img, path)
    expect_error(img, firmware, re.escape(DIRECTORY[firmware].format(path)))


@pytest.mark.parametrize("firmware", FIRMWARES)
def test_64_modules_boot_and_are_listed(firmware, tmp_path):
    img = copy_image(tmp_path)
    lines = ["kernel=/boot/kernel.elf"]
    for i in range(64):
        put_file(img, f"/boot/m{i:02d}", bytes([i]) * (100 + i))
        lines.append(f"module=/boot/m{i:02d}")
    put_file(img, "/boot/twinboot.cfg", ("\n".join(lines) + "\n").encode())
    serial = expect_boot(img, firmware)
    assert "modules: 64 (" in serial
    listed = re.search(r"modules: 64 \((.*)\)", serial).group(1)
    for i in range(64):
        assert f"m{i:02d}" in listed


@pytest.mark.parametrize("firmware", FIRMWARES)
def test_4095_byte_cmdline_boots_whole(firmware, tmp_path):
    img = copy_image(tmp_path)
    cmdline = ("abcdefghijklmnopqrstuvwxyz0123456789" * 114)[:4094] + "Z"
    put_file(img, "/boot/twinboot.cfg",
             f"kernel=/boot/kernel.elf\ncmdline={cmdline}\n".encode())
    serial = expect_boot(img, firmware)
    assert f"cmdline: {cmdline}\n" in serial


# --- the disk -----------------------------------------------------------------
@pytest.mark.parametrize("firmware,disk", [("bios", None), ("uefi", None), ("uefi", "ide"),
                                           ("uefi", "virtio")],
                         ids=["bios", "uefi-ahci", "uefi-ide", "uefi-virtio"])
@pytest.mark.parametrize("kind", ["loop", "out-of-range"])
def test_damaged_fat_chain(kind, firmware, disk, tmp_path):
    """twinboot's own FAT reader names the damage: under BIOS always, under
    UEFI where BOOTX64.EFI reads an IDE disk itself, or an AHCI disk from
    the first read of 1 MiB on (loader/uefi/disk_uefi.c). Elsewhere under
    UEFI (virtio-blk) the firmware's FAT driver reads the file; its refusal
    must be named by the loader or by the firmware, and nothing may reset.
    The kernel is the bulky one (conftest.bulky_kernel), whose 1 MiB
    segment the loaders read past their first 60 KiB (16 KiB under UEFI
    through the firmware) in one read."""
    img = copy_image(tmp_path, variant="bulky")
    fat = Fat(img)
    first, _ = fat.lookup("/boot/kernel.elf")
    chain = fat.chain(first)
    victim = chain[len(chain) // 2]
    fat.set_entry(victim, chain[1] if kind == "loop" else fat.clusters + 10)
    if disk != "virtio":
        message = (r"fat: cluster chain of /boot/kernel\.elf loops" if kind == "loop"
                   else r"fat: cluster 0x\w+ out of range in /boot/kernel\.elf")
        expect_error(img, firmware, message, disk=disk)
        return
    # OVMF's FAT driver reads a file's size worth of clusters without
    # checking for loops: the file comes back with its second half
    # replaced, here part of the segment the kernel never reads, and the
    # kernel boots.
    with Qemu(str(img), firmware=firmware, disk=disk, timeout=60) as q:
        serial = q.wait_serial(ERROR + r".*\n|kernel: halting")
        record(re.findall(ERROR + r".*|kernel: halting", serial)[0])
        assert q.still_running(after=1.0), q.exit_reason()
    if kind == "out-of-range":
        assert re.search(ERROR + r"uefi: /boot/kernel\.elf: Read failed .*: Volume Corrupted", serial), serial[-2000:]


def test_fat_loop_in_the_kernel_code_uefi(tmp_path):
    """OVMF's FAT driver follows a looping chain without complaint, so the
    loader gets a kernel whose code is the file's first cluster over and
    over; the headers check out. The kernel then faults at its first
    instructions, before it has an IDT: the loader's early IDT names it
    (a signed image's manifest would have refused the file outright)."""
    img = copy_image(tmp_path)
    fat = Fat(img)
    first, _ = fat.lookup("/boot/kernel.elf")
    fat.set_entry(first, first)  # every cluster reads as the first one
    expect_error(img, "uefi", r"the kernel faulted before loading its own IDT: vector 0x")


@pytest.mark.parametrize("firmware", FIRMWARES)
def test_read_error_in_the_kernel_is_named(firmware, tmp_path):
    """blkdebug fails every read of the kernel's first sector with EIO.
    SeaBIOS passes the error up and twinboot's FAT reader names it. OVMF's
    AHCI path (QEMU 7.2, edk2-stable202302) instead reports success and
    leaves the buffer zeroed, so the loader sees a kernel of zeros and
    names what is wrong with it: still a message and a halt, not a reset.
    Under SeaBIOS the disk is IDE, read by bus-master DMA: the failed DMA
    command is named, and INT 13h, taking over, fails on the same sector.
    Under OVMF the kernel is first moved 64 KiB away from BOOTX64.EFI:
    mkimage puts the kernel right after the loader, and in 4 KiB clusters
    the kernel's first sector then shares the block OVMF's FAT driver
    reads for the loader's own tail, which would come back as
    zeros and start a loader with blank data."""
    img = copy_image(tmp_path)
    if firmware == "uefi":
        with open(KERNEL, "rb") as f:
            kernel = f.read()
        delete_file(img, "/boot/kernel.elf")
        put_file(img, "/boot/gap.bin", bytes(64 << 10))
        put_file(img, "/boot/kernel.elf", kernel)
    fat = Fat(img)
    first, _ = fat.lookup("/boot/kernel.elf")
    lba = fat.cluster_lba(first)
    config = blkdebug_config(tmp_path / "blkdebug.cfg", [lba])
    if firmware == "bios":
        expect_error(img, firmware, rf"fat: reading /boot/kernel\.elf: disk: read of \d+ sectors "
                     rf"at LBA {lba:#x} failed on drive 0x80: BIOS status 0x", blkdebug=config,
                     before=r"disk: ata: DMA read of \d+ sectors at LBA 0x[0-9a-f]+ failed: "
                            r"status 0x.1, error 0x.., bus-master status 0x..; reading by "
                            r"INT 13h from here on")
    else:
        # The config lies before the loader (tools/mkimage/fatfs.c), in
        # no block with the kernel's first cluster: the kernel is named.
        expect_error(img, firmware, r"(uefi: /boot/kernel\.elf: Read failed|"
                     r"/boot/kernel\.elf: elf: bad magic 00 00 00 00)",
                     blkdebug=config)


def test_read_error_on_ahci_is_named_bios(tmp_path):
    """The same on an AHCI disk under SeaBIOS, which stage 2 reads through
    the disk's AHCI port: the failed command is named, INT 13h takes over
    and fails on the same sector, and that is named."""
    img = copy_image(tmp_path)
    fat = Fat(img)
    first, _ = fat.lookup("/boot/kernel.elf")
    lba = fat.cluster_lba(first)
    config = blkdebug_config(tmp_path / "blkdebug.cfg", [lba])
    expect_error(img, "bios", rf"fat: reading /boot/kernel\.elf: disk: read of \d+ sectors "
                 rf"at LBA {lba:#x} failed on drive 0x80: BIOS status 0x", blkdebug=config,
                 disk="ahci",
                 before=r"disk: ahci: read of \d+ sectors at LBA 0x[0-9a-f]+ failed: "
                        r"status 0x.1, error 0x.., PxIS 0x[0-9a-f]+; reading by INT 13h "
                        r"from here on")


def test_read_error_on_ide_is_named_uefi(tmp_path):
    """The same on IDE under OVMF, where BOOTX64.EFI reads by its own DMA:
    the failed command is named, the firmware's DiskIo takes over and
    fails on the same sector, and that is named. The error sits in the
    kernel's last cluster: OVMF's FAT driver reads the first ones with
    the directories and BOOTX64.EFI, and would stop before the loader.
    The bulky kernel's last cluster is a segment's, which the loader
    reads (our own kernel's is debug information, which it leaves)."""
    img = copy_image(tmp_path, variant="bulky")
    fat = Fat(img)
    first, _ = fat.lookup("/boot/kernel.elf")
    lba = fat.cluster_lba(fat.chain(first)[-1])
    config = blkdebug_config(tmp_path / "blkdebug.cfg", [lba])
    line = expect_error(img, "uefi", r"fat: reading /boot/kernel\.elf: disk: read of \d+ "
                        r"sectors at LBA 0x[0-9a-f]+ failed: Device Error", blkdebug=config,
                        disk="ide",
                        before=r"disk: ata: DMA read of \d+ sectors at LBA 0x[0-9a-f]+ failed: "
                               r"status 0x.1, error 0x.., bus-master status 0x..; reading by "
                               r"the firmware from here on")
    count, start = re.search(r"read of (\d+) sectors at LBA (0x[0-9a-f]+)", line).groups()
    assert int(start, 16) <= lba < int(start, 16) + int(count), line


def test_read_error_inside_a_batch_of_int13h_reads_is_named_bios(tmp_path):
    """Stage 2 makes up to three INT 13h reads in one trip to real mode
    (loader/bios/disk_bios.c). On a USB stick, which SeaBIOS reads only
    through INT 13h, an error in the second read of a batch must leave the
    first read's sectors in place and name the second read, whose LBA is
    the error's, after its retries, not the batch's first. The bulky
    kernel: its segments go on well past the batch."""
    img = copy_image(tmp_path, variant="bulky")
    fat = Fat(img)
    start, end = fat.extent("/boot/kernel.elf")
    head = 120  # sectors: stage 2's first read (platform_kernel_head_bytes), its own
    assert end - start > head + 127 + 8, "the kernel is too small to need a batch"
    bad = start + head + 127 + 5  # in the second read of the batch after the head
    config = blkdebug_config(tmp_path / "blkdebug.cfg", [bad])
    line = expect_error(img, "bios", r"fat: reading /boot/kernel\.elf: disk: read of \d+ "
                        r"sectors at LBA 0x[0-9a-f]+ failed on drive 0x80: BIOS status 0x",
                        blkdebug=config, disk="usb-xhci")
    count, at = re.search(r"read of (\d+) sectors at LBA (0x[0-9a-f]+)", line).groups()
    assert int(at, 16) == start + head + 127, line
    assert int(at, 16) <= bad < int(at, 16) + int(count), line


@pytest.mark.parametrize("where", ["efi-directory", "primary-gpt-entries"])
def test_bad_sector_the_boot_can_do_without_bios(where, tmp_path):
    """Stage 2 reads a few sectors through INT 13h as 127 at a time
    (common/readahead.h), so a window can run into a bad sector the boot
    does without, and must then read just what it asked for:
    - efi-directory: the /EFI directory's first sector, inside the boot
      sector's window (FATs, root directory, first clusters); only UEFI
      reads that directory.
    - primary-gpt-entries: LBA 2, inside the very first 127-sector read;
      the GPT's backup copy at the disk's end takes over.
    Either way the boot goes on and the kernel still comes in 127-sector
    reads: the failed first read halved its size on its way down to the
    bad sector, which must not stay halved for the rest of the boot. On a
    USB stick, which SeaBIOS reads only through INT 13h."""
    img = copy_image(tmp_path, variant="verbose")
    if where == "efi-directory":
        fat = Fat(img)
        bad = fat.cluster_lba(fat.lookup("/EFI")[0])
        assert bad - ESP_LBA < 127, "the /EFI directory is outside the boot sector's window"
    else:
        bad = 2
    config = blkdebug_config(tmp_path / "blkdebug.cfg", [bad])
    with Qemu(str(img), firmware="bios", disk="usb-xhci", timeout=90, blkdebug=config) as q:
        serial = q.wait_serial(r"kernel: halting")
    record(" / ".join(re.findall(r"^(?:gpt: .*|disk: INT 13h .*|kernel: halting)", serial, re.M)))
    assert "twinboot: error" not in serial, serial
    assert ("gpt: primary GPT damaged, using the backup" in serial) == (bad == 2), serial
    assert "disk: INT 13h reads of up to 127 sectors" in serial, serial


def test_read_error_on_virtio_is_named_bios(tmp_path):
    """The same injected error on a virtio-blk disk under SeaBIOS: stage 2
    has taken the device over (loader/bios/virtio_disk.c), so INT 13h
    cannot read it any more and the failed request itself is named, with
    its LBA, count and the device's status byte (VIRTIO_BLK_S_IOERR)."""
    img = copy_image(tmp_path)
    fat = Fat(img)
    first, _ = fat.lookup("/boot/kernel.elf")
    lba = fat.cluster_lba(first)
    config = blkdebug_config(tmp_path / "blkdebug.cfg", [lba])
    line = expect_error(img, "bios", r"fat: reading /boot/kernel\.elf: disk: virtio-blk read of "
                        r"\d+ sectors at LBA 0x[0-9a-f]+ failed: status 0x01 \(I/O error\)",
                        blkdebug=config, disk="virtio")
    count, start = re.search(r"read of (\d+) sectors at LBA (0x[0-9a-f]+)", line).groups()
    assert int(start, 16) <= lba < int(start, 16) + int(count), line


@pytest.mark.parametrize("firmware", FIRMWARES)
def test_bad_primary_gpt_boots_from_the_backup(firmware, tmp_path):
    img = copy_image(tmp_path)
    corrupt_gpt_header(img, "primary")
    serial = expect_boot(img, firmware)
    if firmware == "bios":
        assert "gpt: primary GPT damaged, using the backup" in serial


def test_both_gpts_bad_is_named_bios(tmp_path):
    img = copy_image(tmp_path)
    corrupt_gpt_header(img, "primary")
    corrupt_gpt_header(img, "backup")
    expect_error(img, "bios", r"gpt: primary .*CRC.*; backup .*CRC")


def test_both_gpts_bad_does_not_reset_uefi(tmp_path):
    """OVMF finds no GPT; the hybrid MBR still lists the ESP, so the
    firmware may boot from that or give up: either way, no reset."""
    img = copy_image(tmp_path)
    corrupt_gpt_header(img, "primary")
    corrupt_gpt_header(img, "backup")
    with Qemu(str(img), firmware="uefi", timeout=60) as q:
        serial = q.wait_serial(r"kernel: halting|" + ERROR + r".*\n|"
                               r"BdsDxe: No bootable option|Shell>|failed to load Boot")
        record(re.findall(r"kernel: halting|" + ERROR + r".*|BdsDxe: No bootable option|"
                          r"Shell>|failed to load Boot.*", serial)[0])
        assert q.still_running(after=1.0), q.exit_reason()
    assert ERROR not in serial or "gpt" in serial



# --- a kernel that faults before it loads its own IDT -----------------------------
def tiny_kernel(vaddr, code):
    """An ELF64 executable of one R+X segment holding `code`, entered at its
    first byte; the bytes at file offset 0x1000 (gABI: congruent to vaddr)."""
    header = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, bytes(7), 2,
                         0x3E, 1, vaddr, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0x1000, vaddr, vaddr, len(code), len(code), 0x1000)
    return (header + phdr).ljust(0x1000, b"\0") + code


EARLY = r"the kernel faulted before loading its own IDT: vector 0x{:02x}, error 0x[0-9a-f]{{16}}, "


@pytest.mark.parametrize("firmware", FIRMWARES)
@pytest.mark.parametrize("kind", ["ud2", "page-fault"])
def test_kernel_faulting_before_its_idt_is_named(firmware, kind, tmp_path):
    """The loaders hand over with an early IDT (common/early_idt.h): an
    exception in the kernel's first instructions is named, with RIP and
    CR2, instead of a triple fault's silent reset."""
    if kind == "ud2":
        code, vector, cr2 = b"\x0f\x0b", 6, None
    else:  # movabs [0x7fffff000000], al: an unmapped lower-half address
        code, vector, cr2 = b"\xa2" + struct.pack("<Q", 0x7FFFFF000000), 14, 0x7FFFFF000000
    kernel = tiny_kernel(0x401000, code + b"\xf4" * 16)
    img = copy_image(tmp_path)
    put_file(img, "/boot/kernel.elf", kernel)
    line = expect_error(img, firmware, EARLY.format(vector) + r"RIP 0x0000000000401000")
    if cr2 is not None:
        assert f"CR2 0x{cr2:016x}" in line, line
