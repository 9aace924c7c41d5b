#!/bin/sh
# Reliability of the pipeline under kill -9: 'medkg build' and 'medkg ingest'
# are killed at random moments, run again until they complete, and the store
# and the export must then be identical to those of an uninterrupted run:
# a checksum of every table (all columns but the ones that hold times:
# reports.ingested, dictionaries.created, embedding_models.created and the
# seconds inside its JSON; ingest_log is left out, and stage_runs is compared
# as its distinct (command, stage, key, inputs, config) rows), a hash of
# every exported file, and the export's manifest without what describes the
# run (times, store path and state, ids kept by the last update).
#
# Inputs: the demo knowledge base and reports, plus a few hundred reports
# generated here (CSV), extracted in small batches so that kills land inside
# extraction too. Prints one line per trial and "N passed, N failed".
#   tests/pipeline_kill.sh MEDKG [TRIALS [KILLS [NEED]]]
# Each of TRIALS (8) trials kills the build, then the ingest, up to KILLS (3)
# times each (a run that completes before its kill ends the series); at
# least NEED (20) kills must land while a command runs (more trials, up to
# 3 x TRIALS, are run until they have).
medkg=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
trials=${2:-8}
kills=${3:-3}
need=${4:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
pass=0
fail=0

# ------------------------------------------------------------ inputs
# gen N SEED FIRST_ID: N reports of 3 to 6 sentences from the demo's
# vocabulary, as CSV (uid,findings,impression), the same for the same seed.
gen() {
	awk -v n="$1" -v seed="$2" -v first="$3" 'BEGIN {
		split("There is a small right pleural effusion.|No pneumothorax.|" \
		      "The heart size is enlarged.|Mild cardiomegaly.|" \
		      "Left lower lobe atelectasis.|No focal consolidation.|" \
		      "There is pulmonary edema.|Possible pneumonia in the right lower lobe.|" \
		      "The lungs are clear.|No acute bone abnormality.|" \
		      "Calcified granuloma in the left upper lobe.|Bilateral pleural effusions.|" \
		      "Degenerative changes of the thoracic spine.|No pleural effusion.|" \
		      "Stable mediastinal contours.|History of pneumothorax.|" \
		      "Interstitial opacities at the bases.|Emphysema.|" \
		      "A nodule in the right upper lobe.|Old rib fracture on the left.", s, "|")
		x = seed
		print "uid,findings,impression"
		for (i = 0; i < n; i++) {
			f = ""
			x = (x * 1103515245 + 12345) % 2147483648
			k = 3 + x % 4
			for (j = 0; j < k; j++) {
				x = (x * 1103515245 + 12345) % 2147483648
				f = f (j ? " " : "") s[1 + x % 20]
			}
			x = (x * 1103515245 + 12345) % 2147483648
			printf "G%d,\"%s\",\"%s\"\n", first + i, f, s[1 + x % 20]
		}
	}'
}
mkdir -p in1 in2
gen 240 7 1 >in1/generated1.csv
gen 120 11 1001 >in2/generated2.csv
cat >medkg.conf <<EOF
[knowledge]
umls = $top/data/demo
[reports]
input = $top/data/demo/reports, in1/generated1.csv
batch = 16
[link]
images = $top/data/demo/images/images.csv
images_dir = $top/data/demo/images
[embed]
dim = 32
epochs = 200
threads = 1
entities = mentioned
min_count = 3
holdout = 0.1
[export]
dir = export
EOF

