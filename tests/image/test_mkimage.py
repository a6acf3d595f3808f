"""tests/image/test_mkimage.py - mkimage's command line: `check`, the
config and modules it writes, and every refusal being one line, exit 1,
and nothing left in the output directory (issue 3)."""
import os
import shutil
import struct
import subprocess

import pytest

from imagelib import (ENV, MKIMAGE, ROOT, inputs, loader_args, make_elf,  # noqa: F401
                      mkimage)

HIGH = 0xFFFFFFFF80000000


def mtype(img, path):
    return subprocess.run(["mtype", "-i", f"{img}@@1M", path], capture_output=True,
                          env=ENV).stdout


def test_no_arguments_one_line():
    out = mkimage(check=False)
    assert out.returncode == 1 and out.stderr == (
        "mkimage: nothing to do: give -o IMAGE --kernel FILE (see mkimage --help)\n")


def test_help():
    out = mkimage("--help")
    assert out.stdout.startswith("usage: mkimage -o IMAGE --kernel FILE")
    assert "--mbr hybrid|protective" in out.stdout and "mkimage check FILE" in out.stdout


def test_check_accepts_a_kernel(inputs):  # noqa: F811
    out = mkimage("check", inputs["kernel"])
    first, second = out.stdout.splitlines()[:2]
    assert first.startswith(f"{inputs['kernel']}: entry 0x")
    assert " r-x 0x" in first and " rw- 0x" in first
    assert second.endswith("twinboot can boot it")


def test_check_describes_a_low_kernel(tmp_path):
    path = tmp_path / "low.elf"
    path.write_bytes(make_elf())
    out = mkimage("check", path)
    assert out.stdout.splitlines() == [
        f"{path}: entry 0x401000, 2 segments: 0x401000 r-x 0x80 bytes, "
        "0x402000 rw- 0x2000 bytes (0x10 from the file)",
        f"{path}: linked low, in the identity-mapped first 4 GiB, 0x401000-0x404000 (12 KiB): "
        "twinboot can boot it"]


def test_check_says_what_the_loaders_leave_on_the_disk(tmp_path):
    # Bytes after the last segment (a debug build's DWARF) are not read
    # past the loaders' first read, 60 KiB at most (common/platform.h).
    elf = make_elf()
    path = tmp_path / "debug.elf"
    path.write_bytes(elf + b"DWARF" * 20000)
    assert mkimage("check", path).stdout.splitlines()[2] == (
        f"{path}: the loaders read at most 61440 of its {len(elf) + 100000} bytes; the "
        "rest, which no segment holds (symbols, debug info), stays on the disk unless the "
        "image is signed")
    # Segments past 60 KiB: read up to the last one's end.
    big = make_elf(segments=[(0x401000, 5, b"\x90" * 0x20000, 0x20000)])
    path.write_bytes(big + b"DWARF" * 20000)
    assert f"read at most {len(big)} of its {len(big) + 100000} bytes" in mkimage(
        "check", path).stdout
    # A small file's first read takes it whole: nothing stays on the disk.
    path.write_bytes(elf + b"DWARF" * 1000)
    assert len(mkimage("check", path).stdout.splitlines()) == 2


def test_check_accepts_a_high_kernel(tmp_path):
    path = tmp_path / "high.elf"
    path.write_bytes(make_elf(entry=HIGH + 0x10, segments=[(HIGH, 5, b"\x90" * 64, 64)]))
    assert "linked in the top 2 GiB" in mkimage("check", path).stdout


BROKEN = [
    (make_elf()[:40], "shorter than the 64-byte ELF header"),
    (b"\x7fELX" + make_elf()[4:], "elf: bad magic"),
    (make_elf(machine=0x03), "e_machine 0x3 is not x86-64"),
    (make_elf(elf_class=1), "is not ELFCLASS64"),
    (make_elf(etype=1), "e_type 1 is not ET_EXEC"),
    (make_elf(entry=0x402010), "entry 0x402010 is outside every executable segment"),
    (make_elf(segments=[]), "no PT_LOAD segment"),
    (make_elf()[:0x1010], "is outside the file"),  # truncated inside a segment
    (make_elf(entry=0x401000, segments=[(0x401000, 5, b"\x90" * 16, 0x2000),
                                        (0x402000, 6, b"\0", 16)]), "overlap"),
    (make_elf(entry=0xFFFF800000001000, segments=[(0xFFFF800000001000, 5, b"\x90", 1)]),
     "overlaps the direct map"),
    (make_elf(entry=0x0000900000000000, segments=[(0x0000900000000000, 5, b"\x90", 1 << 48)]),
     "is not canonical"),
]


@pytest.mark.parametrize("data, message", BROKEN, ids=[m for _, m in BROKEN])
def test_check_rejects_broken_kernels(tmp_path, data, message):
    bad = tmp_path / "bad.elf"
    bad.write_bytes(data)
    out = mkimage("check", bad, check=False)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.startswith(f"mkimage: {bad} will not boot: elf: "), out.stderr
    assert message in out.stderr, out.stderr
    assert len(out.stderr.splitlines()) == 1


