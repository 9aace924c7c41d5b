/*
 * transe — TransE (Bordes et al. 2013) entity and relation embeddings,
 * trained by Hogwild SGD or row-wise Adagrad over OpenMP threads.
 *
 * A triple (h, r, t) is scored by the distance ||h + r - t|| (L1 or L2);
 * training pulls true triples together and pushes corrupted ones (head or
 * tail replaced by a random entity) apart, with either the margin loss of
 * the paper and OpenKE or the self-adversarial negative-sampling loss of
 * RotatE (Sun et al. 2019). Entity vectors are renormalized to unit length
 * after every update as in the paper (or kept in the unit ball, or left
 * free). With reciprocal relations every relation r gets an inverse r' and a
 * triple trains both (h, r, ?) and (t, r', ?), always replacing the tail.
 *
 * Threads: each thread owns a fixed shard of the shuffled training triples,
 * its random generator and its scratch vectors; all threads update the
 * shared vectors without locks (Hogwild, Recht et al. 2011) — a deliberate
 * choice: collisions are rare and harmless at these sizes, and locking
 * would cost more than it saves. With one thread and a seed, training is
 * bit-identical run to run.
 *
 * Does not: read files or the store, evaluate (eval.h), or print; the
 * caller draws progress from the per-epoch callback.
 */
#ifndef MEDKG_TRANSE_H
#define MEDKG_TRANSE_H

#include <stddef.h>
#include <stdint.h>
#include "kg.h"

enum transe_loss { TRANSE_MARGIN, TRANSE_SANS };
enum transe_optimizer { TRANSE_SGD, TRANSE_ADAGRAD };
enum transe_entity_norm { TRANSE_NORM_SPHERE, TRANSE_NORM_BALL, TRANSE_NORM_NONE };

struct transe_params {
	int dim;             /* 256 */
	int norm;            /* 1 (L1) or 2 (L2) */
	float margin;        /* 5.0: the margin, or SANS's gamma */
	int neg;             /* negatives per positive, 25 */
	int bern;            /* 1: Bernoulli head/tail choice (Wang et al. 2014); 0: uniform */
	float lr;            /* 1.0 */
	int epochs;          /* 1000 */
	int optimizer;       /* enum transe_optimizer */
	int loss;            /* enum transe_loss */
	float adv_temp;      /* SANS: self-adversarial temperature alpha (0: plain) */
	int reciprocal;      /* 1: inverse relations, tail replacement only */
	int entity_norm;     /* enum transe_entity_norm */
	int nbatches;        /* SGD: lr is the step on the mean loss of a batch of
	                        1/nbatches of the queries, as in OpenKE (100) */
	int batch;           /* consecutive queries of a thread that share their
	                        negatives (8): each negative row is read once for
	                        them all, which is what makes training fast */
	int threads;         /* 0: all processors */
	uint64_t seed;
};

/* The defaults of ARL's recipe (OpenKE): dim 256, L1, margin 5, 25 negatives,
 * bern, SGD at lr 1.0, 1,000 epochs, entity normalization. */
void transe_params_default(struct transe_params *p);
/* Check ranges. @return 0 or -1 after error() naming the bad setting. */
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
 * when p->reciprocal) and initialize it from p->seed: Xavier-uniform rows,
 * entities normalized as p->entity_norm says (SANS without normalization:
 * uniform in +-(margin + 2) / dim, as RotatE). The result does not depend
 * on the thread count. @return 0, or -1 after error() (bad parameters or
 * sizes; out of memory aborts). */
int transe_init(struct transe *m, int32_t n_ent, int32_t n_rel, const struct transe_params *p);
/* Free what m holds; accepts a zeroed struct. */
void transe_release(struct transe *m);

/* Called after every epoch with the mean loss per query and the seconds
 * since training began. @return 0 to go on, 1 to stop early, -1 to abort
 * (after error()). */
typedef int (*transe_epoch_fn)(void *ctx, int epoch, double loss, double seconds);

/* Train for p->epochs over the n triples (ids within m's ranges). Frozen
 * rows are read but never written. @return 0; 1 if the callback stopped
 * early; -1 after error() when the loss becomes NaN or infinite (the
 * vectors are then unusable) or the callback aborted. */
int transe_train(struct transe *m, const struct transe_params *p, const struct triple *tr,
		 size_t n, transe_epoch_fn fn, void *ctx);

/* One training step on one thread, exposed for tests: B queries
 * q_b = ent[anchor[b]] + sign[b] * rel[rel[b]] (sign +1 when the tail is
 * replaced, -1 the head), pos[b] the true entity of each, and n_neg
 * negatives neg[] shared by all B. scratch holds transe_scratch_floats(m, B,
 * n_neg) floats, 64-byte aligned. step is the SGD step per pair (or the
 * Adagrad learning rate). @return the summed loss. */
float transe_step(struct transe *m, const struct transe_params *p, float *scratch, int B,
		  const int32_t *anchor, const int32_t *rel, const float *sign, const int32_t *pos,
		  const int32_t *neg, int n_neg, float step);
size_t transe_scratch_floats(const struct transe *m, int batch, int n_neg);

/* Distance of a triple under the model (test support and neighbours). */
float transe_distance(const struct transe *m, int norm, const float *a, const float *b);

#endif
