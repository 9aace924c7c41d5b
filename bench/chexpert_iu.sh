#!/bin/sh
# CheXpert labels of real reports (issue 13): the IU X-ray reports
# (../shared/data/reports/iu_xray/reports.csv) extracted with the demo
# knowledge base (data/demo), labelled by 'medkg labels', scored against the
# 400 hand-labelled reports of tests/fixtures/iu_chexpert/labels.csv
# (bench/chexpert_score.py: per observation, per class and micro P/R/F1,
# dev and test apart). BENCH_ERRORS=dev also lists the dev disagreements
# with their text (tuning is done on dev only).
#   MEDKG=path  the medkg binary (default ./medkg), to score another build
set -eu
cd "$(dirname "$0")/.."
medkg=${MEDKG:-./medkg}
iu=${MEDKG_SHARED:-../shared/data}/reports/iu_xray
out=bench/out
mkdir -p "$out"
db=$out/chexpert-iu.db
rm -f "$db" "$db-wal" "$db-shm"
"$medkg" -q -d "$db" load umls data/demo >/dev/null
"$medkg" -d "$db" extract "$iu/reports.csv" >"$out/chexpert-iu.log"
"$medkg" -d "$db" labels "$out/chexpert-iu.csv" >>"$out/chexpert-iu.log"
sed 's/^/    /' "$out/chexpert-iu.log"
if [ -n "${BENCH_ERRORS:-}" ]; then
	python3 bench/chexpert_score.py tests/fixtures/iu_chexpert/labels.csv \
		"$out/chexpert-iu.csv" --errors "$BENCH_ERRORS" --text "$iu/reports.csv"
else
	python3 bench/chexpert_score.py tests/fixtures/iu_chexpert/labels.csv "$out/chexpert-iu.csv"
fi
