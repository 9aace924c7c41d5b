/*
 * embed_store — the store side of embeddings: which triples to train on
 * (the entity selection), the held-out split, saving a trained model and its
 * vectors, reading them back (incremental training, evaluation, nearest
 * neighbours, the rows of given ids for the train export) and exporting a
 * model in ARL's layout.
 *
 * A model is one row of embedding_models (kind 'transe'; every training
 * setting in params, the entity selection in entities, link-prediction
 * results in metrics, all JSON) and one float32 little-endian BLOB per
 * entity (kind 'e', item = concepts.id) and relation (kind 'r', item =
 * relations.id; the inverse relation of a reciprocal model has item =
 * -relations.id). Every write happens in one transaction: on any error the
 * store is unchanged.
 *
 * Does not: train or evaluate (transe.h, eval.h), or print.
 */
#ifndef MEDKG_EMBED_STORE_H
#define MEDKG_EMBED_STORE_H

#include <stdio.h>
#include "../store/store.h"
#include "kg.h"
#include "transe.h"

/* Which entities, and so which triples, a model covers. */
enum { EMBED_ALL, EMBED_MENTIONED, EMBED_LISTED };

struct embed_select {
	int mentioned;       /* EMBED_ALL: every concept in a triple; EMBED_MENTIONED:
	                        concepts mentioned in reports; EMBED_LISTED: the concepts
	                        listed (ARL's rule: the export's entities, train/arl.h) */
	int min_count;       /* mentioned: at least this many mentions (1) */
	int hops;            /* mentioned: add the concepts within K triples of them (0) */
	double holdout;      /* fraction of the triples held out for evaluation (0) */
	uint64_t seed;       /* which triples are held out */
	const int64_t *concepts; /* EMBED_LISTED: (n_concepts) concept ids, borrowed */
	size_t n_concepts;
	int64_t threshold;   /* EMBED_LISTED: recorded with the model (ARL's threshold) */
};

/* The graph of a selection, numbered densely. kg.split[KG_TRAIN] holds the
 * training triples, kg.split[KG_TEST] the held-out ones whose entities and
 * relation also occur in training; kg.ent_names are CUIs, kg.rel_names
 * relation names. */
struct embed_graph {
	struct kg kg;
	int64_t *ent_ids;    /* (n_ent) concepts.id, ascending */
	int64_t *rel_ids;    /* (n_rel) relations.id, ascending */
	size_t n_seeds;      /* mentioned: concepts meeting min_count */
	size_t n_dropped;    /* held-out triples dropped: an entity unseen in training */
};

/* Read the store's triples for the selection. @return 0, or -1 after
 * error(): no triples, no mentions (for 'mentioned'), nothing selected. */
int embed_graph_load(struct store *st, const struct embed_select *sel, struct embed_graph *g);
void embed_graph_release(struct embed_graph *g);
/* The selection as JSON (with the resulting counts), for the model row. */
void embed_select_json(const struct embed_select *sel, const struct embed_graph *g,
		       struct buf *out);

/* Settings of a stored model. Strings are malloc'd; release with
 * embed_model_info_release. */
struct embed_model_info {
	int64_t id, parent;
	int dim, norm, reciprocal;
	struct embed_select sel;
	char *params, *entities, *metrics, *created;
};
/* model 0: the latest. @return 1 found, 0 no such model (or none at all),
 * -1 on error. */
int embed_model_info(struct store *st, int64_t model, struct embed_model_info *info);
void embed_model_info_release(struct embed_model_info *info);
/* The concept ids that have a vector in model, ascending (what a listed
 * selection listed). @return 0 with *ids (n; caller frees), or -1. */
int embed_model_entities(struct store *st, int64_t model, int64_t **ids, size_t *n);

/* Save m (trained with distance norm 1 or 2) for graph g in one
 * transaction, with an ingest-log row. parent: the model extended (0: none),
 * whose vectors are copied first, byte for byte.
 * @return the new model id, or -1 after error() (nothing written). */
int64_t embed_model_save(struct store *st, const struct embed_graph *g, const struct transe *m,
			 int norm, const char *params_json, const char *entities_json,
			 const char *metrics_json, int64_t parent);

/* As embed_model_save, and also the mean loss of each epoch,
 * loss[0..n_epochs) (epoch e + 1 is loss[e]), into embedding_epochs, in the
 * same transaction. loss may be NULL when n_epochs is 0. */
int64_t embed_model_save_curve(struct store *st, const struct embed_graph *g,
			       const struct transe *m, int norm, const char *params_json,
			       const char *entities_json, const char *metrics_json, int64_t parent,
			       const double *loss, int n_epochs);

/* Copy the vectors of a stored model into m for the entities and relations
 * of g that have one, and mark those rows frozen (incremental training and
 * evaluation). m must have the model's dimension. @return 0 or -1;
 * *n_ent_found and *n_rel_found count the rows filled. */
int embed_model_load(struct store *st, int64_t model, const struct embed_graph *g,
		     struct transe *m, size_t *n_ent_found, size_t *n_rel_found);

/* Copy the vectors of one kind of model ('e' entities, 'r' relations; the
 * inverse relations of a reciprocal model are passed over) into out (n,
 * dim): row i for item ids[i] (distinct store ids, any order). *missing
 * counts the ids without a vector, *extra the model's vectors of items not
 * in ids. @return 0, or -1 after error() (a vector that is not dim floats,
 * a failed read). */
int embed_model_rows(struct store *st, int64_t model, int dim, char kind, const int64_t *ids,
		     size_t n, float *out, size_t *missing, size_t *extra);

/* Write a model in ARL's layout into dir (created if missing):
 * entity2id.txt "CUI\tid\tname", relation2id.txt "name\tid", train2id.txt
 * "h\tt\tr" (every store triple among the model's entities and relations),
 * ent_embeddings.npy (n_ent, dim), rel_embeddings.npy (n_rel, dim) with ids
 * in ascending concept / relation id order. @return 0 or -1. */
int embed_export(struct store *st, int64_t model, const char *dir, size_t *n_ent, size_t *n_rel,
		 size_t *n_triples);

struct embed_neighbor {
	int64_t concept;
	float distance;
};
/* The k concepts nearest to concept in model (by the model's distance), the
 * concept itself excluded, nearest first. @return how many (<= k), or -1
 * after error() (no vector for the concept in that model). */
int embed_neighbors(struct store *st, int64_t model, int64_t concept, int k,
		    struct embed_neighbor *out);

/* Print the k nearest concepts of concept in the latest model to out:
 * a heading, then "distance  CUI  name" lines. @return 0 or -1. */
int embed_show_neighbors(struct store *st, int64_t concept, int k, FILE *out);

#endif
