#!/bin/sh
# MeSH load benchmark: generate a MeSH-shaped descriptor file of about 300 MB
# (bench/gen_mesh.c, BENCH_MESH_DESCRIPTORS descriptors, default 30000, like
# a real desc20XX.xml), then load it into a fresh store BENCH_RUNS times
# (default 3), plain and zstd-compressed. The baseline is libxml2 alone
# streaming the same file (xmllint --stream), so the ratio is what the load
# costs beyond parsing; each run times baseline, plain and zstd one after the
# other, so that the load of the (shared) machine weighs on all three alike.
# Prints medians of wall and CPU (user + system) time and peak RSS; fails if
# a load takes more than 200 MiB. Generated data stays in bench/out/.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
# CPU seconds (user + system) of the last timed run in LOG
cpu() {
	awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"
}
n=${BENCH_MESH_DESCRIPTORS:-30000}
runs=${BENCH_RUNS:-3}
out=bench/out
mkdir -p "$out"
make -s bench-tools

xml=$out/desc-$n.xml
if [ ! -f "$xml.complete" ]; then
	rm -f "$xml" "$xml.zst"
	echo "generating a MeSH-shaped file with $n descriptors in $xml"
	build/bench/gen_mesh --descriptors "$n" "$xml"
	zstd -q -3 "$xml" -o "$xml.zst"
	touch "$xml.complete"
fi
mb=$(du -m "$xml" | cut -f1)
echo "file: $mb MiB plain, $(du -m "$xml.zst" | cut -f1) MiB zstd;" \
	"$(grep -c '<DescriptorRecord ' "$xml") descriptors, $(grep -c '<Term ' "$xml") terms"
base=
command -v xmllint >/dev/null && base=1 ||
	echo "baseline skipped: xmllint not installed (Debian package libxml2-utils)"

db=$out/mesh.db
bw= bc= pw= pc= pr= zw= zc= zr=
for i in $(seq "$runs"); do
	if [ -n "$base" ]; then
		rm -f "$out/time.log"
		timed "$out/time.log" xmllint --stream --noout "$xml"
		bw="$bw $(wall "$out/time.log")" bc="$bc $(cpu "$out/time.log")"
		echo "  run $i baseline: $(wall "$out/time.log") s wall, $(cpu "$out/time.log") s CPU"
	fi
	for what in plain zst; do
		f=$xml
		[ "$what" = zst ] && f=$xml.zst
		rm -f "$db" "$db-wal" "$db-shm" "$out/time.log"
		timed "$out/time.log" ./medkg -d "$db" load mesh "$f" >"$out/load-$what.out" 2>>"$out/time.log"
		w=$(wall "$out/time.log") c=$(cpu "$out/time.log") r=$(rss_mib "$out/time.log")
		echo "  run $i $what: $w s wall, $c s CPU, peak RSS $r MiB"
		[ "$r" -le 200 ] || { echo "FAIL: peak RSS $r MiB is over 200 MiB"; exit 1; }
		if [ "$what" = plain ]; then
			pw="$pw $w" pc="$pc $c" pr="$pr $r"
		else
			zw="$zw $w" zc="$zc $c" zr="$zr $r"
		fi
	done
done
# shellcheck disable=SC2086
{
	if [ -n "$base" ]; then
		echo "baseline (xmllint --stream --noout): median $(median $bw) s wall, $(median $bc) s CPU"
	fi
	for what in plain zst; do
		if [ "$what" = plain ]; then w=$(median $pw) c=$(median $pc) r=$(median $pr)
		else w=$(median $zw) c=$(median $zc) r=$(median $zr); fi
		ratio=
		[ -n "$base" ] && ratio=", $(awk -v a="$w" -v b="$(median $bw)" 'BEGIN { printf "%.2f", a / b }')x baseline wall, $(awk -v a="$c" -v b="$(median $bc)" 'BEGIN { printf "%.2f", a / b }')x baseline CPU"
		echo "$what: median $w s wall, $c s CPU ($(awk -v m="$mb" -v w="$w" 'BEGIN { printf "%.0f", m / w }') MiB/s$ratio), peak RSS $r MiB, store $(du -m "$db" | cut -f1) MiB"
	done
}
sed -n 's/^/    /p' "$out/load-plain.out"