def test_config_file_copied_as_is_with_modules(inputs, tmp_path):  # noqa: F811
    (tmp_path / "in").mkdir()
    cfg = tmp_path / "in" / "my.cfg"
    text = ("# mine\r\nkernel=/boot/kernel.elf\r\nvideo=1024x768\r\n"
            "module=/boot/initrd\r\nmodule=/boot/FONT.psf\r\n")
    cfg.write_bytes(text.encode())
    initrd, font = tmp_path / "in" / "initrd", tmp_path / "in" / "f"
    initrd.write_bytes(b"I" * 70000)
    font.write_bytes(b"\x72\xb5\x4a\x86" * 10)
    img = tmp_path / "c.img"
    mkimage("-o", img, "--kernel", inputs["kernel"], "--config", cfg, "--module", initrd,
            "--module", f"{font}=font.psf", *loader_args(inputs))
    assert mtype(img, "::/boot/twinboot.cfg") == text.encode()
    assert mtype(img, "::/boot/initrd") == b"I" * 70000
    assert mtype(img, "::/boot/font.psf") == font.read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["c.img", "in"]


def err_cases():
    bad_cfg = "kernel=/boot/kernel.elf\nmodule=/boot/missing\n"
    return [
        (["--kernel", "{k}"], None, "mkimage: no output: give -o IMAGE"),
        (["-o", "{d}/x.img"], None, "mkimage: no kernel: give --kernel FILE"),
        (["-o", "{d}/x.img", "--kernel", "{d}/missing.elf"], None,
         "missing.elf: No such file or directory"),
        (["-o", "{d}/x.img", "--kernel", "{d}"], None, ": not a regular file"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--size", "8"], None,
         "mkimage: --size 8 MiB is too small: the content needs 34 MiB"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--size", "33"], None,
         "mkimage: --size 33 MiB is too small: the content needs 34 MiB"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--size", "ten"], None,
         "--size ten: expected a size in MiB"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--mbr", "weird"], None,
         "--mbr weird: expected hybrid or protective"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--bogus", "1"], None,
         "unknown option --bogus"),
        (["-o", "{d}/x.img", "--kernel"], None, "--kernel needs a value"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--verbose"], None, "unknown option --verbose"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--module", "{k}=a:b"], None,
         "--module {k}=a:b: NAME must be"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--module", "{k}=KERNEL.ELF"], None,
         "--module {k}=KERNEL.ELF: NAME must be"),  # FAT names ignore case
        (["-o", "{d}/x.img", "--kernel", "{k}", "--module", "{k}=a", "--module", "{k}=A"],
         None, "--module A: two modules named that"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--cmdline", "a", "--config", "{d}/c"],
         "kernel=/boot/kernel.elf\n", "--cmdline and --config both given"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--config", "{d}/c"], bad_cfg,
         "mkimage: {d}/c: module=/boot/missing is not among the --module files"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--config", "{d}/c"],
         "kernel=/boot/kernel.elf\n" + "#" * 61416 + "\n",
         "mkimage: {d}/c is 61441 bytes; the loaders take a config of at most 61440"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--config", "{d}/c"], "kernal=/x\n",
         "mkimage: {d}/c: config: line 1: unknown key 'kernal'"),
        (["-o", "{d}/x.img", "--kernel", "{k}", "--config", "{d}/c"], "kernel=/boot/k.elf\n",
         "kernel=/boot/k.elf, but mkimage puts the kernel at /boot/kernel.elf"),
        (["-o", "{d}/x.img", "--kernel", "{d}/c"], "not an ELF file at all. " * 4,
         "{d}/c will not boot: elf: bad magic"),
        (["-o", "{d}/nodir/x.img", "--kernel", "{k}"], None, "cannot create {d}/nodir/x.img"),
        (["-o", "{d}", "--kernel", "{k}"], None,
         "mkimage: {d} is not a regular file: write an image, then use make usb"),
        (["-o", "/dev/null", "--kernel", "{k}"], None, "/dev/null is not a regular file"),
    ]


@pytest.mark.parametrize("args, cfg, message", err_cases(), ids=[c[2] for c in err_cases()])
def test_bad_arguments_one_line_nothing_written(inputs, tmp_path, args, cfg, message):  # noqa: F811
    if cfg is not None:
        (tmp_path / "c").write_text(cfg)
    before = sorted(os.listdir(tmp_path))
    fill = dict(d=tmp_path, k=inputs["kernel"])
    out = mkimage(*loader_args(inputs), *[a.format(**fill) for a in args], check=False)
    assert out.returncode == 1
    assert message.format(**fill) in out.stderr, out.stderr
    assert len(out.stderr.splitlines()) == 1, out.stderr
    assert sorted(os.listdir(tmp_path)) == before  # no image, no temporary file


