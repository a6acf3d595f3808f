"""tests/image/test_image.py - the hybrid image mkimage writes, checked with
the tools a person would trust (sgdisk, fsck.fat, mdir) and byte by byte
where the layout is ours (issue 3; layout in tools/mkimage/image.c)."""
import os
import struct
import subprocess
import sys
import time

import pytest

from imagelib import (BIOS_BOOT_TYPE, ENV, ESP_TYPE, SECTOR, inputs, loader_args,  # noqa: F401
                      mkimage, read_gpt)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
from fat_image import ESP_LBA, Fat  # noqa: E402

MIB = 1 << 20


@pytest.fixture(scope="module")
def made(inputs, tmp_path_factory):  # noqa: F811
    """A default (FAT16, hybrid) image with a cmdline and one module."""
    d = tmp_path_factory.mktemp("img")
    module = d / "initrd"
    module.write_bytes(os.urandom(5000))
    path = d / "t.img"
    mkimage("-o", path, "--kernel", inputs["kernel"], "--cmdline", "root=/dev/sda1 quiet",
            "--module", f"{module}=initrd.img", *loader_args(inputs))
    return path, module


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV)


def esp_of(img, out):
    """Copy the ESP (LBA 2048 to the backup GPT) out for fsck.fat."""
    with open(img, "rb") as src, open(out, "wb") as dst:
        src.seek(MIB)
        dst.write(src.read(os.path.getsize(img) - MIB - 33 * SECTOR))
    return out


def test_gpt_is_valid_for_sgdisk(made):
    img, _ = made
    out = run("sgdisk", "-v", str(img))
    assert out.returncode == 0 and "No problems found" in out.stdout, out.stdout + out.stderr
    parts = run("sgdisk", "-p", str(img)).stdout
    assert "EF02" in parts and "EF00" in parts


def test_gpt_layout_parsed_independently(made):
    img, _ = made
    total = os.path.getsize(img) // SECTOR
    _, entries = read_gpt(img)
    assert [(t, first, last, name) for t, _, first, last, name in entries] == [
        (BIOS_BOOT_TYPE, 34, 2047, "BIOS boot"),
        (ESP_TYPE, 2048, total - 34, "EFI system"),
    ]
    assert entries[0][1] != entries[1][1]  # distinct partition GUIDs
    assert (total - 2048 - 33) * SECTOR >= 32 * MIB  # the ESP is at least 32 MiB


def test_fat_is_clean_and_holds_the_files(made, inputs, tmp_path):  # noqa: F811
    img, module = made
    fsck = run("fsck.fat", "-n", str(esp_of(img, tmp_path / "esp.bin")))
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    listing = run("mdir", "-/", "-b", "-i", f"{img}@@1M", "::").stdout
    for path in ("::/EFI/BOOT/BOOTX64.EFI", "::/boot/kernel.elf", "::/boot/twinboot.cfg",
                 "::/boot/initrd.img"):
        assert path in listing, listing
    cfg = run("mtype", "-i", f"{img}@@1M", "::/boot/twinboot.cfg").stdout
    assert cfg.splitlines()[1:] == ["kernel=/boot/kernel.elf", "cmdline=root=/dev/sda1 quiet",
                                    "module=/boot/initrd.img"]
    for inside, outside in (("::/boot/kernel.elf", inputs["kernel"]),
                            ("::/EFI/BOOT/BOOTX64.EFI", inputs["efi"]),
                            ("::/boot/initrd.img", module)):
        copied = subprocess.run(["mtype", "-i", f"{img}@@1M", inside], capture_output=True,
                                env=ENV).stdout
        assert copied == open(outside, "rb").read(), inside


# edk2's FAT driver (OVMF, and the firmware of many PCs) caches a volume's
# data in blocks of 64 KiB counted from the end of its FATs (FatDxe's
# RootPos); FAT12 volumes in 8 KiB ones, which mkimage never makes.
CACHE_BLOCK = 64 << 10


@pytest.mark.parametrize("size_mib", [None, 60, 100, 260, 600],
                         ids=["default-4k", "8k-clusters", "16k-clusters", "32k-clusters",
                              "fat32"])
