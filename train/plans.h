/*
 * plans — the knowledge-induced pretext-task plans of one sample, as pure
 * functions: which words masked language modelling masks, and which image
 * patches masked image modelling masks.
 *
 * Masked language modelling (words are the project tokenizer's tokens,
 * common/normalize.h, as character spans of the caption): a budget of
 * ratio x words (15%, at least one) is filled with whole units. A unit is
 * an entity mention (every word its span touches; overlapping mentions form
 * one unit) or a single word outside every mention. MLM_ENTITY_FIRST (medkg's
 * default) takes entity units first, in random order, each only if it fits
 * the remaining budget, then single words at random. MLM_RANDOM (ARL's
 * whole-entity masking) draws among all units alike. The trainer maps the
 * spans to its own tokens and applies its replacement rule (BERT's 80/10/10).
 *
 * Masked image modelling: round(ratio x patches) patches of a grid x grid
 * image (75%): the patches of the regions of the sample's affirmed findings
 * first (a random subset when they alone exceed the budget), then random
 * other patches.
 *
 * Does not: tokenize for the trainer, read the store, or format output.
 */
#ifndef MEDKG_TRAIN_PLANS_H
#define MEDKG_TRAIN_PLANS_H

#include <stddef.h>
#include <stdint.h>
#include "../common/rng.h"

/* [start, end) in characters (Unicode code points) of a caption. */
struct span {
	int32_t start, end;
};

enum mlm_mode { MLM_ENTITY_FIRST, MLM_RANDOM };

/* The words of text[0..len) (UTF-8) as character spans, in order.
 * @return the count; *words is malloc'd (caller frees; NULL when 0). */
size_t text_words(const char *text, size_t len, struct span **words);

/* Byte offset -> character offset for text[0..len): map[b] for every byte
 * b <= len (continuation bytes map to their character's start).
 * @return map (len + 1 entries, malloc'd). */
int32_t *char_offsets(const char *text, size_t len);

/* The masking budget for n_words words: round(ratio * n), at least 1 when
 * n > 0. */
size_t mlm_budget(size_t n_words, double ratio);

/*
 * Plan masked language modelling. words (sorted, disjoint) and ents (any
 * order; those touching no word are ignored) are character spans. out
 * receives at most n_words spans, one per masked unit, sorted by start;
 * *n_masked the words they cover (<= budget). @return the span count.
 */
size_t mlm_plan(const struct span *words, size_t n_words, const struct span *ents, size_t n_ents,
		int mode, double ratio, struct rng *r, struct span *out, size_t *n_masked);

/* The number of patches masked out of n: round(ratio * n). */
size_t mim_budget(size_t n_patches, double ratio);

/*
 * Plan masked image modelling over n_patches patches. prio[0..n_prio) are the
 * priority patches (any order, repeats allowed, each < n_patches). out (room
 * for n_patches) receives mim_budget() distinct patch indices, ascending.
 * @return that count; *n_from_prio of them are priority patches.
 */
size_t mim_plan(size_t n_patches, const int32_t *prio, size_t n_prio, double ratio, struct rng *r,
		int32_t *out, size_t *n_from_prio);

#endif
