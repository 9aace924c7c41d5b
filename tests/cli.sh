#!/bin/sh
# Command-line tests: run the real medkg binary on fixtures and check exit
# status, stdout and stderr. Prints one line per failure and the closing line
# "N passed, N failed". Every case id names one check: an id used twice is a
# failure of its own.
#   tests/cli.sh MEDKG_BINARY
medkg=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# after mentions written by hand: each report names its range of mention ids
# (store/mentions.h), as extraction does
ranges="UPDATE reports SET mention_first = s.first, mention_count = s.n FROM
 (SELECT report, min(id) AS first, max(id) - min(id) + 1 AS n FROM mentions GROUP BY report) s
 WHERE s.report = reports.id;"
cd "$tmp" || exit 1
pass=0
fail=0
ids='
'

# note ID WHAT: record the case id with what it checks; an id seen before
# is a failure, naming both uses (the shell has no line numbers to give).
note() {
	case $ids in
	*"
$1	"*)
		first=${ids#*"
$1	"}
		first=${first%%"
"*}
		fail=$((fail + 1))
		echo "FAIL duplicate case id $1: $first and $2" >&2
		;;
	*) ids="$ids$1	$2
" ;;
	esac
}
# run ID EXPECTED_STATUS ARGS... : run medkg, keep its output in out/err.
run() {
	id=$1 want=$2
	shift 2
	note "$id" "run medkg $*"
	"$medkg" "$@" >out 2>err
	got=$?
	if [ "$got" -eq "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $id: medkg $* exited $got, want $want" >&2
		sed 's/^/    /' err >&2
	fi
}
# has ID FILE PATTERN : the file (out or err) matches the extended regex.
has() {
	note "$1" "has $2 /$3/"
	if grep -Eq -- "$3" "$2"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: $2 does not match /$3/" >&2
		sed 's/^/    /' "$2" | head -20 >&2
	fi
}
# same ID A B : two values are equal
same() {
	note "$1" same
	if [ "$2" = "$3" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: '$2' != '$3'" >&2
	fi
}
# missing ID WHY : a check that cannot run where it must (CI=true) fails.
missing() {
	note "$1" missing
	fail=$((fail + 1))
	echo "FAIL $1: $2" >&2
}

# ------------------------------------------------------------ general
run cli-1.1 0 --help
has cli-1.2 out '^usage: medkg'
has cli-1.3 out 'load'
run cli-1.4 2
has cli-1.5 err '^usage: medkg'
run cli-1.6 2 frobnicate
has cli-1.7 err "unknown command 'frobnicate'"
run cli-1.8 0 --version
has cli-1.9 out '^medkg [0-9]+\.[0-9]+'
for c in init load stats show embed extract merge mentions labels link; do
	run "cli-2.$c" 0 "$c" --help
	has "cli-2.$c.out" out "^usage: medkg $c"
done
run cli-2.badopt 2 stats --no-such-option
has cli-2.badopt.err err 'usage: medkg stats'

# ------------------------------------------------------------ init
run init-1.1 0 -d s.db init
has init-1.2 out 's.db: medkg store, schema [0-9]+'
run init-1.3 0 init -d s.db
run init-1.4 1 -d /nonexistent/dir/s.db init
has init-1.5 err 'error: .*nonexistent'
run init-1.6 2 init extra
# a store of schema 2 (mentions AUTOINCREMENT): read-only commands say how
# to migrate it; init migrates it, keeping its rows and next mention id
"$medkg" -q -d v2.db init >/dev/null
sqlite3 v2.db "PRAGMA foreign_keys = OFF; BEGIN;
CREATE TABLE m2 (id INTEGER PRIMARY KEY AUTOINCREMENT, report INTEGER NOT NULL,
  concept INTEGER NOT NULL, section TEXT NOT NULL, sentence INTEGER NOT NULL,
  start INTEGER NOT NULL, end INTEGER NOT NULL, surface TEXT NOT NULL,
  polarity TEXT NOT NULL, historical INTEGER NOT NULL DEFAULT 0,
  hedge TEXT NOT NULL DEFAULT 'definite', hypothetical INTEGER NOT NULL DEFAULT 0,
  term INTEGER, match TEXT NOT NULL DEFAULT 'term', candidates INTEGER NOT NULL DEFAULT 1,
  decided TEXT NOT NULL DEFAULT '', modifiers TEXT NOT NULL DEFAULT '', modifiers_start INTEGER);
DROP TABLE mentions; ALTER TABLE m2 RENAME TO mentions;
INSERT INTO mentions(id, report, concept, section, sentence, start, end, surface, polarity)
  VALUES (7, 1, 1, 'findings', 0, 0, 1, 'x', 'negated'), (40, 1, 1, 'findings', 0, 0, 1, 'x', 'affirmed');
DELETE FROM mentions WHERE id = 40;
PRAGMA user_version = 2; COMMIT;"
run init-2.1 1 -d v2.db stats
has init-2.2 err "v2.db: store schema 2 needs migrating to [0-9]+: 'medkg -d v2.db init' does it"
run init-2.3 0 -d v2.db init
has init-2.4 out 'v2.db: medkg store, schema 3'
same init-2.5 "$(sqlite3 v2.db "SELECT group_concat(id || ':' || polarity) FROM mentions;
SELECT value FROM meta WHERE key = 'mentions.next';
SELECT count(*) FROM sqlite_schema WHERE name = 'mentions' AND sql LIKE '%AUTOINCREMENT%'" | tr '\n' ' ')" "7:negated 41 0 "
run init-2.6 0 -d v2.db stats

# ------------------------------------------------------------ load umls
mkdir rel
printf '%s\n' \
 'C0032326|ENG|P|L0032326|PF|S0000001|Y|A0000001||||SRCA|PT|D1|Pneumothorax|0|N|256|' \
 'C0032326|ENG|S|L0000002|PF|S0000002|Y|A0000002||||SRCB|AB|X1|PTX|0|N|256|' \
 'C0024109|ENG|P|L0024109|PF|S0000006|Y|A0000006||||SRCA|PT|D3|Lung|0|N|256|' >rel/MRCONSO.RRF
printf '%s\n' \
 'C0032326|T047|B2.2.1.2.1|Disease or Syndrome|AT0000001|256|' \
 'C0024109|T023|A1.2.3.1|Body Part, Organ, or Organ Component|AT0000004|256|' >rel/MRSTY.RRF
printf '%s\n' \
 'C0024109|A0000006|AUI|RO|C0032326|A0000001|AUI|has_finding_site|R03||SRCA|SRCA|||N||' \
 'C0032326|A0000001|AUI|RO|C0024109|A0000006|AUI|finding_site_of|R01||SRCA|SRCA|||N||' >rel/MRREL.RRF
zstd -q rel/MRREL.RRF -o rel/MRREL.RRF.zst && rm rel/MRREL.RRF

run load-1.1 0 -d k.db load umls rel
has load-1.2 out 'MRCONSO +3 rows read, 3 terms kept, 2 concepts'
has load-1.3 out 'MRREL +2 rows read, 2 kept, 2 distinct triples'
run load-1.4 0 -d k.db load umls rel
has load-1.5 err 'already loaded'
run load-1.6 0 -d k.db stats
has load-1.7 out '^concepts +2$'
has load-1.8 out '^triples +2$'
has load-1.9 out 'SRCA +umls'
has load-1.10 out 'has_finding_site'
run load-1.11 0 -d k.db show C0032326
has load-1.12 out '^C0032326  Pneumothorax$'
has load-1.13 out 'PTX +SRCB +AB'
has load-1.14 out 'has_finding_site +C0024109 +Lung'
has load-1.15 out 'T047  Disease or Syndrome'
run load-1.16 0 -d k.db show 'pneumothoraces'
has load-1.17 out '^C0032326'
run load-1.18 1 -d k.db show 'no such thing'
has load-1.19 err "no concept with CUI or name 'no such thing'"
run load-1.20 1 -d missing.db stats
has load-1.21 err 'no such store'

# bad input: error names file and line; store unchanged; exit 1
cp -r rel bad
printf '%s\n' 'C0000001|ENG|P|L1|PF|S1|Y|A1||||SRCA|PT|D|short|0|N|' >>bad/MRCONSO.RRF
before=$(sqlite3 k.db 'SELECT count(*) FROM terms; SELECT count(*) FROM ingest_log;' 2>/dev/null | tr '\n' ' ')
run load-2.1 1 -d k.db load umls bad --replace
has load-2.2 err 'bad/MRCONSO.RRF:4: expected 18 fields, found 17'
after=$(sqlite3 k.db 'SELECT count(*) FROM terms; SELECT count(*) FROM ingest_log;' 2>/dev/null | tr '\n' ' ')
same load-2.3 "$before" "$after"
run load-2.4 1 -d k.db load umls bad
has load-2.5 err 'use --replace'
run load-2.6 0 -d k.db load umls bad --replace --lenient
has load-2.7 out 'skipped +1 malformed rows'
has load-2.8 err 'MRCONSO.RRF:4: expected 18 fields'
run load-2.9 1 -d k.db load umls nothere
has load-2.10 err 'nothere: not a directory'
mkdir empty
run load-2.11 1 -d k.db load umls empty
has load-2.12 err 'no MRCONSO.RRF'
run load-2.13 2 -d k.db load umls
run load-2.14 2 -d k.db load nosuchkb x
has load-2.15 err "unknown knowledge base 'nosuchkb'"

# ------------------------------------------------------------ train export, train run
# a store built with plain SQL (tests/fixtures/train_store.sql)
"$medkg" -q -d t.db init >/dev/null && sqlite3 t.db <"$top/tests/fixtures/train_store.sql"
for c in "train" "train export" "train run"; do
	run "train-0.$c" 0 $c --help
	has "train-0.$c.out" out "^usage: medkg $c"
done
run train-1.1 2 train
run train-1.2 2 train frobnicate
has train-1.3 err "unknown train subcommand 'frobnicate'"
run train-1.4 2 -d t.db train export
run train-1.5 2 -d t.db train export --mlm-plan sometimes x
run train-1.6 2 -d t.db train export --split 0.5,0.4 x
has train-1.7 err 'three fractions'
run train-1.8 2 -d t.db train export --renumber x
run train-1.9 1 -d t.db train export --min-count 2 x
has train-1.10 err 'embedding model 2 was trained on another entity set'
[ ! -e x ]
same train-1.11 "$?" 0
run train-2.1 0 -d t.db train export --min-count 2 --model 1 --plans x
has train-2.2 out '^exported t.db into x'
has train-2.3 out '5 entities, 2 relations, 4 triples'
has train-2.4 out 'train 4, val 0, test 1, one per image'
same train-2.5 "$(head -n 2 x/knowledge/entity2id.txt | tr '\t\n' '| ')" '5 C0018800|0|Cardiomegaly '
run train-2.6 1 -d t.db train export --min-count 2 --model 1 x
has train-2.7 err 'x: not empty: use --update'
# without --min-count: the count the model's entities were selected with (2)
run train-2.8 0 -d t.db train export --model 1 x2
has train-2.9 out '5 entities, 2 relations, 4 triples \(.* mentioned >= 2 times'
# run: the trainer gets its arguments as given, and the export's path
run train-3.1 0 train run x -- sh -c 'echo "$MEDKG_EXPORT|$1|$2"' sh 'a b' '--c'
same train-3.2 "$(cat out)" "$tmp/x|a b|--c"
run train-3.3 2 train run x
run train-3.4 2 train run x sh
run train-3.5 1 train run x -- /nonexistent/trainer
has train-3.6 err 'cannot run /nonexistent/trainer'
run train-3.7 1 train run nothere -- true
has train-3.8 err 'not a medkg export'
# a new report: stale until updated
sqlite3 t.db "INSERT INTO reports(id, source, external_id, hash, text, sections, ingested)
 VALUES (6, 'fixture', 'CXR6', 'h6', 'FINDINGS: Heart normal.', '[[\"findings\",10,23]]', 'x');
 INSERT INTO images(report, path) VALUES (6, '/img/CXR6.png');
 INSERT INTO mentions(report, concept, section, sentence, start, end, surface, polarity)
 VALUES (6, 5, 'findings', 0, 10, 15, 'Heart', 'affirmed');
 $ranges"
run train-4.1 1 train run x -- true
has train-4.2 err 'stale'
run train-4.3 0 train run --allow-stale x -- true
run train-4.4 0 -d t.db train export --update --model 1 x
has train-4.5 out 'written, [0-9]+ unchanged'
run train-4.6 0 train run x -- true
printf 'garbage' >x/manifest.json
run train-4.7 1 -d t.db train export --update --model 1 x
has train-4.8 err 'corrupted manifest'
run train-4.9 1 train run x -- true
has train-4.10 err 'corrupted manifest'
run train-4.11 0 -d t.db train export --force --model 1 --min-count 2 --plans x
# the reference consumer (train/python): a few steps, shapes and falling losses
if /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
	run train-6.1 0 train run x -- /usr/bin/python3 "$top/train/python/pretrain.py" \
		--steps 30 --check
	has train-6.2 out 'pos_matrix +\[[0-9]+, 24, 64\]'
	has train-6.3 out 'img_labels +\[[0-9]+, 5\]'
	has train-6.4 out '^check: passed'
elif [ "${CI:-}" = true ]; then
	missing train-6.1 "/usr/bin/python3 has no torch or numpy (scripts/deps.sh)"
else
	echo "skip train-6: /usr/bin/python3 has no torch or numpy" >&2
fi
# no embeddings at all
sqlite3 t.db 'DELETE FROM embeddings; DELETE FROM embedding_models;'
run train-5.1 1 -d t.db train export --min-count 2 y
has train-5.2 err 'has no embeddings'
# embed's selection of mentioned entities is the export's
run train-5.3 0 -d t.db embed --entities mentioned --min-count 2 --dim 8 --epochs 5 --threads 1
run train-5.4 0 -d t.db train export --min-count 2 y
has train-5.5 out 'vectors +model [0-9]+, dimension 8'

# real reports: the IU X-ray R2Gen annotation carries its split, which the
# export keeps (2,069 / 296 / 590 reports)
r2gen=$top/../shared/data/reports/iu_xray/r2gen_annotation.json
if [ -f "$r2gen" ] && [ -f "$top/data/demo/MRCONSO.RRF" ]; then
	"$medkg" -q -d r2.db init >/dev/null
	"$medkg" -q -d r2.db load umls "$top/data/demo" >/dev/null
	run train-7.1 0 -d r2.db extract "$r2gen"
	run train-7.2 0 -d r2.db embed --entities mentioned --min-count 20 --dim 8 --epochs 2 --threads 1
	run train-7.3 0 -d r2.db train export --per report --plans r2out
	has train-7.4 out 'train 2069, val 296, test 590, one per report'
	has train-7.5 out 'splits: 2955 from the input, 0 drawn'
	same train-7.6 "$(wc -l <r2out/annotations/val.jsonl | tr -d ' ')" 296
elif [ "${CI:-}" = true ]; then
	missing train-7.1 "shared data $r2gen is missing (CI=true)"
else
	echo "skip train-7: shared data not found" >&2
fi

# the demo store end to end: extract, link, embed on the selection, export, and
# the reference consumer on the export (a few steps: shapes, falling losses)
if [ -f "$top/data/demo/MRCONSO.RRF" ]; then
	"$medkg" -q -d dm.db init >/dev/null
	"$medkg" -q -d dm.db load umls "$top/data/demo" >/dev/null
	run train-8.1 0 -d dm.db extract "$top/data/demo/reports" "$top/data/demo/reports2"
	run train-8.1b 0 -d dm.db link --image-list "$top/data/demo/images/images.csv"
	run train-8.2 0 -d dm.db embed --entities mentioned --min-count 3 --dim 16 --epochs 20 \
		--threads 1
	run train-8.3 0 -d dm.db train export --min-count 3 --plans dmout
	has train-8.4 out 'samples +train [0-9]+, val [0-9]+, test [0-9]+, one per image'
	if /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
		run train-8.5 0 train run dmout -- /usr/bin/python3 "$top/train/python/pretrain.py" \
			--steps 40 --check
		has train-8.6 out 'pos_matrix +\[8, 24, 64\]'
		has train-8.7 out '^check: passed'
	elif [ "${CI:-}" = true ]; then
		missing train-8.5 "/usr/bin/python3 has no torch or numpy (scripts/deps.sh)"
	fi
fi

# the demo knowledge base
if [ -f "$top/data/demo/MRCONSO.RRF" ]; then
	run demo-1.1 0 -d demo.db load umls "$top/data/demo"
	has demo-1.2 out 'concepts'
	run demo-1.3 0 -d demo.db show C0032326
	has demo-1.4 out '^C0032326  Pneumothorax'
	run demo-1.5 0 -d demo.db show PTX
	has demo-1.6 out '^C0032326'
	run demo-1.7 0 -d demo2.db load umls "$top/data/demo" --sab MEDKGRAD
	has demo-1.8 out '[0-9]+ terms kept'
fi

# ------------------------------------------------------------ train export --layout arl
# The demo in ARL's layout, against the independent reference of ARL's
# numbering and filtering (tests/arl_reference.py), then ARL's checkpoint.
"$medkg" -q -d arl.db load umls "$top/data/demo" >/dev/null
"$medkg" -q -d arl.db extract "$top/data/demo/reports" >/dev/null
"$medkg" -q -d arl.db link --image-list "$top/data/demo/images/images.csv" \
	--images "$top/data/demo/images" >/dev/null
# a 64-dimensional model: ARL's knowledge layer takes 256
run arl-1.1 0 -d arl.db embed --entities arl --threshold 3 --dim 64 --epochs 2 --threads 1
run arl-1.2 1 -d arl.db train export --layout arl --threshold 3 arlbad
has arl-1.3 err 'has dimension 64, and ARL.s knowledge layer takes 256'
same arl-1.4 "$(ls arlbad 2>/dev/null | wc -l | tr -d ' ')" 0
run arl-1.5 0 -d arl.db embed --entities arl --threshold 3 --dim 256 --epochs 5 --threads 1
has arl-1.6 out "\(ARL's selection\)"
run arl-1.7 0 -d arl.db train export --layout arl --threshold 3 --split 0.7,0.15,0.15 arlout
has arl-1.8 out "^exported arl.db into arlout in .* \(ARL's layout\)"
has arl-1.9 out 'samples +mimic_cxr: train [1-9][0-9]*, val [1-9][0-9]*, test [1-9][0-9]*, one per frontal image'
has arl-1.10 out 'images +95, 51 frontal; left out: 0 without a file'
for f in knowledge/entity2id.txt knowledge/train2id.txt pretrain_data/mimic_cxr.json \
	pretrain_data/mimic_cxr_chexpert.csv manifest.json; do
	same "arl-1.11 $f" "$(test -s "arlout/$f" && echo there)" there
done
if /usr/bin/python3 -c 'import json, sqlite3' 2>/dev/null; then
	/usr/bin/python3 "$top/tests/arl_reference.py" --threshold 3 --use-file arl.db arlref >/dev/null
	/usr/bin/python3 "$top/tests/arl_compare.py" arl.db arlout arlref >out 2>err
	same arl-2.1 "$?" 0
	has arl-2.2 out '^9 passed, 0 failed'
	sed -n 's/^FAIL/    FAIL/p' out >&2
fi
# the checkpoint as ARL's AlignHead loads it
mkdir -p fakearl/prepro
: >fakearl/prepro/make_arrow.py
if /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
	/usr/bin/python3 "$top/train/python/arl_prepare.py" arlout --arl fakearl --checkpoint-only \
		>out 2>err
	same arl-3.1 "$?" 0
	/usr/bin/python3 -c '
import sys, numpy as np, torch
k = sys.argv[1] + "/knowledge/"
sd = torch.load(k + "ent_embeddings.ckpt", map_location="cpu")
w = sd["ent_embeddings.weight"]
n = int(open(k + "entity2id.txt").readline())
ok = (sorted(sd) == ["ent_embeddings.weight", "pi_const", "rel_embeddings.weight", "zero_const"]
      and w.dtype == torch.float32 and tuple(w.shape) == (n, 256)
      and np.array_equal(w.numpy(), np.load(k + "ent_embeddings.npy"))
      and np.array_equal(sd["rel_embeddings.weight"].numpy(), np.load(k + "rel_embeddings.npy")))
print("checkpoint", "ok" if ok else "BAD", tuple(w.shape))' arlout >out 2>err
	has arl-3.2 out '^checkpoint ok \([0-9]+, 256\)'
	# without pyarrow: the checkpoint is written, then a clear stop (status 3)
	if ! /usr/bin/python3 -c 'import pyarrow' 2>/dev/null; then
		/usr/bin/python3 "$top/train/python/arl_prepare.py" arlout --arl fakearl >out 2>err
		same arl-3.3 "$?" 3
		has arl-3.4 err "ARL's make_arrow needs pyarrow"
		# medkg train run --arl: the links are made, the preparation's failure stops it
		run arl-3.5 1 train run --arl fakearl --python /usr/bin/python3 arlout -- true
		has arl-3.6 err 'arl_prepare.py failed \(status 3\)'
		same arl-3.7 "$(readlink fakearl/data/knowledge)" "$tmp/arlout/knowledge"
	fi
elif [ "${CI:-}" = true ]; then
	missing arl-3.1 "/usr/bin/python3 has no torch or numpy (scripts/deps.sh)"
fi
# bad input: each a clear error, nothing written
run arl-4.1 1 -d arl.db train export --layout arl --threshold 3 --images nowhere arlb1
has arl-4.2 err 'nowhere: No such file or directory \(the images directory\)'
printf 'subject_id,study_id,Atelectasis\n1,2,1.0\n' >badcx.csv
run arl-4.3 1 -d arl.db train export --layout arl --threshold 3 --chexpert badcx.csv arlb2
has arl-4.4 err "badcx.csv:1: not MIMIC-CXR's labels CSV"
run arl-4.5 1 train run --arl "$tmp" arlout -- true
has arl-4.6 err 'no prepro/make_arrow.py: not an ARL checkout'
mkdir -p realarl/prepro realarl/data/knowledge
: >realarl/prepro/make_arrow.py
run arl-4.7 1 train run --arl realarl arlout -- true
has arl-4.8 err 'realarl/data/knowledge: a real directory is there'
run arl-4.9 1 -d arl.db train export --layout arl --threshold 3 --plans arlb3
has arl-4.10 err '--plans goes with the medkg layout'
same arl-4.11 "$(ls -d arlb1 arlb2 arlb3 2>/dev/null | wc -l | tr -d ' ')" 0

# MIMIC-CXR's own files, in miniature: the reports tree (files/pXX/pSUBJECT/
# sSTUDY.txt), the metadata CSV with ViewPosition, the split CSV, the
# labels CSV, the images under files/
mkdir -p mimic/files/p10/p10000001 mimic/files/p10/p10000002 mimic/files/p11/p11000003
i=0
for study in p10/p10000001/s50000001 p10/p10000001/s50000002 p10/p10000002/s50000003 \
	p11/p11000003/s50000004 p11/p11000003/s50000005 p11/p11000003/s50000006; do
	i=$((i + 1))
	printf '                                 FINAL REPORT\n EXAMINATION:  CHEST (PA AND LAT)\n\n FINDINGS:  There is a small left pleural effusion.  Mild cardiomegaly,\n the heart is enlarged.  No pneumothorax.  Atelectasis in the left lung.\n\n IMPRESSION:  Left pleural effusion and atelectasis of the lung.  Pneumonia\n is not excluded.\n' >"mimic/files/$study.txt"
	mkdir -p "mimic/files/$study"
	cp "$top/data/demo/images/CXR9001_IM-0001-1001.png" "mimic/files/$study/d$i.png"
	cp "$top/data/demo/images/CXR9001_IM-0001-2001.png" "mimic/files/$study/l$i.png"
done
{
	echo 'dicom_id,subject_id,study_id,PerformedProcedureStepDescription,ViewPosition,Rows,Columns'
	for k in 1 2 3 4 5 6; do
		case $k in 1 | 2) subj=10000001 ;; 3) subj=10000002 ;; *) subj=11000003 ;; esac
		echo "d$k,$subj,5000000$k,CHEST (PA AND LAT),PA,256,256"
		echo "l$k,$subj,5000000$k,CHEST (PA AND LAT),LATERAL,256,256"
	done
} >mimic/mimic-cxr-2.0.0-metadata.csv
{
	echo 'dicom_id,study_id,subject_id,split'
	echo 'd1,50000001,10000001,train'; echo 'd2,50000002,10000001,train'
	echo 'd3,50000003,10000002,train'; echo 'd4,50000004,11000003,validate'
	echo 'd5,50000005,11000003,test'; echo 'd6,50000006,11000003,test'
} >mimic/mimic-cxr-2.0.0-split.csv
{
	echo 'subject_id,study_id,Atelectasis,Cardiomegaly,Consolidation,Edema,Enlarged Cardiomediastinum,Fracture,Lung Lesion,Lung Opacity,No Finding,Pleural Effusion,Pleural Other,Pneumonia,Pneumothorax,Support Devices'
	for k in 1 2 3 4 5; do
		echo "1000000$k,5000000$k,1.0,1.0,,,,,,,,1.0,,-1.0,0.0,"
	done
} >mimic/mimic-cxr-2.0.0-chexpert.csv
"$medkg" -q -d mimic.db load umls "$top/data/demo" >/dev/null
run mimic-1.1 0 -d mimic.db extract mimic/files
has mimic-1.2 out 'reports +6 added'
run mimic-1.3 0 -d mimic.db link --image-list mimic/mimic-cxr-2.0.0-metadata.csv --images mimic
has mimic-1.4 out 'images +12 listed, 12 new or changed, 0 for reports'
has mimic-1.5 out 'headers +12 images sized'
run mimic-1.6 0 -d mimic.db embed --entities arl --threshold 2 --chexpert \
	mimic/mimic-cxr-2.0.0-chexpert.csv --dim 256 --epochs 2 --threads 1
