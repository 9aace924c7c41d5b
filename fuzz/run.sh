#!/bin/sh
# Run the fuzz targets built by 'make fuzz' (build-fuzz/fuzz/bin/NAME), one
# at a time, from the seeds (fuzz/corpus/NAME/) and the regression inputs
# (tests/fixtures/fuzz-regressions/NAME/); what they find goes to
# build-fuzz/corpus/NAME/, a crash to build-fuzz/crashes/.
#
#   sh fuzz/run.sh smoke [SECONDS] NAME...   each for SECONDS (default 10)
#   sh fuzz/run.sh long [SECONDS] NAME...    each to $FUZZ_RUNS executions
#                                            (default 1000000) or SECONDS
#                                            (default 1800), under nice -n 19
#
# Prints one line per target: executions, executions per second, seconds,
# corpus size and the result; 'long' prints them as a Markdown table (the
# form of bench/RESULTS.md). The status is non-zero when a target failed
# (a crash, a leak, a timeout, running out of memory).
set -u
cd "$(dirname "$0")/.."
mode=$1
shift
secs=
case ${1:-} in
[0-9]*) secs=$1; shift ;;
esac
[ -n "$secs" ] || { [ "$mode" = long ] && secs=1800 || secs=10; }
runs=${FUZZ_RUNS:-1000000}
bin=build-fuzz/fuzz/bin
mkdir -p build-fuzz/corpus build-fuzz/crashes build-fuzz/logs
failed=0
[ "$mode" = long ] && {
	echo "| target | executions | exec/s | seconds | corpus | result |"
	echo "|---|---:|---:|---:|---:|---|"
}
for t in "$@"; do
	out=build-fuzz/corpus/$t
	log=build-fuzz/logs/$t.log
	mkdir -p "$out"
	dirs="$out fuzz/corpus/$t"
	[ -d "tests/fixtures/fuzz-regressions/$t" ] && dirs="$dirs tests/fixtures/fuzz-regressions/$t"
	limits="-max_total_time=$secs -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1"
	limits="$limits -artifact_prefix=build-fuzz/crashes/$t-"
	if [ "$mode" = long ]; then
		# shellcheck disable=SC2086
		nice -n 19 "$bin/$t" $limits -runs="$runs" $dirs >"$log" 2>&1
	else
		# shellcheck disable=SC2086
		"$bin/$t" $limits $dirs >"$log" 2>&1
	fi
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	[ -n "$took" ] || took=$secs
	corpus=$(find "$out" -type f | wc -l)
	seeds=$(find "fuzz/corpus/$t" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		result="no crash, leak or timeout"
	else
		failed=1
		what=$(grep -m 1 -E '^==[0-9]+==ERROR|^SUMMARY|ERROR: libFuzzer|runtime error' "$log" |
			sed 's/^==[0-9]*==//')
		result="FAILED (status $rc): ${what:-see $log}"
	fi
	if [ "$mode" = long ]; then
		echo "| $t | ${execs:-0} | ${rate:-0} | $took | $((corpus + seeds)) | $result |"
	else
		printf '%-8s %9s runs %7s/s %4s s  corpus %5s  %s\n' "$t" "${execs:-0}" "${rate:-0}" \
			"$took" "$((corpus + seeds))" "$result"
	fi
	[ "$rc" -eq 0 ] || sed 's/^/    /' "$log" | grep -v '^    #' | tail -n 40 >&2
done
exit $failed
