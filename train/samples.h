/*
 * samples — the per-sample half of an export (export.h is the whole): read
 * the reports with their images, mentions, region links and patch sets from
 * the store in report order, and write one annotation line (and one plan
 * line, with --plans) per image or per report into the split's files.
 *
 * The store is read by one thread in batches of reports; the captions, the
 * JSON lines and the masking plans of a batch are built by all threads
 * (OpenMP tasks) while the next batch is read, and written in report order,
 * so the output does not depend on the number of threads.
 *
 * A caption is the text of the report's selected sections in text order,
 * joined by one space; mention offsets are moved into it, counted in
 * characters. Mentions outside those sections, or of concepts outside the
 * entity set, are left out (and counted).
 *
 * Does not: choose entities, mine negatives (negatives.h) or hash files.
 */
#ifndef MEDKG_TRAIN_SAMPLES_H
#define MEDKG_TRAIN_SAMPLES_H

#include <stdint.h>
#include <stdio.h>
#include "export.h"
#include "negatives.h"

/* Where one split's samples go, and what negative mining needs of them. */
struct split_out {
	FILE *ann, *plan;       /* annotation and plan lines (plan NULL without --plans) */
	size_t n;               /* samples written */
	size_t *off;            /* (n + 1) sample i's affirmed entities: ents[off[i] .. off[i+1]) */
	int32_t *ents;
	uint64_t *keys;         /* (n) a hash of the sample's id: seeds its draws */
	uint32_t *group;        /* (n) the report's ordinal: its images share a caption */
	struct neg_state neg;   /* the mining's state (ring NULL: none) */
	size_t cap, cap_ents;
};

/* Free what a split_out holds (not the files). */
void split_out_release(struct split_out *so);
/* What negative mining needs of a split's samples (keys, groups, affirmed
 * entities) and the state it left (neg), saved beside the plans so that an
 * append can extend the negatives without reading the samples back. The
 * file: "MKGPOOL2", then little-endian u64 n, u64 n_ents, u64 n_ring (n, or
 * 0 without a state), u64 n_deep, u64 keys[n], u32 group[n], u64 off[n + 1],
 * i32 ents[n_ents], i32 ring[n_ring], i32 deep[n_deep]. @return 0, or -1
 * after error(). */
int split_out_save(const struct split_out *so, const char *path);
/* Load a saved pool into an empty so, checking its form (entity ids below
 * n_ent, offsets ascending, the sizes the file has), with room for more
 * samples; hex (or NULL): the file's XXH3-128. @return 0, or -1 after
 * error() naming the file and what is wrong. */
int split_out_load(struct split_out *so, const char *path, int32_t n_ent, char hex[33]);

/*
 * Write the samples of every report after report id `after` (0: all).
 * ent_of maps concept ids 0..max_concept to entity ids (-1: not an entity);
 * grid is the patch grid. Counts are added to s (reports, images, samples,
 * mentions, splits, skipped reports); the reports s counts already (an
 * append: those up to `after`) come first in the negatives' groups, and
 * out[] may hold their samples already (split_out: appended to).
 * @return 0, or -1 after error() (a malformed sections value or patch set,
 * a read or write failure).
 */
int samples_write(struct store *st, const struct export_options *o, const int32_t *ent_of,
		  int64_t max_concept, int grid, int64_t after, struct split_out out[N_SPLITS],
		  struct export_stats *s);

/* The grid of the stored patch sets (the most common), or 0 when there are
 * none. @return it, or -1 on error. */
int samples_stored_grid(struct store *st);

#endif
