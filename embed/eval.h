/*
 * eval — link prediction for a trained TransE model: for every test triple
 * (h, r, t), rank the true tail among all entities as the answer to
 * (h, r, ?) and the true head as the answer to (?, r, t), by distance.
 * Raw ranks count every entity; filtered ranks skip the entities that form
 * another known triple (from train, valid and test), as in Bordes et al.
 * 2013. Ties count half (the mean of the optimistic and the pessimistic
 * rank), so a model that scores everything alike ranks in the middle.
 * Reports MR, MRR and Hits@1/3/10 for heads, tails and both.
 *
 * Test triples are spread over OpenMP threads; the per-entity distance loop
 * is vectorized. Results do not depend on the thread count.
 *
 * Does not: train, or read files.
 */
#ifndef MEDKG_EVAL_H
#define MEDKG_EVAL_H

#include <stddef.h>
#include "kg.h"
#include "transe.h"

/* The known triples, sorted two ways for the filter. */
struct lp_filter {
	struct triple *by_head;  /* sorted by (r, h, t): the tails of (h, r) */
	struct triple *by_tail;  /* sorted by (r, t, h): the heads of (r, t) */
	size_t n;
};

/* Index every triple of the kg's splits. Caller releases. */
void lp_filter_build(struct lp_filter *f, const struct kg *kg);
void lp_filter_release(struct lp_filter *f);

struct lp_metrics {
	double mr, mrr, hits1, hits3, hits10;
	size_t n;                /* ranks averaged */
};

enum { LP_HEAD, LP_TAIL, LP_BOTH };

struct lp_result {
	struct lp_metrics raw[3], filtered[3];   /* [LP_HEAD, LP_TAIL, LP_BOTH] */
	double seconds;
};

/* Rank the n triples of test under model m (norm 1 or 2; reciprocal as it
 * was trained: then (?, r, t) is asked as (t, r', ?)). f may be NULL (raw
 * ranks only; filtered equals raw). threads 0: all processors.
 * @return 0 (nothing can fail once the inputs are in range). */
int lp_evaluate(const struct transe *m, int norm, int reciprocal, const struct triple *test,
		size_t n, const struct lp_filter *f, int threads, struct lp_result *out);

#endif