run mimic-1.7 0 -d mimic.db train export --layout arl --threshold 2 \
	--chexpert mimic/mimic-cxr-2.0.0-chexpert.csv --splits mimic/mimic-cxr-2.0.0-split.csv mimicout
has mimic-1.8 out 'samples +mimic_cxr: train 3, val 1, test 1, one per frontal image'
has mimic-1.9 out 'left out: 0 without a file, 1 of studies without labels'
has mimic-1.10 out 'splits +0 from the input, 5 from the split file, 0 drawn'
same mimic-1.11 "$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["train"][0]
print(s["chexpert"], s["img_path"].endswith("files/p10/p10000001/s50000001/d1.png"))' \
	mimicout/pretrain_data/mimic_cxr.json)" "[1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0] True"

# the IU X-ray reports (3,826 with text): the numbering equals the
# reference's at ARL's threshold 20; images stand in as empty files
iu=$top/../shared/data/reports/iu_xray
if [ -f "$iu/reports.csv" ] && /usr/bin/python3 -c 'import json, sqlite3' 2>/dev/null; then
	"$medkg" -q -d iu.db load umls "$top/data/demo" >/dev/null
	"$medkg" -q -d iu.db extract "$iu/reports.csv" >/dev/null
	"$medkg" -q -d iu.db link --image-list "$iu/projections.csv" >/dev/null
	mkdir iuimg
	tail -n +2 "$iu/projections.csv" | cut -d, -f2 | (cd iuimg && xargs touch)
	run arl-5.1 0 -d iu.db embed --entities arl --dim 256 --epochs 1 --threads 1
	run arl-5.2 0 -d iu.db train export --layout arl --images iuimg iuout
	has arl-5.3 out 'knowledge +130 entities, 17 relations, 358 triples \(173 concepts mentioned more than 20 times\)'
	has arl-5.4 out 'images +7426, 3794 frontal; left out: 0 without a file'
	/usr/bin/python3 "$top/tests/arl_reference.py" --use-file iu.db iuref >/dev/null
	/usr/bin/python3 "$top/tests/arl_compare.py" iu.db iuout iuref >out 2>err
	same arl-5.5 "$?" 0
	sed -n 's/^FAIL/    FAIL/p' out >&2
