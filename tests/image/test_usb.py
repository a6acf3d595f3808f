"""tests/image/test_usb.py - make usb's refusals, against a fake /sys and
/proc (TWINBOOT_SYSFS, TWINBOOT_PROC). No real disk is ever touched: the
one write test writes to a regular file posing as a removable stick."""
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
USB = os.path.join(ROOT, "scripts", "usb.sh")


@pytest.fixture
def fake(tmp_path):
    """A fake machine: /sys/block/sdz (removable), /proc/mounts, an image."""
    sys_dir = tmp_path / "sys" / "block" / "sdz"
    (sys_dir / "device").mkdir(parents=True)
    (sys_dir / "removable").write_text("1\n")
    (sys_dir / "size").write_text("2097152\n")
    (sys_dir / "device" / "model").write_text("Fake Stick  \n")
    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "mounts").write_text("/dev/vda1 / ext4 rw 0 0\n")
    image = tmp_path / "twinboot.img"
    image.write_bytes(os.urandom(64 * 1024))
    return tmp_path


def usb(fake, dev, answer="yes\n", block=True):
    env = dict(os.environ, TWINBOOT_SYSFS=str(fake / "sys"), TWINBOOT_PROC=str(fake / "proc"),
               TWINBOOT_ASSUME_BLOCK="1" if block else "0")
    return subprocess.run(["sh", USB, dev, str(fake / "twinboot.img")], input=answer,
                          capture_output=True, text=True, env=env)


def test_no_device_given(fake):
    out = usb(fake, "")
    assert out.returncode == 1 and "give the stick" in out.stderr


def test_regular_file_refused(fake):
    target = fake / "notadisk"
    target.write_bytes(b"keep me")
    out = usb(fake, str(target), block=False)
    assert out.returncode == 1 and "is not a block device" in out.stderr
    assert target.read_bytes() == b"keep me"


def test_partition_refused(fake):
    out = usb(fake, "/dev/sdz1")
    assert out.returncode == 1 and "not a whole disk" in out.stderr


def test_non_removable_refused(fake):
    (fake / "sys" / "block" / "sdz" / "removable").write_text("0\n")
    out = usb(fake, "/dev/sdz")
    assert out.returncode == 1 and "not a removable disk" in out.stderr


def test_mounted_refused(fake):
    (fake / "proc" / "mounts").write_text("/dev/vda1 / ext4 rw 0 0\n"
                                          "/dev/sdz1 /media/stick vfat rw 0 0\n")
    out = usb(fake, "/dev/sdz")
    assert out.returncode == 1 and "is mounted" in out.stderr


def test_root_disk_refused(fake):
    (fake / "proc" / "mounts").write_text("/dev/sdz2 / ext4 rw 0 0\n")
    out = usb(fake, "/dev/sdz")
    assert out.returncode == 1
    assert "mounted" in out.stderr or "root file system" in out.stderr


def test_shows_the_stick_and_needs_yes(fake):
    stick = fake / "sdz"  # a file named like the fake disk
    stick.write_bytes(bytes(128 * 1024))
    out = usb(fake, str(stick), answer="no\n")
    assert out.returncode == 1 and "not written" in out.stderr
    assert "Fake Stick" in out.stdout and "1024 MiB" in out.stdout
    assert stick.read_bytes() == bytes(128 * 1024)
