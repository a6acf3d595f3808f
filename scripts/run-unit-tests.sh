#!/bin/sh
# scripts/run-unit-tests.sh - run cmocka test binaries and sum them up.
#
#   sh scripts/run-unit-tests.sh build/tests/test_elf build/tests/test_fat ...
#
# Prints each binary's own output, then one line "N passed, N failed"
# counting cmocka tests across all binaries. A binary that crashes or exits
# non-zero without a cmocka summary (a sanitizer abort, a missing file)
# counts as one failed test, so nothing fails quietly. Exits 1 on any
# failure.
set -u

passed=0
failed=0
skipped=0
broken=""
log=$(mktemp "${TMPDIR:-/tmp}/twinboot-unit.XXXXXX")
trap 'rm -f "$log"' EXIT INT TERM

# The count from a cmocka summary line such as "[  PASSED  ] 12 test(s).".
count() {
	sed -n "s/^\[  $1 *\] \([0-9][0-9]*\) test(s).*/\1/p" "$log" | tail -n 1
}

for bin in "$@"; do
	echo "==> $bin"
	if [ -x "$bin" ]; then
		"$bin" >"$log" 2>&1
		rc=$?
	else
		echo "run-unit-tests: $bin: not found or not executable" >"$log"
		rc=127
	fi
	cat "$log"
	p=$(count PASSED)
	f=$(count FAILED)
	s=$(count SKIPPED)
	passed=$((passed + ${p:-0}))
	skipped=$((skipped + ${s:-0}))
	if [ -n "$f" ]; then
		failed=$((failed + f))
	fi
	# Non-zero exit with no failure counted: the binary died mid-run.
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		echo "run-unit-tests: $bin exited with status $rc"
		failed=$((failed + 1))
	fi
	if [ "$rc" -ne 0 ] || [ "${f:-0}" -ne 0 ]; then
		broken="$broken $(basename "$bin")"
	fi
done

echo
if [ "$skipped" -gt 0 ]; then
	echo "($skipped skipped)"
fi
if [ -n "$broken" ]; then
	echo "failing:$broken"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
