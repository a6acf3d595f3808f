"""tests/bench/test_report.py - the bench report's ratios pair each run's
own boots (report.per_run), and docs/BENCHMARKS.md carries the notes the
report writes now; run by `make test` with the image tests."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import report  # noqa: E402


def case(kind, size="tiny"):
    return ("uefi", "usb-xhci", kind, size)


def test_overhead_pairs_each_run_and_skips_failed_boots():
    # Run 2 is a slow spell for all three cases alike; run 3's GRUB boot failed.
    results = {case("floor"): [0.006, 0.009, 0.006],
               case("twinboot"): [0.012, 0.018, 0.012],
               case("grub"): [0.096, 0.144, None]}
    ratios = report.overhead_ratios(results, "uefi", "usb-xhci", "tiny")
    assert [round(r, 4) for r in ratios] == [0.0667, 0.0667]
    assert round(report.overhead_ratio(results, "uefi", "usb-xhci", "tiny"), 4) == 0.0667


def test_overhead_is_not_a_ratio_of_medians():
    # A slow spell (all 1.5 times as long) covers runs 2 and 3, except
    # run 3's GRUB boot, after it ended. The medians take twinboot's and
    # the floor's time from the spell and GRUB's from outside it.
    results = {case("floor"): [0.006, 0.009, 0.009],
               case("twinboot"): [0.010, 0.015, 0.015],
               case("grub"): [0.070, 0.105, 0.070]}
    grub, tb, floor = (report.med(results, case(k)) for k in ("grub", "twinboot", "floor"))
    assert round((tb - floor) / (grub - floor), 3) == 0.098
    assert round(report.overhead_ratio(results, "uefi", "usb-xhci", "tiny"), 4) == 0.0625


def test_load_speed_per_run_and_no_ratio_without_a_difference():
    ticks = {case("twinboot", 64): [120, 180, 100],
             case("twinboot"): [20, 30, 100],
             case("raw", 64): [90, 135, 50]}
    # Run 3's 64 MiB boot took no longer than its tiny one: no ratio.
    assert report.load_speeds(ticks, "uefi", "usb-xhci", 64, less_floor=False) == [0.9, 0.9]
    results = dict(ticks)
    results[case("floor")] = [10, 15, 10]
    assert report.load_speeds(results, "uefi", "usb-xhci", 64) == [0.8, 0.8]
    # Run 2's raw boot came before its floor (a 1 MiB read, within the
    # noise): no negative speed.
    results[case("floor")] = [10, 140, 10]
    assert report.load_speeds(results, "uefi", "usb-xhci", 64) == [0.8]


def test_benchmarks_md_carries_the_current_notes():
    # docs/BENCHMARKS.md says make bench wrote it: a note changed in
    # tests/bench/notes.md must be changed there too (or the bench rerun).
    with open(os.path.join(report.ROOT, "docs", "BENCHMARKS.md")) as f:
        written = set(f.read().splitlines())
    for line in report.notes().splitlines():
        assert line in written, f"not in docs/BENCHMARKS.md: {line[:60]}"
