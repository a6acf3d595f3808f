"""tests/qemu/no_thp.py - QEMU without transparent huge pages, for the
QEMU tests (harness.py) and the benchmarks (tests/bench/bench.py) alike.
"""
import ctypes

PR_SET_THP_DISABLE = 41  # linux/prctl.h


def no_huge_pages():
    """Run in the child before it becomes QEMU: no transparent huge pages
    for it. QEMU asks for them for its TCG code buffer, and each new 2 MiB
    of translated code then costs the host a huge page zeroed in one go:
    5 to 7 ms on this nested machine (perf: clear_page_erms under
    do_huge_pmd_anonymous_page, from TCG writing code), which a real
    machine has nothing like. In a benchmark it falls on whatever guest
    code crosses into the next 2 MiB, which a loader running 10 ms past
    OVMF's hand-off usually does and the firmware floor usually doesn't
    (tests/bench/bench.py); in the tests it made every OVMF boot about
    0.5 s longer. With 4 KiB pages the cost is spread in proportion to the
    code translated. Where THP is off anyway this changes nothing."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)