elif [ "${CI:-}" = true ]; then
	missing arl-5.1 "shared data $iu is missing (CI=true)"
else
	echo "skip arl-5: shared data not found" >&2
fi

# ------------------------------------------------------------ load mesh, load obo
fix="$top/tests/fixtures"
run pub-1.1 0 load --help
has pub-1.2 out 'medkg load mesh'
has pub-1.3 out 'medkg load obo'
for k in mesh obo; do
	run "pub-1.$k" 0 load "$k" --help
	has "pub-1.$k.out" out "^usage: medkg load $k"
	run "pub-1.$k.noarg" 2 -d p.db load "$k"
	has "pub-1.$k.err" err "load $k needs one file"
	run "pub-1.$k.badopt" 2 -d p.db load "$k" --no-such-option x
done
run pub-1.4 2 -d p.db load obo --map-xrefs snomed "$fix/chest.obo"
has pub-1.5 err "takes umls, mesh or none, not 'snomed'"

run mesh-1.1 0 -d p.db load mesh "$fix/desc_chest.xml"
has mesh-1.2 out 'records +22 read, 22 concepts \(22 new\), 71 terms'
has mesh-1.3 out 'trees +25 tree numbers, 17 distinct isa triples, 2 without a parent'
run mesh-1.4 0 -d p.db load mesh "$fix/desc_chest.xml"
has mesh-1.5 err 'already loaded'
run mesh-1.6 0 -d p.db show 'tension pneumothorax'
has mesh-1.7 out '^D900018  Pneumothorax$'
has mesh-1.8 out 'MSH:C  Diseases'
has mesh-1.9 out 'Tension Pneumothorax +MSH +PEP +ENG NARROW'
has mesh-1.10 out 'isa +D900017 +Pleural Diseases'
# the ontology joins the MeSH descriptors through its MESH xrefs
run obo-1.1 0 -d p.db load obo --map-xrefs mesh "$fix/chest.obo"
has obo-1.2 out 'as CXO'
has obo-1.3 out 'concepts +16 \(8 new\), 8 mapped by xref'
has obo-1.4 out 'synonyms 14 exact, 7 related, 3 broad, 2 narrow'
has obo-1.5 out '17 distinct triples, 1 targets outside the file'
run obo-1.6 0 -d p.db show D900018
has obo-1.7 out 'collapsed lung +CXO +SY +ENG BROAD'
has obo-1.8 out 'disease_has_location +D900003|disease_has_location +CXO:0000050'
run obo-1.9 0 -d p.db stats
has obo-1.10 out 'CXO +obo'
has obo-1.11 out 'MSH +mesh'
has obo-1.12 out '^MeSH +desc_chest.xml$'
has obo-1.13 out '^OBO +CXO: chest.obo, data-version cxo/releases/2026-01-15/cxo.obo$'

