/*
 * transe — TransE (Bordes et al. 2013) entity and relation embeddings,
 * trained over OpenMP threads by one of two recipes.
 *
 * A triple (h, r, t) is scored by the distance ||h + r - t|| (L1 or L2);
 * training pulls true triples together and pushes corrupted ones (head or
 * tail replaced by a random entity) apart.
 *
 * recipe openke (the default: what ARL's settings mean) performs the update
 * of OpenKE-PyTorch's TransE (norm_flag on): the score normalizes h, r and t
 * to unit length inside it, d = ||h/|h| + r/|r| - t/|t|||, and the gradient
 * flows through the normalization; the stored rows are never renormalized
 * during training. An epoch is nbatches batches of B = n / nbatches
 * positives drawn uniformly with replacement, each with its own neg
 * negatives (head or tail replaced, bern or uniform, never forming a
 * training triple); the loss of a batch is the mean over its B * neg pairs
 * of max(0, margin + d+ - d-), and one plain SGD step of lr follows, every
 * gradient of the batch taken at the parameters before it, as torch does.
 * At the end the rows are replaced by their unit vectors, which is all the
 * score sees of them. Threads: each takes chunks of the batch's positives
 * (the chunk, not the thread, owns the random stream, so the batches drawn
 * do not depend on the thread count), and adds its gradients to one shared
 * gradient table without locks (Hogwild, Recht et al. 2011): two threads
 * adding to the same row at the same moment can lose one addition, which is
 * rare (a row is written for tens of nanoseconds per positive) and, like
 * Hogwild's stale reads, harmless at these step sizes; then the threads
 * apply the step to disjoint rows. With one thread and a seed, training is
 * bit-identical run to run, and one step equals OpenKE's within float
 * rounding (tests/openke_ref.py checks it).
 *
 * recipe fast keeps the earlier, faster update: entity vectors renormalized
 * to unit length after every update as in the paper (or kept in the unit
 * ball, or left free), distances on the stored rows, the margin loss or
 * the self-adversarial negative-sampling loss of RotatE (Sun et al. 2019),
 * SGD or row-wise Adagrad, negatives shared by p->batch consecutive
 * positives of a thread, and optional reciprocal relations (every relation
 * r gets an inverse r' and a triple trains both (h, r, ?) and (t, r', ?),
 * always replacing the tail). Each thread owns a fixed shard of the shuffled
 * training triples, its random generator and its scratch vectors; all
 * threads update the shared vectors without locks (Hogwild) — collisions
 * are rare and harmless at these sizes, and locking would cost more than it
 * saves. With one thread and a seed, training is bit-identical run to run.
 *
 * Does not: read files or the store, evaluate (eval.h), or print; the
 * caller draws progress from the per-epoch callback.
 */
#ifndef MEDKG_TRANSE_H
#define MEDKG_TRANSE_H

#include <stddef.h>
#include <stdint.h>
#include "kg.h"

enum transe_recipe { TRANSE_OPENKE, TRANSE_FAST };
enum transe_loss { TRANSE_MARGIN, TRANSE_SANS };
enum transe_optimizer { TRANSE_SGD, TRANSE_ADAGRAD };
enum transe_entity_norm { TRANSE_NORM_SPHERE, TRANSE_NORM_BALL, TRANSE_NORM_NONE };

/* Settings marked "fast" belong to the fast recipe alone: the openke recipe
 * refuses any value but their default (transe_params_check). */
struct transe_params {
	int recipe;          /* enum transe_recipe: TRANSE_OPENKE */
	int dim;             /* 256 */
	int norm;            /* 1 (L1) or 2 (L2) */
	float margin;        /* 5.0: the margin, or SANS's gamma */
	int neg;             /* negatives per positive, 25 */
	int bern;            /* 1: Bernoulli head/tail choice (Wang et al. 2014); 0: uniform */
	float lr;            /* 1.0 */
	int epochs;          /* 1000 */
	int optimizer;       /* fast: enum transe_optimizer */
	int loss;            /* fast: enum transe_loss */
	float adv_temp;      /* fast, SANS: self-adversarial temperature alpha (0: plain) */
	int reciprocal;      /* fast: 1: inverse relations, tail replacement only */
	int entity_norm;     /* fast: enum transe_entity_norm */
	int nbatches;        /* SGD: lr is the step on the mean loss of a batch of
	                        1/nbatches of the queries, as in OpenKE (100);
	                        openke: the batches of an epoch */
	int batch;           /* fast: consecutive queries of a thread that share
	                        their negatives (8): each negative row is read once
	                        for them all, which is what makes training fast */
	int threads;         /* 0: all processors */
	uint64_t seed;
};

/* The defaults of ARL's recipe (OpenKE): recipe openke, dim 256, L1, margin
 * 5, 25 negatives, bern, SGD at lr 1.0, 100 batches, 1,000 epochs (and the
 * fast recipe's own settings at theirs: margin loss, SGD, sphere, batch 8). */
