"""tests/image/test_image.py - the hybrid image mkimage writes, checked
with the tools a person would trust (sgdisk, fsck.fat, mdir) and byte by
byte where the layout is ours (issue 3)."""
import os
import struct
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
MKIMAGE = os.path.join(BUILD, "tools", "mkimage")
KERNEL = os.path.join(BUILD, "kernel", "kernel.elf")
LOADERS = ["--mbr-code", os.path.join(BUILD, "loader/bios/mbr.bin"),
           "--stage2", os.path.join(BUILD, "loader/bios/stage2.bin"),
           "--efi", os.path.join(BUILD, "loader/uefi/BOOTX64.EFI")]
ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1", SOURCE_DATE_EPOCH="1700000000")


def mkimage(*args, check=True, env=ENV):
    return subprocess.run([MKIMAGE, *args], capture_output=True, text=True, check=check,
                          env=env)


@pytest.fixture(scope="module")
def img(tmp_path_factory):
    d = tmp_path_factory.mktemp("img")
    module = d / "initrd"
    module.write_bytes(os.urandom(5000))
    path = d / "t.img"
    mkimage("-o", str(path), "--kernel", KERNEL, "--cmdline", "root=/dev/sda1 quiet",
            "--module", f"{module}=initrd.img", *LOADERS)
    return path


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV)


def test_gpt_is_valid(img):
    out = run("sgdisk", "-v", str(img))
    assert out.returncode == 0 and "No problems found" in out.stdout, out.stdout + out.stderr
    parts = run("sgdisk", "-p", str(img)).stdout
    assert "EF02" in parts and "EF00" in parts


def test_fat_is_clean_and_holds_the_files(img):
    esp = img.parent / "esp.bin"
    with open(img, "rb") as src, open(esp, "wb") as dst:
        src.seek(1 << 20)
        dst.write(src.read(os.path.getsize(img) - (1 << 20) - 33 * 512))
    fsck = run("fsck.fat", "-n", str(esp))
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    listing = run("mdir", "-/", "-b", "-i", f"{img}@@1M", "::").stdout
    for path in ("::/EFI/BOOT/BOOTX64.EFI", "::/boot/kernel.elf", "::/boot/twinboot.cfg",
                 "::/boot/initrd.img"):
        assert path in listing, listing
    cfg = run("mtype", "-i", f"{img}@@1M", "::/boot/twinboot.cfg").stdout
    assert "kernel=/boot/kernel.elf" in cfg
    assert "cmdline=root=/dev/sda1 quiet" in cfg
    assert "module=/boot/initrd.img" in cfg
    copied = subprocess.run(["mtype", "-i", f"{img}@@1M", "::/boot/kernel.elf"],
                            capture_output=True, env=ENV).stdout
    assert copied == open(KERNEL, "rb").read()


def test_mbr_is_hybrid_with_stage1_patched(img):
    mbr = open(img, "rb").read(512)
    stage1 = open(os.path.join(BUILD, "loader/bios/mbr.bin"), "rb").read(512)
    assert mbr[510:512] == b"\x55\xaa"
    assert mbr[0x1a8:0x1ac] == b"TBS1"
    assert mbr[:0x1a8] == stage1[:0x1a8]  # stage 1's code, untouched
    lba, sectors = struct.unpack_from("<QH", mbr, 0x1ac)
    stage2 = os.path.getsize(os.path.join(BUILD, "loader/bios/stage2.bin"))
    assert lba == 34 and sectors == (stage2 + 511) // 512
    entries = [mbr[0x1be + 16 * i:0x1ce + 16 * i] for i in range(4)]
    assert entries[0][4] == 0xEE and struct.unpack_from("<I", entries[0], 8)[0] == 1
    assert entries[1][0] == 0x80 and entries[1][4] in (0x0C, 0x0E)
    assert struct.unpack_from("<I", entries[1], 8)[0] == 2048
    assert entries[2] == entries[3] == bytes(16)
    with open(img, "rb") as f:
        f.seek(34 * 512)
        assert f.read(stage2) == open(os.path.join(BUILD, "loader/bios/stage2.bin"), "rb").read()


