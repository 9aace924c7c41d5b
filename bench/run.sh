#!/bin/sh
# make bench: every benchmark, with the figures printed for bench/RESULTS.md.
set -eu
cd "$(dirname "$0")/.."
echo "== UMLS load (BENCH_SCALE=${BENCH_SCALE:-0.1}, BENCH_RUNS=${BENCH_RUNS:-3})"
sh bench/umls_load.sh
echo "== MeSH load (BENCH_MESH_DESCRIPTORS=${BENCH_MESH_DESCRIPTORS:-30000}, BENCH_RUNS=${BENCH_RUNS:-3})"
sh bench/mesh_load.sh
echo
echo "== TransE embeddings (BENCH_RUNS=${BENCH_RUNS:-3}; BENCH_EMBED_FULL=1, BENCH_EMBED_LARGE=1 for the long ones)"
sh bench/embed.sh
echo
echo "== negation on the NegEx test set"
sh bench/negation.sh
echo
echo "== CheXpert labels of the IU reports against tests/fixtures/iu_chexpert"
sh bench/chexpert_iu.sh
echo
echo "== concept recognition on the NCBI disease corpus (Disease Ontology)"
sh bench/ncbi_disease.sh
echo
echo "== extraction (BENCH_REPORTS=${BENCH_REPORTS:-200000}, BENCH_RUNS=${BENCH_RUNS:-3}, BENCH_FULL=${BENCH_FULL:-0})"
sh bench/extract.sh
echo
echo "== ingest: 100 new reports into the 200,000-report store (BENCH_RUNS=${BENCH_RUNS:-3})"
sh bench/ingest.sh
echo
echo "== kill -9 during ingestion (BENCH_KILL_REPORTS=${BENCH_KILL_REPORTS:-100000})"
sh bench/kill9.sh
echo
echo "== link (BENCH_REPORTS=${BENCH_REPORTS:-200000}, BENCH_IMAGES=${BENCH_IMAGES:-20000}, BENCH_RUNS=${BENCH_RUNS:-3})"
sh bench/link.sh
echo
echo "== pointing game on the NIH ChestX-ray14 development boxes"
sh bench/pointing.sh
echo
echo "== link, IU X-ray reports (BENCH_COPIES=${BENCH_COPIES:-52}, BENCH_RUNS=${BENCH_RUNS:-3})"
sh bench/link_iu.sh
echo
echo "== train export (BENCH_TRAIN_REPORTS=${BENCH_TRAIN_REPORTS:-200000}, BENCH_RUNS=${BENCH_RUNS:-3})"
sh bench/train_export.sh
