"""tests/bench/test_report.py - the bench report's ratios pair each run's
own boots (report.per_run) and leave out what their timing can't resolve,
and docs/BENCHMARKS.md carries the notes the report writes now; run by
`make test` with the image tests."""
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


def test_load_speed_per_run_and_none_where_a_run_does_not_resolve_it():
    ticks = {case("twinboot", 64): [120, 180, 100],
             case("twinboot"): [20, 30, 25],
             case("raw", 64): [90, 135, 60]}
    assert report.load_speeds(ticks, "uefi", "usb-xhci", 64, less_floor=False) == [0.9, 0.9, 0.8]
    results = dict(ticks)
    results[case("floor")] = [10, 15, 15]
    assert report.load_speeds(results, "uefi", "usb-xhci", 64) == [0.8, 0.8, 0.6]
    # A failed boot leaves its run out; it resolves nothing either way.
    results[case("raw", 64)] = [90, 135, None]
    assert report.load_speeds(results, "uefi", "usb-xhci", 64) == [0.8, 0.8]
    # Run 2's raw boot came before its floor: its read is within the
    # noise, and so the other runs' ratios are noise over noise.
    results[case("floor")] = [10, 140, 15]
    assert report.load_speeds(results, "uefi", "usb-xhci", 64) == []
    assert report.load_speed(results, "uefi", "usb-xhci", 64) is None
    # So is a run whose big kernel came no later than its tiny one.
    ticks[case("twinboot")] = [20, 30, 100]
    assert report.load_speeds(ticks, "uefi", "usb-xhci", 64, less_floor=False) == []


def test_table_leaves_out_what_its_timing_cannot_resolve():
    def cases(fw, floor, raw):
        return {(fw, "virtio", "floor", "tiny"): floor,
                (fw, "virtio", "floor+exit", "tiny"): floor,
                (fw, "virtio", "twinboot", "tiny"): [f + 0.01 for f in floor],
                (fw, "virtio", "grub", "tiny"): [f + 0.3 for f in floor],
                (fw, "virtio", "twinboot", 1): [f + 0.02 for f in floor],
                (fw, "virtio", "grub", 1): [f + 0.4 for f in floor],
                (fw, "virtio", "raw", 1): raw}
    results = {**cases("bios", [0.18, 0.19], [0.30, 0.32]),
               **cases("uefi", [3.64, 3.70], [3.69, 3.66])}
    setups = [("bios", "virtio"), ("uefi", "virtio")]

    def ratios(text):
        """(setup, kernel) -> the overhead, past-exit and load/raw cells."""
        cells = [[c.strip() for c in line.split("|")[1:-1]] for line in text.splitlines()[2:]]
        return {(c[0], c[1]): c[-3:] for c in cells}
    start = ratios(report.table(results, setups, ["tiny", 1], True, from_start=True))
    later = ratios(report.table(results, setups, ["tiny", 1], True))
    # SeaBIOS: overheads 0.02 / 0.4, load speed 0.12 and 0.13 s of raw
    # read over 0.01 s beyond tiny.
    assert start[("SeaBIOS virtio", "1 MiB")] == ["0.050", "0.050", "12.50"]
    assert later[("SeaBIOS virtio", "1 MiB")] == ["0.050", "0.050", "12.50"]
    # OVMF from QEMU's start: no overheads; and run 2's raw read came
    # before its floor, so no load speed in either table.
    assert start[("OVMF virtio", "1 MiB")] == ["-", "-", "-"]
    assert later[("OVMF virtio", "1 MiB")] == ["0.050", "0.050", "-"]


def test_benchmarks_md_carries_the_current_notes():
    # docs/BENCHMARKS.md says make bench wrote it: a note changed in
    # tests/bench/notes.md must be changed there too (or the bench rerun).
    with open(os.path.join(report.ROOT, "docs", "BENCHMARKS.md")) as f:
        written = set(f.read().splitlines())
    for line in report.notes().splitlines():
        assert line in written, f"not in docs/BENCHMARKS.md: {line[:60]}"
