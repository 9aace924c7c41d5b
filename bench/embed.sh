#!/bin/sh
# Embedding benchmarks (TransE) on the OpenKE benchmarks in ../shared/data/kg.
# Every figure is a median of BENCH_RUNS runs (default 3), the runs of the
# settings compared interleaved; the machine is shared, so timings are noisy.
# Seconds per epoch are read from each run itself (training time less
# evaluation, over the epochs), so they do not include loading.
#   1. throughput: positive-negative pairs per second and seconds per epoch
#      of both recipes at dim 200 / 25 negatives (ARL's OpenKE recipe) and
#      dim 100 / 1 negative (the Fast-TransX reference's setting; the fast
#      recipe both with --batch 1, each positive its own negative as in the
#      reference, and with its default --batch 8), 1 and 2 threads
#   2. the OpenKE recipe on FB15K237 for 10 epochs (dim 200, as OpenKE's
#      example, and the defaults, dim 256), and the fast recipe at the same
#      settings: test metrics, seconds per epoch, wall time
#      BENCH_OPENKE_DIR=DIR (an OpenKE-PyTorch checkout with Base.so built):
#      OpenKE's own seconds per epoch, interleaved with the openke recipe's
#      (bench/openke_epochs.py; 2 runs of 2 epochs, about 3 minutes each)
#   3. time to quality on FB15K237: wall time of the whole run (load, train,
#      filtered test evaluation) of the fast recipe's tuned settings
#   4. filtered evaluation of the FB15K237 test split (saved vectors)
#   5. FB15K237 and WN18RR with the fast recipe's tuned settings: test
#      metrics and wall time (BENCH_EMBED_QUALITY=0 skips them)
#   6. BENCH_EMBED_FULL=1: 1,000 epochs on FB15K237 at OpenKE's settings
#      (dim 200, 25 negatives, bern, margin 5, lr 1), the openke recipe (with
#      valid every 100 epochs) and the fast recipe, once each (about 20 and
#      6 minutes on 2 quiet cores)
#   7. BENCH_EMBED_LARGE=1: a synthetic 4M-entity, 30M-triple graph at dim
#      256, fast recipe, 2 epochs: wall time and peak RSS (needs ~6 GiB and
#      ~1 GiB disk; the openke recipe adds a gradient table as large as the
#      vectors)
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

# OpenKE's TransE example on FB15K237 (examples/train_transe_FB15K237.py):
# what the openke recipe's defaults are, at OpenKE's dim 200
OPENKE="--dim 200 --norm l1 --margin 5 --neg 25 --corrupt bern --lr 1 --nbatches 100"
# OpenKE-PyTorch's own time per epoch of that example on this machine (CPU,
# 2 threads), for the ratios
OPENKE_EPOCH_S=${OPENKE_EPOCH_S:-83}
# The fast recipe's settings chosen on the valid splits (bench/RESULTS.md says how).
FAST="--recipe fast --dim 200 --optimizer adagrad --loss sans --margin 9 --adv-temp 1 --neg 64 --lr 0.1 --entity-norm none --reciprocal"
FB_EPOCHS=${FB_EPOCHS:-15}
FB_BEST_EPOCHS=${FB_BEST_EPOCHS:-50}
WN_RECIPE="--recipe fast --dim 200 --optimizer adagrad --loss sans --margin 6 --adv-temp 2 --neg 64 --lr 0.1 --entity-norm none --reciprocal"
WN_EPOCHS=${WN_EPOCHS:-200}

# field N of the "training ..." line: per_epoch, pairs
per_epoch() { sed -n 's/^training .*, \([0-9.]*\) s per epoch, .*/\1/p' "$1"; }
pairs() { sed -n 's/^training .*, \([0-9.]*\)M pairs\/s$/\1/p' "$1"; }
metric() { awk -v s="$2" -v f="$3" '$1 == s && $2 == "filtered" && $3 == "both" { print $f }' "$1"; }

