"""tests/bench/report.py - docs/BENCHMARKS.md from a bench run's
measurements (bench.py): the tables of medians and ratios from QEMU's
start, from the firmware's hand-off and inside the guest, issue 8's
targets, and the machine, versions, sizes and build time beside them."""
import collections
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time

from setups import FIRMWARES, OVMF_CODE, ROOT, sh

# One bench run: what was booted and what was measured (bench.Measured;
# on_kvm None when KVM was not timed, kvm_why saying why).
Run = collections.namedtuple("Run", "runs quick seconds setups sizes grub huge on_tcg on_kvm kvm_why")

# What each column means and what we found out about this machine, QEMU
# and the firmwares: prose with dated measurements, kept out of this code
# and written as it is under the first table.
NOTES = os.path.join(ROOT, "tests", "bench", "notes.md")


def notes():
    with open(NOTES) as f:
        return f.read()


def booted(results, key):
    """The values of a case's boots that succeeded (a failed boot leaves
    None in its run's place)."""
    return [v for v in results.get(key, []) if v is not None]


def fmt_s(samples, digits=2):
    if not samples:
        return "-"
    m, lo, hi = statistics.median(samples), min(samples), max(samples)
    return f"{m:.{digits}f} ({lo:.{digits}f}-{hi:.{digits}f})"


def med(results, key):
    s = booted(results, key)
    return statistics.median(s) if s else None


def per_run(results, keys, f):
    """f of each run's own values of these cases, for the runs where all of
    them booted: a ratio of cases booted one after the other, seconds
    apart, not of medians that may come from different runs. This machine
    has slow spells that stretch over a few boots and slow them all alike
    (the report's *slow spells*); a run's cases share one, so its ratio
    stands, where a median of 7 may take one case's value from inside a
    spell and the other's from outside it. f returns None where its
    ratio has no meaning."""
    columns = [results.get(k) for k in keys]
    if None in columns:
        return []
    values = (f(*run) for run in zip(*columns) if None not in run)
    return [v for v in values if v is not None]


def median_of(values):
    return statistics.median(values) if values else None


def overhead_ratios(results, fw, disk, size, floor_kind="floor"):
    """(twinboot - floor) / (GRUB - floor), run by run; with floor_kind
    "floor+exit", the overhead past ExitBootServices."""
    keys = [(fw, disk, "twinboot", size), (fw, disk, "grub", size),
            (fw, disk, floor_kind, "tiny")]
    return per_run(results, keys, lambda tb, gr, floor:
                   (tb - floor) / (gr - floor) if gr > floor else None)


def overhead_ratio(results, fw, disk, size, floor_kind="floor"):
    return median_of(overhead_ratios(results, fw, disk, size, floor_kind))


def load_speeds(samples, fw, disk, size, less_floor=True):
    """Load speed over raw speed, run by run: the raw reader's time for
    these bytes over the time the loader spends on them beyond its
    tiny-kernel boot. Timed from outside (less_floor) the raw reader's boot
    holds the firmware's floor, taken off; inside the guest its ticks are
    the read alone, and twinboot's run from its start to the kernel in
    memory. Both differences must show in every run: where some run's raw
    boot came no later than its floor, or its big kernel no later than
    its tiny one, these bytes are read within the noise of the timing
    (a small read, or OVMF's start-up timed from QEMU's start), and the
    other runs' ratios of two noises mean nothing either: no ratio."""
    keys = [(fw, disk, "twinboot", size), (fw, disk, "twinboot", "tiny"),
            (fw, disk, "raw", size)] + ([(fw, disk, "floor", "tiny")] if less_floor else [])
    runs = per_run(samples, keys, lambda tb, tb_tiny, raw, floor=0:
                   (raw - floor, tb - tb_tiny))
    if not all(read > 0 and load > 0 for read, load in runs):
        return []
    return [read / load for read, load in runs]


def load_speed(samples, fw, disk, size, less_floor=True):
    return median_of(load_speeds(samples, fw, disk, size, less_floor))


def speed_ratio(results, fw, disk, size):
    """twinboot / GRUB, run by run, its median."""
    return median_of(per_run(results, [(fw, disk, "twinboot", size), (fw, disk, "grub", size)],
                             lambda tb, gr: tb / gr if gr > 0 else None))


