#!/bin/sh
# Ingest benchmark: what 100 new reports cost in a large store.
#   - the IU reports replicated to BENCH_REPORTS (default 200,000; copy k of
#     report U is "U-k"), their images (projections.csv replicated alike),
#     the demo knowledge base, a configuration like the demo's (grid 18,
#     entities = mentioned, min_count 20, plans) with 50 epochs of dim 64;
#   - `medkg build` of it once (timed: the full build);
#   - then BENCH_RUNS times (default 3), on a fresh copy of the built store
#     and export: `medkg ingest` of 100 new reports (the first 100 IU
#     reports under new ids, with their images), each stage's seconds from
#     its own output; medians.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
runs=${BENCH_RUNS:-3}
n=${BENCH_REPORTS:-200000}
shared=${MEDKG_SHARED:-../shared/data}
iu=$shared/reports/iu_xray
out=bench/out/ingest
mkdir -p "$out"
csv=$(iu_replicated "$n")
top=$(pwd)

# images of the replicated reports, and the 100 new reports with theirs
/usr/bin/python3 - "$iu/projections.csv" "$iu/reports.csv" "$csv" "$out" <<'EOF'
import csv, sys
proj, reports, big, out = sys.argv[1:]
with open(proj, newline='') as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
with open(big, newline='') as f:
    ids = [r[0] for r in csv.reader(f)][1:]
copies = {}
for i in ids:
    base, _, k = i.partition('-')
    copies.setdefault(base, []).append(i)
with open(out + '/images.csv', 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(header)
    for r in body:
        for i in copies.get(r[0], []):
            w.writerow([i] + r[1:])
with open(reports, newline='') as f:
    rep = list(csv.reader(f))
new = [['new-' + r[0]] + r[1:] for r in rep[1:101]]
with open(out + '/new.csv', 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(rep[0])
    w.writerows(new)
newids = {r[0][4:] for r in new}
with open(out + '/images.csv', 'a', newline='') as f:
    w = csv.writer(f)
    for r in body:
        if r[0] in newids:
            w.writerow(['new-' + r[0]] + r[1:])
EOF

cat >"$out/ingest.conf" <<EOF
[knowledge]
umls = $top/data/demo
[reports]
input = $top/$csv
sections = findings, impression
[link]
grid = 18
images = $top/$out/images.csv
[embed]
dim = 64
epochs = 50
threads = 2
seed = 1
entities = mentioned
min_count = 20
[export]
dir = $top/$out/export
EOF

db=$out/built.db
rm -rf "$db" "$db-wal" "$db-shm" "$out/export" "$out/time.log"
timed "$out/time.log" ./medkg -d "$db" build "$out/ingest.conf" >"$out/build.out"
sed 's/^/    /' "$out/build.out"
echo "full build of $(sqlite3 "$db" 'SELECT count(*) FROM reports') reports" \
	"($(sqlite3 "$db" 'SELECT count(*) FROM mentions') mentions," \
	"$(sqlite3 "$db" 'SELECT count(*) FROM mention_patches') patch sets):" \
	"$(wall "$out/time.log") s wall, peak RSS $(rss_mib "$out/time.log") MiB"
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
rm -rf "$out/export.built"
mv "$out/export" "$out/export.built"

stage() { # STAGE OUTPUT: seconds the stage reports
	awk -v s="$1" '$1 == s && $2 == "ran" { print $4 }' "$2"
}
ex= li= em= xp= tot= walls=
run=$out/run.db
for i in $(seq "$runs"); do
	rm -rf "$run" "$run-wal" "$run-shm" "$out/export"
	cp "$db" "$run"
	cp -r "$out/export.built" "$out/export"
	sync # the copies written back: not the ingest's fsync's to wait for
	rm -f "$out/time.log"
	timed "$out/time.log" ./medkg -d "$run" ingest "$out/ingest.conf" "$out/new.csv" >"$out/ingest.out"
	e=$(stage extract "$out/ingest.out") l=$(stage link "$out/ingest.out")
	m=$(stage embed "$out/ingest.out") x=$(stage export "$out/ingest.out")
	t=$(awk '/^ingested/ { print $(NF - 1) }' "$out/ingest.out")
	w=$(wall "$out/time.log")
	ex="$ex ${e:-0}" li="$li ${l:-0}" em="$em ${m:-0}" xp="$xp ${x:-0}" tot="$tot $t" walls="$walls $w"
	echo "  run $i: extract ${e:-skipped} s, link ${l:-skipped} s, embed ${m:-skipped} s," \
		"export ${x:-skipped} s; ingest ${t} s, ${w} s wall with start-up"
done
sed 's/^/    /' "$out/ingest.out"
# shellcheck disable=SC2086
echo "100 new reports: median ingest $(median $tot) s (extract $(median $ex), link $(median $li)," \
	"embed $(median $em), export $(median $xp)); wall $(median $walls) s"
rm -rf "$run" "$run-wal" "$run-shm"
