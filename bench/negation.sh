#!/bin/sh
# Negation quality on the NegEx test set (negex_rsAnnotations.tsv, 2,376
# sentences, the condition given): odd rows were used to tune the lexicon,
# even rows are held out. Prints precision, recall, F1 and accuracy of the
# "negated" class for both halves.
set -eu
cd "$(dirname "$0")/.."
make -s bench-tools
build/bench/negation_eval "${MEDKG_SHARED:-../shared/data}/negation/negex_rsAnnotations.tsv"
