#!/bin/sh
# UMLS load benchmark: generate a synthetic release with the 2023AA layout and
# sizes (bench/gen_umls.c) at BENCH_SCALE (default 0.1), then load it into a
# fresh store BENCH_RUNS times (default 3): once MRCONSO alone (rows/s, index
# build included) and once the whole release. Prints medians, peak RSS and
# store size. Generated data stays in bench/out/ between runs.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
scale=${BENCH_SCALE:-0.1}
runs=${BENCH_RUNS:-3}
out=bench/out
mkdir -p "$out"
${CC:-cc} -O2 -std=c11 -o bench/gen_umls bench/gen_umls.c $(pkg-config --cflags --libs libzstd)

rel=$out/umls-$scale
if [ ! -f "$rel/.complete" ]; then
	rm -rf "$rel"
	echo "generating a synthetic release at scale $scale in $rel"
	bench/gen_umls --scale "$scale" "$rel"
	touch "$rel/.complete"
fi
conso_only=$out/umls-$scale-conso
mkdir -p "$conso_only"
ln -sf "$(pwd)/$rel/MRCONSO.RRF.zst" "$conso_only/MRCONSO.RRF.zst"
rows=$(zstd -dc "$rel/MRCONSO.RRF.zst" | wc -l)
echo "MRCONSO rows: $rows; files: $(du -sh "$rel" | cut -f1) compressed"

db=$out/bench.db
for what in conso full; do
	dir=$conso_only
	[ "$what" = full ] && dir=$rel
	walls= rsss= rates=
	for i in $(seq "$runs"); do
		rm -f "$db" "$db-wal" "$db-shm" "$out/time.log"
		timed "$out/time.log" ./medkg -v -d "$db" load umls "$dir" >"$out/load.out" 2>"$out/load.err"
		cat "$out/load.err" >>"$out/time.log"
		w=$(wall "$out/time.log")
		r=$(rss_mib "$out/time.log")
		walls="$walls $w"
		rsss="$rsss $r"
		rates="$rates $(awk -v n="$rows" -v w="$w" 'BEGIN { printf "%.0f", n / w }')"
		echo "  $what run $i: ${w} s, peak RSS ${r} MiB; $(grep phases "$out/load.err" | sed 's/.*phases: //')"
	done
	size=$(du -m "$db" | cut -f1)
	# shellcheck disable=SC2086
	echo "$what: median wall $(median $walls) s, MRCONSO rows/s $(median $rates)," \
		"peak RSS $(median $rsss) MiB, store $size MiB"
	sed -n 's/^/    /p' "$out/load.out"
done