def guest_table(ticks, hz, setups, sizes):
    """Markdown: the in-guest times in ms (median, min-max), at the TSC
    rate twinboot measured in that setup, and the load/raw speed."""
    rows = ["| setup | kernel | raw read ms | twinboot start to kernel loaded ms | "
            "twinboot beyond tiny ms | load/raw speed |", "|" + " --- |" * 6]
    for fw, disk in setups:
        rate = med(hz, (fw, disk))
        if not rate:
            continue

        def ms(kind, size):
            samples = booted(ticks, (fw, disk, kind, size))
            return fmt_s([t * 1000 / rate for t in samples], 1) if samples else "-"
        tiny = med(ticks, (fw, disk, "twinboot", "tiny"))
        for size in sizes:
            tb = med(ticks, (fw, disk, "twinboot", size))
            beyond = (f"{(tb - tiny) * 1000 / rate:.1f}"
                      if size != "tiny" and None not in (tb, tiny) else "-")
            speed = load_speed(ticks, fw, disk, size, less_floor=False) if size != "tiny" else None
            rows.append(f"| {FIRMWARES[fw]} {disk} | "
                        f"{'tiny' if size == 'tiny' else f'{size} MiB'} | "
                        f"{ms('raw', size)} | {ms('twinboot', size)} | {beyond} | "
                        f"{num(speed, 2)} |")
    return "\n".join(rows)


def num(value, digits):
    return "-" if value is None else f"{value:.{digits}f}"


def resolved_from_start(fw):
    """Whether overheads timed from QEMU's start mean anything: SeaBIOS's
    do; OVMF's start-up spreads by half a second, more than any loader's
    overhead."""
    return fw == "bios"


def table(results, setups, sizes, grub, digits=2, from_start=False):
    """Markdown: medians (min-max) in seconds, then the ratios; timed from
    QEMU's start, only the overheads resolved_from_start()."""
    head = ["setup", "kernel", "floor s", "floor+exit s", "raw read s", "twinboot s"]
    if grub:
        head += ["GRUB s", "twinboot/GRUB", "overhead twinboot/GRUB",
                 "overhead past exit twinboot/GRUB"]
    head += ["load/raw speed"]
    rows = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for fw, disk in setups:
        for size in sizes:
            label = "tiny" if size == "tiny" else f"{size} MiB"
            row = [f"{FIRMWARES[fw]} {disk}", label,
                   fmt_s(booted(results, (fw, disk, "floor", "tiny")), digits),
                   fmt_s(booted(results, (fw, disk, "floor+exit", "tiny")), digits),
                   fmt_s(booted(results, (fw, disk, "raw", size)), digits),
                   fmt_s(booted(results, (fw, disk, "twinboot", size)), digits)]
            if grub:
                # Past exit: the overhead beyond the firmware's
                # ExitBootServices, which both loaders must call (OVMF).
                overheads = ([overhead_ratio(results, fw, disk, size, floor)
                              for floor in ("floor", "floor+exit")]
                             if not from_start or resolved_from_start(fw) else [None, None])
                row += [fmt_s(booted(results, (fw, disk, "grub", size)), digits),
                        num(speed_ratio(results, fw, disk, size), 2)]
                row += [num(r, 3) for r in overheads]
            speed = load_speed(results, fw, disk, size) if size != "tiny" else None
            rows.append("| " + " | ".join(row + [num(speed, 2)]) + " |")
    return "\n".join(rows)


# Why a firmware reads slowly, where we found out (see targets()).
FIRMWARE_CAUSES = {
    ("uefi", "ide"): (" (edk2's IDE driver, AtaAtapiPassThru's AtaUdmaInOut, stalls 10 ms "
                      "after every DMA command and moves at most 256 sectors per command on "
                      "a disk under 128 GiB, through BlockIo and ATA pass-thru alike: "
                      "80 ms of stalls in every MiB)"),
}