void transe_params_default(struct transe_params *p);
/* Check ranges, and that the openke recipe is given none of the fast
 * recipe's settings. @return 0 or -1 after error() naming the bad setting. */
int transe_params_check(const struct transe_params *p);

struct transe {
	int32_t n_ent;       /* entities */
	int32_t n_rel;       /* relation rows: the graph's relations, twice that
	                        with reciprocal relations (r' = r + n_rel / 2) */
	int dim;
	int stride;          /* floats per row: dim rounded up to 16 (64 bytes);
	                        the padding stays zero */
	float *ent;          /* (n_ent, stride), 64-byte aligned */
	float *rel;          /* (n_rel, stride) */
	float *ent_g2;       /* Adagrad: (n_ent) sum of mean squared gradients, else NULL */
	float *rel_g2;       /* (n_rel) */
	uint8_t *ent_frozen; /* NULL, or (n_ent): 1 = never updated (incremental) */
	uint8_t *rel_frozen; /* NULL, or (n_rel) */
};

/* Allocate a model for n_ent entities and n_rel graph relations (doubled
 * when p->reciprocal) and initialize it from p->seed: Xavier-uniform rows
 * (U(-b, b), b = sqrt(6 / (rows + dim)), as OpenKE), left as they are by the
 * openke recipe, entities normalized as p->entity_norm says by the fast one
 * (SANS without normalization: uniform in +-(margin + 2) / dim, as RotatE).
 * The result does not depend on the thread count. @return 0, or -1 after error() (bad parameters or
 * sizes; out of memory aborts). */
int transe_init(struct transe *m, int32_t n_ent, int32_t n_rel, const struct transe_params *p);
/* Free what m holds; accepts a zeroed struct. */
void transe_release(struct transe *m);

/* Called after every epoch with the epoch's loss and the seconds since
 * training began: openke, the mean of its batches' losses (each the mean over
 * the batch's pairs; OpenKE prints their sum); fast, the mean loss per query
 * (summed over its negatives). During openke training the rows are not unit
 * vectors: rank a transe_unit_copy. @return 0 to go on, 1 to stop early,
 * -1 to abort (after error()). */
typedef int (*transe_epoch_fn)(void *ctx, int epoch, double loss, double seconds);

/* Train for p->epochs over the n triples (ids within m's ranges) by
 * p->recipe. Frozen rows are read but never written; with the openke recipe
 * the other rows end as unit vectors (also when the callback stops early). @return 0; 1 if the callback stopped
 * early; -1 after error() when the loss becomes NaN or infinite (the
 * vectors are then unusable) or the callback aborted. */
int transe_train(struct transe *m, const struct transe_params *p, const struct triple *tr,
		 size_t n, transe_epoch_fn fn, void *ctx);

/* One training step of the fast recipe on one thread, exposed for tests: B
 * queries q_b = ent[anchor[b]] + sign[b] * rel[rel[b]] (sign +1 when the tail
 * is replaced, -1 the head), pos[b] the true entity of each, and n_neg
 * negatives neg[] shared by all B. scratch holds transe_scratch_floats(m, B,
 * n_neg) floats, 64-byte aligned. step is the SGD step per pair (or the
 * Adagrad learning rate). @return the summed loss. */
float transe_step(struct transe *m, const struct transe_params *p, float *scratch, int B,
		  const int32_t *anchor, const int32_t *rel, const float *sign, const int32_t *pos,
		  const int32_t *neg, int n_neg, float step);
size_t transe_scratch_floats(const struct transe *m, int batch, int n_neg);

/* A batch of the openke recipe: B positives, each with K negatives that
 * replace its head or its tail. */
struct transe_batch {
	int B, K;
	const struct triple *pos;  /* (B) */
	const int32_t *neg;        /* (B, K): the entity of positive b's k-th
	                              negative at b * K + k */
	const uint8_t *neg_head;   /* (B, K): 1 it replaces the head, 0 the tail */
};

/* One training step of the openke recipe on one thread, exposed for the
 * check against tests/openke_ref.py: the loss of batch b at m's rows, then
 * one SGD step of p->lr on it (frozen rows stay). Ids must be in range.
 * @return the loss, the mean over the B * K pairs of
 * max(0, margin + d(pos b) - d(neg b, k)). */
double transe_openke_step(struct transe *m, const struct transe_params *p,
			  const struct transe_batch *b);

/* Replace every row that is not frozen by its unit vector (rows of length
 * 0 stay). */
void transe_normalize(struct transe *m);
/* A copy of m's vectors (not its Adagrad sums or frozen marks) with unit
 * rows: what the openke recipe's score sees. dst is overwritten; release it
 * with transe_release. */
void transe_unit_copy(struct transe *dst, const struct transe *src);

/* Distance of a triple under the model (test support and neighbours). */
float transe_distance(const struct transe *m, int norm, const float *a, const float *b);

#endif
