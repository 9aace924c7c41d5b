#!/bin/sh
# Building the extraction dictionary of a synthetic UMLS-shaped release
# (bench/gen_umls at BENCH_DICT_SCALE, default 0.1: 814k English terms;
# 1.25 gives the 10M terms of extract.sh's BENCH_FULL), whose MRCONSO,
# MRSTY and MRSAB are loaded once (kept in bench/out/): BENCH_RUNS builds
# (default 3), each from an empty cache, with ./medkg and, when
# BENCH_BASELINE=OLD_MEDKG is given, with that binary in turns (old, new,
# old, new, ...): entries, trie nodes, block size (raw and compressed), the
# build's seconds (wall and CPU, as medkg reports them) and the run's peak
# RSS; medians.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
runs=${BENCH_RUNS:-3}
scale=${BENCH_DICT_SCALE:-0.1}
out=bench/out
mkdir -p "$out"
terms=$(synthetic_terms "$scale")
db=$out/dict-$scale.db
if [ ! -f "$db.complete" ]; then
	rm -f "$db" "$db-wal" "$db-shm"
	./medkg -q -d "$db" load umls "$terms" >/dev/null
	touch "$db.complete"
fi
echo "release: scale $scale, $(sqlite3 "$db" 'SELECT count(*) FROM terms') terms of" \
	"$(sqlite3 "$db" 'SELECT count(*) FROM concepts') concepts"
printf 'id,findings\nR1,"No pneumothorax."\n' >"$out/one.csv"
who_list=new
[ -z "${BENCH_BASELINE:-}" ] || who_list="old new"
for who in $who_list; do
	eval "secs_$who= cpus_$who= rss_$who="
done
for i in $(seq "$runs"); do
	for who in $who_list; do
		bin=./medkg
		[ "$who" = old ] && bin=$BENCH_BASELINE
		sqlite3 "$db" 'DELETE FROM dictionary_chunks; DELETE FROM dictionaries;
			PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
		rm -f "$out/time.log"
		OMP_NUM_THREADS=1 timed "$out/time.log" "$bin" -d "$db" extract --jsonl "$out/one.csv" \
			>/dev/null
		line=$(grep -o 'dictionary [0-9].*' "$out/time.log" | head -1)
		s=$(echo "$line" | sed -n 's/.*built and cached in \([0-9.]*\) s.*/\1/p')
		c=$(echo "$line" | sed -n 's/.* s (\([0-9.]*\) s CPU).*/\1/p')
		r=$(rss_mib "$out/time.log")
		eval "secs_$who=\"\$secs_$who $s\"; cpus_$who=\"\$cpus_$who $c\"; rss_$who=\"\$rss_$who $r\""
		size=$(sqlite3 "$db" "SELECT n_entries || ' entries, ' || n_nodes || ' nodes, ' ||
			round(bytes / 1048576.0, 1) || ' MiB (' || round(compressed / 1048576.0, 1) ||
			' MiB compressed)' FROM dictionaries")
		echo "  run $i $who: built in $s s ($c s CPU), peak RSS $r MiB; $size"
	done
done
for who in $who_list; do
	eval "s=\$secs_$who c=\$cpus_$who r=\$rss_$who"
	# shellcheck disable=SC2086
	echo "$who: median build $(median $s) s ($(median $c) s CPU), peak RSS $(median $r) MiB"
done
