#!/usr/bin/env python3
"""scripts/reliability.py - write docs/RELIABILITY.md from a test-matrix run.

    python3 scripts/reliability.py build/tests/matrix.xml [-o docs/RELIABILITY.md]

Reads pytest's JUnit XML (make test-matrix writes it with --junitxml; each
boot records what it saw as a user property: the conformance summary or
the loader's error line) and the libFuzzer logs scripts/fuzz.sh leaves in
build/fuzz/. Reports only what those files say: a row per configuration
booted, a row per bad input tried, a row per fuzz target.
"""
import argparse
import glob
import os
import re
import subprocess
import xml.etree.ElementTree as ET

GOAL = 10_000_000  # executions per fuzz target (issue 7)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def outcome(case):
    for tag, word in (("failure", "FAILED"), ("error", "ERROR"), ("skipped", "skipped")):
        node = case.find(tag)
        if node is not None:
            if tag == "skipped" and "xfail" in (node.get("type", "") + node.get("message", "")):
                return "known failure (xfail)", node.get("message", "")
            return word, node.get("message", "")
    return "passed", ""


def cases(xml_path):
    out = []
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        result, detail = outcome(case)
        out.append(dict(module=case.get("classname", "").split(".")[-1],
                        name=case.get("name", ""), time=float(case.get("time", 0) or 0),
                        result=result, detail=detail, props=props))
    return out


def cell(text, limit=110):
    text = (text or "").replace("|", "\\|").replace("\n", " ").strip()
    return text if len(text) <= limit else text[:limit - 3] + "..."


def param(name):
    m = re.search(r"\[(.*)\]$", name)
    return m.group(1) if m else name


def passed_exit(case):
    """Rows of test_bios.py/test_uefi.py record nothing: a pass is exit 33."""
    return "exit status 33 (pass)" if case["result"] == "passed" else ""


def boots_table(rows):
    lines = ["| configuration | outcome | kernel conformance | seconds |",
             "| --- | --- | --- | --- |"]
    for c in rows:
        name = param(c["name"])
        if c["module"] != "test_matrix":  # test_bios.py's and test_uefi.py's rows
            name = f"{c['module'][5:]}: {name}"
        lines.append(f"| `{name}` | {c['result']} | "
                     f"{cell(c['props'].get('outcome') or passed_exit(c))} | {c['time']:.1f} |")
    return lines


def bad_table(rows):
    lines = ["| bad input | outcome | what the guest showed | seconds |",
             "| --- | --- | --- | --- |"]
    for c in rows:
        test = c["name"].split("[")[0].replace("test_", "").replace("_", " ")
        if "[" in c["name"]:
            test += f" `{param(c['name'])}`"
        seen = c["props"].get("seen", "") or (c["detail"] if c["result"] != "passed" else "")
        lines.append(f"| {test} | {c['result']} | `{cell(seen)}` | "
                     f"{c['time']:.1f} |")
    return lines


def fuzz_rows(fuzz_dir):
    lines = ["| target | executions | seconds | exec/s | corpus entries | findings |",
             "| --- | --- | --- | --- | --- | --- |"]
    total = 0
    crash_re = re.compile(r"^(==\d+==ERROR: .*|SUMMARY: .*|ERROR: libFuzzer: .*)", re.M)
    logs = {os.path.basename(p): p for p in glob.glob(os.path.join(fuzz_dir, "fuzz_*.log"))}
    # The longest clean run of each target, where scripts/fuzz.sh kept one,
    # unless the last run found something: a finding is never hidden.
    for longest in glob.glob(os.path.join(fuzz_dir, "longest", "fuzz_*.log")):
        last = logs.get(os.path.basename(longest))
        if not last or not crash_re.search(open(last, errors="replace").read()):
            logs[os.path.basename(longest)] = longest
    for base, log in sorted(logs.items()):
        name = base[:-4]
        text = open(log, errors="replace").read()
        runs = re.findall(r"^stat::number_of_executed_units: *(\d+)", text, re.M)
        rate = re.findall(r"^stat::average_exec_per_sec: *(\d+)", text, re.M)
        done = re.findall(r"^Done \d+ runs in (\d+) second", text, re.M)
        corp = re.findall(r"corp: (\d+)/", text)
        crash = crash_re.search(text)
        artifacts = glob.glob(os.path.join(fuzz_dir, "artifacts", f"{name}-*"))
        finding = crash.group(1) if crash else "none"
        if artifacts and not crash:
            finding = f"none in this run ({len(artifacts)} older artifact(s) kept)"
        n = int(runs[-1]) if runs else 0
        total += n
        if n < GOAL:
            finding += f"; under the {GOAL // 1000000} million executions issue 7 asks for"
        lines.append(f"| `{name}` | {n:,} | {done[-1] if done else '?'} | "
                     f"{rate[-1] if rate else '?'} | {corp[-1] if corp else '?'} | "
                     f"{cell(finding)} |")
    return lines, total


