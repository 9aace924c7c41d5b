/*
 * export — write, from the store alone, what a knowledge-enhanced
 * vision-and-language trainer (ARL and methods like it) consumes, in ARL's
 * layout, plus what ARL lacks:
 *
 *   knowledge/entity2id.txt    count, then "CUI<TAB>id<TAB>name"
 *   knowledge/relation2id.txt  count, then "name<TAB>id"
 *   knowledge/train2id.txt     count, then "h<TAB>t<TAB>r"
 *   knowledge/ent_embeddings.npy, rel_embeddings.npy
 *                              float32 (n_ent, dim), (n_rel, dim), rows in id order
 *   annotations/{train,val,test}.jsonl
 *                              one sample per image (or report): image_id,
 *                              image_path, report_id, captions, img_ents,
 *                              txt_ents, txt_ents_polarity, regions, patch_masks
 *   plans/{train,val,test}.jsonl          (--plans) mlm spans and mim patches,
 *                                         line i for annotation line i
 *   plans/{train,val,test}_negatives.npy  (--plans) int32 (n, K): line numbers of
 *                                         each sample's hard negatives, -1 padded
 *   plans/{train,val,test}_pool.bin       (--plans) what mining the negatives
 *                                         needs of each sample (samples.h)
 *   manifest.json              counts, parameters, store state, sources, and
 *                              the size and hash of every file above
 *
 * Entities follow ARL's rule (select.h). The vectors come from one stored
 * embedding model, which must have been trained on exactly the selected
 * entities and relations. Everything is written into a temporary directory
 * beside OUT and moved into place at the end (an update swaps the two
 * directories atomically), so a failed export leaves OUT as it was.
 *
 * An update appends when it can: when the store has only grown since the
 * export (the manifest's "append" record against the store: same store or a
 * copy, same knowledge generation, no rewrite of what reports held, no new
 * image or mention of an exported report, no link of an exported mention),
 * with the same parameters and entities, the old lines are exactly what a
 * fresh export would write, and only the reports after the last exported
 * one are read: their lines are appended to the split files in place (the
 * files are hard-linked into the new directory and grow; a failure cuts
 * them back, and an update after a kill finds them longer than the manifest
 * says and cuts them back too). The negatives are mined again over whole
 * splits, from the sample pools. Otherwise every sample is written again
 * and export_stats.rewrite_reason says why.
 *
 * Does not: train embeddings, extract or link (the earlier stages), or
 * write to the store (it is only read).
 */
#ifndef MEDKG_TRAIN_EXPORT_H
#define MEDKG_TRAIN_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include "arl.h"
#include "negatives.h"
#include "split.h"
#include "../store/store.h"

/* The rows of the export's parameter table (export_params.h), in order.
 * The first N_EXPORT_INHERITED are the options an update takes from the
 * previous manifest unless given again; given bit i is row i. */
enum export_param {
	EXPORT_P_LAYOUT,
	EXPORT_P_MIN_COUNT,
	EXPORT_P_PER,
	EXPORT_P_SECTIONS,
	EXPORT_P_DROP_NEGATED,
	EXPORT_P_SPLIT,
	EXPORT_P_SEED,
	EXPORT_P_PLANS,
	EXPORT_P_MLM,
	EXPORT_P_MLM_RATIO,
	EXPORT_P_MIM_RATIO,
	EXPORT_P_NEGATIVES,
	EXPORT_P_GRID,
	N_EXPORT_INHERITED,
	EXPORT_P_MODEL = N_EXPORT_INHERITED,
	EXPORT_P_UPDATE,
	EXPORT_P_RENUMBER,
	EXPORT_P_FORCE,
	EXPORT_P_THREADS,
	N_EXPORT_PARAMS
};

#define EXPORT_GIVEN(row) (1u << (row))
enum {
	EXPORT_GIVEN_MIN_COUNT = EXPORT_GIVEN(EXPORT_P_MIN_COUNT),
	EXPORT_GIVEN_PER = EXPORT_GIVEN(EXPORT_P_PER),
	EXPORT_GIVEN_SECTIONS = EXPORT_GIVEN(EXPORT_P_SECTIONS),
	EXPORT_GIVEN_DROP_NEGATED = EXPORT_GIVEN(EXPORT_P_DROP_NEGATED),
	EXPORT_GIVEN_SPLIT = EXPORT_GIVEN(EXPORT_P_SPLIT),
	EXPORT_GIVEN_SEED = EXPORT_GIVEN(EXPORT_P_SEED),
	EXPORT_GIVEN_PLANS = EXPORT_GIVEN(EXPORT_P_PLANS),
	EXPORT_GIVEN_MLM = EXPORT_GIVEN(EXPORT_P_MLM),
	EXPORT_GIVEN_MLM_RATIO = EXPORT_GIVEN(EXPORT_P_MLM_RATIO),
	EXPORT_GIVEN_MIM_RATIO = EXPORT_GIVEN(EXPORT_P_MIM_RATIO),
	EXPORT_GIVEN_NEGATIVES = EXPORT_GIVEN(EXPORT_P_NEGATIVES),
	EXPORT_GIVEN_GRID = EXPORT_GIVEN(EXPORT_P_GRID),
};

