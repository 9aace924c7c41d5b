#!/bin/sh
# Train export benchmark (issue 6).
#   1. A synthetic store of BENCH_TRAIN_REPORTS reports (default 200000;
#      bench/gen_train.c, MIMIC-CXR-shaped: 1.7 images and ~9 mentions per
#      report, region links and 18x18 patch sets, a 256-dimensional model on
#      the selected entities) is exported with the plans, BENCH_RUNS times
#      (default 3), with 2 threads and with 1: median wall and CPU time, peak
#      RSS, output size. The target: <= 30 s on 2 cores.
#   2. Hard-negative mining alone (bench/neg_bench.c) at 50,000 and 200,000
#      samples drawn like those reports, 1 and 2 threads, with 200 samples
#      checked against every pair; and the worst case, one entity in every
#      sample (every sample ranked through the index), at 50,000 samples
#      (and 200,000 with BENCH_NEG_WORST=1: minutes).
# BENCH_TRAIN_PARTS=arl runs the ARL layout alone (the last part).
# Generated data stays in bench/out/.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
cpu() {
	awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"
}
n=${BENCH_TRAIN_REPORTS:-200000}
runs=${BENCH_RUNS:-3}
out=bench/out
mkdir -p "$out"
make -s bench-tools

if [ "${BENCH_TRAIN_PARTS:-all}" != arl ]; then
db=$out/train-$n.db
if [ ! -f "$db.complete" ]; then
	rm -f "$db" "$db-wal" "$db-shm"
	echo "generating a store with $n reports in $db"
	./medkg -q -d "$db" init
	build/bench/gen_train "$n" "$db"
	touch "$db.complete"
fi
echo "store: $(du -m "$db" | cut -f1) MiB"

exp=$out/train-export
for threads in 2 1; do
	walls= cpus= rsss=
	for i in $(seq "$runs"); do
		rm -f "$out/time.log"
		timed "$out/time.log" ./medkg -v -d "$db" train export --plans --force \
			--threads "$threads" "$exp" >"$out/export.out"
		w=$(wall "$out/time.log")
		c=$(cpu "$out/time.log")
		r=$(rss_mib "$out/time.log")
		walls="$walls $w"
		cpus="$cpus $c"
		rsss="$rsss $r"
		echo "  $threads threads, run $i: ${w} s wall, ${c} s CPU, peak RSS ${r} MiB;" \
			"$(grep -h 'samples:\|negatives:' "$out/time.log" | sed 's/medkg: //' | tr '\n' ' ')"
	done
	# shellcheck disable=SC2086
	echo "export, $threads threads: median wall $(median $walls) s, CPU $(median $cpus) s," \
		"peak RSS $(median $rsss) MiB, output $(du -sm "$exp" | cut -f1) MiB"
done
sed 's/^/    /' "$out/export.out"

for samples in 50000 200000; do
	for threads in 1 2; do
		times=
		for i in $(seq "$runs"); do
			build/bench/neg_bench --threads "$threads" "$samples" >"$out/neg.out"
			times="$times $(sed -n 's/.*threads [0-9]*: \([0-9.]*\) s.*/\1/p' "$out/neg.out")"
		done
		# shellcheck disable=SC2086
		echo "negatives, $samples samples, $threads threads: median $(median $times) s;" \
			"$(sed -n 's/.*s (\(.*\))$/\1/p' "$out/neg.out"); $(tail -n 1 "$out/neg.out")"
	done
done
worst="50000"
[ "${BENCH_NEG_WORST:-0}" = 1 ] && worst="50000 200000"
for samples in $worst; do
	build/bench/neg_bench --threads 2 --universal 1 --check 50 "$samples" >"$out/neg.out"
	echo "negatives, worst case (one entity in every sample), $samples samples, 2 threads:" \
		"$(sed -n 's/.*threads [0-9]*: \(.*\)$/\1/p' "$out/neg.out"); $(tail -n 1 "$out/neg.out")"
done

fi

# ARL's layout (train export --layout arl) on a MIMIC-CXR-sized store:
# BENCH_ARL_REPORTS reports (227,000; about 386,000 images), every image's
# file one small PNG, a dim-256 model on ARL's selection (1 epoch: the
# vectors are not what is measured)
na=${BENCH_ARL_REPORTS:-227000}
adb=$out/train-$na.db
if [ ! -f "$adb.complete" ]; then
	rm -f "$adb" "$adb-wal" "$adb-shm"
	./medkg -q -d "$adb" init
	build/bench/gen_train "$na" "$adb"
	sqlite3 "$adb" "UPDATE images SET file = '$(pwd)/data/demo/images/CXR9001_IM-0001-1001.png'"
	./medkg -q -d "$adb" embed --entities arl --dim 256 --epochs 1 >/dev/null
	touch "$adb.complete"
fi
walls= rsss=
for i in $(seq "$runs"); do
	rm -f "$out/time.log"
	timed "$out/time.log" ./medkg -d "$adb" train export --layout arl --force \
		"$out/arl-export" >"$out/arl.out"
	walls="$walls $(wall "$out/time.log")"
	rsss="$rsss $(rss_mib "$out/time.log")"
done
# shellcheck disable=SC2086
echo "ARL layout, $na reports: median wall $(median $walls) s, peak RSS $(median $rsss) MiB," \
	"output $(du -sm "$out/arl-export" | cut -f1) MiB"
sed 's/^/    /' "$out/arl.out"
