#!/bin/sh
# Command-line tests: run the real medkg binary on fixtures and check exit
# status, stdout and stderr. Prints one line per failure and the closing line
# "N passed, N failed".
#   tests/cli.sh MEDKG_BINARY
medkg=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
pass=0
fail=0

# run ID EXPECTED_STATUS ARGS... : run medkg, keep its output in out/err.
run() {
	id=$1 want=$2
	shift 2
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
	if [ "$2" = "$3" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: '$2' != '$3'" >&2
	fi
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
for c in init load stats show extract merge mentions; do
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
	# JSON Lines to stdout, nothing stored
	run ext-2.1 0 -d x.db extract --jsonl "$top/data/demo/reports2/CXR9101.xml"
	has ext-2.2 out '^\{"report_id":"CXR9101","source":"CXR9101.xml","section":"[a-z]+","sentence":[0-9]+,"start":[0-9]+,"end":[0-9]+,"text":"[^"]+","cui":"C[0-9]{7}","name":"[^"]+","polarity":"(affirmed|negated|uncertain)","historical":(true|false)\}$'
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
	run ext-4.3 0 -d s1.db extract --shard 1/2 "$top/data/demo/reports" "$top/data/demo/reports2"
	has ext-4.4 out 'shard +1/2: 32 reports left to other shards'
	run ext-4.5 0 -d s2.db extract --shard 2/2 "$top/data/demo/reports" "$top/data/demo/reports2"
	run ext-4.6 0 merge all.db s1.db s2.db
	has ext-4.7 out '65 read: 65 added'
	run ext-4.8 0 -d one.db load umls "$top/data/demo"
	run ext-4.9 0 -d one.db extract "$top/data/demo/reports" "$top/data/demo/reports2"
	q='SELECT r.id, r.external_id, r.hash, m.start, m.end, m.polarity, m.concept FROM reports r JOIN mentions m ON m.report = r.id ORDER BY m.id'
	same ext-4.10 "$(sqlite3 all.db "$q" | md5sum)" "$(sqlite3 one.db "$q" | md5sum)"
	run ext-4.11 0 -d rad.db load umls --sab MEDKGRAD "$top/data/demo"
	run ext-4.12 0 -d rad.db extract "$top/data/demo/reports2"
	run ext-4.13 1 merge all.db s1.db rad.db
	has ext-4.14 err 'rad.db: built over another knowledge base than s1.db.*refusing to merge'
	run ext-4.15 2 merge all.db
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

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