def test_config_shares_a_cached_block_with_what_the_firmware_just_read(
        inputs, tmp_path, size_mib):  # noqa: F811
    """/boot's directory, the config, BOOTX64.EFI, then the kernel
    (tools/mkimage/fatfs.c). The firmware reads /boot's directory to open
    the config and has read the loader's first cluster to start it, both
    through its cache; the config's first bytes must lie in a block with
    one of them, whatever the cluster size, or the config costs a disk
    read of its own: a 10 ms stall on OVMF's IDE driver for an image with
    16 KiB clusters, where it lay after the loader. The kernel follows the
    loader (test_bad_inputs' read-error test relies on it)."""
    img = tmp_path / "c.img"
    size = ["--size", str(size_mib)] if size_mib else []
    mkimage("-o", img, "--kernel", inputs["kernel"], *size, *loader_args(inputs))
    fat = Fat(img)
    base = (fat.reserved + fat.nfats * fat.fat_sectors) * SECTOR

    def block(cluster):
        return ((fat.cluster_lba(cluster) - ESP_LBA) * SECTOR - base) // CACHE_BLOCK

    boot_dir, _ = fat.lookup("boot")
    cfg, _ = fat.lookup("boot/twinboot.cfg")
    efi, efi_size = fat.lookup("EFI/BOOT/BOOTX64.EFI")
    kernel, _ = fat.lookup("boot/kernel.elf")
    assert block(cfg) in (block(boot_dir), block(efi)), (fat.spc, boot_dir, cfg, efi)
    cluster = fat.spc * SECTOR
    assert kernel == efi + (efi_size + cluster - 1) // cluster, (efi, efi_size, kernel)


def test_fat_timestamps_and_label_are_fixed(made):
    img, _ = made
    listing = run("mdir", "-i", f"{img}@@1M", "::/boot").stdout
    assert "2023-11-14  22:13" in listing  # SOURCE_DATE_EPOCH=1700000000, in UTC
    assert "TWINBOOT" in run("mlabel", "-s", "-i", f"{img}@@1M", "::").stdout
    with open(img, "rb") as f:
        f.seek(MIB)
        bpb = f.read(512)
    # BPB_HiddSec is the partition's start, as firmware that boots from the
    # volume expects; 0x55AA ends the FAT boot sector too.
    assert struct.unpack_from("<I", bpb, 0x1C)[0] == 2048 and bpb[510:] == b"\x55\xaa"
    assert bpb[54:62] == b"FAT16   "


def test_large_image_is_fat32_and_clean(inputs, tmp_path):  # noqa: F811
    img = tmp_path / "big.img"
    mkimage("-o", img, "--kernel", inputs["kernel"], "--size", "600", *loader_args(inputs))
    assert os.path.getsize(img) == 600 * MIB
    with open(img, "rb") as f:
        f.seek(MIB + 82)
        assert f.read(8) == b"FAT32   "
        f.seek(0x1BE + 16 + 4)
        assert f.read(1) == b"\x0c"  # the hybrid entry says FAT32 LBA
    assert "No problems found" in run("sgdisk", "-v", str(img)).stdout
    fsck = run("fsck.fat", "-n", str(esp_of(img, tmp_path / "esp.bin")))
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr


@pytest.mark.parametrize("size_mib", [None, 260, 600], ids=["default", "260MiB", "600MiB"])
def test_clusters_are_as_large_as_the_fat_type_allows(inputs, tmp_path, size_mib):  # noqa: F811
    """Every FAT driver walks a file's cluster chain link by link (OVMF's
    took 39 ms for a 64 MiB kernel in 2 KiB clusters, 26 ms in 8 KiB), so
    mkimage picks clusters of at least 4 KiB and as large as the FAT type
    allows, up to 32 KiB. The type follows from the cluster count alone:
    FAT16 from 4085 clusters, FAT32 from 65525; the BPB and the hybrid
    MBR entry must name the type the count makes."""
    img = tmp_path / "c.img"
    size = ["--size", str(size_mib)] if size_mib else []
    mkimage("-o", img, "--kernel", inputs["kernel"], *size, *loader_args(inputs))
    fat = Fat(img)
    kind = "FAT32" if fat.clusters >= 65525 else "FAT16" if fat.clusters >= 4085 else "FAT12"
    with open(img, "rb") as f:
        f.seek(MIB + (82 if fat.fat32 else 54))
        named = f.read(8).decode().strip()
        f.seek(0x1BE + 16 + 4)
        mbr_type = f.read(1)[0]
    assert named == kind and kind != "FAT12", (named, fat.clusters)
    assert mbr_type == (0x0C if kind == "FAT32" else 0x0E)
    assert fat.spc * SECTOR >= 4096
    # Twice as large would have been too few clusters for the type (with
    # mkimage's margin for the FATs and root directory), or above 32 KiB.
    least = 65525 + 4096 if kind == "FAT32" else 4085 + 1024
    assert fat.spc == 64 or fat.clusters // 2 < least, (fat.spc, fat.clusters)
    fsck = run("fsck.fat", "-n", str(esp_of(img, tmp_path / "esp.bin")))
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr


