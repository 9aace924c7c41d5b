#!/bin/sh
# Linking real reports (issue 5): the IU X-ray reports
# (../shared/data/reports/iu_xray/reports.csv, 3,851 reports) extracted with
# the demo knowledge base, their images from projections.csv; then
#   1. the share of affirmed finding mentions linked by sentence anatomy, by
#      knowledge base, by lexicon and by default (medkg link's own count);
#   2. the same reports repeated BENCH_COPIES times (default 52: 198,952
#      reports) linked pinned to one core, text links alone and with 18 x 18
#      patch sets, BENCH_RUNS times (default 3): medians of CPU time (user +
#      system), wall time and peak RSS.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
copies=${BENCH_COPIES:-52}
runs=${BENCH_RUNS:-3}
iu=${MEDKG_SHARED:-../shared/data}/reports/iu_xray
out=bench/out
mkdir -p "$out"
if ! ./medkg extract --help >/dev/null 2>&1; then
	echo "skipped: this medkg has no extract command"
	exit 0
fi
cpu() {
	awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"
}
db=$out/iu.db
rm -f "$db" "$db-wal" "$db-shm"
./medkg -d "$db" load umls data/demo >/dev/null
./medkg -d "$db" extract "$iu/reports.csv" | sed 's/^/    /'
./medkg -d "$db" link --image-list "$iu/projections.csv" | sed 's/^/    /'

big=$out/iu-x$copies.db
rm -f "$big" "$big-wal" "$big-shm"
./medkg -d "$big" load umls data/demo >/dev/null
sqlite3 "$big" "PRAGMA foreign_keys = OFF; ATTACH '$db' AS x; BEGIN;
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < $copies - 1)
INSERT INTO reports(id, source, external_id, hash, text, sections, split, ingested)
  SELECT r.id + k.i * 1000000, r.source, r.external_id || '-' || k.i, r.hash, r.text,
  r.sections, r.split, r.ingested FROM x.reports r, k;
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < $copies - 1)
INSERT INTO mentions(id, report, concept, section, sentence, start, end, surface, polarity,
  historical) SELECT m.id + k.i * 10000000, m.report + k.i * 1000000, m.concept,
  m.section, m.sentence, m.start, m.end, m.surface, m.polarity, m.historical
  FROM x.mentions m, k ORDER BY 2, 1;
UPDATE reports SET mention_first = s.first, mention_count = s.n FROM (SELECT report,
  min(id) AS first, max(id) - min(id) + 1 AS n FROM mentions GROUP BY report) s
  WHERE s.report = reports.id;
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < $copies - 1)
INSERT INTO images(report, path, view) SELECT i.report + k.i * 1000000, i.path, i.view
  FROM x.images i, k;
COMMIT;"
echo "x$copies: $(sqlite3 "$big" 'SELECT count(*) FROM reports') reports," \
	"$(sqlite3 "$big" 'SELECT count(*) FROM mentions') mentions," \
	"$(sqlite3 "$big" 'SELECT count(*) FROM images') images"
run=$out/iu-run.db
for cfg in text patches; do
	opt=
	[ "$cfg" = text ] && opt=--no-patches
	walls= cpus= rsss=
	for i in $(seq "$runs"); do
		rm -f "$run" "$run-wal" "$run-shm"
		cp "$big" "$run"
		log=$out/iu-$cfg.log
		: >"$log"
		timed "$log" taskset -c 0 ./medkg -d "$run" link $opt >"$out/iu-$cfg.out"
		walls="$walls $(wall "$log")" cpus="$cpus $(cpu "$log")" rsss="$rsss $(rss_mib "$log")"
	done
	echo "$cfg: cpu $(median $cpus) s, wall $(median $walls) s, peak RSS $(median $rsss) MiB"
	sed 's/^/    /' "$out/iu-$cfg.out"
done
