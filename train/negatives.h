/*
 * negatives — hard negatives for image-text matching: for every sample, the
 * K other samples whose affirmed-entity sets differ most from its own, by
 * Jaccard similarity J(A, B) = |A n B| / |A u B| (lowest first; two empty
 * sets count as identical, J = 1).
 *
 * Every pair need not be scored. The lowest possible value is J = 0, which
 * any sample sharing no entity reaches, so for most samples it is enough to
 * find K disjoint ones: draw candidates at random and test each against the
 * sample's entities (a stamp array over entity ids, O(|B|) per test) until K
 * are found or the draw budget (tries) is spent. An entity in more than half
 * of the samples ("frequent": the lungs and the heart of chest reports) keeps,
 * in the inverted index (entity -> samples), the list of the samples
 * *without* it, so that no list is longer than n / 2; a sample with frequent
 * entities, which few samples are disjoint from, then draws a second time
 * among the samples without its most frequent entity, where every disjoint
 * sample lies. A "dense" sample, one that still finds fewer than K, is
 * ranked exactly through the index: a sample
 * j shares f + d_j entities with sample i, where f counts i's frequent
 * entities and d_j is +1 per rare list of i's entities that holds j and -1
 * per complement list that does. Every sample on none of those lists shares
 * exactly f, so its J = f / (|A| + |B| - f) falls as |B| grows: those are
 * offered largest first, and only until none can enter the bounded heap of
 * the K lowest.
 *
 * Cost, with n samples, s entities per sample on average, p_i the fraction
 * of samples disjoint from sample i, and D the dense samples:
 *   index O(n s + n x frequent entities); sampling O(K / p_i x s) expected
 *   per sample (p_i within the samples without its most frequent entity on
 *   the second draw), at most O(tries x s); a dense sample
 *   O(sum over its entities of min(|P_e|, n - |P_e|) + K log K) plus the
 *   samples skipped while offering the untouched ones.
 *   Total O(n x tries x s + D x L), L the dense samples' list lengths (at
 *   most n s / 2 each): near linear while dense samples are few or their
 *   entities are either rare or nearly universal; quadratic only when many
 *   samples overlap most others through entities of middling frequency.
 * The result is exact: the J values returned for a sample are the K lowest
 * among all samples outside its group. Ties (many samples at J = 0) are
 * broken by the sample's own random stream, so the result is deterministic
 * under the seed and independent of the thread count.
 *
 * Does not: read the store or know what a sample is beyond its entity set.
 */
#ifndef MEDKG_TRAIN_NEGATIVES_H
#define MEDKG_TRAIN_NEGATIVES_H

#include <stddef.h>
#include <stdint.h>

struct neg_input {
	size_t n;               /* samples */
	const size_t *off;      /* (n + 1) sample i's entities are ents[off[i] .. off[i+1]) */
	const int32_t *ents;    /* sorted, unique, each in [0, n_ent) */
	int32_t n_ent;
	const uint64_t *keys;   /* (n) per-sample key (a hash of its id): seeds its draws */
	const uint32_t *group;  /* (n) or NULL: samples of one group (the images of one
	                           report share its text) are never each other's negatives */
};

struct neg_stats {
	size_t sampled;         /* samples answered by random draws (K disjoint found) */
	size_t dense;           /* samples ranked through the inverted index */
	size_t short_rows;      /* samples with fewer than K samples outside their group */
	double seconds;
};

/* Jaccard similarity of two sorted unique id lists (1 for two empty ones). */
double jaccard(const int32_t *a, size_t na, const int32_t *b, size_t nb);

/*
 * Mine k negatives per sample into out (n x k sample indexes, row i for
 * sample i; -1 pads a row when fewer than k other samples exist). tries: the
 * draw budget per sample (0: 32 k + 64). threads 0: all processors.
 * @return 0, or -1 after error() (bad entity id or k out of range).
 */
int negatives_mine(const struct neg_input *in, int k, uint64_t seed, size_t tries, int threads,
		   int32_t *out, struct neg_stats *stats);

#endif
