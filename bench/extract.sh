#!/bin/sh
# Extraction benchmark. The 3,851 real IU reports (reports.csv: findings and
# impression) replicated to BENCH_REPORTS (default 200,000) reports, with the
# demo knowledge base; BENCH_RUNS runs each (default 3), medians:
#   - end to end (read, match, context, insert into a fresh store) with
#     OMP_NUM_THREADS=1 and 2 in turns: reports/s, speed-up (of the medians,
#     and the median of each turn's), peak RSS;
#   - the same input again (hash check only): seconds, ratio to the first run;
#   - 2 shards (--shard 1/2, 2/2) of 1 thread in parallel plus medkg merge,
#     against one process with 2 threads, and the merged store compared
#     with the single run's (reports, ids, mentions); beside it, shard 2's
#     prefix pass and the floor of any merge into one SQLite file: the
#     sqlite3 shell's own INSERT ... SELECT of shard 2's tables into a copy
#     of shard 1;
#   - JSON Lines output (no store writes), 1 thread.
# With BENCH_BASELINE=OLD_MEDKG, only this: the same input extracted by OLD_MEDKG and by
# ./medkg in turns (old, new, old, new, ...; BENCH_RUNS each), 1 thread, into a
# fresh store and as JSON Lines: medians, and the new binary's throughput as a
# share of the old one's (each binary loads its own knowledge-base store).
# With BENCH_FULL=1 (BENCH_FULL=only: this part alone), also a full-UMLS-sized dictionary: a synthetic release at
# scale BENCH_FULL_SCALE (default 1, bench/gen_umls, ~2.8 GB) whose MRCONSO
# and MRSTY are loaded once (kept in bench/out/), then: building the
# dictionary, having it ready from the store's cache (seconds, peak RSS), and
# throughput with it on 1 thread.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
runs=${BENCH_RUNS:-3}
n=${BENCH_REPORTS:-200000}
shared=${MEDKG_SHARED:-../shared/data}
out=bench/out
mkdir -p "$out"
csv=$(iu_replicated "$n")
rows=$(python3 -c "import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if (r['findings'] + r['impression']).strip()))" "$csv")
echo "input: $csv, $rows non-empty reports ($(du -m "$csv" | cut -f1) MiB)"

kb=$out/extract-kb.db
if [ ! -f "$kb" ]; then
	./medkg -q -d "$kb" load umls data/demo >/dev/null
fi
db=$out/extract.db
fresh() {
	rm -f "$db" "$db-wal" "$db-shm"
	cp "$kb" "$db"
}
rate() {
	awk -v n="$rows" -v w="$1" 'BEGIN { printf "%.0f", n / w }'
}
# CPU seconds (user + system) of the last timed run
cpu() {
	awk '/User time \(seconds\)/ { u = $NF } /System time \(seconds\)/ { s = $NF }
		END { printf "%.2f", u + s }' "$1"
}

if [ -n "${BENCH_BASELINE:-}" ]; then
	old_bin=$BENCH_BASELINE
	rm -f "$out/kb-old.db" "$out/kb-new.db"
	"$old_bin" -q -d "$out/kb-old.db" load umls data/demo >/dev/null
	./medkg -q -d "$out/kb-new.db" load umls data/demo >/dev/null
	for mode in store jsonl; do
		w_old= w_new= c_old= c_new=
		for i in $(seq "$runs"); do
			for who in old new; do
				bin=./medkg
				[ "$who" = old ] && bin=$old_bin
				rm -f "$db" "$db-wal" "$db-shm" "$out/time.log"
				cp "$out/kb-$who.db" "$db"
				if [ "$mode" = store ]; then
					OMP_NUM_THREADS=1 timed "$out/time.log" "$bin" -q -d "$db" extract "$csv" >/dev/null
				else
					OMP_NUM_THREADS=1 timed "$out/time.log" "$bin" -q -d "$db" extract --jsonl "$csv" \
						>/dev/null
				fi
				w=$(wall "$out/time.log")
				c=$(cpu "$out/time.log")
				eval "w_$who=\"\$w_$who $w\""
				eval "c_$who=\"\$c_$who $c\""
				echo "  $mode run $i $who: ${w} s wall, ${c} s CPU"
			done
		done
		# shellcheck disable=SC2086
		mo=$(median $w_old)
		# shellcheck disable=SC2086
		mn=$(median $w_new)
		# shellcheck disable=SC2086
		co=$(median $c_old)
		# shellcheck disable=SC2086
		cn=$(median $c_new)
		echo "$mode, 1 thread: old median $mo s wall ($co s CPU), new $mn s wall ($cn s CPU);" \
			"new throughput $(awk -v a="$mo" -v b="$mn" 'BEGIN { printf "%.1f", 100 * a / b }')% of" \
			"old by wall, $(awk -v a="$co" -v b="$cn" 'BEGIN { printf "%.1f", 100 * a / b }')% by CPU"
	done
	exit 0