# bad input: file and line named, exit 1, store unchanged; --lenient skips
snap() { sqlite3 p.db 'SELECT count(*) FROM terms; SELECT count(*) FROM ingest_log;' | tr '\n' ' '; }
before=$(snap)
sed 's/<String>Pleura<\/String>/<Strin>Pleura<\/String>/' "$fix/desc_chest.xml" >bad.xml
run mesh-2.1 1 -d p.db load mesh bad.xml --replace
has mesh-2.2 err 'bad.xml:140: malformed XML: Opening and ending tag mismatch'
sed 's|<DescriptorUI>D900005</DescriptorUI>|<DescriptorUI>D900004</DescriptorUI>|' "$fix/desc_chest.xml" >dup.xml
run mesh-2.3 1 -d p.db load mesh dup.xml
has mesh-2.4 err 'use --replace'
run mesh-2.5 1 -d p.db load mesh dup.xml --replace
has mesh-2.6 err 'dup.xml:293: DescriptorUI D900004 appears twice \(first at line 234\)'
zstd -q -c "$fix/desc_chest.xml" | head -c 3000 >cut.xml.zst
run mesh-2.7 1 -d p.db load mesh cut.xml.zst --replace
has mesh-2.8 err 'cut.xml.zst: truncated zstd stream'
: >empty.xml
run mesh-2.9 1 -d p.db load mesh empty.xml --replace
has mesh-2.10 err 'empty.xml: empty file'
run mesh-2.11 1 -d p.db load mesh nothere.xml
has mesh-2.12 err 'nothere.xml: cannot open'
sed 's/^synonym: "pneumonitis" RELATED/synonym: "pneumonitis" SIMILAR/' "$fix/chest.obo" >bad.obo
run obo-2.1 1 -d p.db load obo --map-xrefs mesh bad.obo --replace
has obo-2.2 err 'bad.obo:75: unknown synonym scope .SIMILAR.'
printf 'format-version: 1.2\nontology: cxo\n[Term]\nid: CXO:1\nname: caf\351\n' >latin1.obo
run obo-2.3 1 -d p.db load obo latin1.obo --replace
has obo-2.4 err 'latin1.obo:5: invalid UTF-8 at byte 10'
same obo-2.5 "$before" "$(snap)"
run obo-2.6 0 -d p.db load obo --map-xrefs mesh bad.obo --replace --lenient
has obo-2.7 out 'skipped +1 bad lines or stanzas'
has obo-2.8 err 'bad.obo:75: unknown synonym scope .SIMILAR. .* \(skipped\)'
run mesh-2.13 0 -d p.db load mesh dup.xml --replace --lenient
has mesh-2.14 out 'skipped +1 bad records'
# ------------------------------------------------------------ embed
run embed-1.1 0 embed --help
has embed-1.2 out '^usage: medkg embed'
run embed-1.3 2 embed --dim 0
has embed-1.4 err '--dim needs a whole number from 1 to 65536'
run embed-1.5 2 embed --norm l3
run embed-1.6 2 embed --min-count 3
has embed-1.7 err 'go with --entities mentioned'
run embed-1.8 2 embed --export x --dim 8
has embed-1.9 err 'trains nothing'
run embed-1.10 2 embed stray
# a store with no triples: clear error, nothing written
run embed-2.1 0 -d e0.db init
run embed-2.2 1 -d e0.db embed --epochs 1
has embed-2.3 err 'the store has no triples'
same embed-2.4 "$(sqlite3 e0.db 'SELECT count(*) FROM embedding_models')" 0
run embed-2.5 1 -d e0.db embed --export x
has embed-2.6 err 'no embedding models'
# the demo knowledge base: train with a holdout, neighbours, export, eval
if [ -f "$top/data/demo/MRCONSO.RRF" ]; then
	"$medkg" -d e.db load umls "$top/data/demo" >/dev/null 2>&1
	run embed-3.1 0 -d e.db embed --dim 32 --epochs 30 --holdout 0.1 --threads 1 --seed 3
	has embed-3.2 out '^model 1: TransE dim 32, L1, [0-9]+ entities, [0-9]+ relations'
	has embed-3.3 out '^hold +filtered +both +[0-9.]+ +0\.[0-9]+'
	same embed-3.4 "$(sqlite3 e.db "SELECT count(*) FROM embeddings WHERE model = 1 AND kind = 'e'")" \
		"$(sqlite3 e.db 'SELECT count(*) FROM (SELECT head FROM triples UNION SELECT tail FROM triples)')"
	same embed-3.5 "$(sqlite3 e.db "SELECT json_extract(entities, '\$.select') || ' ' || json_extract(params, '\$.holdout') FROM embedding_models")" 'all 0.1'
	run embed-3.6 0 -d e.db embed eval
	has embed-3.7 out '^model 1: [0-9]+ held-out triples'
	# the stored vectors reproduce the metrics recorded at training time
	same embed-3.8 "$(grep '^hold *filtered *both' out | awk '{print $5}')" \
		"$(sqlite3 e.db "SELECT printf('%.4f', json_extract(metrics, '\$.holdout.filtered.mrr')) FROM embedding_models WHERE id = 1")"
	run embed-3.9 0 -d e.db show pneumothorax --neighbors 3
	has embed-3.10 out '^nearest by embedding \(model 1'
	same embed-3.11 "$(grep -c '^  *[0-9.]*  C[0-9]' out)" 3 # neighbours
	run embed-3.12 2 -d e.db show pneumothorax --neighbors 0
	# same seed, one thread: the same vectors
	run embed-3.13 0 -d e.db embed --dim 32 --epochs 30 --holdout 0.1 --threads 1 --seed 3
	same embed-3.14 "$(sqlite3 e.db "SELECT count(*) FROM embeddings a JOIN embeddings b USING (kind, item) WHERE a.model = 1 AND b.model = 2 AND a.vector = b.vector")" \
		"$(sqlite3 e.db "SELECT count(*) FROM embeddings WHERE model = 1")"
	# export in ARL's layout, loaded by numpy
	run embed-4.1 0 -d e.db embed --export arl --model 1
	has embed-4.2 out '^exported model 1 to arl: [0-9]+ entities'
	n_ent=$(sqlite3 e.db "SELECT count(*) FROM embeddings WHERE model = 1 AND kind = 'e'")
	same embed-4.3 "$(head -n 1 arl/entity2id.txt)" "$n_ent"
	has embed-4.4 arl/entity2id.txt '^C[0-9]+	0	[^	]+$'
	has embed-4.5 arl/train2id.txt '^[0-9]+	[0-9]+	[0-9]+$'
	same embed-4.6 "$(head -n 1 arl/train2id.txt)" "$(($(wc -l <arl/train2id.txt) - 1))"
	if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
		/usr/bin/python3 - arl "$n_ent" >out 2>err <<'PY'
import sys, numpy
d, n = sys.argv[1], int(sys.argv[2])
e = numpy.load(d + "/ent_embeddings.npy")
r = numpy.load(d + "/rel_embeddings.npy")
nrel = int(open(d + "/relation2id.txt").readline())
assert e.dtype == numpy.float32 and e.shape == (n, 32), (e.dtype, e.shape)
assert r.dtype == numpy.float32 and r.shape == (nrel, 32), (r.dtype, r.shape)
assert numpy.isfinite(e).all() and abs(numpy.linalg.norm(e, axis=1) - 1).max() < 1e-4
print("numpy ok", e.shape, r.shape)
PY
		has embed-4.7 out '^numpy ok'
	else
		missing embed-4.7 "/usr/bin/python3 with numpy is missing (scripts/deps.sh installs python3-numpy)"
	fi
	# incremental: a new concept gets a vector, every other stays byte-identical
	sqlite3 e.db "INSERT INTO concepts(cui, name) VALUES ('CNEW0001', 'New finding');
		INSERT INTO triples(head, relation, tail, source) SELECT
		(SELECT id FROM concepts WHERE cui = 'CNEW0001'), relation, tail, source
		FROM triples ORDER BY head, relation, tail LIMIT 3;"
	run embed-5.1 0 -d e.db embed --incremental --model 1 --epochs 20
	has embed-5.2 out '^model 3: .*extends|^extends model 1'
	same embed-5.3 "$(sqlite3 e.db "SELECT count(*) FROM embeddings a JOIN embeddings b USING (kind, item) WHERE a.model = 1 AND b.model = 3 AND a.vector = b.vector")" \
		"$(sqlite3 e.db "SELECT count(*) FROM embeddings WHERE model = 1")"
	same embed-5.4 "$(sqlite3 e.db "SELECT count(*) FROM embeddings WHERE model = 3") $(sqlite3 e.db "SELECT parent FROM embedding_models WHERE id = 3")" \
		"$(($(sqlite3 e.db "SELECT count(*) FROM embeddings WHERE model = 1") + 1)) 1"
	run embed-5.5 0 -d e.db embed --incremental --epochs 5
	has embed-5.6 out 'nothing to train'
	# mentioned entities need mentions
	before=$(sqlite3 e.db 'SELECT count(*) FROM embedding_models')
	run embed-6.1 1 -d e.db embed --entities mentioned --min-count 20
	has embed-6.2 err 'the store has no mentions'
	# NaN in training: stop with a message, write nothing
	run embed-6.3 1 -d e.db embed --recipe fast --dim 8 --epochs 5 --lr 3e38 --entity-norm none
	has embed-6.4 err 'training diverged at epoch [0-9]+: the loss is (NaN|infinite)'
	same embed-6.5 "$(sqlite3 e.db 'SELECT count(*) FROM embedding_models')" "$before"
	run embed-6.6 1 -d e.db embed --dim 8 --epochs 5 --lr 3e38
	has embed-6.7 err 'training diverged at epoch [0-9]+: the loss is (NaN|infinite)'
	same embed-6.8 "$(sqlite3 e.db 'SELECT count(*) FROM embedding_models')" "$before"
fi
# OpenKE benchmarks: train, evaluate, save; bad files are refused
mkdir kg
printf '4\na\t0\nb\t1\nc\t2\nd\t3\n' >kg/entity2id.txt
printf '1\nr\t0\n' >kg/relation2id.txt
printf '3\n0 1 0\n1 2 0\n2 3 0\n' >kg/train2id.txt
printf '1\n0 2 0\n' >kg/test2id.txt
run embed-7.1 0 embed --openke kg --dim 8 --epochs 5 --threads 1 --save vec
has embed-7.2 out '^test +filtered +both'
has embed-7.3 out 'saved vec/ent_embeddings.npy \(4, 8\)'
run embed-7.4 0 embed eval --openke kg --vectors vec
has embed-7.5 out '^test +filtered +both'
same embed-7.6 "$(grep '^test *filtered *both' out)" "$(sh -c "\"$medkg\" embed --openke kg --dim 8 --epochs 5 --threads 1 2>/dev/null" | grep '^test *filtered *both')"
printf '4\n0 1 0\n1 2 0\n2 3 0\n' >kg/train2id.txt
run embed-7.7 1 embed --openke kg --epochs 1 --save vec2
has embed-7.8 err 'kg/train2id.txt:4: the count header says 4 triples, found 3'
same embed-7.9 "$(ls -d vec2 2>/dev/null)" '' # nothing written
printf '3\n0 1 0\n1 9 0\n2 3 0\n' >kg/train2id.txt
run embed-7.10 1 embed --openke kg --epochs 1
has embed-7.11 err 'kg/train2id.txt:3: entity id 9 out of range \(4 entities\)'
run embed-7.12 2 embed --openke kg --holdout 0.1
# the recipes: the fast recipe's settings go with it alone
printf '3\n0 1 0\n1 2 0\n2 3 0\n' >kg/train2id.txt
run embed-9.1 2 embed --openke kg --batch 4 --epochs 1
has embed-9.2 err '^medkg: error: --batch 4 \(batch = 4 in \[embed\]\) goes with the fast recipe \(--recipe fast\)'
run embed-9.3 0 embed --openke kg --recipe fast --batch 4 --entity-norm none --epochs 2 --threads 1
has embed-9.4 out '^test +filtered +both'
run embed-9.5 2 embed --openke kg --recipe sgd
has embed-9.6 err "recipe needs one of openke, fast, not 'sgd'|--recipe"
# the openke recipe's step against an independent computation of one OpenKE
# batch (tests/openke_ref.py, torch): the maximum differences and their
# tolerances are printed; margin 1 leaves some pairs inactive, so that the
# pairing of negatives with positives matters
if /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
	ref="$top/tests/openke_ref.py"
	i=0
	for c in "5 1 1 --E 500 --R 20 --D 64 --B 100 --K 25" "1 1 1 --E 500 --R 20 --D 64 --B 100 --K 25" \
		"1 2 0.5 --E 40 --R 5 --D 24 --B 12 --K 4"; do
		# shellcheck disable=SC2086
		set -- $c
		margin=$1 norm=$2 lr=$3
		shift 3
		i=$((i + 1))
		/usr/bin/python3 "$ref" make "ref$i" --margin "$margin" --p-norm "$norm" --lr "$lr" --seed "$i" "$@" >/dev/null
		/usr/bin/python3 - "ref$i" <<'PY'