# ------------------------------------------------------------ checksums
# every table's rows (time columns left out), then every exported file
checksum() {
	db=$1
	for t in $(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'table' AND
			name NOT IN ('ingest_log', 'stage_runs') ORDER BY name"); do
		cols=$(sqlite3 "$db" "SELECT group_concat(CASE
			WHEN '$t' = 'embedding_models' AND name = 'params'
				THEN 'json_remove(params, ''\$.train_seconds'')'
			WHEN '$t' = 'embedding_models' AND name = 'metrics'
				THEN 'json_remove(metrics, ''\$.holdout.seconds'')'
			ELSE quote(name) END, ', ')
			FROM pragma_table_info('$t') WHERE NOT (
			('$t' = 'reports' AND name = 'ingested') OR
			('$t' = 'dictionaries' AND name = 'created') OR
			('$t' = 'embedding_models' AND name = 'created'))")
		echo "== $t"
		sqlite3 "$db" "SELECT $cols FROM \"$t\" ORDER BY $cols"
	done
	echo "== stage_runs"
	sqlite3 "$db" "SELECT DISTINCT command, stage, key, inputs, config FROM stage_runs
		ORDER BY command, stage, key"
	echo "== export"
	(cd export && find . -type f ! -name manifest.json | LC_ALL=C sort | xargs sha256sum)
	# the manifest, but for what describes the run rather than the export:
	# times, the store's path and state and its last log row (which count
	# ingest_log rows: interrupted runs add some), and how many entities the
	# last update took from the export before it (a killed ingest may have
	# updated twice)
	echo "== manifest"
	grep -v '"created"\|"state"\|"path"\|"entities_kept_from_previous"\|"log"\|"log_hash"' export/manifest.json
}

# run_killed SECONDS ARGS...: start medkg, kill -9 it after a random delay
# below SECONDS; prints 1 if it was killed while running, else 0
run_killed() {
	limit=$1
	shift
	delay=$(awk -v l="$limit" -v r="$(od -An -N4 -tu4 /dev/urandom)" \
		'BEGIN { printf "%.3f", l * (r % 10000) / 10000 }')
	"$medkg" "$@" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	if kill -9 "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null
		echo 1
	else
		wait "$pid" 2>/dev/null
		echo 0
	fi
}

now() { date +%s.%N; }

# ------------------------------------------------------------ reference
rm -rf export
t0=$(now)
"$medkg" -q -d ref.db build medkg.conf >/dev/null || { echo "FAIL kill-0: reference build"; exit 1; }
t1=$(now)
"$medkg" -q -d ref.db ingest medkg.conf "$top/data/demo/reports2" in2/generated2.csv >/dev/null ||
	{ echo "FAIL kill-0: reference ingest"; exit 1; }
t2=$(now)
checksum ref.db >ref.sum
build_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) * 1.1 }')
ingest_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN { print (b - a) * 1.1 }')
tables=$(grep -c '^== ' ref.sum)
echo "reference: build $(awk -v s="$build_s" 'BEGIN { printf "%.2f", s / 1.1 }') s, ingest" \
     "$(awk -v s="$ingest_s" 'BEGIN { printf "%.2f", s / 1.1 }') s, $tables checksummed parts"

# ------------------------------------------------------------ trials
landed=0
trial=0
# TRIALS trials, and more (up to 3 x TRIALS) until NEED kills have landed:
# a kill at a random moment misses a command that ends before it
while [ "$trial" -lt "$trials" ] || { [ "$landed" -lt "$need" ] && [ "$trial" -lt $((3 * trials)) ]; }; do
	trial=$((trial + 1))
	rm -rf export store.db store.db-wal store.db-shm
	hit=0
	# kill until a run completes on its own (then nothing is left to kill)
	for k in $(seq 1 "$kills"); do
		h=$(run_killed "$build_s" -q -d store.db build medkg.conf)
		hit=$((hit + h))
		[ "$h" -eq 1 ] || break
	done
	"$medkg" -q -d store.db build medkg.conf >/dev/null 2>build.err
	brc=$?
	for k in $(seq 1 "$kills"); do
		h=$(run_killed "$ingest_s" -q -d store.db ingest medkg.conf \
			"$top/data/demo/reports2" in2/generated2.csv)
		hit=$((hit + h))
		[ "$h" -eq 1 ] || break
	done
	"$medkg" -q -d store.db ingest medkg.conf "$top/data/demo/reports2" in2/generated2.csv \
		>/dev/null 2>ingest.err
	irc=$?
	landed=$((landed + hit))
	checksum store.db >store.sum
	if [ "$brc" -eq 0 ] && [ "$irc" -eq 0 ] && cmp -s ref.sum store.sum; then
		pass=$((pass + 1))
		echo "kill-$trial: $hit kills landed while running; store and export identical"
	else
		fail=$((fail + 1))
		echo "FAIL kill-$trial: build $brc, ingest $irc; $hit kills landed" >&2
		cat build.err ingest.err >&2
		diff ref.sum store.sum | head -20 >&2
	fi
done
# the kills must have hit running commands, or the test tests nothing
if [ "$landed" -ge "$need" ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL kill-landed: only $landed kills landed while a command ran" >&2
fi
echo "$landed kills landed in $trial trials"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
