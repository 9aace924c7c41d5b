#!/bin/sh
# UMLS load benchmark: generate a synthetic release with the 2023AA layout and
# sizes (bench/gen_umls.c) at BENCH_SCALE (default 0.1), then load it into a
# fresh store BENCH_RUNS times (default 3) in four configurations:
#   conso-1core-sync   MRCONSO only, pinned to one core, no decompression thread
#   conso-1core        MRCONSO only, pinned to one core (the thread shares it)
#   conso-2core        MRCONSO only, decompression on the second core
#   full-2core         the whole release (MRCONSO, MRSTY, MRREL, MRSAB)
# and prints medians of wall time and MRCONSO rows/s (rows read / total wall
# time, index builds and commit included), peak RSS and store size.
# Generated data stays in bench/out/ between runs.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
scale=${BENCH_SCALE:-0.1}
runs=${BENCH_RUNS:-3}
configs=${BENCH_CONFIGS:-conso-1core-sync conso-1core conso-2core full-2core}
out=bench/out
mkdir -p "$out"
make -s bench-tools

rel=$out/umls-$scale
if [ ! -f "$rel/.complete" ]; then
	rm -rf "$rel"
	echo "generating a synthetic release at scale $scale in $rel"
	build/bench/gen_umls --scale "$scale" "$rel"
	touch "$rel/.complete"
fi
conso_only=$out/umls-$scale-conso
mkdir -p "$conso_only"
ln -sf "$(pwd)/$rel/MRCONSO.RRF.zst" "$conso_only/MRCONSO.RRF.zst"
rows=$(zstd -dc "$rel/MRCONSO.RRF.zst" | wc -l)
echo "scale $scale: MRCONSO $rows rows; release $(du -shL "$rel" | cut -f1) compressed"

db=$out/bench.db
for cfg in $configs; do
	dir=$conso_only pin= prefetch=
	case $cfg in
	conso-1core-sync) pin="taskset -c 0" prefetch=0 ;;
	conso-1core) pin="taskset -c 0" ;;
	full-2core) dir=$rel ;;
	esac
	walls= rsss= rates=
	for i in $(seq "$runs"); do
		rm -f "$db" "$db-wal" "$db-shm" "$db-journal" "$out/time.log"
		timed "$out/time.log" env MEDKG_PREFETCH="$prefetch" $pin ./medkg -v -d "$db" load umls "$dir" \
			>"$out/load.out" 2>"$out/load.err"
		w=$(wall "$out/time.log")
		r=$(rss_mib "$out/time.log")
		walls="$walls $w"
		rsss="$rsss $r"
		rates="$rates $(awk -v n="$rows" -v w="$w" 'BEGIN { printf "%.0f", n / w }')"
		echo "  $cfg run $i: ${w} s, peak RSS ${r} MiB; $(sed -n "s/.*phases: //p" "$out/time.log")"
	done
	size=$(du -m "$db" | cut -f1)
	# shellcheck disable=SC2086
	echo "$cfg: median wall $(median $walls) s, MRCONSO rows/s $(median $rates)," \
		"peak RSS $(median $rsss) MiB, store $size MiB"
done
sed 's/^/    /' "$out/load.out"