def regression_lines():
    """Earlier findings stay as seeds named regress-*, replayed by every run
    (the smoke run in make test too): list them, so past findings are not
    lost behind a clean table."""
    seeds = sorted(glob.glob(os.path.join(ROOT, "tests", "fuzz", "corpus", "*", "regress-*")))
    if not seeds:
        return []
    return (["Earlier findings, each kept as a seed that every run replays:", ""]
            + [f"- `{os.path.relpath(seed, ROOT)}`" for seed in seeds] + [""])


def tally(rows):
    counts = {}
    for c in rows:
        counts[c["result"]] = counts.get(c["result"], 0) + 1
    return counts


def qemu_version():
    try:
        out = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                             text=True).stdout
        return out.splitlines()[0]
    except OSError:
        return "qemu-system-x86_64: not found"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("junit", help="pytest --junitxml output of make test-matrix")
    ap.add_argument("-o", "--output", default=os.path.join(ROOT, "docs", "RELIABILITY.md"))
    ap.add_argument("--fuzz-dir", default=os.path.join(ROOT, "build", "fuzz"))
    args = ap.parse_args()

    all_cases = sorted(cases(args.junit), key=lambda c: (c["module"], c["name"]))
    ran = [c for c in all_cases if c["result"] != "skipped"]
    boots = [c for c in ran if c["name"].startswith("test_conformance")]
    bad = [c for c in ran if c["module"] == "test_bad_inputs"]
    counts = tally(all_cases)
    fuzz, fuzz_total = fuzz_rows(args.fuzz_dir)

    out = [
        "# twinboot reliability",
        "",
        "Generated by `make test-matrix` (`scripts/reliability.py`) from pytest's JUnit",
        "XML and the libFuzzer logs in `build/fuzz/`; do not edit by hand. Issue 7's",
        "promise: every configuration boots with the kernel's conformance checks passing,",
        "and every bad input is named on serial (and on the VGA screen under BIOS) with",
        "the machine halted, never reset (QEMU runs with `-no-reboot`, so a reset ends",
        "it and fails the test).",
        "",
        f"- QEMU: {qemu_version()}, TCG; SeaBIOS and OVMF as Debian 12 ships them",
        f"- tests in this run: {len(all_cases)} ("
        + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + ")",
        f"- configurations booted: {len(boots)} ("
        f"{sum(c['result'] == 'passed' for c in boots)} passed); bad inputs tried: "
        f"{len(bad)} (" + ", ".join(f"{n} {k}" for k, n in sorted(tally(bad).items())) + ")",
        f"- fuzzing: {fuzz_total:,} executions in all (table below)",
        "",
        "## Configurations booted",
        "",
        "`test_matrix.py` (and the conformance rows of `test_bios.py`/`test_uefi.py`):",
        "each a boot of the same image with `cmdline=test`; the kernel exits QEMU with",
        "status 33 when all its checks pass.",
        "",
    ] + boots_table(boots) + [
        "",
        "## Bad inputs",
        "",
        "`test_bad_inputs.py`: each a copy of the image broken one way. The third column",
        "is the loader's error line as seen on serial (or, for inputs that must boot,",
        "what the kernel reported).",
        "",
    ] + bad_table(bad) + [
        "",
        "## Fuzzing",
        "",
        "libFuzzer with ASan and UBSan over the parsers fed from a disk and the",
        "boot-info builder (`tests/fuzz/`, seeds in `tests/fuzz/corpus/`): each target's",
        "longest clean run of `scripts/fuzz.sh` (`make fuzz FUZZ_RUNS=10000000`, or",
        "`make test`'s 20 s smoke run), or its last run when that found something. A",
        "finding stops the run and leaves the input in `build/fuzz/artifacts/`.",
        "",
    ] + fuzz + [""] + regression_lines()
    with open(args.output, "w") as f:
        f.write("\n".join(out))
    print(f"reliability: wrote {args.output}: {len(boots)} configurations, "
          f"{len(bad)} bad inputs, {fuzz_total:,} fuzz executions")


if __name__ == "__main__":
    main()