echo "== throughput, FB15K237, $runs interleaved runs each: M pairs/s (s per epoch)"
# label|options
set -- \
	"openke recipe, dim 200, 25 negatives|--dim 200 --neg 25 --epochs 3" \
	"fast recipe (batch 8), dim 200, 25 negatives|--recipe fast --dim 200 --neg 25 --epochs 5" \
	"openke recipe, dim 100, 1 negative|--dim 100 --neg 1 --margin 1 --corrupt unif --epochs 20" \
	"fast recipe --batch 1, dim 100, 1 negative|--recipe fast --batch 1 --dim 100 --neg 1 --margin 1 --corrupt unif --epochs 40" \
	"fast recipe (batch 8), dim 100, 1 negative|--recipe fast --dim 100 --neg 1 --margin 1 --corrupt unif --epochs 40"
for t in 1 2; do
	i=0
	for cfg in "$@"; do
		i=$((i + 1))
		eval "rates_$i= epochs_$i="
	done
	for r in $(seq "$runs"); do
		i=0
		for cfg in "$@"; do
			i=$((i + 1))
			# shellcheck disable=SC2086
			"$medkg" -q embed --openke "$FB" ${cfg#*|} --threads "$t" --eval none >"$out/tp.out"
			eval "rates_$i=\"\$rates_$i $(pairs "$out/tp.out")\""
			eval "epochs_$i=\"\$epochs_$i $(per_epoch "$out/tp.out")\""
		done
	done
	i=0
	for cfg in "$@"; do
		i=$((i + 1))
		eval "r=\$rates_$i e=\$epochs_$i"
		# shellcheck disable=SC2086,SC2154
		echo "${cfg%%|*}, $t threads: median $(median $r)M pairs/s, $(median $e) s per epoch (runs:$r)"
	done
done

echo
echo "== 10 epochs on FB15K237, test evaluated once, $runs interleaved runs each"
echo "   (OpenKE: filtered Hits@10 0.415, MRR 0.241 after 10 epochs at $OPENKE_EPOCH_S s per epoch)"
set -- \
	"openke recipe, OpenKE's settings (dim 200)|$OPENKE" \
	"openke recipe, the defaults (dim 256)|" \
	"fast recipe, OpenKE's settings|--recipe fast $OPENKE"
i=0
for cfg in "$@"; do
	i=$((i + 1))
	eval "walls_$i= epochs_$i= h10_$i= mrr_$i="
done
for r in $(seq "$runs"); do
	i=0
	for cfg in "$@"; do
		i=$((i + 1))
		rm -f "$out/time.log"
		# shellcheck disable=SC2086
		timed "$out/time.log" "$medkg" -q embed --openke "$FB" ${cfg#*|} --epochs 10 --eval test \
			>"$out/fb10.out"
		eval "walls_$i=\"\$walls_$i $(wall "$out/time.log")\""
		eval "epochs_$i=\"\$epochs_$i $(per_epoch "$out/fb10.out")\""
		eval "h10_$i=\"\$h10_$i $(metric "$out/fb10.out" test 8)\""
		eval "mrr_$i=\"\$mrr_$i $(metric "$out/fb10.out" test 5)\""
	done
done
i=0
for cfg in "$@"; do
	i=$((i + 1))
	eval "w=\$walls_$i e=\$epochs_$i h=\$h10_$i m=\$mrr_$i"
	# shellcheck disable=SC2086,SC2154
	ep=$(median $e)
	# shellcheck disable=SC2086,SC2154
	echo "${cfg%%|*}: test filtered Hits@10 median $(median $h) (runs:$h), MRR $(median $m) (runs:$m);" \
		"$ep s per epoch (runs:$e), $(awk -v a="$OPENKE_EPOCH_S" -v b="$ep" 'BEGIN { printf "%.0f", a / b }')x OpenKE's;" \
		"wall $(median $w) s (runs:$w)"
done

if [ -n "${BENCH_OPENKE_DIR:-}" ]; then
	# OpenKE itself, interleaved with the openke recipe on the same machine at
	# the same moment: the ratio of seconds per epoch at matched settings
	echo
	echo "== OpenKE-PyTorch ($BENCH_OPENKE_DIR) against the openke recipe, FB15K237, OpenKE's settings, interleaved"
	ratios= oks= mks=
	for r in $(seq "${BENCH_OPENKE_RUNS:-2}"); do
		/usr/bin/python3 bench/openke_epochs.py "$BENCH_OPENKE_DIR" "$FB" 2 >"$out/openke.out"
		sed 's/^/    /' "$out/openke.out"
		ok=$(awk '/^epoch/ { s += $(NF - 1); n++ } END { printf "%.2f", s / n }' "$out/openke.out")
		# shellcheck disable=SC2086
		"$medkg" -q embed --openke "$FB" $OPENKE --epochs 10 --eval none >"$out/mk.out"
		mk=$(per_epoch "$out/mk.out")
		oks="$oks $ok" mks="$mks $mk"
		ratios="$ratios $(awk -v a="$ok" -v b="$mk" 'BEGIN { printf "%.0f", a / b }')"
	done
	# shellcheck disable=SC2086
	echo "OpenKE median $(median $oks) s per epoch (runs:$oks), the openke recipe $(median $mks) (runs:$mks):" \
		"median $(median $ratios)x (runs:$ratios)"
fi

echo
echo "== time to quality, FB15K237: $FB_EPOCHS epochs of the fast recipe's tuned settings, test evaluated once"
walls= h10s=
for i in $(seq "$runs"); do
	rm -f "$out/time.log"
	# shellcheck disable=SC2086
	timed "$out/time.log" "$medkg" -q embed --openke "$FB" $FAST --epochs "$FB_EPOCHS" --eval test \
		--save "$out/fb-vectors" >"$out/fb.out"
	walls="$walls $(wall "$out/time.log")"
	h10s="$h10s $(metric "$out/fb.out" test 8)"
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
echo "== quality, FB15K237: $FB_BEST_EPOCHS epochs of the fast recipe's tuned settings"
rm -f "$out/time.log"
# shellcheck disable=SC2086
timed "$out/time.log" "$medkg" -q embed --openke "$FB" $FAST --epochs "$FB_BEST_EPOCHS" >"$out/fb-best.out"
cat "$out/fb-best.out"
echo "wall $(wall "$out/time.log") s"

if [ -f "$WN/train2id.txt" ]; then
	echo
	echo "== quality, WN18RR: $WN_EPOCHS epochs"
	rm -f "$out/time.log"
	# shellcheck disable=SC2086
	timed "$out/time.log" "$medkg" -q embed --openke "$WN" $WN_RECIPE --epochs "$WN_EPOCHS" >"$out/wn.out"
	cat "$out/wn.out"
	echo "wall $(wall "$out/time.log") s"
fi
fi

if [ "${BENCH_EMBED_FULL:-0}" = 1 ]; then
	for recipe in openke fast; do
		echo
		echo "== 1,000 epochs on FB15K237, $recipe recipe at OpenKE's settings ($OPENKE)"
		every=
		[ "$recipe" = openke ] && every="--eval-every 100"
		rm -f "$out/time.log"
		# shellcheck disable=SC2086
		timed "$out/time.log" "$medkg" -q embed --openke "$FB" --recipe "$recipe" $OPENKE --epochs 1000 \
			$every >"$out/fb-$recipe-1000.out"
		cat "$out/fb-$recipe-1000.out"
		ep=$(per_epoch "$out/fb-$recipe-1000.out")
		echo "wall $(wall "$out/time.log") s, peak RSS $(rss_mib "$out/time.log") MiB;" \
			"$ep s per epoch: $(awk -v a="$OPENKE_EPOCH_S" -v b="$ep" 'BEGIN { printf "%.0f", a / b }')x OpenKE's" \
			"$OPENKE_EPOCH_S s (OpenKE reports test filtered Hits@10 0.476)"
	done
fi

if [ "${BENCH_EMBED_LARGE:-0}" = 1 ]; then
	echo
	echo "== synthetic 4M entities, 30M triples, dim 256, fast recipe (defaults otherwise), 2 epochs"
	make -s bench-tools
	big=$out/kg-4m
	if [ ! -f "$big/.complete" ]; then
		mkdir -p "$big"
		build/bench/gen_kg 4000000 500 30000000 "$big"
		touch "$big/.complete"
	fi
	rm -f "$out/time.log"
	timed "$out/time.log" "$medkg" -q embed --openke "$big" --recipe fast --dim 256 --epochs 2 --eval none >"$out/big.out"
	cat "$out/big.out"
	echo "wall $(wall "$out/time.log") s, peak RSS $(rss_mib "$out/time.log") MiB" \
		"(entity vectors alone: $((4000000 * 256 * 4 / 1048576)) MiB)"
fi