import sys, numpy as np
d = sys.argv[1]
for n in ("pos", "neg"):
    np.savetxt(d + "/" + n + ".txt", np.load(d + "/" + n + ".npy"), fmt="%d")
PY
		run "embed-8.$i.1" 0 embed --dump-step "ref$i" --margin "$margin" --norm "l$norm" --lr "$lr"
		has "embed-8.$i.2" out '^one openke step on ref[0-9]+: .* loss [0-9.]+; wrote c_loss.txt'
		/usr/bin/python3 "$ref" compare "ref$i" >cmp 2>&1
		has "embed-8.$i.3" cmp '^  PASS$'
		echo "embed-8.$i: openke step vs tests/openke_ref.py (margin $margin, L$norm, lr $lr, $*):" \
			"$(sed -n 's/^  \(loss\|ent\|rel\): .*|\(diff\|c - ref\)| \([^ ]*\).*tol[^0-9]*\([0-9.e+-]*\).*  \([a-zA-Z]*\).*/\1 max|diff| \3 (tol \4) \5/p' cmp |
				paste -sd ';' - | sed 's/;/; /g')" >&2
	done
	# a negative that replaces more than a head or a tail is refused
	sed '1s/^\([0-9]*\) \([0-9]*\) \([0-9]*\)$/\1 \2 999/' ref3/neg.txt >ref3/n && mv ref3/n ref3/neg.txt
	run embed-8.4 1 embed --dump-step ref3
	has embed-8.5 err 'ref3/neg.txt:1: ids out of range'
elif [ "${CI:-}" = true ]; then
	missing embed-8.1 "/usr/bin/python3 has no torch or numpy (scripts/deps.sh installs python3-torch)"
else
	echo "skip embed-8: /usr/bin/python3 has no torch or numpy" >&2
