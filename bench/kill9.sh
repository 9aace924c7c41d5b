#!/bin/sh
# kill -9 during a large ingest, then a re-run: the store must end with
# exactly the rows of an uninterrupted run. The input is the IU reports
# replicated to BENCH_KILL_REPORTS (default 100,000); the ingest is killed
# BENCH_KILLS times (default 5) at random moments while it writes (after a
# first commit, within a quarter of an uninterrupted run), each time checking that
# only whole batches were committed, then run to completion. Checksums of the
# reports, images and mentions tables (every column but the time of
# ingestion, ids included) are compared with an uninterrupted run's.
set -eu
cd "$(dirname "$0")/.."
n=${BENCH_KILL_REPORTS:-100000}
kills=${BENCH_KILLS:-5}
batch=1000
shared=${MEDKG_SHARED:-../shared/data}
out=bench/out
mkdir -p "$out"
csv=$out/iu-$n.csv
[ -f "$csv" ] || python3 bench/replicate_csv.py "$shared/reports/iu_xray/reports.csv" "$n" "$csv"
kb=$out/kill-kb.db
rm -f "$kb" "$kb-wal" "$kb-shm"
./medkg -q -d "$kb" load umls data/demo >/dev/null

sums() {
	for q in \
		"SELECT id, source, external_id, hash, text, sections, split FROM reports ORDER BY id" \
		"SELECT id, report, path, view, width, height FROM images ORDER BY id" \
		"SELECT * FROM mentions ORDER BY id"; do
		sqlite3 "$1" "$q" | md5sum | cut -c1-12
	done | tr '\n' ' '
}

ref=$out/kill-ref.db
rm -f "$ref" "$ref-wal" "$ref-shm"
cp "$kb" "$ref"
t0=$(date +%s.%N)
./medkg -q -d "$ref" extract --batch $batch "$csv" >/dev/null
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
want=$(sums "$ref")
echo "uninterrupted: $(sqlite3 "$ref" 'SELECT count(*) FROM reports') reports," \
	"$(sqlite3 "$ref" 'SELECT count(*) FROM mentions') mentions in $took s; checksums $want"

db=$out/kill.db
rm -f "$db" "$db-wal" "$db-shm"
cp "$kb" "$db"
ok=1
total=$(sqlite3 "$ref" 'SELECT count(*) FROM reports')
for i in $(seq "$kills"); do
	# a random moment while it writes: after its first commit (the reports
	# stored so far grow), up to a quarter of the uninterrupted run's time
	done_=$(sqlite3 "$db" 'SELECT count(*) FROM reports')
	./medkg -q -d "$db" extract --batch $batch "$csv" >/dev/null &
	pid=$!
	while kill -0 "$pid" 2>/dev/null &&
		[ "$(sqlite3 "$db" 'SELECT count(*) FROM reports' 2>/dev/null || echo "$done_")" -le "$done_" ]; do
		sleep 0.05
	done
	sleep "$(awk -v s="$(od -An -N2 -tu2 /dev/urandom)" -v t="$took" \
		'BEGIN { printf "%.2f", t / 4 * (s % 1000) / 1000 }')"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	reports=$(sqlite3 "$db" 'SELECT count(*) FROM reports')
	orphans=$(sqlite3 "$db" 'SELECT count(*) FROM mentions m WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = m.report)')
	# by the reports' ranges (mentions has no index on report: a NOT
	# EXISTS over it scans the table once per report)
	bare=$(sqlite3 "$db" 'SELECT count(*) FROM reports WHERE mention_count = 0')
	check=$(sqlite3 "$db" 'PRAGMA integrity_check')
	whole=yes
	# every committed batch is whole: a multiple of the batch size (or all)
	if [ $((reports % batch)) -ne 0 ] && [ "$reports" -ne "$total" ]; then
		whole=no
		ok=0
	fi
	[ "$orphans" -eq 0 ] && [ "$check" = ok ] || ok=0
	echo "kill $i: $reports reports committed (whole batches: $whole), $orphans orphan mentions," \
		"$bare reports without mentions, integrity $check"
done
./medkg -q -d "$db" extract --batch $batch "$csv" >/dev/null
got=$(sums "$db")
echo "after re-run: $(sqlite3 "$db" 'SELECT count(*) FROM reports') reports," \
	"$(sqlite3 "$db" 'SELECT count(*) FROM mentions') mentions; checksums $got"
if [ "$got" = "$want" ] && [ "$ok" = 1 ]; then
	echo "kill -9: identical to the uninterrupted run"
else
	echo "kill -9: DIFFERENT from the uninterrupted run" >&2
	exit 1
fi