fi

if [ "${BENCH_FULL:-0}" != only ]; then
# 1 and 2 threads in turns (1, 2, 1, 2, ...): the machine's speed drifts
# over minutes, and the speed-up is a ratio of runs made side by side
walls_1= rsss_1= cpus_1= again_1= walls_2= rsss_2= cpus_2= again_2= pairs= w1=
for i in $(seq "$runs"); do
	for t in 1 2; do
		fresh
		rm -f "$out/time.log"
		OMP_NUM_THREADS=$t timed "$out/time.log" ./medkg -q -d "$db" extract "$csv" >/dev/null
		w=$(wall "$out/time.log")
		c=$(cpu "$out/time.log")
		eval "walls_$t=\"\$walls_$t $w\""
		eval "cpus_$t=\"\$cpus_$t $c\""
		eval "rsss_$t=\"\$rsss_$t $(rss_mib "$out/time.log")\""
		rm -f "$out/time.log"
		OMP_NUM_THREADS=$t timed "$out/time.log" ./medkg -q -d "$db" extract "$csv" >/dev/null
		eval "again_$t=\"\$again_$t $(wall "$out/time.log")\""
		[ "$t" = 1 ] && w1=$w
		[ "$t" = 2 ] && pairs="$pairs $(awk -v a="$w1" -v b="$w" 'BEGIN { printf "%.3f", a / b }')"
		echo "  run $i, threads $t: ${w} s wall ($(rate "$w") reports/s), ${c} s CPU;" \
			"unchanged re-run $(wall "$out/time.log") s"
	done
done
for t in 1 2; do
	eval "walls=\$walls_$t cpus=\$cpus_$t rsss=\$rsss_$t again=\$again_$t"
	# shellcheck disable=SC2086
	m=$(median $walls)
	# shellcheck disable=SC2086
	r=$(median $again)
	# shellcheck disable=SC2086
	c=$(median $cpus)
	eval "wall_$t=$m"
	# shellcheck disable=SC2086
	echo "threads $t: median $m s wall, $(rate "$m") reports/s; $c s CPU, $(rate "$c") reports/s" \
		"per CPU second; peak RSS $(median $rsss) MiB; re-run unchanged $r s" \
		"($(awk -v a="$m" -v b="$r" 'BEGIN { printf "%.1f", a / b }')x faster)"
done
# shellcheck disable=SC2086
echo "speed-up with 2 threads (runs in turns): $(awk -v a="$wall_1" -v b="$wall_2" 'BEGIN { printf "%.2f", a / b }')x" \
	"of the medians; each turn's:$pairs, median $(median $pairs)x"
# How much of a second core the machine gives right now: two independent
# 1-thread runs at once against one alone (2.00: a free second core).
alone=$( { OMP_NUM_THREADS=1 /usr/bin/time -f %e ./medkg -q -d "$kb" extract --jsonl "$csv" >/dev/null; } 2>&1 | tail -n 1)
pair=$( { OMP_NUM_THREADS=1 /usr/bin/time -f %e ./medkg -q -d "$kb" extract --jsonl "$csv" >/dev/null & \
	OMP_NUM_THREADS=1 /usr/bin/time -f %e ./medkg -q -d "$kb" extract --jsonl "$csv" >/dev/null; wait; } 2>&1 | \
	sort -g | tail -n 1)
echo "machine check: one 1-thread JSON Lines run alone ${alone} s, two at once ${pair} s:" \
	"$(awk -v a="$alone" -v p="$pair" 'BEGIN { printf "%.2f", 2 * a / p }') cores available"
