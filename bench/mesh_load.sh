#!/bin/sh
# MeSH load benchmark: generate a MeSH-shaped descriptor file of about 300 MB
# (bench/gen_mesh.c, BENCH_MESH_DESCRIPTORS descriptors, default 30000, like
# a real desc20XX.xml), then load it into a fresh store BENCH_RUNS times
# (default 3), plain and zstd-compressed. The baseline, timed in the same
# session, is libxml2 alone streaming the same file (xmllint --stream), so
# the ratio is what the load costs beyond parsing. Prints medians and peak
# RSS; the load must stay within 200 MiB. Generated data stays in bench/out/.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
n=${BENCH_MESH_DESCRIPTORS:-30000}
runs=${BENCH_RUNS:-3}
out=bench/out
mkdir -p "$out"
${CC:-cc} -O2 -std=c11 -o bench/gen_mesh bench/gen_mesh.c

xml=$out/desc-$n.xml
if [ ! -f "$xml.complete" ]; then
	rm -f "$xml" "$xml.zst"
	echo "generating a MeSH-shaped file with $n descriptors in $xml"
	bench/gen_mesh --descriptors "$n" "$xml"
	zstd -q -3 "$xml" -o "$xml.zst"
	touch "$xml.complete"
fi
mb=$(du -m "$xml" | cut -f1)
echo "file: $mb MiB plain, $(du -m "$xml.zst" | cut -f1) MiB zstd;" \
	"$(grep -c '<DescriptorRecord ' "$xml") descriptors, $(grep -c '<Term ' "$xml") terms"

if command -v xmllint >/dev/null; then
	walls=
	for i in $(seq "$runs"); do
		rm -f "$out/time.log"
		timed "$out/time.log" xmllint --stream --noout "$xml"
		walls="$walls $(wall "$out/time.log")"
	done
	# shellcheck disable=SC2086
	base=$(median $walls)
	echo "baseline (xmllint --stream --noout): median wall $base s, peak RSS $(rss_mib "$out/time.log") MiB"
else
	base=
	echo "baseline skipped: xmllint not installed (Debian package libxml2-utils)"
fi

db=$out/mesh.db
for what in plain zst; do
	f=$xml
	[ "$what" = zst ] && f=$xml.zst
	walls= rsss=
	for i in $(seq "$runs"); do
		rm -f "$db" "$db-wal" "$db-shm" "$out/time.log"
		timed "$out/time.log" ./medkg -d "$db" load mesh "$f" >"$out/load.out" 2>>"$out/time.log"
		w=$(wall "$out/time.log")
		r=$(rss_mib "$out/time.log")
		walls="$walls $w"
		rsss="$rsss $r"
		echo "  $what run $i: ${w} s, peak RSS ${r} MiB"
	done
	# shellcheck disable=SC2086
	mw=$(median $walls)
	# shellcheck disable=SC2086
	mr=$(median $rsss)
	ratio=
	[ -n "$base" ] && ratio=", $(awk -v a="$mw" -v b="$base" 'BEGIN { printf "%.2f", a / b }')x the baseline"
	echo "$what: median wall $mw s ($(awk -v m="$mb" -v w="$mw" 'BEGIN { printf "%.0f", m / w }') MiB/s$ratio)," \
		"peak RSS $mr MiB, store $(du -m "$db" | cut -f1) MiB"
	sed -n 's/^/    /p' "$out/load.out"
	# shellcheck disable=SC2086
	for r in $rsss; do
		[ "$r" -le 200 ] || { echo "FAIL: peak RSS $r MiB is over 200 MiB"; exit 1; }
	done
done
