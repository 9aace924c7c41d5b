# Shared helpers for the benchmark scripts (sourced).
#   timed LOG CMD... : run CMD under /usr/bin/time -v, appending its report to LOG
#   wall LOG         : the wall time of the last timed run, in seconds
#   rss_mib LOG      : its peak resident set size, in MiB
#   median VALUES... : the median of the numbers given
#   iu_replicated N  : the IU reports replicated to N rows, made once in
#                      bench/out (prints the CSV's path)
#   synthetic_terms SCALE : a synthetic release at SCALE (bench/gen_umls, made
#                    once in bench/out/umls-SCALE) and a directory of its
#                    MRCONSO, MRSTY and MRSAB alone; prints that directory
timed() {
	log=$1
	shift
	/usr/bin/time -v "$@" 2>>"$log"
}
wall() {
	grep 'Elapsed (wall clock)' "$1" | tail -n 1 | awk '{
		n = split($NF, p, ":"); s = 0
		for (i = 1; i <= n; i++) s = s * 60 + p[i]
		printf "%.2f", s }'
}
rss_mib() {
	grep 'Maximum resident set size' "$1" | tail -n 1 | awk '{ printf "%.0f", $NF / 1024 }'
}
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
iu_replicated() {
	mkdir -p bench/out
	f=bench/out/iu-$1.csv
	[ -f "$f" ] || python3 bench/replicate_csv.py \
		"${MEDKG_SHARED:-../shared/data}/reports/iu_xray/reports.csv" "$1" "$f" >&2
	echo "$f"
}
synthetic_terms() {
	rel=bench/out/umls-$1
	if [ ! -f "$rel/.complete" ]; then
		make -s bench-tools
		rm -rf "$rel"
		nice -n 19 build/bench/gen_umls --scale "$1" "$rel" >&2
		touch "$rel/.complete"
	fi
	mkdir -p "$rel-terms"
	for f in MRCONSO MRSTY MRSAB; do
		ln -sf "$(pwd)/$rel/$f.RRF.zst" "$rel-terms/$f.RRF.zst"
	done
	echo "$rel-terms"
}
