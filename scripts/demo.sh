#!/bin/sh
# The demo: build a store from the bundled chest-radiology knowledge base
# (data/demo, UMLS RRF layout), show what is in it, extract concepts from the
# demo reports and summarize them, train embeddings and show the nearest
# neighbours of a few findings.
#   make demo            (store: demo.db; MEDKG_DEMO_DB overrides)
set -e
cd "$(dirname "$0")/.."
db=${MEDKG_DEMO_DB:-demo.db}
rm -f "$db" "$db-wal" "$db-shm"
echo "== medkg init"
./medkg -d "$db" init
echo
echo "== medkg load umls data/demo"
./medkg -d "$db" load umls data/demo
echo
echo "== medkg stats"
./medkg -d "$db" stats --top 8
echo
echo "== medkg show pneumothorax"
./medkg -d "$db" show pneumothorax
echo
echo "== medkg extract data/demo/reports data/demo/reports2"
./medkg -d "$db" extract data/demo/reports data/demo/reports2
echo
echo "== medkg mentions CXR9004"
./medkg -d "$db" mentions CXR9004
echo
echo "== medkg stats (mentions)"
./medkg -d "$db" stats --top 8 | sed -n '/^mentions (/,$p'
echo
echo "== medkg embed (TransE on the demo knowledge base, dim 64, 300 epochs)"
./medkg -d "$db" embed --dim 64 --epochs 300
for finding in pneumothorax 'pleural effusion' cardiomegaly atelectasis; do
	echo
	echo "== medkg show '$finding' --neighbors 5"
	./medkg -d "$db" show "$finding" --neighbors 5 | sed -n '1p;/^nearest by embedding/,$p'
done
echo
echo "== medkg link --image-list data/demo/images/images.csv --images data/demo/images"
./medkg -d "$db" link --image-list data/demo/images/images.csv --images data/demo/images
echo
echo "== medkg link --draw CXR9051_IM-0051-1001 demo-overlay.png"
if [ "$(sqlite3 "$db" "SELECT count(*) FROM images WHERE path = 'CXR9051_IM-0051-1001'")" -gt 0 ]; then
	./medkg -d "$db" link --draw CXR9051_IM-0051-1001 demo-overlay.png
else
	echo "(report CXR9051 is not in the store: nothing to draw)"
fi
