/*
 * arl — ARL's pre-training inputs (zhjohnchan/ARL, prepro/
 * prepro_pretraining_data.py) as its prepro leaves them just before
 * make_arrow, from the store:
 *
 *   - samples: one per frontal image (images.view exactly one of the views,
 *     PA and AP as ARL, and Frontal, the IU X-ray collection's label of
 *     both) of a report with texts; its texts are the report's impression,
 *     then its findings (the last section of each name, as MIMIC-CXR's
 *     sectioner keeps it), each with whitespace collapsed as Python's
 *     re.sub(r"\s+", " ", text.strip()) does and dropped when it has fewer
 *     than 3 words; a report with no text left gives no sample;
 *   - mentions: every mention of a kept text whatever its polarity (ARL has
 *     no negation), as [start, end) in characters (code points) of the
 *     collapsed text, trimmed of whitespace; one-character ones are dropped
 *     (ARL's extractor drops them);
 *   - counts: a concept's mentions over every text of every sample (a
 *     report with two frontal images counts twice), which ARL's rule
 *     (select.h) takes: more than the threshold;
 *   - img_path: the image's file (the one the link stage found, else looked
 *     for in the images directory), absolute; a sample whose file is not
 *     found is left out, as make_arrow would, and counted;
 *   - split: the report's own (from its input), else from a split CSV
 *     (MIMIC-CXR's mimic-cxr-2.0.0-split.csv), else drawn as the export
 *     draws;
 *   - chexpert (dataset mimic_cxr): 14 ints in {0, 1} per sample, from
 *     MIMIC-CXR's labels CSV when given (a study it lacks is left out, as
 *     ARL does), else from medkg's own labels (chexpert.h), -1 and blank
 *     read as 0.
 *
 * Written as OUT/pretrain_data/<dataset>.json: {"train": [...], "val":
 * [...], "test": [...]} of {"img_path", "texts", "image_entities",
 * "text_entities", "chexpert"}, image_entities the sorted unique entity
 * ids, text_entities one list of [start, end, id] per text.
 *
 * Does not: number entities (select.h), write the knowledge files or the
 * manifest (export.c), or run ARL (train/python/arl_prepare.py).
 */
#ifndef MEDKG_TRAIN_ARL_H
#define MEDKG_TRAIN_ARL_H

#include <stddef.h>
#include <stdint.h>
#include "split.h"
#include "../store/store.h"

struct arl_options {
	int64_t threshold;      /* entities: mentioned more than this (20) */
	char **views;           /* frontal views (PA, AP, Frontal) */
	char *dataset;          /* mimic_cxr (with chexpert), roco or medicat */
	char *images;           /* where image files are looked for, or NULL */
	char *chexpert;         /* MIMIC-CXR's labels CSV, or NULL: medkg's labels */
	char *splits;           /* a split CSV, or NULL */
};

/* ARL's settings: threshold 20; views and dataset NULL, which mean PA, AP
 * and Frontal, and mimic_cxr (nothing is allocated). */
void arl_options_default(struct arl_options *o);
/* The dataset name: o's, or mimic_cxr. */
const char *arl_dataset(const struct arl_options *o);
/* Whether view is one of o's frontal views. */
int arl_frontal(const struct arl_options *o, const char *view);

struct arl_stats {
	size_t reports;          /* reports read */
	size_t no_text;          /* reports with no text of 3 words or more */
	size_t texts, texts_short;  /* texts kept; dropped for fewer than 3 words */
	size_t images, frontal;  /* images of those reports; frontal ones */
	size_t no_chexpert;      /* frontal images of studies the labels CSV lacks */
	size_t samples;          /* samples counted (frontal, with texts and labels) */
	size_t no_file;          /* of those, left out: no image file found */
	size_t written[N_SPLITS];
	size_t splits_input, splits_file, splits_drawn;
	size_t mentions;         /* mentions read */
	size_t kept;             /* in a kept text, of more than one character */
	size_t single;           /* one-character mentions dropped */
	size_t uniform_chexpert; /* splits whose samples all have the same chexpert list */
};

struct arl_corpus;

/* Read the samples of st by o, splits drawn with split and seed for
 * reports that have none. need_files: no image file found at all is an
 * error (the counts do not need the files). @return 0 with *out (free with
 * arl_corpus_free), or -1 after error() (a malformed sections value, a bad
 * CSV, no sample, no image file found when needed). */
int arl_corpus_read(struct store *st, const struct arl_options *o, const double split[N_SPLITS],
		    uint64_t seed, int need_files, struct arl_corpus **out, struct arl_stats *s);
void arl_corpus_free(struct arl_corpus *c);

/* The mention counts by concept id: counts[i] for i < *n. Owned by c. */
const int64_t *arl_corpus_counts(const struct arl_corpus *c, int64_t *n);

/* Write the samples as OUT/pretrain_data/<dataset>.json to path; ent_of
 * maps concept ids 0..max_concept to entity ids (-1: not an entity).
 * @return 0, or -1 after error(). */
int arl_write_samples(const struct arl_corpus *c, const char *path, const int32_t *ent_of,
		      int64_t max_concept, struct arl_stats *s);

/* Write medkg's CheXpert labels of the samples' reports to path, in the
 * layout of MIMIC-CXR's mimic-cxr-2.0.0-chexpert.csv. @return 0 or -1. */
int arl_write_labels(const struct arl_corpus *c, const char *path);

/* The concept ids ARL's rule selects from st (for the embed stage, which
 * must train exactly the exported entities). @return 0 with *ids (n,
 * ascending; caller frees), or -1 after error(). */
int arl_entities(struct store *st, const struct arl_options *o, int64_t **ids, size_t *n);

#endif