fi
# ------------------------------------------------------------ extract
if [ -f "$top/data/demo/MRCONSO.RRF" ]; then
	run ext-1.1 0 -d x.db load umls "$top/data/demo"
	run ext-1.2 0 -d x.db extract "$top/data/demo/reports"
	has ext-1.3 out '^read 51 reports'
	has ext-1.4 out '51 added, 0 changed, 0 unchanged'
	has ext-1.5 out 'mentions +[0-9]+: [0-9]+ affirmed, [0-9]+ negated, [0-9]+ uncertain'
	has ext-1.6 out 'built and cached'
	run ext-1.7 0 -d x.db extract "$top/data/demo/reports"
	has ext-1.8 out '0 added, 0 changed, 51 unchanged'
	has ext-1.9 out "from the store's cache"
	run ext-1.10 0 -d x.db mentions CXR9001
	has ext-1.11 out '^CXR9001  \(source reports, 2 images'
	has ext-1.12 out 'No \[pneumothorax\]\([0-9]+\), \[pleural effusion\]\([0-9]+\)'
	has ext-1.13 out 'findings +4 +negated +C0032326 +Pneumothorax'
	run ext-1.14 1 -d x.db mentions NOSUCH
	has ext-1.15 err "no report 'NOSUCH'"
	run ext-1.16 0 -d x.db stats
	has ext-1.17 out '^mentions \([0-9,]+ in 5[01] reports\)'
	has ext-1.18 out '^  negated +[0-9]+'
	has ext-1.19 out 'C0032326 +Pneumothorax'
	# a predicative finding, a hedge
	run ext-1.20 0 -d x.db mentions CXR9022
	has ext-1.21 out 'The \[heart\]\([0-9]+\) is not \[enlarged\]\([0-9]+\)'
	has ext-1.22 out 'findings +5 +negated +C0018800 +Cardiomegaly'
	run ext-1.23 0 -d x.db mentions CXR9004
	has ext-1.24 out 'findings +7 +uncertain +possible +C0004144 +Atelectasis'
	# the CheXpert labels of the demo reports
	run labels-1.1 0 -d x.db labels x-labels.csv
	has labels-1.2 out '^labelled 51 reports into x-labels.csv \(40 of 40 table concepts'
	has labels-1.3 out '^  Pneumothorax +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$'
	has labels-1.4 x-labels.csv '^subject_id,study_id,Atelectasis,Cardiomegaly,Consolidation,Edema,Enlarged Cardiomediastinum,Fracture,Lung Lesion,Lung Opacity,No Finding,Pleural Effusion,Pleural Other,Pneumonia,Pneumothorax,Support Devices$'
	has labels-1.5 x-labels.csv '^,CXR9004,1\.0,,,,,,,1\.0,,,,,0\.0,1\.0$'
	same labels-1.6 "$(wc -l <x-labels.csv)" 52
	run labels-1.7 0 -d x.db labels --source reports -
	has labels-1.8 out '^,CXR9001,,,0\.0,,0\.0,,,0\.0,1\.0,0\.0,,,0\.0,$'
	has labels-1.9 err '^labelled 51 reports into -'
	run labels-1.10 0 -q -d x.db labels --source nosuch none.csv
	same labels-1.11 "$(cat none.csv)" 'subject_id,study_id,Atelectasis,Cardiomegaly,Consolidation,Edema,Enlarged Cardiomediastinum,Fracture,Lung Lesion,Lung Opacity,No Finding,Pleural Effusion,Pleural Other,Pneumonia,Pneumothorax,Support Devices'
	run labels-1.12 2 -d x.db labels
	has labels-1.13 err 'labels needs one OUT.csv'
	run labels-1.14 1 -d x.db labels /nonexistent/dir/l.csv
	has labels-1.15 err '/nonexistent/dir/l.csv: cannot create'
	run labels-1.16 1 -d nosuch.db labels l.csv
	# JSON Lines to stdout, nothing stored
	run ext-2.1 0 -d x.db extract --jsonl "$top/data/demo/reports2/CXR9101.xml"
	has ext-2.2 out '^\{"report_id":"CXR9101","source":"CXR9101.xml","section":"[a-z]+","sentence":[0-9]+,"start":[0-9]+,"end":[0-9]+,"text":"[^"]+","cui":"C[0-9]{7}","name":"[^"]+","polarity":"(affirmed|negated|uncertain)","historical":(true|false),"hedge":"(definite|probable|possible)","hypothetical":(true|false),"match":"[a-z+]+","candidates":[0-9]+,"decided":"[a-z]*","modifiers":"[^"]*","modifiers_start":([0-9]+|null)\}$'
	same ext-2.3 "$(sqlite3 x.db "SELECT count(*) FROM reports WHERE external_id = 'CXR9101'")" 0
	# CSV with chosen columns, zstd
	printf 'id,note,impression\nA1,"Small left effusion, no pneumothorax.",Possible pneumonia.\n' >r.csv
	zstd -q r.csv -o r.csv.zst
	run ext-3.1 0 -d x.db extract --text-col note --text-col impression --jsonl r.csv.zst
	has ext-3.2 out '"text":"pneumothorax".*"polarity":"negated"'
	has ext-3.3 out '"section":"impression".*"text":"pneumonia".*"polarity":"uncertain"'
	# shards and merge
	run ext-4.1 0 -d s1.db load umls "$top/data/demo"
	run ext-4.2 0 -d s2.db load umls "$top/data/demo"
	cp s1.db s1k.db
	run ext-4.3 0 -d s1.db extract --shard 1/2 "$top/data/demo/reports" "$top/data/demo/reports2"
	has ext-4.4 out 'shard +1/2: the reports that start in bytes 0 to [0-9]+ of [0-9]+ \(the inputs end to end\)'
	run ext-4.5 0 -d s2.db extract --shard 2/2 "$top/data/demo/reports" "$top/data/demo/reports2"
	run ext-4.6 0 merge all.db s1.db s2.db
	has ext-4.7 out '65 read: 65 added'
	has ext-4.16 out 'as is +2 of 2 shards'
	run ext-4.8 0 -d one.db load umls "$top/data/demo"
	run ext-4.9 0 -d one.db extract "$top/data/demo/reports" "$top/data/demo/reports2"
	q='SELECT r.id, r.external_id, r.hash, m.start, m.end, m.polarity, m.concept FROM reports r JOIN mentions m ON m.report = r.id ORDER BY m.id'
	same ext-4.10 "$(sqlite3 all.db "$q" | md5sum)" "$(sqlite3 one.db "$q" | md5sum)"
	run ext-4.11 0 -d rad.db load umls --sab MEDKGRAD "$top/data/demo"
	run ext-4.12 0 -d rad.db extract "$top/data/demo/reports2"
	run ext-4.13 1 merge all.db s1.db rad.db
	has ext-4.14 err 'rad.db: built over another knowledge base than s1.db.*refusing to merge'
	run ext-4.15 2 merge all.db
	# -d naming another store than the output: refused, nothing written
	# (it would have merged s2.db into s1.db)
	s1sum=$(md5sum <s1.db)
	run ext-4.50 2 -d other.db merge s1.db s2.db
	has ext-4.51 err 'merge writes into its first argument \(s1.db\), not into -d other.db'
	same ext-4.52 "$(md5sum <s1.db)" "$s1sum"
	same ext-4.53 "$(ls other.db 2>/dev/null)" ""
	# shards made fresh and merged in order go in as they are: the merged
	# store is the single run's, row for row, ids and all
	qr='SELECT id, source, external_id, hash, text, sections, split, mention_first, mention_count FROM reports ORDER BY id'
	qm='SELECT * FROM mentions ORDER BY id'
	same ext-4.17 "$(sqlite3 all.db "$qr" | md5sum)" "$(sqlite3 one.db "$qr" | md5sum)"
	same ext-4.18 "$(sqlite3 all.db "$qm" | md5sum)" "$(sqlite3 one.db "$qm" | md5sum)"
	same ext-4.19 "$(sqlite3 all.db 'PRAGMA integrity_check')" ok
	qi='SELECT id, report, path FROM images ORDER BY id'
	same ext-4.38 "$(sqlite3 all.db "$qi" | md5sum)" "$(sqlite3 one.db "$qi" | md5sum)"
	same ext-4.39 "$(sqlite3 all.db 'SELECT count(*) FROM images')" 120
	# in the other order the second shard's rows are renumbered: the same
	# reports and mentions, each report's mentions a range of its own
	run ext-4.20 0 merge rev.db s2.db s1.db
	has ext-4.21 out 'as is +1 of 2 shards'
	qc='SELECT r.external_id, r.hash, m.start, m.end, m.polarity, m.concept, m.id - r.mention_first FROM reports r JOIN mentions m ON m.report = r.id ORDER BY r.external_id, m.start, m.concept'
	same ext-4.22 "$(sqlite3 rev.db "$qc" | md5sum)" "$(sqlite3 one.db "$qc" | md5sum)"
	same ext-4.23 "$(sqlite3 rev.db "SELECT count(*) FROM reports r JOIN mentions m ON m.id >= r.mention_first AND m.id < r.mention_first + r.mention_count WHERE m.report <> r.id")" 0
	# a shard already linked carries rows that must move: the copy by plan
	cp s2.db s2l.db
	run ext-4.24 0 -d s2l.db link --image-list "$top/data/demo/images/images.csv"
	run ext-4.25 0 merge lnk.db s1.db s2l.db
	has ext-4.26 out 'as is +1 of 2 shards'
	same ext-4.27 "$(sqlite3 lnk.db "$qm" | md5sum)" "$(sqlite3 one.db "$qm" | md5sum)"
	same ext-4.28 "$(sqlite3 lnk.db "SELECT count(*) FROM mention_regions")" "$(sqlite3 s2l.db "SELECT count(*) FROM mention_regions")"
	# byte ranges of one CSV, a report id twice across the parts: the
	# shards drop the second as the single run does
	{
		echo 'id,findings,impression'
		i=1
		for t in 'Small left pleural effusion.' 'No pneumothorax.' 'Mild cardiomegaly. No effusion.' \
			'Right lower lobe opacity, possible pneumonia.' 'Heart size normal.' \
			'Stable cardiomegaly with small bilateral effusions.' 'No acute disease.'; do
			for j in 1 2 3 4 5; do
				echo "R$i,\"$t\",Finding $j."
				i=$((i + 1))
			done
		done
		echo 'R3,"Large pneumothorax.",Again.'
		echo 'R99,"Left effusion, no pneumothorax.",Last.'
	} >dup.csv
	for d in c1 c2 c0; do cp s1k.db $d.db; done
	run ext-4.29 0 -d c1.db extract --shard 1/2 dup.csv
	run ext-4.30 0 -d c2.db extract --shard 2/2 dup.csv
	has ext-4.31 out ' 1 repeated ids'
	run ext-4.32 0 -d c0.db extract dup.csv
	run ext-4.33 0 merge c.db c1.db c2.db
	has ext-4.34 out 'as is +2 of 2 shards'
	same ext-4.35 "$(sqlite3 c.db "$qr" | md5sum)" "$(sqlite3 c0.db "$qr" | md5sum)"
	same ext-4.36 "$(sqlite3 c.db "$qm" | md5sum)" "$(sqlite3 c0.db "$qm" | md5sum)"
	same ext-4.37 "$(sqlite3 c.db "SELECT count(*) FROM reports WHERE external_id = 'R3' AND text LIKE 'Small left pleural effusion.%'")" 1
	# a merge that would leave a part out is refused, nothing written; the
	# parts of a run may come in several commands, the earlier ones first
	for d in d1 d2 d3; do cp s1k.db $d.db; done
	for i in 1 2 3; do
		run ext-4.6$i 0 -d d$i.db extract --shard $i/3 "$top/data/demo/reports" "$top/data/demo/reports2"
	done
	same ext-4.64 "$(sqlite3 d2.db "SELECT value FROM meta WHERE key = 'shard.part'")" "2/3 98537 done"
	run ext-4.65 1 merge gap.db d1.db d3.db
	has ext-4.66 err 'd3.db: shard 3/3 of its inputs \(98537 bytes end to end\), but shard 2/3 is neither in gap.db nor among the stores merged'
	same ext-4.67 "$(ls gap.db* 2>/dev/null)" ""
	run ext-4.68 0 merge inc.db d1.db d2.db
	has ext-4.69 out 'parts +shards 1 to 2 of 3 of a --shard run \(3 not merged yet\)'
	same ext-4.70 "$(sqlite3 inc.db "SELECT group_concat(key || '=' || value) FROM meta WHERE key LIKE 'shard.%'")" "shard.merged=3 98537 2"
	run ext-4.71 1 merge inc2.db d3.db
	has ext-4.72 err 'd3.db: shard 3/3 .* shard 1/3 is neither in inc2.db'
	run ext-4.73 0 merge inc.db d3.db
	has ext-4.74 out 'parts +all 3 shards of a --shard run'
	same ext-4.75 "$(sqlite3 inc.db "$qm" | md5sum)" "$(sqlite3 one.db "$qm" | md5sum)"
	# a shard whose extraction failed half-way (a broken last file: its
	# first reports committed) is refused until it is run again
	mkdir -p part
	cp "$top"/data/demo/reports/CXR900[1-6].xml part/
	printf '<?xml version="1.0"?>\n<eCitation><uId id="CXR9007"/><Abstract>' >part/CXR9007.xml
	for d in p1 p2 p0; do cp s1k.db $d.db; done
	run ext-4.76 0 -d p1.db extract --shard 1/2 part
	run ext-4.77 1 -d p2.db extract --batch 1 --shard 2/2 part
	has ext-4.78 err 'part/CXR9007.xml:2: malformed XML'
	same ext-4.79 "$(sqlite3 p2.db "SELECT count(*) > 0 FROM reports"),$(sqlite3 p2.db "SELECT value FROM meta WHERE key = 'shard.part'")" "1,2/2 $(cat part/* | wc -c) started"
	run ext-4.80 1 merge pm.db p1.db p2.db
	has ext-4.81 err "p2.db: its extraction as shard 2/2 stopped before the end of its part \(killed, or it failed\): run 'medkg -d p2.db extract --shard 2/2' over the same inputs again"
	same ext-4.82 "$(ls pm.db* 2>/dev/null)" ""
	run ext-4.83 0 -d p2.db extract --lenient --shard 2/2 part
	run ext-4.84 0 merge pm.db p1.db p2.db
	run ext-4.85 0 -d p0.db extract --lenient part
	same ext-4.86 "$(sqlite3 pm.db "$qm" | md5sum)" "$(sqlite3 p0.db "$qm" | md5sum)"
	same ext-4.87 "$(sqlite3 pm.db 'SELECT count(*) FROM reports')" 6
	# a part run again over changed inputs: the parts no longer tile them
	cp "$top/data/demo/reports/CXR9007.xml" part/
	run ext-4.88 0 -d p2.db extract --shard 2/2 part
	run ext-4.89 1 merge pm2.db p1.db p2.db
	has ext-4.90 err "p2.db: shard 2/2 of inputs of $(cat part/* | wc -c) bytes, but p1.db holds shard 1/2 of [0-9]+ bytes: the inputs changed between the runs"
	# refused, an existing output is left as it was
	incsum=$(md5sum <inc.db)
	run ext-4.91 1 merge inc.db p2.db
	has ext-4.92 err 'p2.db: shard 2/2 .* shard 1/2 is neither in inc.db nor among the stores merged'
	same ext-4.93 "$(md5sum <inc.db)" "$incsum"
	cp d3.db d3x.db
	sqlite3 d3x.db "UPDATE meta SET value = '3/3 98537' WHERE key = 'shard.part'"
	run ext-4.94 1 merge inc.db d3x.db
	has ext-4.95 err "d3x.db: meta shard.part is '3/3 98537', not 'I/N BYTES done' or '... started'"
	# usage errors and failures
	run ext-5.1 2 -d x.db extract
	has ext-5.2 err 'extract needs at least one INPUT'
	run ext-5.3 2 -d x.db extract --shard 3/2 r.csv
	run ext-5.4 2 -d x.db extract --format docx r.csv
	run ext-5.5a 0 -d empty.db init
	run ext-5.5 1 -d empty.db extract r.csv
	has ext-5.6 err 'no knowledge base'
	printf '<eCitation><uId id="B1"/>\n<AbstractText Label="FINDINGS">x</eCitation>\n' >bad.xml
	run ext-5.7 1 -d x.db extract bad.xml
	has ext-5.8 err 'bad.xml:2: malformed XML'
	mkdir tree
	cp bad.xml tree/a.xml
	cp "$top/data/demo/reports/CXR9001.xml" tree/b.xml
	run ext-5.9 0 -d x.db extract --lenient tree
	has ext-5.10 err 'malformed XML.*file skipped'
	has ext-5.11 out '1 bad \(--lenient\)'
	printf 'uid,findings\n1,"never closed\n' >u.csv
	run ext-5.12 1 -d x.db extract u.csv
	has ext-5.13 err 'u.csv:2: unclosed quote in the record that starts at line 2'
	run ext-5.14 1 -d x.db extract --lexicon nothere.tsv r.csv
	has ext-5.15 err 'nothere.tsv'
fi
# ------------------------------------------------------------ link
run link-1.1 0 link --help
has link-1.2 out '^usage: medkg link'
run link-1.3 2 link extra
run link-1.4 2 link --grid 257
run link-1.5 2 link --image-size 288
has link-1.6 err 'go together'
run link-1.7 2 link --image-size 290 --patch-size 16
has link-1.8 err 'multiple of --patch-size'
run link-1.9 1 -d nostore.db link
has link-1.10 err 'no such store'
run link-2.1 0 -d ln.db load umls "$top/data/demo"
# a report and its mentions, written as extraction writes them
sqlite3 ln.db "INSERT INTO reports(id, source, external_id, hash, text, ingested) VALUES
  (1, 'demo', 'CXR9051', 'h', 'Left lower lobe opacity and right effusion. Mild cardiomegaly. No pneumothorax.', 'now');
INSERT INTO mentions(report, concept, section, sentence, start, end, surface, polarity)
  SELECT 1, id, 'findings', s, b, e, w, p FROM concepts JOIN (
    SELECT 'C9000096' AS c, 0 AS s, 16 AS b, 23 AS e, 'opacity' AS w, 'affirmed' AS p
    UNION ALL SELECT 'C0032227', 0, 34, 42, 'effusion', 'affirmed'
    UNION ALL SELECT 'C0018800', 1, 49, 61, 'cardiomegaly', 'affirmed'
    UNION ALL SELECT 'C0032326', 2, 66, 78, 'pneumothorax', 'negated') ON cui = c;
$ranges"
run link-2.2 0 -d ln.db link --image-list "$top/data/demo/images/images.csv" --images "$top/data/demo/images"
has link-2.3 out '^  images +120 listed, 2 new or changed, 118 for reports not in the store'
has link-2.4 out '^  headers +2 images sized'
has link-2.5 out '^  method +1 sentence, 1 kb, 2 lexicon, 0 default'
has link-2.6 out '^  patches +8 patch sets on 2 images \(18 x 18 grid\)'
same link-2.7 "$(sqlite3 ln.db "SELECT group_concat(region || ':' || method, ';') FROM (SELECT * FROM mention_regions ORDER BY mention, region)")" \
	'left lower lung zone:sentence;right costophrenic angle:lexicon;right lower lung zone:lexicon;right mid lung zone:lexicon;cardiac silhouette:kb;left mid lung zone:lexicon;left upper lung zone:lexicon;right mid lung zone:lexicon;right upper lung zone:lexicon'
