"""tests/qemu/test_lowkernel.py - twinboot boots kernels other than ours
(issue 3): a low-linked kernel from mkimage, and one copied over
boot/kernel.elf of a built image with mcopy, without rebuilding it."""
import os
import shutil
import subprocess

import pytest

from conftest import LOWKERNEL, image
from harness import EXIT_PASS, Qemu


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_mkimage_boots_another_kernel(firmware):
    with Qemu(image("lowkernel"), firmware=firmware, timeout=90) as q:
        status = q.wait_exit()
        serial = q.serial()
    assert status == EXIT_PASS, f"{q.exit_reason()}; serial:\n{serial}"
    assert f"lowkernel: cmdline 'low and independent' from {firmware.upper()}" in serial


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_kernel_replaced_with_mcopy_boots(firmware, tmp_path):
    img = tmp_path / "replaced.img"
    shutil.copy(image("plain"), img)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    subprocess.run(["mcopy", "-o", "-i", f"{img}@@1M", LOWKERNEL, "::/boot/kernel.elf"],
                   check=True, env=env)
    with Qemu(str(img), firmware=firmware, timeout=90) as q:
        status = q.wait_exit()
        serial = q.serial()
    assert status == EXIT_PASS, f"{q.exit_reason()}; serial:\n{serial}"
    assert "lowkernel: hello" in serial
    assert "Hello World!" not in serial  # not our kernel any more
