/*
 * embed_train — one call that trains a model from the store: the graph of
 * the entity selection, TransE training, ranking of the held-out triples,
 * and saving the model with its settings, metrics and loss curve (the mean
 * loss of every epoch, table embedding_epochs). 'medkg embed' and the
 * pipeline ('medkg build', 'medkg ingest') both train through it.
 *
 * Incremental mode extends a stored model: entities and relations that have
 * a vector in it are frozen, only the triples that touch a new one are
 * trained, and the new model (whose parent is the old one) starts from a
 * byte-for-byte copy of the old vectors. The vectors live in the parent's
 * space: its dimension, distance and reciprocal setting override p's.
 *
 * Does not: print (progress goes to the caller's epoch callback), or train
 * on an OpenKE benchmark (that needs no store; see cmd_embed.c).
 */
#ifndef MEDKG_EMBED_TRAIN_H
#define MEDKG_EMBED_TRAIN_H

#include "embed_store.h"
#include "eval.h"
#include "transe.h"

struct embed_train_options {
	struct transe_params p;  /* training settings */
	struct embed_select sel; /* which entities; sel.seed chooses the held-out triples */
	int incremental;         /* extend a stored model */
	int64_t parent;          /* incremental: the model to extend; 0: the latest */
	const char *tag;         /* NULL, or JSON members added to the model's params
	                            ("\"build\": \"...\"") */
	transe_epoch_fn on_epoch; /* NULL, or called after each epoch (progress) */
	void *ctx;
};

struct embed_train_result {
	int64_t model;           /* the new model; 0: incremental found nothing to train */
	int64_t parent;          /* incremental: the model extended */
	struct transe_params p;  /* the settings used (incremental: the parent's space) */
	int n_ent, n_rel;        /* the selection's entities and relations */
	size_t n_train;          /* triples trained */
	size_t n_ent_found;      /* incremental: entities with a vector in the parent */
	size_t n_rel_found;      /* incremental: relation rows with a vector in the parent */
	size_t n_test;           /* held-out triples ranked */
	size_t n_dropped;        /* held-out triples dropped (an entity unseen in training) */
	int evaluated;           /* holdout holds the held-out ranking */
	struct lp_result holdout;
	double seconds;          /* training alone */
};

/* Train and save. @return 0 (r->model is the new model, or 0 when an
 * incremental run finds every entity and relation already has a vector:
 * nothing is written), or -1 after error(): bad settings, no model to
 * extend, an empty selection, a loss that turned NaN; nothing is written. */
int embed_train_store(struct store *st, const struct embed_train_options *o,
		      struct embed_train_result *r);

/* The JSON of every training setting (params column), with threads as
 * run, left open for the caller to add members to and close. */
void embed_params_json(struct buf *b, const struct transe_params *p, int threads);
/* Append "name": {...} with the filtered and raw metrics of both sides. */
void embed_metrics_json(struct buf *b, const char *name, const struct lp_result *r);

#endif
