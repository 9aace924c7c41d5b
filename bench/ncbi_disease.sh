#!/bin/sh
# Concept recognition on the NCBI disease corpus (training set, PubTator
# format) with the Human Disease Ontology: the ontology is loaded with
# 'medkg load obo', every abstract (title and abstract as one text, joined
# by a space, so that the corpus's offsets apply) is extracted whole, and
# each mention's concept is mapped to MeSH and OMIM through the ontology's
# xrefs (table xrefs). build/bench/ncbi_eval prints mention-level precision,
# recall and F1 (exact span and id; overlapping span and id; each with the
# concept's span and with the span widened to the modifiers recorded on the
# mention) and document-level F1.
#   NCBI_CORPUS  the corpus (default ../shared/data/concepts/ncbi_disease_train.txt)
#   NCBI_OBO     the ontology (default ../shared/data/kb/doid_2016-06-10.obo)
#   NCBI_DOCS    only the first N documents (an excerpt; default all)
#   NCBI_ERRORS  write the errors (FN/FP rows, with modifiers) to this file
#   MEDKG        the medkg binary (default ./medkg)
#   NCBI_EVAL    the scorer (default build/bench/ncbi_eval, built when missing)
#   NCBI_OUT     the working directory (default bench/out/ncbi)
set -eu
here=$(pwd)
# a path given relative to where the script was started from
given() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$here/$1" ;;
	esac
}
cd "$(dirname "$0")/.."
shared=${MEDKG_SHARED:-../shared/data}
corpus=$shared/concepts/ncbi_disease_train.txt
[ -z "${NCBI_CORPUS:-}" ] || corpus=$(given "$NCBI_CORPUS")
obo=$shared/kb/doid_2016-06-10.obo
[ -z "${NCBI_OBO:-}" ] || obo=$(given "$NCBI_OBO")
medkg=./medkg
[ -z "${MEDKG:-}" ] || medkg=$(given "$MEDKG")
out=bench/out/ncbi
[ -z "${NCBI_OUT:-}" ] || out=$(given "$NCBI_OUT")
eval_=build/bench/ncbi_eval
[ -z "${NCBI_EVAL:-}" ] || eval_=$(given "$NCBI_EVAL")
[ -x "$eval_" ] || make -s "$eval_"
mkdir -p "$out"
docs=
[ -z "${NCBI_DOCS:-}" ] || docs="--docs $NCBI_DOCS"
# shellcheck disable=SC2086
"$eval_" --jsonl $docs "$corpus" >"$out/docs.jsonl"
db=$out/ncbi.db
rm -f "$db" "$db-wal" "$db-shm"
"$medkg" -q -d "$db" load obo "$obo" >/dev/null
start=$(date +%s.%N)
"$medkg" -d "$db" extract --format jsonl --text-col findings --source ncbi "$out/docs.jsonl" \
	>"$out/extract.log"
end=$(date +%s.%N)
sed -n 's/^  mentions/mentions/p; s/^  dictionary/dictionary/p' "$out/extract.log"
# (a store of a medkg before modifiers were recorded has no such column)
mstart=m.start
[ "$(sqlite3 "$db" "SELECT count(*) FROM pragma_table_info('mentions')
	WHERE name = 'modifiers_start'")" = 0 ] || mstart='coalesce(m.modifiers_start, m.start)'
sqlite3 -separator '	' "$db" "SELECT r.external_id, m.start, m.end, $mstart, c.cui,
	(SELECT group_concat(x.target, ' ') FROM xrefs x WHERE x.concept = m.concept AND
	 (x.target LIKE 'MESH:%' OR x.target LIKE 'OMIM:%'))
	FROM mentions m JOIN reports r ON r.id = m.report JOIN concepts c ON c.id = m.concept
	ORDER BY m.report, m.start" >"$out/pred.tsv"
errs=
[ -z "${NCBI_ERRORS:-}" ] || errs="--errors $(given "$NCBI_ERRORS")"
# shellcheck disable=SC2086
"$eval_" $docs $errs "$corpus" "$out/pred.tsv"
awk -v a="$start" -v b="$end" 'BEGIN { printf "extraction: %.2f s wall\n", b - a }'