def test_protective_mbr(tmp_path):
    path = tmp_path / "p.img"
    mkimage("-o", str(path), "--kernel", KERNEL, "--mbr", "protective", *LOADERS)
    mbr = open(path, "rb").read(512)
    sectors = os.path.getsize(path) // 512
    assert mbr[0x1be + 4] == 0xEE and mbr[0x1be] == 0
    assert struct.unpack_from("<II", mbr, 0x1be + 8) == (1, sectors - 1)
    assert mbr[0x1ce:0x1fe] == bytes(48)
    assert "No problems found" in run("sgdisk", "-v", str(path)).stdout


def test_same_inputs_same_bytes(tmp_path):
    a, b, c = tmp_path / "a.img", tmp_path / "b.img", tmp_path / "c.img"
    mkimage("-o", str(a), "--kernel", KERNEL, *LOADERS)
    mkimage("-o", str(b), "--kernel", KERNEL, *LOADERS)
    assert a.read_bytes() == b.read_bytes()
    mkimage("-o", str(c), "--kernel", KERNEL, *LOADERS,
            env=dict(ENV, SOURCE_DATE_EPOCH="1800000000"))
    assert a.read_bytes()[512:1024] != c.read_bytes()[512:1024]  # other disk GUID


def test_check_accepts_our_kernel():
    out = mkimage("check", KERNEL)
    assert "twinboot can boot it" in out.stdout
    assert "r-x" in out.stdout and "rw-" in out.stdout


@pytest.mark.parametrize("mutate, message", [
    (lambda b: b[:40], "shorter than the 64-byte ELF header"),
    (lambda b: b"\x7fELX" + b[4:], "elf: bad magic"),
    (lambda b: b[:18] + b"\x03\x00" + b[20:], "is not x86-64"),
    (lambda b: b[:4] + b"\x01" + b[5:], "ELFCLASS"),
])
def test_check_rejects_broken_kernels(tmp_path, mutate, message):
    bad = tmp_path / "bad.elf"
    bad.write_bytes(mutate(open(KERNEL, "rb").read()))
    out = mkimage("check", str(bad), check=False)
    assert out.returncode == 1
    assert message in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (["--kernel", KERNEL], "no output"),
    (["-o", "{d}/x.img"], "no kernel"),
    (["-o", "{d}/x.img", "--kernel", "{d}/missing.elf"], "missing.elf"),
    (["-o", "{d}/x.img", "--kernel", KERNEL, "--size", "8"], "is too small"),
    (["-o", "{d}/x.img", "--kernel", KERNEL, "--mbr", "weird"], "expected hybrid or protective"),
    (["-o", "{d}/x.img", "--kernel", KERNEL, "--bogus", "1"], "unknown option"),
])
def test_bad_arguments_one_line_nothing_written(tmp_path, args, message):
    out = mkimage(*[a.format(d=tmp_path) for a in args], *LOADERS, check=False)
    assert out.returncode == 1
    assert message in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert os.listdir(tmp_path) == []  # no image, no temporary file


def test_installed_mkimage_finds_its_loaders(tmp_path):
    dest = tmp_path / "root"
    subprocess.run(["make", "-s", "-C", ROOT, "install", f"DESTDIR={dest}", "PREFIX=/opt/tb"],
                   check=True, capture_output=True)
    tool = dest / "opt/tb/bin/twinboot-mkimage"
    assert (dest / "opt/tb/include/twinboot/bootinfo.h").read_bytes() == \
        open(os.path.join(ROOT, "common/bootinfo.h"), "rb").read()
    out = subprocess.run([str(tool), "-o", str(tmp_path / "i.img"), "--kernel", KERNEL],
                         capture_output=True, text=True, env=ENV)
    assert out.returncode == 0, out.stderr
    made = tmp_path / "j.img"
    mkimage("-o", str(made), "--kernel", KERNEL, *LOADERS)
    assert (tmp_path / "i.img").read_bytes() == made.read_bytes()