/* medkg's layout (annotations, plans) or ARL's (what ARL's prepro leaves
 * before make_arrow: arl.h). */
enum export_layout { EXPORT_LAYOUT_MEDKG, EXPORT_LAYOUT_ARL };

struct export_options {
	int layout;              /* enum export_layout */
	int64_t min_count;       /* medkg: entities mentioned fewer times are dropped (20) */
	int64_t model;           /* embedding model; 0: the latest */
	int per_report;          /* 1: one sample per report; 0: per image */
	char **sections;         /* caption sections; NULL: findings, impression */
	int drop_negated;        /* img_ents leave out entities only negated */
	double split[N_SPLITS];  /* fractions for reports without a split (0.9, 0.05, 0.05) */
	uint64_t seed;           /* splits and plans (42) */
	int plans;               /* write the pretext-task plans */
	int mlm_mode;            /* enum mlm_mode (MLM_ENTITY_FIRST) */
	double mlm_ratio;        /* 0.15 */
	double mim_ratio;        /* 0.75 */
	int negatives;           /* hard negatives per sample (4) */
	int grid;                /* patches per side; 0: the grid of the stored links, else 18 */
	int update;              /* refresh an existing export */
	int force;               /* replace an existing export */
	int renumber;            /* update: number entities afresh */
	int threads;             /* 0: all processors */
	unsigned given;          /* EXPORT_GIVEN_* */
	struct arl_options arl;  /* the ARL layout's settings (export_arl_table) */
	uint64_t given_arl;      /* bit i: row i of export_arl_table given */
};

/* ARL's defaults and medkg's. */
void export_options_default(struct export_options *o);

/* What the store held when an export was written, as far as an append
 * needs it (manifest "append"): the last report, image and mention ids, the
 * link marks, the store's rewrite and knowledge generations, and its last
 * log row (id and a hash of it: the same store, or a copy of it). */
struct export_base {
	int64_t reports, images, mentions;
	int64_t regions_through, patches_through, images_through;
	int64_t rewrites, kb_generation;
	int64_t log, log_hash;
	int64_t negatives;       /* how the negatives were mined (NEGATIVES_VERSION) */
};

struct export_stats {
	int64_t min_count;       /* as used (an update may take it from the manifest) */
	int per_report;          /* as used */
	int64_t model;
	int dim, grid;
	size_t n_ent, n_rel, n_triples;
	size_t n_candidates;     /* concepts mentioned >= min_count */
	size_t n_previous;       /* update: entities that kept their ids */
	size_t n_retained;       /* of those, below min_count now */
	size_t reports, images;
	size_t samples[N_SPLITS];
	size_t no_caption;       /* reports with none of the caption sections */
	size_t no_image;         /* per image: reports without images */
	size_t splits_input, splits_drawn;
	size_t mentions;         /* mentions read */
	size_t mentions_kept;    /* in a caption and of a selected entity */
	size_t mentions_outside; /* outside the caption sections */
	size_t mentions_other;   /* of concepts outside the entity set */
	size_t links_off_grid;   /* region links without patches on the grid */
	struct neg_stats neg;
	size_t files_written;    /* update: files replaced or added */
	size_t files_kept;       /* update: unchanged files left in place */
	size_t appended;         /* update: samples appended to the old ones (0: all
	                            written again, see rewrite_reason) */
	const char *rewrite_reason; /* update: why it could not append (static), or NULL */
	struct export_base base; /* the store as exported */
	struct arl_stats arl;    /* the ARL layout's counts */
	double seconds;
};

/* Export the store into dir. @return 0, or -1 after error(): options out
 * of range, dir not empty (without update or force) or not an export, a
 * corrupted manifest on update, no embeddings or embeddings of another
 * entity set, no samples, or a write failure; dir is then unchanged. */
int train_export(struct store *st, const char *dir, const struct export_options *o,
		 struct export_stats *s);

/* What the store holds now, as a short string (its last log row, report and
 * mention, the last mention linked to regions, the rewrite count and the
 * last model), recorded in the manifest: an export is current while the
 * store's state equals the recorded one. Every medkg writer adds a log row,
 * so the state changes with every command that wrote. @return 0 or -1. */
int export_store_state(struct store *st, struct buf *out);

#endif