# incremental: nothing more to do
run link-2.8 0 -d ln.db link
has link-2.9 out '^  regions +0 links'
has link-2.10 out '^  patches +0 patch sets'
# the picture and its legend
run link-3.1 0 -d ln.db link --draw CXR9051_IM-0051-1001 o.png
has link-3.2 out '^red +cardiac silhouette +atlas +Cardiomegaly \(kb\)'
has link-3.3 out 'no Pneumothorax \(lexicon\)'
same link-3.4 "$(od -An -c -N4 o.png | tr -d ' ')" '211PNG'
run link-3.5 1 -d ln.db link --draw nosuchimage o.png
has link-3.6 err "no image 'nosuchimage'"
run link-3.7 2 -d ln.db link --draw 1
run link-3.8 2 -d ln.db link --draw CXR9051_IM-0051-1001 o.png --grid 16
has link-3.9 err 'only draws'
# the lateral image: the lateral atlas's regions, named by the lexicon given
run link-3.10 0 -d ln.db link --draw CXR9051_IM-0051-2001 l.png --lexicon "$top/data/lexicon/anatomy.txt"
has link-3.11 out '^red +cardiac silhouette \(lateral view\) +atlas +Cardiomegaly \(kb\)'
has link-3.12 out '^[a-z]+ +posterior costophrenic sulcus \(lateral view\) +atlas +Pleural effusion \(lexicon\)'
printf 'anatomy | heart | cardiac silhouette\n' >nolateral.txt
run link-3.13 0 -d ln.db link --draw CXR9051_IM-0051-2001 l.png --lexicon nolateral.txt
has link-3.14 out '^red +cardiac silhouette +whole +Cardiomegaly \(kb\)'
# bad boxes: the file and line, exit 1, store unchanged
before=$(sqlite3 ln.db 'SELECT count(*) FROM regions; SELECT count(*) FROM mention_patches; SELECT count(*) FROM ingest_log' | tr '\n' ' ')
printf 'image_id,region,x1,y1,x2,y2\nCXR9051_IM-0051-1001,left lung,0,0,300,10\n' >boxes.csv
run link-4.1 1 -d ln.db link --boxes boxes.csv
has link-4.2 err 'boxes.csv:2: box \(0,0\)-\(300,10\) outside the image \(256 x 256\)'
printf 'CXR9051_IM-0051-1001,right lungs,0,0,30,10\n' >boxes.csv
run link-4.3 1 -d ln.db link --boxes boxes.csv
has link-4.4 err "boxes.csv:1: unknown region 'right lungs'"
after=$(sqlite3 ln.db 'SELECT count(*) FROM regions; SELECT count(*) FROM mention_patches; SELECT count(*) FROM ingest_log' | tr '\n' ' ')
same link-4.5 "$before" "$after"
printf 'CXR9051_IM-0051-1001,cardiac silhouette,90,110,190,200\n' >boxes.csv
run link-4.6 0 -d ln.db link --boxes boxes.csv
has link-4.7 out '^  boxes +1 read for 1 images, 1 images with new boxes'
has link-4.8 out '^  patches +4 patch sets'
run link-4.9 1 -d ln.db link --grid 16
has link-4.10 err 'use --regrid'
run link-4.11 0 -d ln.db link --image-size 224 --patch-size 16 --regrid
has link-4.12 out '^  patches +8 patch sets on 2 images \(14 x 14 grid\)'

# ------------------------------------------------------------ link, extracted demo reports
run link-5.1 0 -d e2e.db load umls "$top/data/demo"
run link-5.2 0 -d e2e.db extract "$top/data/demo/reports" "$top/data/demo/reports2"
run link-5.3 0 -d e2e.db link --image-list "$top/data/demo/images/images.csv" --images "$top/data/demo/images"
has link-5.4 out '^  images +120 listed, 120 new or changed, 0 for reports not in the store'
has link-5.5 out '^  headers +120 images sized'
# mention_links REPORT SURFACE: the regions and methods of the report's first such mention
mention_links() {
	sqlite3 e2e.db "SELECT group_concat(region || ':' || method, ';') FROM (SELECT r.region,
	  r.method FROM mention_regions r WHERE r.mention = (SELECT m.id FROM mentions m JOIN reports p
	  ON p.id = m.report WHERE p.external_id = '$1' AND m.surface = '$2' ORDER BY m.start LIMIT 1)
	  ORDER BY r.region)"
}
same link-5.6 "$(mention_links CXR9051 opacity)" 'left lower lung zone:sentence'
same link-5.7 "$(mention_links CXR9051 cardiomegaly)" 'cardiac silhouette:kb'
same link-5.8 "$(mention_links CXR9051 pneumothorax)" 'left mid lung zone:lexicon;left upper lung zone:lexicon;right mid lung zone:lexicon;right upper lung zone:lexicon'
same link-5.9 "$(mention_links CXR9004 'bibasilar atelectasis')" 'left lower lung zone:sentence;right lower lung zone:sentence'
same link-5.10 "$(mention_links CXR9004 'Retrocardiac opacity')" 'left lower lung zone:sentence'
same link-5.11 "$(mention_links CXR9005 'right apical pneumothorax')" 'right apical zone:sentence'
# negated findings keep their polarity
same link-5.12 "$(sqlite3 e2e.db "SELECT m.polarity FROM mentions m JOIN reports p ON p.id = m.report WHERE p.external_id = 'CXR9051' AND m.surface = 'pneumothorax'")" negated
# PA view: the frontal atlas; lateral: the lateral one, all-ones only for the whole image
same link-5.13 "$(sqlite3 e2e.db "SELECT group_concat(DISTINCT geometry) FROM mention_patches p JOIN images i ON i.id = p.image WHERE i.view = 'LATERAL'")" atlas
same link-5.14 "$(sqlite3 e2e.db "SELECT group_concat(DISTINCT geometry) FROM mention_patches p JOIN images i ON i.id = p.image WHERE i.view = 'PA'")" atlas
same link-5.14b "$(sqlite3 e2e.db "SELECT count(*) FROM mention_patches p JOIN images i ON i.id = p.image WHERE i.view = 'LATERAL' AND n_patches = 324 AND p.mention NOT IN (SELECT mention FROM mention_regions WHERE region = 'whole image')")" 0
same link-5.14c "$(sqlite3 e2e.db "SELECT count(*) FROM mention_patches p JOIN images i ON i.id = p.image WHERE i.view = 'LATERAL' AND n_patches < 324")" \
	"$(sqlite3 e2e.db "SELECT count(*) FROM mention_patches p JOIN images i ON i.id = p.image WHERE i.view = 'LATERAL' AND p.mention NOT IN (SELECT mention FROM mention_regions WHERE region = 'whole image')")"
same link-5.14d "$(sqlite3 e2e.db "SELECT count(*) FROM regions WHERE image IS NULL AND name LIKE '% (lateral view)'")" 12
# nothing to add, after extraction finds nothing new either
run link-5.15 0 -d e2e.db extract "$top/data/demo/reports"
run link-5.16 0 -d e2e.db link
has link-5.17 out '^  regions +0 links'
has link-5.18 out '^  patches +0 patch sets'
run link-5.19 0 -d e2e.db link --draw CXR9051_IM-0051-1001 e2e.png
has link-5.20 out 'left lower lung zone +atlas +Opacity \(sentence\)'

# ------------------------------------------------------------ pipeline
for c in build ingest report; do
	run "pipe-1.$c" 0 "$c" --help
	has "pipe-1.$c.out" out "^usage: medkg $c"
