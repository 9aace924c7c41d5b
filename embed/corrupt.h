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
 * group sorted by (relation, other entity) without duplicates; a draw finds
 * the run of excluded entities by binary search and maps a uniform rank
 * among the n_ent - m allowed entities onto the allowed entity of that
 * rank, again by binary search: exact, no rejection loop. When every entity
 * is excluded (m = n_ent) the draw is uniform over all entities.
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

struct corrupt {
	int32_t n_ent, n_rel;
	size_t *head_at;         /* (n_ent + 1): by_head[head_at[h] .. head_at[h + 1]) */
	struct corrupt_pair *by_head; /* (r, t) of the distinct triples, by h */
	size_t *tail_at;         /* (n_ent + 1) */
	struct corrupt_pair *by_tail; /* (r, h) of the distinct triples, by t */
	float *p_head;           /* (n_rel): the probability of replacing the head */
};

/* Index the n triples (ids in range) and, with bern, count each relation's
 * tph and hpt over the distinct triples (without: p_head is 0.5). c is
 * overwritten; release it. Out of memory aborts. */
void corrupt_build(struct corrupt *c, const struct triple *tr, size_t n, int32_t n_ent,
		   int32_t n_rel, int bern);
/* Free what c holds; accepts a zeroed struct. */
void corrupt_release(struct corrupt *c);

/* Draw the K negatives of the training triple x from g: neg (K) the
 * entities, head (K) 1 where it replaces the head, 0 the tail. */
void corrupt_draw(const struct corrupt *c, struct rng *g, const struct triple *x, int K,
		  int32_t *neg, uint8_t *head);

#endif