def targets(measured, setups, sizes, grub):
    """Issue 8's targets, each judged on the median of its ratio's value
    in each run (per_run), timed from the firmware's hand-off, as OVMF's
    start-up spreads by more than any loader's overhead and SeaBIOS's USB
    start-up by more than a tiny kernel's; for SeaBIOS the same ratio from
    QEMU's start follows in brackets. The load speed is judged inside the
    guest (load_speed with less_floor=False), where it happens; the ratio
    from the hand-off follows."""
    from_start, from_handoff, ticks = measured[:3]
    out = []
    for fw, disk in setups:
        name = f"{FIRMWARES[fw]} {disk}"

        def at(results, kind, size):
            return med(results, (fw, disk, kind, size))

        def overhead(results, size):
            return overhead_ratio(results, fw, disk, size) if grub else None

        def runs_range(values, digits):
            return (f" of {len(values)} runs, {min(values):.{digits}f} to "
                    f"{max(values):.{digits}f}" if values else "")

        def also(value, digits):
            if not resolved_from_start(fw) or value is None:
                return ""
            return f" ({value:.{digits}f} from QEMU's start)"

        for size in [s for s in ("tiny", 1) if s in sizes]:
            r = overhead(from_handoff, size)
            if r is None:
                continue
            spread = runs_range(overhead_ratios(from_handoff, fw, disk, size), 3)
            line = (f"{name}, {size if size == 'tiny' else '1 MiB'}: overhead {r:.3f} of "
                    f"GRUB's (median{spread}){also(overhead(from_start, size), 3)} "
                    f"(target at most 0.1): "
                    f"{'met' if r <= 0.1 else 'NOT met'}")
            # A miss the firmware alone explains: its own read of the
            # same bytes already takes longer than the allowance.
            floor = at(from_handoff, "floor", "tiny")
            raw = at(from_handoff, "raw", size)
            allowance = 0.1 * (at(from_handoff, "grub", size) - floor)
            if r > 0.1 and raw is not None and raw - floor > allowance:
                line += (f"; the firmware's own read of these bytes takes "
                         f"{raw - floor:.3f} s, more than the whole allowance of "
                         f"{allowance:.3f} s, so no loader reading through the firmware "
                         f"meets it")
                line += FIRMWARE_CAUSES.get((fw, disk), "")
            out.append(line)
        if 64 in sizes:
            s = load_speed(ticks, fw, disk, 64, less_floor=False)
            s_handoff = load_speed(from_handoff, fw, disk, 64)
            s_start = load_speed(from_start, fw, disk, 64)
            if s is not None:
                other = [f"{s_handoff:.2f} from the hand-off"] if s_handoff else []
                if resolved_from_start(fw) and s_start is not None:
                    other.append(f"{s_start:.2f} from QEMU's start")
                spread = runs_range(load_speeds(ticks, fw, disk, 64, less_floor=False), 2)
                out.append(f"{name}, 64 MiB: load speed {s:.2f} of raw inside the guest "
                           f"(median{spread})"
                           f"{' (' + '; '.join(other) + ')' if other else ''} "
                           f"(target at least 0.8): {'met' if s >= 0.8 else 'NOT met'}")
            tb, gr = at(from_handoff, "twinboot", 64), at(from_handoff, "grub", 64)
            if grub and None not in (tb, gr):
                out.append(f"{name}, 64 MiB: {tb:.2f} s against GRUB's {gr:.2f} s from "
                           f"hand-off (target faster): {'met' if tb < gr else 'NOT met'}")
    return out


def size_targets(build):
    """Issue 8's size targets: the same under any accelerator."""
    out = []
    for what, path in (("stage 2", "loader/bios/stage2.bin"),
                       ("BOOTX64.EFI", "loader/uefi/BOOTX64.EFI")):
        n = os.path.getsize(os.path.join(build, path))
        out.append(f"{what}: {n} bytes (target at most 65536): "
                   f"{'met' if n <= 65536 else 'NOT met'}")
    return out


def reports(measured, setups, sizes, grub):
    """The three tables (from QEMU's start, from the hand-off, inside the
    guest) and the timed targets, as Markdown."""
    return (table(measured.from_start, setups, sizes, grub, from_start=True),
            table(measured.from_handoff, setups, sizes, grub, digits=3),
            guest_table(measured.ticks, measured.hz, setups, sizes),
            "".join(f"- {line}\n" for line in targets(measured, setups, sizes, grub)))


def versions():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break

    def pkg(name):
        try:
            return sh("dpkg-query", "-W", "-f=${Version}", name)
        except (subprocess.CalledProcessError, FileNotFoundError):
            return "?"
    qemu = sh("qemu-system-x86_64", "--version").splitlines()[0]
    grub = sh("grub-mkrescue", "--version").strip() if shutil.which("grub-mkrescue") else "-"
    return [("machine", f"{os.cpu_count()} CPUs (nproc), {cpu}, {platform.system()} "
                        f"{platform.release()}"),
            ("QEMU", qemu), ("SeaBIOS", f"Debian seabios {pkg('seabios')}"),
            ("OVMF", f"Debian ovmf {pkg('ovmf')} ({OVMF_CODE})"),
            ("GRUB", f"{grub}, Debian grub-pc-bin {pkg('grub-pc-bin')}, "
                     f"grub-efi-amd64-bin {pkg('grub-efi-amd64-bin')}")]


def sizes_report(build):
    with open(f"{build}/loader/bios/mbr.bin", "rb") as f:
        mbr = f.read(440)
    used = len(mbr.rstrip(b"\0"))
    rows = [("stage 1 (MBR code)", f"{used} of 440 bytes"),
            ("stage 2", f"{os.path.getsize(f'{build}/loader/bios/stage2.bin')} bytes"),
            ("BOOTX64.EFI", f"{os.path.getsize(f'{build}/loader/uefi/BOOTX64.EFI')} bytes"),
            ("twinboot.img (demo kernel)", f"{os.path.getsize(f'{build}/twinboot.img')} bytes")]
    return rows


