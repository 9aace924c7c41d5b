#!/bin/sh
# Extraction throughput of two medkg binaries, interleaved (A B A B ...) so
# that a shared, busy machine slows both alike: the IU reports replicated to
# BENCH_REPORTS (default 200,000) with the demo knowledge base, BENCH_RUNS
# runs each (default 3), 1 thread:
#   - end to end into a fresh store (read, match, context, insert);
#   - JSON Lines to /dev/null (no store writes).
# Prints each run, the medians (wall and CPU) and the ratio B / A of the
# median CPU times (above 1: B is slower).
#
#   sh bench/extract_ab.sh OLD_MEDKG NEW_MEDKG
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
[ $# -eq 2 ] || { echo "usage: bench/extract_ab.sh OLD_MEDKG NEW_MEDKG" >&2; exit 2; }
a=$1
b=$2
runs=${BENCH_RUNS:-3}
out=bench/out
csv=$(iu_replicated "${BENCH_REPORTS:-200000}")
echo "input: $csv; A = $a, B = $b"
# each binary with a knowledge-base store of its own schema
for k in a b; do
	eval "bin=\$$k"
	rm -f "$out/ab-kb-$k.db"*
	"$bin" -q -d "$out/ab-kb-$k.db" load umls data/demo >/dev/null
done
cpu() {
	awk '/User time \(seconds\)/ { u = $NF } /System time \(seconds\)/ { s = $NF }
		END { printf "%.2f", u + s }' "$1"
}
for mode in store jsonl; do
	wa= wb= ca= cb=
	for i in $(seq "$runs"); do
		for k in a b; do
			eval "bin=\$$k"
			db=$out/ab-$k.db
			rm -f "$db" "$db-wal" "$db-shm" "$out/ab-time.log"
			cp "$out/ab-kb-$k.db" "$db"
			if [ "$mode" = store ]; then
				OMP_NUM_THREADS=1 timed "$out/ab-time.log" "$bin" -q -d "$db" extract "$csv" >/dev/null
			else
				OMP_NUM_THREADS=1 timed "$out/ab-time.log" "$bin" -q -d "$db" extract --jsonl \
					"$csv" >/dev/null
			fi
			w=$(wall "$out/ab-time.log")
			c=$(cpu "$out/ab-time.log")
			eval "w$k=\"\$w$k $w\"; c$k=\"\$c$k $c\""
			echo "  $mode run $i $k: $w s wall, $c s CPU"
		done
	done
	# shellcheck disable=SC2086
	ma=$(median $ca)
	# shellcheck disable=SC2086
	mb=$(median $cb)
	# shellcheck disable=SC2086
	echo "$mode: A median $(median $wa) s wall, $ma s CPU; B median $(median $wb) s wall," \
		"$mb s CPU; B/A CPU $(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.3f", b / a }')"
done
