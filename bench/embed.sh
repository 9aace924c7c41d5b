#!/bin/sh
# Embedding benchmarks (TransE) on the OpenKE benchmarks in ../shared/data/kg.
# Every figure is a median of BENCH_RUNS runs (default 3); the machine is
# shared, so timings are noisy.
#   1. throughput: positive-negative pairs per second, dim 200 / 25 negatives
#      (ARL's OpenKE recipe) and dim 100 / 1 negative (the Fast-TransX
#      reference's setting), 1 and 2 threads
#   2. time to quality on FB15K237: wall time of the whole run (load, train,
#      filtered test evaluation) of the fast recipe, with its test metrics
#   3. filtered evaluation of the FB15K237 test split (saved vectors)
#   4. FB15K237 and WN18RR with their quality recipes: test metrics and wall
#      time (BENCH_EMBED_QUALITY=0 skips them)
#   5. BENCH_EMBED_FULL=1: the full OpenKE recipe on FB15K237 (dim 200,
#      25 negatives, 1,000 epochs), once
#   6. BENCH_EMBED_LARGE=1: a synthetic 4M-entity, 30M-triple graph at dim
#      256, 2 epochs: wall time and peak RSS (needs ~6 GiB and ~1 GiB disk)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
runs=${BENCH_RUNS:-3}
medkg=${MEDKG:-./medkg}
kg=${MEDKG_SHARED:-../shared/data}/kg
FB=$kg/FB15K237
WN=$kg/WN18RR
out=bench/out
mkdir -p "$out"
if [ ! -f "$FB/train2id.txt" ]; then
	echo "embed: $FB not found, skipped"
	exit 0
fi

# The recipes chosen on the valid splits (bench/RESULTS.md says how).
FAST="--dim 200 --optimizer adagrad --loss sans --margin 9 --adv-temp 1 --neg 64 --lr 0.1 --entity-norm none --reciprocal"
FB_EPOCHS=${FB_EPOCHS:-15}
FB_BEST_EPOCHS=${FB_BEST_EPOCHS:-50}
WN_RECIPE="--dim 200 --optimizer adagrad --loss sans --margin 6 --adv-temp 2 --neg 64 --lr 0.1 --entity-norm none --reciprocal"
WN_EPOCHS=${WN_EPOCHS:-200}

echo "== throughput (pairs/s), FB15K237, $runs runs each"
for cfg in "200 25 5" "100 1 40"; do
	set -- $cfg
	for t in 1 2; do
		rates=
		for i in $(seq "$runs"); do
			r=$("$medkg" -q embed --openke "$FB" --dim "$1" --neg "$2" --epochs "$3" --threads "$t" \
				--eval none | sed -n "s/.*, \\([0-9.]*\\)M pairs\\/s\$/\\1/p")
			rates="$rates $r"
		done
		# shellcheck disable=SC2086
		echo "dim $1, $2 negatives, $t threads: median $(median $rates)M pairs/s (runs:$rates)"
	done
done

echo
echo "== time to quality, FB15K237: $FB_EPOCHS epochs of the fast recipe, test evaluated once"
walls= h10s=
for i in $(seq "$runs"); do
	rm -f "$out/time.log"
	timed "$out/time.log" "$medkg" -q embed --openke "$FB" $FAST --epochs "$FB_EPOCHS" --eval test \
		--save "$out/fb-vectors" >"$out/fb.out"
	walls="$walls $(wall "$out/time.log")"
	h10s="$h10s $(awk '/^test +filtered +both/ { print $8 }' "$out/fb.out")"
	grep -E '^test +(filtered|raw) +both' "$out/fb.out" | sed 's/^/    /'
done
# shellcheck disable=SC2086
echo "median wall $(median $walls) s (runs:$walls); test filtered Hits@10:$h10s"

echo
echo "== filtered evaluation of the FB15K237 test split (20,466 triples), 2 threads"
secs=
for i in $(seq "$runs"); do
	s=$("$medkg" -q embed eval --openke "$FB" --vectors "$out/fb-vectors" --reciprocal --eval test |
		sed -n 's/^(test evaluation \([0-9.]*\) s)/\1/p')
	secs="$secs $s"
done
# shellcheck disable=SC2086
echo "median $(median $secs) s (runs:$secs)"

if [ "${BENCH_EMBED_QUALITY:-1}" = 1 ]; then
echo
echo "== quality, FB15K237: $FB_BEST_EPOCHS epochs of the fast recipe"
rm -f "$out/time.log"
timed "$out/time.log" "$medkg" -q embed --openke "$FB" $FAST --epochs "$FB_BEST_EPOCHS" >"$out/fb-best.out"
cat "$out/fb-best.out"
echo "wall $(wall "$out/time.log") s"

if [ -f "$WN/train2id.txt" ]; then
	echo
	echo "== quality, WN18RR: $WN_EPOCHS epochs"
	rm -f "$out/time.log"
	timed "$out/time.log" "$medkg" -q embed --openke "$WN" $WN_RECIPE --epochs "$WN_EPOCHS" >"$out/wn.out"
	cat "$out/wn.out"
	echo "wall $(wall "$out/time.log") s"
fi
fi

if [ "${BENCH_EMBED_FULL:-0}" = 1 ]; then
	echo
	echo "== the full OpenKE recipe on FB15K237 (dim 200, L1, margin 5, 25 negatives, bern, SGD lr 1.0, 1,000 epochs)"
	rm -f "$out/time.log"
	timed "$out/time.log" "$medkg" -q embed --openke "$FB" --dim 200 --epochs 1000 >"$out/fb-openke.out"
	cat "$out/fb-openke.out"
	echo "wall $(wall "$out/time.log") s, peak RSS $(rss_mib "$out/time.log") MiB"
fi

if [ "${BENCH_EMBED_LARGE:-0}" = 1 ]; then
	echo
	echo "== synthetic 4M entities, 30M triples, dim 256 (defaults otherwise), 2 epochs"
	make -s bench-tools
	big=$out/kg-4m
	if [ ! -f "$big/.complete" ]; then
		mkdir -p "$big"
		build/bench/gen_kg 4000000 500 30000000 "$big"
		touch "$big/.complete"
	fi
	rm -f "$out/time.log"
	timed "$out/time.log" "$medkg" -q embed --openke "$big" --dim 256 --epochs 2 --eval none >"$out/big.out"
	cat "$out/big.out"
	echo "wall $(wall "$out/time.log") s, peak RSS $(rss_mib "$out/time.log") MiB" \
		"(entity vectors alone: $((4000000 * 256 * 4 / 1048576)) MiB)"
fi