def clean_build_seconds(build):
    """`make all` into a fresh B= directory, one job, timed."""
    scratch = tempfile.mkdtemp(prefix="bench-clean-", dir=build)
    try:
        start = time.monotonic()
        subprocess.run(["make", "--no-print-directory", f"B={scratch}", "all"], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
        return time.monotonic() - start
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def write_report(out, build, run):
    """Print the tables and write them, with the targets and the machine's
    facts, to `out`."""
    runs, quick, setups, sizes, grub = run.runs, run.quick, run.setups, run.sizes, run.grub
    on_tcg, on_kvm, kvm_why, kvm = run.on_tcg, run.on_kvm, run.kvm_why, run.on_kvm is not None
    loads = on_tcg.loads + (on_kvm.loads if kvm else [])
    report, report_handoff, report_guest, report_targets = reports(on_tcg, setups, sizes, grub)
    print(report + "\n\n" + report_handoff + "\n\n" + report_guest)
    build_s = clean_build_seconds(build)
    # Whatever else ran beside the boots shows here, so a reader can judge
    # the spreads: each QEMU run itself adds about 1 to the load.
    info = versions() + [("load average (1 min) during the run",
                          f"{min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} CPUs")]
    size_rows = sizes_report(build) + [("clean build (make all, one job)",
                                              f"{build_s:.0f} s")]
    with open(out, "w") as f:
        f.write("# twinboot benchmarks\n\n")
        f.write("Written by `make bench` (tests/bench/bench.py); do not edit by hand.\n\n")
        f.write(f"Time from QEMU's start to the bench kernel's first serial line, "
                f"TCG, pc machine, 256 MiB of guest RAM "
                + ("in the host's 2 MiB huge pages (hugetlb)" if run.huge else
                   "allocated by the host before the guest starts (`-mem-prealloc`; "
                   "the host had no huge pages to spare)")
                + f"; median (min-max) of {runs} boots per case, "
                f"all cases in turns{', BENCH_QUICK' if quick else ''}; "
                f"{run.seconds:.0f} s in all. Every ratio is taken in each run "
                f"from that run's boots, and the table shows its median over the "
                f"runs (see *slow spells*).\n\n")
        f.write(notes() + "\n")
        f.write(report + "\n\n")
        f.write("### From the firmware's hand-off\n\n"
                "The same boots, timed from the firmware's last line before it starts the "
                "boot option to the bench line: SeaBIOS's `Booting from 0000:7c00` on its "
                "debug port (0x402, on the same output as the serial port), just before it "
                "jumps to the boot sector it has read; OVMF's last `BdsDxe: loading "
                "Boot....` on serial, just before it reads the boot option's EFI "
                "application, whose loading stays in. This leaves out the firmware's own "
                "start-up, which spreads by about half a second under OVMF and by more "
                "than a tiny kernel's whole boot under SeaBIOS with USB.\n\n")
        f.write(report_handoff + "\n\n")
        f.write("### Inside the guest\n\n"
                "The same boots' own TSC stamps: the raw reader's for its read alone; "
                "twinboot's from the loader's start (stage 2, efi_main) to the kernel and "
                "modules in memory, which the bench kernel prints from the boot info, "
                "in ms at the TSC rate twinboot measured. *Beyond tiny* is what the "
                "kernel's size costs: the loader's own steps cancel out. The load/raw "
                "speed here leaves out the firmware's loading of the loader and the "
                "serial line's way to the host, whose spread under OVMF is as large as "
                "a fast disk's whole read of 64 MiB; the 64 MiB target is judged on "
                "it.\n\n")
        f.write(report_guest + "\n\n")
        f.write("## Issue 8's targets in this run\n\n")
        f.write(report_targets)
        f.write("".join(f"- {line}\n" for line in size_targets(build)))
        if kvm:
            k_start, k_handoff, k_guest, k_targets = reports(on_kvm, setups, sizes, grub)
            f.write(f"\n## Under KVM\n\nThe same cases with `-machine accel=kvm` ({kvm_why}).\n\n"
                    f"{k_start}\n\n### From the firmware's hand-off\n\n{k_handoff}\n\n"
                    f"### Inside the guest\n\n{k_guest}\n\n"
                    f"### Issue 8's targets under KVM\n\n{k_targets}")
        else:
            f.write(f"\n## KVM\n\nNot timed: {kvm_why}.\n")
        f.write("\n## Machine and versions\n\n")
        f.write("".join(f"- {k}: {v}\n" for k, v in info))
        f.write("\n## Sizes and build time\n\n")
        f.write("".join(f"- {k}: {v}\n" for k, v in size_rows))
    print(f"bench: wrote {os.path.relpath(out, ROOT)}")
