#!/bin/sh
# Link benchmarks (issue 5).
#
# 1. Linking: a store with the demo knowledge base and BENCH_REPORTS
#    (default 200000) synthetic reports from bench/gen_link.c (about 13
#    mentions and 2 images, PA and lateral, per report), copied fresh for
#    each of BENCH_RUNS runs (default 3), linked pinned to one core
#    (taskset -c 0) in two configurations:
#      text      medkg link --no-patches   (mention -> region links only)
#      patches   medkg link                (and an 18 x 18 patch set per
#                                           linked mention and image)
#    then once more on the linked store (nothing to add). Prints medians of
#    wall time, CPU time (user + system) and peak RSS.
# 2. Header reads: BENCH_IMAGES (default 20000) image files, PNG and JPEG
#    alternately (256 x 256), listed for reports of a store; medkg link
#    --image-list --images sizes them. The rate is medkg's own count of
#    images sized over the time spent finding and reading them, from the
#    page cache (a first run warms it and is not counted).
# Generated data stays in bench/out/ between runs.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
reports=${BENCH_REPORTS:-200000}
images=${BENCH_IMAGES:-20000}
runs=${BENCH_RUNS:-3}
out=bench/out
mkdir -p "$out"
make -s bench-tools

cpu() {
	awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"
}

base=$out/link-$reports.db
if [ ! -f "$base.complete" ]; then
	rm -f "$base" "$base-wal" "$base-shm"
	./medkg -d "$base" load umls data/demo >/dev/null
	build/bench/gen_link reports "$base" "$reports"
	touch "$base.complete"
fi
mentions=$(sqlite3 "$base" 'SELECT count(*) FROM mentions')
echo "store: $reports reports, $mentions mentions, $(du -sh "$base" | cut -f1)"
db=$out/link-run.db
for cfg in text patches; do
	opt=
	[ "$cfg" = text ] && opt=--no-patches
	walls= cpus= rsss= again=
	for i in $(seq "$runs"); do
		rm -f "$db" "$db-wal" "$db-shm"
		cp "$base" "$db"
		log=$out/link-$cfg.log
		: >"$log"
		timed "$log" taskset -c 0 ./medkg -d "$db" link $opt >"$out/link-$cfg.out"
		walls="$walls $(wall "$log")" cpus="$cpus $(cpu "$log")" rsss="$rsss $(rss_mib "$log")"
		: >"$log"
		timed "$log" taskset -c 0 ./medkg -d "$db" link $opt >/dev/null
		again="$again $(wall "$log")"
	done
	echo "$cfg: wall $(median $walls) s, cpu $(median $cpus) s, peak RSS $(median $rsss) MiB;" \
		"again (nothing to add): wall $(median $again) s; store $(du -sh "$db" | cut -f1)"
	sed 's/^/    /' "$out/link-$cfg.out"
done

dir=$out/images-$images
if [ ! -f "$dir/.complete" ]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	build/bench/gen_link images "$dir" "$images"
	touch "$dir/.complete"
fi
hbase=$out/headers.db
rm -f "$hbase" "$hbase-wal" "$hbase-shm"
./medkg -d "$hbase" load umls data/demo >/dev/null
build/bench/gen_link reports "$hbase" $(( (images + 1) / 2 )) --no-images >/dev/null
echo "images: $images files, $(du -sh "$dir" | cut -f1)"
rates= walls=
for i in $(seq 0 "$runs"); do
	rm -f "$db" "$db-wal" "$db-shm"
	cp "$hbase" "$db"
	log=$out/headers.log
	: >"$log"
	timed "$log" taskset -c 0 ./medkg -d "$db" link --no-patches --image-list "$dir/list.csv" \
		--images "$dir" >"$out/headers.out"
	[ "$i" -eq 0 ] && continue # warms the page cache
	rates="$rates $(sed -n 's/.*(\([0-9]*\) images\/s).*/\1/p' "$out/headers.out")"
	walls="$walls $(wall "$log")"
done
echo "headers: $(median $rates) images/s (median of $runs), whole command wall $(median $walls) s"
sed 's/^/    /' "$out/headers.out"
