/*
 * corrupt — negatives drawn as OpenKE draws them (openke/base/Base.cpp and
 * Corrupt.h): a training triple (h, r, t) with its tail replaced by an
 * entity t' such that (h, r, t') is not a training triple, or its head by
 * an h' such that (h', r, t) is not one, uniform over those entities. The
 * side is chosen by a fresh coin per negative: the head with probability
 * tph / (tph + hpt) for the relation (Bernoulli sampling, Wang et al. 2014;
 * tph the mean tails per head, hpt the mean heads per tail), or one half.
 *
 * The training triples are indexed twice, grouped by head and by tail, each
 * group sorted by (relation, other entity) without duplicates, and each
 * triple knows its two runs of excluded entities (the tails of its (h, r),
 * the heads of its (r, t)); a draw maps a uniform rank among the n_ent - m
 * allowed entities onto the allowed entity of that rank by binary search
 * in the run: exact, no rejection loop. When every entity is excluded
 * (m = n_ent) the draw is uniform over all entities. Memory: 32 bytes per
 * triple.
 *
 * Does not: draw positives, or filter against valid or test triples (OpenKE
 * filters against the training set alone).
 */
#ifndef MEDKG_CORRUPT_H
#define MEDKG_CORRUPT_H

#include <stddef.h>
#include <stdint.h>
#include "kg.h"
#include "../common/rng.h"

struct corrupt_pair {
	int32_t r, e;            /* relation, and the entity at the other end */
};

/* A run of excluded entities: pairs [at, at + n) of by_head or by_tail. */
struct corrupt_run {
	uint32_t at, n;
};

struct corrupt {
	int32_t n_ent, n_rel;
	struct corrupt_run (*runs)[2]; /* (n_triples): [0] the tails of (h, r), [1] the heads of (r, t) */
	size_t *head_at;         /* (n_ent + 1): by_head[head_at[h] .. head_at[h + 1]) */
	struct corrupt_pair *by_head; /* (r, t) of the distinct triples, by h */
	size_t *tail_at;         /* (n_ent + 1) */
	struct corrupt_pair *by_tail; /* (r, h) of the distinct triples, by t */
	float *p_head;           /* (n_rel): the probability of replacing the head */
};

/* Index the n triples (ids in range, n < 2^32) and, with bern, count each
 * relation's tph and hpt over the distinct triples (without: p_head is 0.5).
 * c is overwritten; release it. Out of memory aborts. */
void corrupt_build(struct corrupt *c, const struct triple *tr, size_t n, int32_t n_ent,
		   int32_t n_rel, int bern);
/* Free what c holds; accepts a zeroed struct. */
void corrupt_release(struct corrupt *c);

/* Ask for the runs that corrupt_draw of triple i reads (runs[i] itself
 * should be asked for earlier). */
void corrupt_prefetch(const struct corrupt *c, size_t i);
/* Draw the K negatives of training triple i (x) from g: neg (K) the
 * entities, head (K) 1 where it replaces the head, 0 the tail. */
void corrupt_draw(const struct corrupt *c, struct rng *g, size_t i, const struct triple *x, int K,
		  int32_t *neg, uint8_t *head);

#endif
