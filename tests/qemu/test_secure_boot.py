"""tests/qemu/test_secure_boot.py - Secure Boot end to end (issue 9),
under OVMF's Secure Boot build with Debian's snakeoil keys enrolled.

mkimage --sign pins the kernel, the config and a module in BOOTX64.EFI and
signs it with the snakeoil key: the firmware runs it and the kernel boots.
The firmware refuses an unsigned BOOTX64.EFI before our code runs; the
signed loader refuses a kernel, config or module changed after signing
(mcopy), naming the file. The BIOS loader carries the same manifest
after stage 2: no signature anchors it there, but it refuses the same
changed files.
"""
import os
import shutil
import subprocess

import pytest

from conftest import KERNEL, LOADERS, LOWKERNEL, MKIMAGE, image
from harness import EXIT_PASS, Qemu

SNAKEOIL_KEY = "/usr/share/ovmf/PkKek-1-snakeoil.key"  # passphrase "snakeoil"
SNAKEOIL_CERT = "/usr/share/ovmf/PkKek-1-snakeoil.pem"
MTOOLS_ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")
SB_TIMEOUT = 120  # the Secure Boot build with SMM is slower under TCG


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """A signed image: the conformance kernel, a config with a module."""
    d = tmp_path_factory.mktemp("secure-boot")
    key = d / "snakeoil.key"  # sbsign takes no passphrase: decrypt it
    subprocess.run(["openssl", "rsa", "-in", SNAKEOIL_KEY, "-passin", "pass:snakeoil",
                    "-out", str(key)], check=True, capture_output=True)
    initrd = d / "initrd"
    initrd.write_bytes(bytes(range(256)) * 16)
    img = d / "signed.img"
    subprocess.run([MKIMAGE, "-o", str(img), "--kernel", KERNEL, "--cmdline", "test",
                    "--module", str(initrd), "--sign", str(key), "--cert", SNAKEOIL_CERT]
                   + LOADERS, check=True)
    key.unlink()
    return img


def tampered(signed_img, tmp_path, source, target):
    """A copy of the signed image with `source` mcopied over `target`."""
    img = tmp_path / "tampered.img"
    shutil.copy(signed_img, img)
    subprocess.run(["mcopy", "-o", "-i", f"{img}@@1M", str(source), target],
                   check=True, env=MTOOLS_ENV)
    return img


def expect_refused(img, message):
    with Qemu(str(img), firmware="uefi", secure_boot=True, timeout=SB_TIMEOUT) as q:
        serial = q.wait_serial(r"twinboot: error: .*\n")
    assert message in serial, serial
    assert "Hello World!" not in serial


def test_signed_image_boots_with_secure_boot_on(signed):
    with Qemu(str(signed), firmware="uefi", secure_boot=True, timeout=SB_TIMEOUT) as q:
        status = q.wait_exit()
        serial = q.serial()
    assert status == EXIT_PASS, f"{q.exit_reason()}; serial:\n{serial}"
    # The loader read SecureBoot = 1 and found the pins mkimage wrote.
    assert "manifest: 3 files pinned by SHA-256, Secure Boot on" in serial
    assert "Hello World!" in serial


def test_sbverify_accepts_the_signed_loader(signed, tmp_path):
    efi = tmp_path / "BOOTX64.EFI"
    subprocess.run(["mcopy", "-i", f"{signed}@@1M", "::/EFI/BOOT/BOOTX64.EFI", str(efi)],
                   check=True, env=MTOOLS_ENV)
    result = subprocess.run(["sbverify", "--cert", SNAKEOIL_CERT, str(efi)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Signature verification OK" in result.stdout


def test_unsigned_loader_is_refused_by_the_firmware():
    with Qemu(image("plain"), firmware="uefi", secure_boot=True, timeout=SB_TIMEOUT) as q:
        serial = q.wait_serial(r"(Access Denied|Security Violation)")
        assert q.still_running(after=2.0), f"{q.exit_reason()}; serial:\n{serial}"
        serial = q.serial()
    assert "twinboot 0.1.0 (UEFI)" not in serial


def test_kernel_changed_after_signing_is_refused(signed, tmp_path):
    img = tampered(signed, tmp_path, LOWKERNEL, "::/boot/kernel.elf")
    expect_refused(img, "manifest: /boot/kernel.elf: SHA-256 mismatch")


def test_config_changed_after_signing_is_refused(signed, tmp_path):
    cfg = tmp_path / "twinboot.cfg"
    cfg.write_text("kernel=/boot/kernel.elf\ncmdline=init=/bin/sh\nmodule=/boot/initrd\n")
    img = tampered(signed, tmp_path, cfg, "::/boot/twinboot.cfg")
    expect_refused(img, "manifest: /boot/twinboot.cfg: SHA-256 mismatch")


def test_module_changed_after_signing_is_refused(signed, tmp_path):
    initrd = tmp_path / "initrd"
    initrd.write_bytes(b"not the initrd that was signed")
    img = tampered(signed, tmp_path, initrd, "::/boot/initrd")
    expect_refused(img, "manifest: /boot/initrd: SHA-256 mismatch")


# --- the same manifest on the BIOS path ----------------------------------------
def test_signed_image_boots_under_bios_with_its_manifest(signed):
    with Qemu(str(signed), firmware="bios") as q:
        status = q.wait_exit()
        serial = q.serial()
    assert status == EXIT_PASS, f"{q.exit_reason()}; serial:\n{serial}"
    assert "manifest: 3 files pinned by SHA-256, Secure Boot off" in serial


@pytest.mark.parametrize("target", ["kernel", "config"])
def test_files_changed_after_signing_are_refused_under_bios(signed, tmp_path, target):
    if target == "kernel":
        img = tampered(signed, tmp_path, LOWKERNEL, "::/boot/kernel.elf")
        message = "manifest: /boot/kernel.elf: SHA-256 mismatch"
    else:
        cfg = tmp_path / "twinboot.cfg"
        cfg.write_text("kernel=/boot/kernel.elf\ncmdline=init=/bin/sh\nmodule=/boot/initrd\n")
        img = tampered(signed, tmp_path, cfg, "::/boot/twinboot.cfg")
        message = "manifest: /boot/twinboot.cfg: SHA-256 mismatch"
    with Qemu(str(img), firmware="bios") as q:
        serial = q.wait_serial(r"twinboot: error: .*\n")
        assert q.still_running(after=1.0), q.exit_reason()  # halted, not reset
        screen = "\n".join(text for text, _ in q.vga_text())
    assert message in serial, serial
    assert message in screen, screen
    assert "Hello World!" not in serial
