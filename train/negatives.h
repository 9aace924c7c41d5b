/*
 * negatives — hard negatives for image-text matching: for every sample, the
 * K other samples whose affirmed-entity sets differ most from its own, by
 * Jaccard similarity J(A, B) = |A n B| / |A u B| (lowest first; two empty
 * sets count as identical, J = 1).
 *
 * The result is a function of the samples alone: sample i's row is the K
 * samples j outside its group with the lowest (J(i, j), distance(i, j), j),
 * where the distance is pos(j) - start(i) mod 2^64 on a ring of 64-bit
 * positions hashed from the seed and each sample's key. Ties among the
 * many samples at J = 0 are so broken per sample and at random, and the
 * order of two samples never changes when samples are added: an export that
 * appends samples extends the old rows (negatives_extend) to exactly what
 * mining all of them gives, whatever the thread count.
 *
 * Every pair need not be scored. The lowest possible value is J = 0, which
 * any sample sharing no entity reaches, so for most samples it is enough to
 * walk the ring from its start and take the first K disjoint samples met
 * (a stamp array over entity ids, O(|B|) per test), within a step budget
 * (tries). An entity in more than half of the samples ("frequent": the lungs
 * and the heart of chest reports) keeps, in the inverted index (entity ->
 * samples, in ring order), the list of the samples *without* it, so that no
 * list is longer than n / 2; a sample with frequent entities walks the list
 * of its most frequent one, which holds every sample disjoint from it in
 * ring order. A "dense" sample, whose walk finds fewer than K, is ranked
 * exactly through the index: a sample j shares f + d_j entities with sample
 * i, where f counts i's frequent entities and d_j is +1 per rare list of
 * i's entities that holds j and -1 per complement list that does. Every
 * sample on none of those lists shares exactly f, so its J = f / (|A| + |B|
 * - f) falls as |B| grows: those are offered largest first, and only until
 * none can enter the bounded heap of the K lowest (all of them when f = 0).
 *
 * Extending: an old row changes only when a new sample ranks before its
 * last entry. When that entry has J = 0 only a disjoint new sample nearer
 * on the ring can, and those lie between the sample's start and the entry
 * among the new samples sorted by position (a binary search); other rows
 * (their last J > 0, or short) look at every new sample. New samples walk
 * the whole ring, and are ranked through the index (built then) when a
 * walk falls short.
 *
 * Cost, with n samples, s entities per sample on average, p_i the fraction
 * of samples disjoint from sample i, and D the dense samples:
 *   ring O(n) (radix sort); index O(n s + n x frequent entities); a walk
 *   O(log n + K / p_i x s) expected (p_i within the list it walks), at most
 *   O(tries x s); a dense sample O(sum over its entities of min(|P_e|,
 *   n - |P_e|) + K log K) plus the samples skipped while offering the
 *   untouched ones (O(n) when it has no frequent entity).
 *   Total O(n x tries x s + D x L), L the dense samples' list lengths (at
 *   most n s / 2 each). Extending m samples to n: O(n) for the ring, O(n
 *   (log m + K s)) for the old rows (plus O(m s) for each row whose last
 *   J > 0), and the walks of the m new samples.
 *
 * Does not: read the store or know what a sample is beyond its entity set.
 */
#ifndef MEDKG_TRAIN_NEGATIVES_H
#define MEDKG_TRAIN_NEGATIVES_H

#include <stddef.h>
#include <stdint.h>

/* The definition of the rows above, recorded with an export: an update
 * extends only rows mined by it. */
#define NEGATIVES_VERSION 2

struct neg_input {
	size_t n;               /* samples */
	const size_t *off;      /* (n + 1) sample i's entities are ents[off[i] .. off[i+1]) */
	const int32_t *ents;    /* sorted, unique, each in [0, n_ent) */
	int32_t n_ent;
	const uint64_t *keys;   /* (n) per-sample key (a hash of its id): seeds its draws */
	const uint32_t *group;  /* (n) or NULL: samples of one group (the images of one
	                           report share its text) are never each other's negatives */
};

/* What an extension can start from besides the rows: the ring order of the
 * samples and the deep rows (full, the last negative sharing an entity with
 * the sample: J > 0), which only the full walk of new samples can change.
 * Without it an extension sorts the ring and scores every row's last. */
struct neg_state {
	int32_t *ring;          /* (n_ring) the samples in ring order */
	size_t n_ring;
	int32_t *deep;          /* (n_deep) the deep rows, ascending */
	size_t n_deep;
};

void neg_state_release(struct neg_state *st);

struct neg_stats {
	size_t sampled;         /* samples answered by random draws (K disjoint found) */
	size_t dense;           /* samples ranked through the inverted index */
	size_t short_rows;      /* samples with fewer than K samples outside their group */
	size_t old_rows;        /* extending: the old samples' rows looked at */
	size_t updated;         /* extending: those of them that took a new sample */
	double seconds;
};

/* The ring distance from the sample of key key_i to that of key key_j (the
 * second key of the ranking). */
uint64_t negatives_distance(uint64_t seed, uint64_t key_i, uint64_t key_j);

/* Jaccard similarity of two sorted unique id lists (1 for two empty ones). */
double jaccard(const int32_t *a, size_t na, const int32_t *b, size_t nb);

/*
 * Mine k negatives per sample into out (n x k sample indexes, row i for
 * sample i; -1 pads a row when fewer than k other samples exist). tries: the
 * walk's step budget per sample (0: 32 k + 64; it changes how a row is
 * found, not the row). threads 0: all processors. state (or NULL): the
 * state an extension of these rows can start from (neg_state_release).
 * @return 0, or -1 after error() (k out of range, an entity id out of range, a
 * sample's entities not sorted and unique).
 */
int negatives_mine(const struct neg_input *in, int k, uint64_t seed, size_t tries, int threads,
		   int32_t *out, struct neg_stats *stats, struct neg_state *state);

/*
 * Extend old, the rows negatives_mine gave (with this k and seed) for the
 * first n_old samples of in, to the rows of all in->n samples, into out (n x
 * k): exactly what negatives_mine gives for them. Only stats' counts of the
 * new samples are set (sampled, dense, short_rows), with old_rows and
 * updated. was (or NULL): the state the old rows were mined with, taken
 * when it is one (the old samples in ring order, distinct deep rows);
 * state (or NULL): the extended rows' state.
 * @return 0, or -1 after error() (bad input, or a malformed old
 * row: an index outside the old samples, or -1 before an index).
 */
int negatives_extend(const struct neg_input *in, size_t n_old, const int32_t *old,
		     const struct neg_state *was, int k, uint64_t seed, size_t tries, int threads,
		     int32_t *out, struct neg_stats *stats, struct neg_state *state);

#endif
