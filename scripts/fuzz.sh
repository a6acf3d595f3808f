#!/bin/sh
# scripts/fuzz.sh - run libFuzzer targets for a while each.
#
#   sh scripts/fuzz.sh SECONDS build/fuzz/fuzz_elf build/fuzz/fuzz_config ...
#
# Each target fuzz_NAME starts from a copy of its seed corpus
# tests/fuzz/corpus/NAME/ in build/fuzz/corpus/NAME/ (so the repository's
# seeds stay as committed; new inputs accumulate between runs there), with
# a 5 s per-input timeout and a 2 GiB memory limit. A crash, leak, timeout
# or out-of-memory stops the script with status 1, leaving the input in
# build/fuzz/artifacts/. Prints executions and speed per target.
#
# FUZZ_RUNS=N (make fuzz FUZZ_RUNS=10000000) stops each target after N
# executions instead, SECONDS then being only a cap. The log of each
# target's longest clean run is kept as build/fuzz/longest/NAME.log, which
# docs/RELIABILITY.md reports (scripts/reliability.py), so a later short
# smoke run does not hide it.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 SECONDS FUZZ_BINARY..." >&2
	exit 2
fi
seconds=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/build/fuzz
mkdir -p "$work/artifacts" "$work/longest"
runs_of() {
	sed -n 's/^stat::number_of_executed_units: *//p' "$1" 2>/dev/null | tail -n 1
}
summary=""

for bin in "$@"; do
	name=$(basename "$bin")
	short=${name#fuzz_}
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin: not found or not executable" >&2
		exit 1
	fi
	corpus=$work/corpus/$short
	mkdir -p "$corpus"
	if [ -d "$root/tests/fuzz/corpus/$short" ]; then
		cp -R "$root/tests/fuzz/corpus/$short/." "$corpus/"
	fi
	log=$work/$name.log
	limit=""
	if [ -n "${FUZZ_RUNS:-}" ]; then
		limit="-runs=$FUZZ_RUNS"
		echo "==> $name for $FUZZ_RUNS executions (at most ${seconds}s) over $corpus"
	else
		echo "==> $name for ${seconds}s over $corpus"
	fi
	"$bin" -max_total_time="$seconds" $limit -timeout=5 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/artifacts/$name-" "$corpus" >"$log" 2>&1
	rc=$?
	runs=$(runs_of "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$log"
		echo "fuzz: $name failed (status $rc) after ${runs:-?} runs; log in $log," \
			"input in $work/artifacts/" >&2
		exit 1
	fi
	best=$(runs_of "$work/longest/$name.log")
	if [ "${runs:-0}" -ge "${best:-0}" ]; then
		cp "$log" "$work/longest/$name.log"
	fi
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	line="$name: ${runs:-?} runs in ${secs:-$seconds}s (${rate:-?}/s)"
	if [ -n "$rate" ] && [ "${secs:-0}" -gt 0 ] && [ "$rate" -lt 1000 ]; then
		line="$line  <- slow, under 1000 runs/s"
	fi
	echo "$line"
	summary="$summary$line
"
done

echo
printf '%s' "$summary"
echo "fuzz: all $# targets ran clean"