def test_mbr_is_hybrid_with_stage1_patched(made, inputs):  # noqa: F811
    img, _ = made
    mbr = open(img, "rb").read(512)
    stage1 = open(inputs["mbr"], "rb").read()
    assert len(stage1) == 512 and mbr[510:512] == b"\x55\xaa"
    # Stage 1's code and magic, untouched, end before 0x1ac; 0x1b6-0x1b7 and
    # 0x1bc-0x1bd are zero: it all fits the 440 bytes before the signature.
    assert mbr[:0x1AC] == stage1[:0x1AC] and mbr[0x1A8:0x1AC] == b"TBS1"
    assert mbr[0x1B6:0x1B8] == b"\0\0" and mbr[0x1BC:0x1BE] == b"\0\0"
    lba, sectors = struct.unpack_from("<QH", mbr, 0x1AC)
    stage2 = open(inputs["stage2"], "rb").read()
    assert lba == 34 and sectors == (len(stage2) + 511) // 512
    entries = [mbr[0x1BE + 16 * i:0x1CE + 16 * i] for i in range(4)]
    assert entries[0][0] == 0 and entries[0][4] == 0xEE
    assert struct.unpack_from("<II", entries[0], 8) == (1, 2047)  # the GPT and stage 2
    assert entries[1][0] == 0x80 and entries[1][4] == 0x0E  # active FAT16 LBA
    total = os.path.getsize(img) // SECTOR
    assert struct.unpack_from("<II", entries[1], 8) == (2048, total - 2048 - 33)
    assert entries[2] == entries[3] == bytes(16)
    with open(img, "rb") as f:
        f.seek(34 * SECTOR)
        assert f.read(len(stage2)) == stage2


def test_protective_mbr(inputs, tmp_path):  # noqa: F811
    path = tmp_path / "p.img"
    mkimage("-o", path, "--kernel", inputs["kernel"], "--mbr", "protective", *loader_args(inputs))
    mbr = open(path, "rb").read(512)
    sectors = os.path.getsize(path) // 512
    assert mbr[0x1BE] == 0 and mbr[0x1BE + 4] == 0xEE
    assert mbr[0x1BE + 1:0x1BE + 4] == b"\x00\x02\x00"  # CHS 0/0/2 (UEFI 2.10 5.2.3)
    assert struct.unpack_from("<II", mbr, 0x1BE + 8) == (1, sectors - 1)
    assert mbr[0x1CE:0x1FE] == bytes(48) and mbr[510:] == b"\x55\xaa"
    assert "No problems found" in run("sgdisk", "-v", str(path)).stdout


def test_same_inputs_same_bytes(inputs, tmp_path):  # noqa: F811
    def build(name, **env):
        path = tmp_path / name
        mkimage("-o", path, "--kernel", inputs["kernel"], *loader_args(inputs),
                env=dict(ENV, **env))
        return path.read_bytes()
    a = build("a.img")
    assert build("b.img") == a
    assert build("c.img", TZ="America/New_York") == a  # FAT times are UTC
    other = build("d.img", SOURCE_DATE_EPOCH="1800000000")
    assert read_gpt(tmp_path / "a.img")[0] != read_gpt(tmp_path / "d.img")[0]
    assert other[0x1B8:0x1BC] != a[0x1B8:0x1BC]  # disk signature
    # Without SOURCE_DATE_EPOCH: still reproducible, dated 1980-01-01.
    env = {k: v for k, v in ENV.items() if k != "SOURCE_DATE_EPOCH"}
    for name in ("e.img", "f.img"):
        mkimage("-o", tmp_path / name, "--kernel", inputs["kernel"], *loader_args(inputs),
                env=env)
    assert (tmp_path / "e.img").read_bytes() == (tmp_path / "f.img").read_bytes()
    assert "1980-01-01" in run("mdir", "-i", f"{tmp_path / 'e.img'}@@1M", "::/boot").stdout


def test_other_content_other_guids(inputs, tmp_path):  # noqa: F811
    a, b = tmp_path / "a.img", tmp_path / "b.img"
    mkimage("-o", a, "--kernel", inputs["kernel"], *loader_args(inputs))
    mkimage("-o", b, "--kernel", inputs["kernel"], "--cmdline", "x", *loader_args(inputs))
    guids_a = [e[1] for e in read_gpt(a)[1]] + [read_gpt(a)[0]]
    guids_b = [e[1] for e in read_gpt(b)[1]] + [read_gpt(b)[0]]
    assert not set(guids_a) & set(guids_b)