@pytest.mark.parametrize("which, data, message", [
    ("mbr", b"\0" * 512, "has no \"TBS1\" at 0x1a8"),
    ("mbr", b"\0" * 100, "stage 1 is 100 bytes, expected a 512-byte MBR template"),
    ("stage2", b"\1" * 65537, "is 65537 bytes; stage 2 must be 1 to 65536"),
    ("stage2", b"", "is 0 bytes; stage 2 must be 1 to 65536"),
])
def test_bad_loader_files(inputs, tmp_path, which, data, message):  # noqa: F811
    (tmp_path / "in").mkdir()
    bad = tmp_path / "in" / which
    bad.write_bytes(data)
    args = loader_args(dict(inputs, **{which: str(bad)}))
    out = mkimage("-o", tmp_path / "x.img", "--kernel", inputs["kernel"], *args, check=False)
    assert out.returncode == 1 and message in out.stderr and len(out.stderr.splitlines()) == 1
    assert os.listdir(tmp_path) == ["in"]


def test_failed_build_keeps_the_old_image(inputs, tmp_path):  # noqa: F811
    img = tmp_path / "x.img"
    img.write_bytes(b"old image")
    out = mkimage("-o", img, "--kernel", inputs["kernel"], "--size", "9", *loader_args(inputs),
                  check=False)
    assert out.returncode == 1 and img.read_bytes() == b"old image"
    assert os.listdir(tmp_path) == ["x.img"]


def test_installed_mkimage_finds_its_loaders(inputs, tmp_path):  # noqa: F811
    if inputs["fake"]:
        pytest.skip("make install needs the real loaders and kernel")
    dest = tmp_path / "root"
    subprocess.run(["make", "-s", "-C", ROOT, "install", f"DESTDIR={dest}", "PREFIX=/opt/tb"],
                   check=True, capture_output=True)
    tool = dest / "opt/tb/bin/twinboot-mkimage"
    assert (dest / "opt/tb/include/twinboot/bootinfo.h").read_bytes() == \
        open(os.path.join(ROOT, "common/bootinfo.h"), "rb").read()
    out = subprocess.run([str(tool), "-o", str(tmp_path / "i.img"), "--kernel",
                          inputs["kernel"]], capture_output=True, text=True, env=ENV)
    assert out.returncode == 0, out.stderr
    made = tmp_path / "j.img"
    mkimage("-o", made, "--kernel", inputs["kernel"], *loader_args(inputs))
    assert (tmp_path / "i.img").read_bytes() == made.read_bytes()
    assert struct.unpack_from("<H", made.read_bytes(), 510)[0] == 0xAA55
    assert os.path.exists(MKIMAGE)


@pytest.mark.parametrize("tool, message", [
    (None, "mkimage: mformat :: failed: cannot run it (install mtools)"),
    ("mcopy", "mkimage: mcopy ::/boot/twinboot.cfg failed: Disk full, says the fake"),
])
def test_mtools_failure_is_one_line_and_cleaned_up(inputs, tmp_path, tool, message):  # noqa: F811
    """mtools missing, or failing: one line quoting it, no temporary file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("mformat", "mmd"):
        if tool:  # the real ones, except the failing tool
            (bin_dir / name).symlink_to(subprocess.run(["which", name], capture_output=True,
                                                       text=True).stdout.strip())
    if tool:
        fake = bin_dir / tool
        fake.write_text("#!/bin/sh\necho '  Disk full, says the fake' >&2\necho more >&2\nexit 1\n")
        fake.chmod(0o755)
    (tmp_path / "out").mkdir()
    out = mkimage("-o", tmp_path / "out" / "x.img", "--kernel", inputs["kernel"],
                  *loader_args(inputs), check=False, env=dict(ENV, PATH=str(bin_dir)))
    assert out.returncode == 1 and out.stderr == message + "\n"
    assert os.listdir(tmp_path / "out") == []


def test_interrupted_build_leaves_nothing(inputs, tmp_path):  # noqa: F811
    """SIGTERM while mtools runs (a slow fake mcopy): the temp file goes."""
    import signal
    import time
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("mformat", "mmd"):
        (bin_dir / name).symlink_to(subprocess.run(["which", name], capture_output=True,
                                                   text=True).stdout.strip())
    # PATH holds only bin_dir, so the fake names sleep by its full path: a
    # bare `sleep` is not found, mcopy fails at once and the test races.
    (bin_dir / "mcopy").write_text(f"#!/bin/sh\nexec {shutil.which('sleep')} 3\n")
    (bin_dir / "mcopy").chmod(0o755)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = subprocess.Popen([MKIMAGE, "-o", str(out_dir / "x.img"), "--kernel", inputs["kernel"],
                             *loader_args(inputs)], env=dict(ENV, PATH=str(bin_dir)),
                            stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while not os.listdir(out_dir) and time.time() < deadline:
        time.sleep(0.01)
    assert [n for n in os.listdir(out_dir) if n.startswith("x.img.tmp-")]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == -signal.SIGTERM
    assert os.listdir(out_dir) == []
