"""tests/image/test_usb.py - make usb's refusals and its one write, against
a fake /sys, /proc and /dev (TWINBOOT_SYSFS, TWINBOOT_PROC, TWINBOOT_DEV).
No real disk is ever touched: the "stick" is a regular file in tmp_path,
and every test that must refuse checks that file is unchanged."""
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
USB = os.path.join(ROOT, "scripts", "usb.sh")
STICK = bytes(range(256)) * 512  # 128 KiB the refusals must leave alone
ROOTFS = "22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"


@pytest.fixture
def fake(tmp_path):
    """A machine with one removable disk sdz (8:240) and its partition sdz1
    (8:241), root on vda1 (252:1), and a 64 KiB image."""
    disk = tmp_path / "sys" / "block" / "sdz"
    (disk / "device").mkdir(parents=True)
    (disk / "holders").mkdir()
    (disk / "dev").write_text("8:240\n")
    (disk / "removable").write_text("1\n")
    (disk / "size").write_text("2097152\n")
    (disk / "device" / "model").write_text("Fake Stick  \n")
    part = disk / "sdz1"
    (part / "holders").mkdir(parents=True)
    (part / "dev").write_text("8:241\n")
    (part / "partition").write_text("1\n")
    cls = tmp_path / "sys" / "class" / "block"
    cls.mkdir(parents=True)
    (cls / "sdz").symlink_to("../../block/sdz")
    (cls / "sdz1").symlink_to("../../block/sdz/sdz1")
    (tmp_path / "proc" / "self").mkdir(parents=True)
    (tmp_path / "proc" / "self" / "mountinfo").write_text(ROOTFS)
    dev = tmp_path / "dev"
    (dev / "disk" / "by-id").mkdir(parents=True)
    (dev / "sdz").write_bytes(STICK)
    (dev / "sdz1").write_bytes(STICK)
    (dev / "disk" / "by-id" / "usb-Fake_Stick").symlink_to("../../sdz")
    (tmp_path / "twinboot.img").write_bytes(os.urandom(64 * 1024))
    return tmp_path


def usb(fake, dev, answer="yes\n", block=True):
    env = dict(os.environ, TWINBOOT_SYSFS=str(fake / "sys"), TWINBOOT_PROC=str(fake / "proc"),
               TWINBOOT_DEV=str(fake / "dev"), TWINBOOT_ASSUME_BLOCK="1" if block else "0")
    return subprocess.run(["sh", USB, dev, str(fake / "twinboot.img")], input=answer,
                          capture_output=True, text=True, env=env, timeout=60)


def refused(out, fake, message):
    assert out.returncode == 1, out.stdout + out.stderr
    assert message in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert (fake / "dev" / "sdz").read_bytes() == STICK


def test_no_device_given(fake):
    refused(usb(fake, ""), fake, "give the stick: make usb DEV=/dev/sdX")


def test_missing_device(fake):
    refused(usb(fake, "/dev/sdy"), fake, "/dev/sdy does not exist")


def test_regular_file_refused(fake):
    target = fake / "notadisk"
    target.write_bytes(b"keep me")
    refused(usb(fake, str(target), block=False), fake, "is not a block device")
    assert target.read_bytes() == b"keep me"


def test_partition_refused(fake):
    out = usb(fake, "/dev/sdz1")
    refused(out, fake, "/dev/sdz1 is a partition, not a whole disk")
    assert (fake / "dev" / "sdz1").read_bytes() == STICK


def test_non_removable_refused(fake):
    (fake / "sys" / "block" / "sdz" / "removable").write_text("0\n")
    refused(usb(fake, "/dev/sdz"), fake, "/dev/sdz is not a removable disk (sysfs removable=0)")


def test_mounted_partition_refused(fake):
    (fake / "proc" / "self" / "mountinfo").write_text(
        ROOTFS + "40 22 8:241 / /media/stick rw - vfat /dev/sdz1 rw\n")
    refused(usb(fake, "/dev/sdz"), fake, "is mounted on /media/stick")


def test_mounted_by_source_refused(fake):
    # btrfs reports an anonymous device number; the source still names sdz1.
    (fake / "proc" / "self" / "mountinfo").write_text(
        ROOTFS + "41 22 0:45 / /mnt/data rw - btrfs /dev/sdz1 rw\n")
    refused(usb(fake, "/dev/sdz"), fake, "is mounted on /mnt/data")


def test_similar_name_not_mistaken_for_the_disk(fake):
    # /dev/sdza1 is another disk's partition: not a reason to refuse sdz.
    (fake / "proc" / "self" / "mountinfo").write_text(
        ROOTFS + "41 22 65:1 / /mnt/other rw - ext4 /dev/sdza1 rw\n")
    out = usb(fake, "/dev/sdz", answer="no\n")
    refused(out, fake, "not written (you typed 'no')")


def test_root_disk_refused(fake):
    (fake / "proc" / "self" / "mountinfo").write_text(
        "22 1 8:241 / / rw,relatime shared:1 - ext4 /dev/root rw\n")
    refused(usb(fake, "/dev/sdz"), fake, "/dev/sdz holds the root file system (/)")


def test_device_mapper_on_top_refused(fake):
    (fake / "sys" / "block" / "sdz" / "sdz1" / "holders" / "dm-0").mkdir()
    refused(usb(fake, "/dev/sdz"), fake, "is in use by dm-0")


def test_shows_the_stick_and_needs_yes(fake):
    out = usb(fake, "/dev/disk/by-id/usb-Fake_Stick", answer="no\n")
    refused(out, fake, "not written (you typed 'no')")
    assert "Fake Stick" in out.stdout and "1024 MiB" in out.stdout


def test_too_small_stick_refused(fake):
    (fake / "sys" / "block" / "sdz" / "size").write_text("64\n")  # 32 KiB
    refused(usb(fake, "/dev/sdz"), fake, "/dev/sdz holds 32768 bytes; ")


def test_yes_writes_and_verifies(fake):
    out = usb(fake, "/dev/sdz")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "usb: done" in out.stdout
    written = (fake / "dev" / "sdz").read_bytes()
    image = (fake / "twinboot.img").read_bytes()
    assert written[:len(image)] == image