SNAKEOIL_KEY = "/usr/share/ovmf/PkKek-1-snakeoil.key"  # passphrase "snakeoil"
SNAKEOIL_CERT = "/usr/share/ovmf/PkKek-1-snakeoil.pem"


def unlocked_key(tmp_path):
    """The snakeoil key without its passphrase, as mkimage --sign takes it."""
    key = tmp_path / "k.pem"
    subprocess.run(["openssl", "rsa", "-in", SNAKEOIL_KEY, "-passin", "pass:snakeoil",
                    "-out", str(key)], check=True, capture_output=True)
    return key


def test_signed_image_carries_the_manifest_after_stage2(inputs, tmp_path):  # noqa: F811
    """--sign pins the files in BOOTX64.EFI and in the BIOS boot area:
    stage 2 says 21 manifest sectors follow it, stage 1 loads them too,
    and they are the signed loader's manifest byte for byte. Signing is
    reproducible like the rest of the image."""
    if inputs["fake"]:
        pytest.skip("needs the real stage 2 and BOOTX64.EFI")
    key = unlocked_key(tmp_path)
    images = []
    for name in ("a.img", "b.img"):
        mkimage("-o", tmp_path / name, "--kernel", inputs["kernel"], "--sign", key,
                "--cert", SNAKEOIL_CERT, *loader_args(inputs))
        images.append((tmp_path / name).read_bytes())
        # The signature would carry the time of signing: a second apart,
        # the two images differ unless mkimage fixes that time.
        time.sleep(1.1)
    assert images[0] == images[1]
    img = images[0]
    stage2 = open(inputs["stage2"], "rb").read()
    sectors = (len(stage2) + 511) // 512
    assert struct.unpack_from("<H", img, 0x1B4)[0] == sectors + 21
    at = 34 * SECTOR
    written = img[at:at + len(stage2)]
    assert written[:-4] == stage2[:-4] and written[-8:] == b"TBS2\x15\0\0\0"
    manifest = img[at + sectors * SECTOR:at + (sectors + 21) * SECTOR]
    assert manifest[:8] == b"TBMANIF1"
    efi = tmp_path / "BOOTX64.EFI"
    subprocess.run(["mcopy", "-i", f"{tmp_path / 'a.img'}@@1M", "::/EFI/BOOT/BOOTX64.EFI",
                    str(efi)], check=True, env=dict(ENV, MTOOLS_SKIP_CHECK="1"))
    signed = efi.read_bytes()
    pinned = signed[signed.index(b"TBMANIF1\x01\0\0\0"):][:10592]  # not the literal
    assert manifest[:10592] == pinned and manifest[10592:] == bytes(21 * SECTOR - 10592)

    # Unsigned: nothing after stage 2, which says so.
    mkimage("-o", tmp_path / "u.img", "--kernel", inputs["kernel"], *loader_args(inputs))
    plain = (tmp_path / "u.img").read_bytes()
    assert struct.unpack_from("<H", plain, 0x1B4)[0] == sectors
    assert plain[at + len(stage2) - 4:at + len(stage2)] == bytes(4)
    assert plain[at + sectors * SECTOR:at + (sectors + 21) * SECTOR] == bytes(21 * SECTOR)


@pytest.mark.parametrize("stage2_sectors,fits", [(123, True), (124, False)])
def test_stage2_and_its_manifest_fit_what_stage1_loads(inputs, tmp_path,  # noqa: F811
                                                       stage2_sectors, fits):
    """Stage 1 loads at most 144 sectors (72 KiB, loader/bios/mbr.asm):
    a stage 2 of 123 sectors takes the 21-sector manifest, one of 124 is
    refused, naming the limit."""
    if inputs["fake"]:
        pytest.skip("needs the real BOOTX64.EFI to sign")
    key = unlocked_key(tmp_path)
    stage2 = tmp_path / "stage2.bin"
    stage2.write_bytes(bytes(stage2_sectors * SECTOR - 8) + b"TBS2" + bytes(4))
    args = [a if a != inputs["stage2"] else stage2 for a in loader_args(inputs)]
    r = mkimage("-o", tmp_path / "s.img", "--kernel", inputs["kernel"], "--sign", key,
                "--cert", SNAKEOIL_CERT, *args, check=False)
    if fits:
        assert r.returncode == 0, r.stderr
        img = (tmp_path / "s.img").read_bytes()
        assert struct.unpack_from("<H", img, 0x1B4)[0] == 144
    else:
        assert r.returncode != 0
        assert "more than 72 KiB with it" in r.stderr, r.stderr
        assert not (tmp_path / "s.img").exists()