# shards: 2 processes of 1 thread in parallel, each reading its half of the
# input, then medkg merge into a new store; in turns with one process with 2
# threads into a fresh store (single, shards, single, shards, ...); the
# merged store against the single run's
q='SELECT r.id, r.external_id, r.hash, m.id, m.start, m.end, m.polarity, m.concept FROM reports r JOIN mentions m ON '"$(printf '%s' 'm.id >= r.mention_first AND m.id < r.mention_first + r.mention_count')"' ORDER BY m.id'
single=$(sqlite3 "$db" "$q" | md5sum | cut -c1-32)
# the floor of any merge into one SQLite file: SQLite's own copy of
# shard 2's tables into a copy of shard 1 (the sqlite3 shell, no
# journal, no syncs but one at the end), as medkg merge makes a new
# output; before the merge in even turns, after it in odd ones, so that
# neither always goes first
floor() {
	rm -f "$out/floor.db" "$out/floor.db-wal" "$out/floor.db-shm"
	f0=$(date +%s.%N)
	cp "$out/shard1.db" "$out/floor.db"
	sqlite3 "$out/floor.db" "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
		ATTACH '$out/shard2.db' AS s; BEGIN;
		INSERT INTO reports SELECT * FROM s.reports; INSERT INTO mentions SELECT * FROM s.mentions;
		INSERT INTO images SELECT * FROM s.images; COMMIT;" >/dev/null
	sync "$out/floor.db"
	fl=$(awk -v a="$f0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
}
totals= shards= merges= singles= floors= prefixes=
for i in $(seq "$runs"); do
	fresh
	OMP_NUM_THREADS=2 timed "$out/single.log" ./medkg -q -d "$db" extract "$csv" >/dev/null
	singles="$singles $(wall "$out/single.log")"
	for k in 1 2; do
		rm -f "$out/shard$k.db" "$out/shard$k.db-wal" "$out/shard$k.db-shm" "$out/shard$k.log"
		cp "$kb" "$out/shard$k.db"
	done
	rm -f "$out/merged.db" "$out/merged.db-wal" "$out/merged.db-shm" "$out/merge.log"
	t0=$(date +%s.%N)
	OMP_NUM_THREADS=1 timed "$out/shard1.log" ./medkg -q -d "$out/shard1.db" extract --shard 1/2 "$csv" >/dev/null &
	OMP_NUM_THREADS=1 timed "$out/shard2.log" ./medkg -v -d "$out/shard2.db" extract --shard 2/2 "$csv" >/dev/null
	wait
	t1=$(date +%s.%N)
	if [ $((i % 2)) -eq 0 ]; then floor; fi
	m0=$(date +%s.%N)
	timed "$out/merge.log" ./medkg merge "$out/merged.db" "$out/shard1.db" "$out/shard2.db" >"$out/merge.out"
	m1=$(date +%s.%N)
	if [ $((i % 2)) -eq 1 ]; then floor; fi
	# shard 2's prefix pass (the ids of the reports before its part)
	pf=$(sed -n 's/.*new reports before it (read in \([0-9.]*\) s).*/\1/p' "$out/shard2.log" | tail -n 1)
	sh=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	mg=$(awk -v a="$m0" -v b="$m1" 'BEGIN { printf "%.2f", b - a }')
	shards="$shards $sh" merges="$merges $mg" floors="$floors $fl" prefixes="$prefixes $pf"
	totals="$totals $(awk -v a="$sh" -v b="$mg" 'BEGIN { printf "%.2f", a + b }')"
	echo "  run $i: one process with 2 threads $(wall "$out/single.log") s;" \
		"2 shards in parallel ${sh} s (shard 1 $(wall "$out/shard1.log") s," \
		"shard 2 $(wall "$out/shard2.log") s), merge ${mg} s (peak RSS $(rss_mib "$out/merge.log") MiB;" \
		"$(sed -n 's/^  as is *//p' "$out/merge.out" | cut -d' ' -f1-4) as they are);" \
		"shard 2's prefix pass ${pf} s; SQLite's own copy ${fl} s"
done
merged=$(sqlite3 "$out/merged.db" "$q" | md5sum | cut -c1-32)
# shellcheck disable=SC2086
tm=$(median $totals)
# shellcheck disable=SC2086
ts=$(median $singles)
# shellcheck disable=SC2086
echo "2 shards + merge: median $tm s (shards $(median $shards) s, merge $(median $merges) s)" \
	"against one process with 2 threads $ts s (in turns): $(awk -v a="$ts" -v b="$tm" 'BEGIN { printf "%.2f", a / b }')x;" \
	"merged store $( [ "$merged" = "$single" ] && echo identical to || echo DIFFERENT from) the single run's" \
	"(reports, ids and mentions: $merged)"
# what the shards could at best take: their extraction less shard 2's
# prefix pass, plus a merge at SQLite's own copy speed
# shellcheck disable=SC2086
fm=$(median $floors) pm=$(median $prefixes) shm=$(median $shards)
echo "merge floor (SQLite's own INSERT ... SELECT of shard 2's tables into a copy of shard 1, synced):" \
	"median $fm s, medkg merge $(median $merges) s; shard 2's prefix pass median $pm s;" \
	"shards at best (no prefix pass, a merge at the floor) $(awk -v a="$shm" -v p="$pm" -v f="$fm" 'BEGIN { printf "%.2f", a - p + f }') s" \
	"against one process with 2 threads $ts s"
mentions=$(sqlite3 "$db" 'SELECT count(*) FROM mentions')
echo "store: $(sqlite3 "$db" 'SELECT count(*) FROM reports') reports, $mentions mentions," \
	"$(sqlite3 "$db" "SELECT group_concat(polarity || ' ' || n, ', ') FROM (SELECT polarity, count(*) n FROM mentions GROUP BY 1)")"

for t in 1 2; do
	walls=
	for i in $(seq "$runs"); do
		rm -f "$out/time.log"
		OMP_NUM_THREADS=$t timed "$out/time.log" ./medkg -q -d "$kb" extract --jsonl "$csv" \
			>"$out/mentions.jsonl"
		walls="$walls $(wall "$out/time.log")"
	done
	# shellcheck disable=SC2086
	m=$(median $walls)
	echo "JSON Lines (no store writes), $t thread(s): median $m s, $(rate "$m") reports/s," \
		"$(wc -l <"$out/mentions.jsonl") mentions"
done
fi

[ "${BENCH_FULL:-0}" != 0 ] || exit 0

scale=${BENCH_FULL_SCALE:-1}
terms=$(synthetic_terms "$scale")
full=$out/full-$scale.db
if [ ! -f "$full.complete" ]; then
	rm -f "$full" "$full-wal" "$full-shm" "$out/time.log"
	timed "$out/time.log" ./medkg -d "$full" load umls "$terms"
	echo "loaded MRCONSO and MRSTY in $(wall "$out/time.log") s, peak RSS $(rss_mib "$out/time.log") MiB"
	touch "$full.complete"
fi
echo "full-size knowledge base: $(sqlite3 "$full" 'SELECT count(*) FROM terms') terms," \
	"$(sqlite3 "$full" 'SELECT count(*) FROM concepts') concepts"
small=$out/iu-3851.csv
[ -f "$small" ] || python3 bench/replicate_csv.py "$shared/reports/iu_xray/reports.csv" 3851 "$small"
sqlite3 "$full" 'DELETE FROM dictionaries; PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
rm -f "$out/time.log"
# (timed sends the command's standard error to the log too)
OMP_NUM_THREADS=1 timed "$out/time.log" ./medkg -d "$full" extract --jsonl "$small" >/dev/null
echo "dictionary build: $(grep -o 'dictionary [0-9].*' "$out/time.log" | head -1); whole run" \
	"$(wall "$out/time.log") s, peak RSS $(rss_mib "$out/time.log") MiB"
readys= rcpus= rsss= walls=
for i in $(seq "$runs"); do
	rm -f "$out/time.log"
	OMP_NUM_THREADS=1 timed "$out/time.log" ./medkg -d "$full" extract --jsonl "$csv" >/dev/null
	ready=$(sed -n 's/.*from the store.s cache in \([0-9.]*\) s.*/\1/p' "$out/time.log" | head -1)
	rcpu=$(sed -n 's/.*from the store.s cache in [0-9.]* s (\([0-9.]*\) s CPU).*/\1/p' "$out/time.log" | head -1)
	rcpus="$rcpus $rcpu"
	w=$(wall "$out/time.log")
	readys="$readys $ready"
	rsss="$rsss $(rss_mib "$out/time.log")"
	walls="$walls $w"
	echo "  full dictionary run $i: ready from cache in $ready s ($rcpu s CPU); $w s for $rows reports," \
		"peak RSS $(rss_mib "$out/time.log") MiB"
done
# shellcheck disable=SC2086
m=$(median $walls)
# shellcheck disable=SC2086
echo "full dictionary: ready from cache median $(median $readys) s ($(median $rcpus) s CPU)," \
	"peak RSS $(median $rsss) MiB," \
	"1 thread $(rate "$m") reports/s end to end (JSON Lines)"