done
run pipe-2.1 2 build
has pipe-2.2 err 'build needs one CONFIG file'
run pipe-2.3 2 ingest "$top/data/demo/medkg.conf"
has pipe-2.4 err 'ingest needs CONFIG and at least one NEW_INPUT'
run pipe-2.5 2 report
# a bad configuration: file and line, and nothing runs
printf '[knowledge]\numls = %s/data/demo\n[embed]\ndim = 0\n' "$top" >bad.conf
run pipe-3.1 1 -d bad.db build bad.conf
has pipe-3.2 err '^medkg: error: bad.conf:4: .dim. needs a whole number from 1 to 65536'
same pipe-3.3 "$(ls bad.db 2>/dev/null)" ""
printf '[knowledge]\numls = %s/data/demo\n[reports]\ninput = %s/data/demo/reports\ncolour = blue\n' "$top" "$top" >bad.conf
run pipe-3.4 1 -d bad.db build --dry-run bad.conf
has pipe-3.5 err "bad.conf:5: unknown key 'colour' in \[reports\]"
# the demo: plan, build, nothing left to do, ingest, report
sed "s|^dir = .*||; s|^# dir = demo-export .*|dir = $PWD/pipe-export|" "$top/data/demo/medkg.conf" >pipe.conf
sed -i "s|^umls = \.|umls = $top/data/demo|; s|^input = reports|input = $top/data/demo/reports|; s|^images = images|images = $top/data/demo/images|; s|^images_dir = images|images_dir = $top/data/demo/images|" pipe.conf
run pipe-4.1 0 -d pipe.db build --dry-run pipe.conf
has pipe-4.2 out '^  load +run +new store'
has pipe-4.3 out '^  export +run +new store'
run pipe-4.4 0 -d pipe.db build pipe.conf
has pipe-4.5 out '^extract +ran in .* \(never completed\)'
has pipe-4.6 out '^  51 reports read: 51 added'
has pipe-4.7 out '^built pipe.db in .*: 5 of 5 stages ran'
same pipe-4.8 "$(head -n 1 pipe-export/knowledge/entity2id.txt)" "$(sqlite3 pipe.db "SELECT count(*) FROM embeddings WHERE model = 1 AND kind = 'e'")"
run pipe-4.9 0 -d pipe.db build --dry-run pipe.conf
has pipe-4.10 out '^  embed +skip +done: unchanged since'
run pipe-4.11 0 -d pipe.db build pipe.conf
has pipe-4.12 out '0 of 5 stages ran'
sed -i 's/^epochs = 300/epochs = 200/' pipe.conf
run pipe-4.13 0 -d pipe.db build --dry-run pipe.conf
has pipe-4.14 out '^  extract +skip'
has pipe-4.15 out '^  embed +run +changed: epochs 200 \(was 300\)$'
has pipe-4.16 out '^  export +run +after embed'
run pipe-4.17 0 -d pipe.db build pipe.conf
run pipe-5.1 0 -d pipe.db ingest pipe.conf "$top/data/demo/reports2"
has pipe-5.2 out '^  reports   14 added, 0 changed, 0 unchanged'
has pipe-5.3 out '^  entities  [1-9][0-9]* new \(model 3 extends model 2\)'
has pipe-5.4 out 'export    .*pipe-export: [1-9][0-9]* files rewritten'
run pipe-5.5 0 -d pipe.db ingest pipe.conf "$top/data/demo/reports2"
has pipe-5.6 out '^  reports   0 added, 0 changed, 14 unchanged'
has pipe-5.7 out '^  entities  0 new'
# a new report of known entities: its samples are appended, and the lines
# are those an update writing every sample gives
mkdir -p pipe-new
sed 's/CXR9001/CXR9901/g; s/"9001"/"9901"/g' "$top/data/demo/reports/CXR9001.xml" >pipe-new/CXR9901.xml
run pipe-5.12 0 -d pipe.db ingest pipe.conf pipe-new
has pipe-5.13 out '^  2 samples appended to the export.s$'
has pipe-5.14 out '^  entities  0 new'
rm -rf pipe-re.db pipe-export-re
cp pipe.db pipe-re.db
cp -r pipe-export pipe-export-re
sqlite3 pipe-re.db "INSERT INTO meta(key, value) VALUES ('store.rewrites', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1"
run pipe-5.15 0 -d pipe-re.db train export --update pipe-export-re
has pipe-5.16 out '^  samples    every one written again: reports it holds changed since'
same pipe-5.17 "$(cd pipe-export && cat annotations/*.jsonl plans/* | md5sum)" "$(cd pipe-export-re && cat annotations/*.jsonl plans/* | md5sum)"
# the report changed: every sample again
sed -i 's/The lungs are clear\./The lungs are clear bilaterally./' pipe-new/CXR9901.xml
run pipe-5.18 0 -d pipe.db ingest pipe.conf pipe-new
has pipe-5.19 out '^  reports   0 added, 1 changed'
has pipe-5.20 out '^  every sample written again: reports it holds changed since'
run pipe-5.21 0 -d pipe.db train export --update pipe-export
has pipe-5.22 out '^  samples    0 appended'
# another grid in the configuration: the build computes every patch set again
cp pipe.db pipe-grid.db
sed "s|^grid = 18|grid = 14|; s|^dir = .*|dir = $PWD/pipe-grid-export|" pipe.conf >pipe-grid.conf
run pipe-5.23 0 -d pipe-grid.db build pipe-grid.conf
has pipe-5.24 out '^link +ran in .* \(changed: grid 14 \(was 18\)\)'
has pipe-5.24.1 out 'patches: [0-9]+ patch sets on [0-9]+ images \(14 x 14 grid\), after a change of grid'
same pipe-5.25 "$(sqlite3 pipe-grid.db 'SELECT group_concat(DISTINCT grid) FROM mention_patches')" 14
run pipe-5.8 1 -d pipe.db ingest pipe.conf nowhere.xml
has pipe-5.9 err 'nowhere.xml: No such file or directory'
run pipe-5.10 1 -d fresh.db ingest pipe.conf "$top/data/demo/reports2"
has pipe-5.11 err 'fresh.db: no such store'
run pipe-6.1 0 -d pipe.db report pipe.html
has pipe-6.2 out '^wrote pipe.html: 6 charts'
same pipe-6.3 "$(xmllint --html --xpath 'count(//svg[@id="chart-concepts"]/g[@class="bar"])' pipe.html 2>/dev/null)" 30
same pipe-6.4 "$(xmllint --html --xpath 'string(//svg[@id="chart-concepts"]/g[1]/@data-value)' pipe.html 2>/dev/null)" \
	"$(sqlite3 pipe.db 'SELECT count(*) AS n FROM mentions GROUP BY concept ORDER BY n DESC LIMIT 1')"
run pipe-6.5 1 -d nowhere.db report pipe.html

# ------------------------------------------------------------ NCBI disease benchmark
# bench/ncbi_disease.sh on the first 20 abstracts of the shared corpus (cut
# at test time), with the Disease Ontology
ncbi=${MEDKG_SHARED:-$top/../shared/data}/concepts/ncbi_disease_train.txt
doid=${MEDKG_SHARED:-$top/../shared/data}/kb/doid_2016-06-10.obo
ncbi_eval=$(dirname "$medkg")/bench/ncbi_eval
[ -x "$ncbi_eval" ] || ncbi_eval=$top/build/bench/ncbi_eval
if [ -f "$ncbi" ] && [ -f "$doid" ] && [ -x "$ncbi_eval" ]; then
	note ncbi-1.1 "bench/ncbi_disease.sh on 20 abstracts"
	if NCBI_DOCS=20 NCBI_OUT="$PWD/ncbi" MEDKG="$medkg" NCBI_EVAL="$ncbi_eval" NCBI_CORPUS="$ncbi" \
		NCBI_OBO="$doid" sh "$top/bench/ncbi_disease.sh" >out 2>err; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL ncbi-1.1: bench/ncbi_disease.sh failed" >&2
		sed 's/^/    /' err >&2
	fi
	has ncbi-1.2 out '^20 documents \(0 repeated, kept once\), [0-9]+ gold mentions'
	has ncbi-1.3 out '^mentions, exact span and id +P 0\.[0-9]{3}  R 0\.[0-9]{3}  F1 0\.[0-9]{3}'
	has ncbi-1.4 out '^documents, concepts and ids +P'
	# the excerpt scores what the whole corpus does, roughly (0.65)
	f1=$(sed -n 's/^mentions, exact span with modifiers and id .*F1 \([0-9.]*\).*/\1/p' out)
	same ncbi-1.5 "$(awk -v f="${f1:-0}" 'BEGIN { print (f >= 0.55) ? "ok" : "F1 " f }')" ok
	# text[start:end] is each mention's surface, in the corpus's offsets
	same ncbi-1.6 "$(sqlite3 ncbi/ncbi.db "SELECT count(*) FROM mentions m JOIN reports r ON
		r.id = m.report WHERE substr(r.text, m.start + 1, m.end - m.start) <> m.surface")" 0
	same ncbi-1.7 "$(sqlite3 ncbi/ncbi.db "SELECT count(*) > 0 FROM mentions WHERE match =
		'abbreviation'")" 1
elif [ "${CI:-}" = true ]; then
	missing ncbi-1.1 "shared data $ncbi or $doid, or $ncbi_eval, is missing (CI=true)"
else
	echo "skip ncbi-1: shared data not found" >&2
fi
# ------------------------------------------------------------ two processes, one store
# two builds of a fresh store at once: one creates it, the other waits and
# finds every stage done; the store is whole
sed "s|^dir = .*|dir = $PWD/conc-export|" pipe.conf >conc.conf
"$medkg" -d conc.db build conc.conf >conc-a.out 2>conc-a.err &
pid_a=$!
"$medkg" -d conc.db build conc.conf >conc-b.out 2>conc-b.err
rc_b=$?
wait $pid_a
rc_a=$?
same conc-1.1 "$rc_a $rc_b" "0 0"
same conc-1.2 "$(sqlite3 conc.db 'PRAGMA integrity_check')" ok
same conc-1.3 "$(sqlite3 conc.db 'SELECT count(*) FROM stage_runs')" 5
cat conc-a.out conc-b.out >conc.out
has conc-1.4 conc.out '5 of 5 stages ran'
has conc-1.5 conc.out '0 of 5 stages ran'
same conc-1.6 "$(sqlite3 conc.db 'SELECT count(*) FROM reports')" 51
# two extractions of one input at once, while a third process holds the
# write lock: both wait (and say so), then each report is stored once
cp k.db conc2.db
"$medkg" -q -d conc2.db load umls "$top/data/demo" --replace >/dev/null 2>&1
"$medkg" -q -d conc2.db extract "$top/data/demo/reports2" >/dev/null 2>&1
(echo 'BEGIN IMMEDIATE;'; sleep 2; echo 'COMMIT;') | sqlite3 conc2.db &
pid_l=$!
sleep 0.5
"$medkg" -d conc2.db extract --batch 3 "$top/data/demo/reports" >conc-a.out 2>conc-a.err &
pid_a=$!
"$medkg" -d conc2.db extract --batch 3 "$top/data/demo/reports" >conc-b.out 2>conc-b.err
rc_b=$?
wait $pid_a
rc_a=$?
wait $pid_l
same conc-2.1 "$rc_a $rc_b" "0 0"
has conc-2.2 conc-a.err 'conc2.db: another process is writing to the store: waiting for it'
has conc-2.3 conc-b.err 'conc2.db: another process is writing to the store: waiting for it'
same conc-2.4 "$(grep -c waiting conc-a.err) $(grep -c waiting conc-b.err)" "1 1"
same conc-2.5 "$(sqlite3 conc2.db 'PRAGMA integrity_check')" ok
same conc-2.6 "$(sqlite3 conc2.db 'SELECT count(*) FROM reports')" 65
same conc-2.7 "$(sqlite3 conc2.db 'SELECT count(*) FROM mentions')" \
	"$(sqlite3 pipe.db "SELECT count(*) FROM mentions m JOIN reports r ON r.id = m.report WHERE r.external_id <> 'CXR9901'")"
added=$(sed -n 's/^  reports *\([0-9]*\) added, 0 changed, \([0-9]*\) unchanged$/\1 \2/p' conc-a.out conc-b.out)
same conc-2.8 "$(echo "$added" | awk '{a += $1; u += $2} END {print a, u}')" "51 51"
# a writer that cannot wait long enough gives up with the store unchanged
(echo 'BEGIN IMMEDIATE;'; sleep 2; echo 'COMMIT;') | sqlite3 conc2.db &
pid_l=$!
sleep 0.5
MEDKG_WAIT=1 "$medkg" -d conc2.db extract "$top/data/demo/reports2" >conc-a.out 2>conc-a.err
same conc-3.1 $? 1
has conc-3.2 conc-a.err 'conc2.db: database is locked'
wait $pid_l
same conc-3.3 "$(sqlite3 conc2.db 'SELECT count(*) FROM reports')" 65

# ------------------------------------------------------------ hostile input
# a report tree whose links loop: each report is read once, each loop said once
mkdir -p loop/p10/p1
cp "$top/data/demo/reports/CXR9001.xml" loop/p10/p1/
cp "$top/data/demo/reports/CXR9002.xml" loop/p10/
ln -s . loop/s1; ln -s . loop/s2; ln -s . loop/s3; ln -s .. loop/up
ln -s ../.. loop/p10/p1/top; ln -s p10/p1 loop/q
cp k.db loop.db
"$medkg" -q -d loop.db load umls "$top/data/demo" --replace >/dev/null 2>&1
run walk-1.1 0 -d loop.db extract loop
has walk-1.2 out '^  reports    2 added'
has walk-1.3 err 'loop/s1: links back to loop \(a loop\): not followed'
has walk-1.4 err 'loop/up: links back to .* \(a loop\): not followed'
has walk-1.5 err 'loop/q: links to loop/p10/p1, walked already: not walked twice'
same walk-1.6 "$(grep -c 'loop/s' err)" 3
sed "s|^input = .*|input = $PWD/loop|; s|^dir = .*|dir = $PWD/loop-export|" pipe.conf >loop.conf
run walk-1.7 0 -d loop2.db build --dry-run loop.conf

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
