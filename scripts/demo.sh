#!/bin/sh
# The demo: the whole life cycle of a store in one command. Build it from
# the configuration data/demo/medkg.conf (the bundled chest-radiology
# knowledge base in UMLS RRF layout, the first batch of demo reports, their
# images): load, extract, link, embed, export. Build again (nothing to do),
# look at what is in it, ingest the second batch of reports incrementally,
# and write the report page.
#   make demo            (store: demo.db; MEDKG_DEMO_DB overrides)
set -e
cd "$(dirname "$0")/.."
db=${MEDKG_DEMO_DB:-demo.db}
export_dir=${db%.db}-export
rm -rf "$db" "$db-wal" "$db-shm" "$export_dir"
conf=data/demo/medkg.conf
echo "== medkg build --dry-run $conf"
./medkg -d "$db" build --dry-run "$conf"
echo
echo "== medkg build $conf"
./medkg -d "$db" build "$conf"
echo
echo "== medkg build $conf (again: nothing changed)"
./medkg -d "$db" build "$conf"
echo
echo "== medkg stats"
./medkg -d "$db" stats --top 5
echo
echo "== medkg show pneumothorax --neighbors 5"
./medkg -d "$db" show pneumothorax --neighbors 5 | sed -n '1p;/^nearest by embedding/,$p'
echo
echo "== medkg ingest $conf data/demo/reports2"
./medkg -d "$db" ingest "$conf" data/demo/reports2
echo
echo "== medkg link --draw CXR9051_IM-0051-1001 demo-overlay.png"
./medkg -d "$db" link --draw CXR9051_IM-0051-1001 demo-overlay.png
echo
echo "== medkg report demo-report.html"
./medkg -d "$db" report demo-report.html
echo
echo "== medkg build data/demo/arl.conf (the export in ARL's layout)"
arl_db=${db%.db}-arl.db
rm -rf "$arl_db" "$arl_db-wal" "$arl_db-shm" "${arl_db%.db}-export"
./medkg -d "$arl_db" build data/demo/arl.conf
head -n 3 "${arl_db%.db}-export/knowledge/entity2id.txt"
echo
echo "== medkg train run $export_dir -- /usr/bin/python3 train/python/pretrain.py --steps 100"
if /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
	./medkg -d "$db" train run "$export_dir" -- /usr/bin/python3 train/python/pretrain.py \
		--steps 100 --every 25
else
	echo "(/usr/bin/python3 has no torch or numpy: 'make deps' installs them)"
fi
