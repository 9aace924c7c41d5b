/*
 * extract — concept extraction from reports into the store: read reports
 * (readers.h), split sections (sections.h) and sentences (sentences.h),
 * match the dictionary (dict.h) over normalized tokens (common/normalize.h),
 * decide context (context.h), and write reports, images and mentions.
 *
 * Ingestion is incremental. A report is keyed by (source, id) and carries a
 * hash of its content and of the extraction settings (dictionary, lexicon,
 * sections searched): an unchanged report is skipped after the hash check, a
 * changed one has its mentions and images replaced (its row id is kept), a
 * new one is added. Reports are written in batches, one transaction each, in
 * input order: a run killed at any moment leaves whole batches, and running
 * it again completes the rest with no duplicates. Sharding (shard i of n)
 * keeps every n-th report; merge.h joins shard stores.
 *
 * Matching and context run in parallel (OpenMP tasks over a batch) while the
 * previous batch is written; writes stay serial and in batch order, so the
 * store is the same whatever the number of threads.
 *
 * Offsets: mentions.start/end and the offsets in reports.sections count
 * characters (Unicode code points) of reports.text.
 *
 * Does not: link mentions to image regions, or read images.
 */
#ifndef MEDKG_EXTRACT_H
#define MEDKG_EXTRACT_H

#include <stdint.h>
#include <stdio.h>
#include "dict_store.h"
#include "readers.h"
#include "../store/store.h"

#define EXTRACTOR_VERSION 2

struct extract_options {
	struct reader_options rd;
	struct dict_options dict;
	char *lexicon;           /* trigger lexicon file; NULL: the built-in one */
	char **sections;         /* sections searched; NULL: findings, impression */
	char *source;            /* source label of every input; NULL: input's name */
	int shard, n_shards;     /* read the shard-th of n_shards parts of the inputs (extract.c
				  * shard_windows); 0: all */
	size_t batch;            /* reports per transaction; 0: 1000 */
	FILE *jsonl;             /* when set: mentions go here as JSON Lines, not to the store */
	int progress;            /* draw a progress line (on a terminal) */
};

struct extract_stats {
	int64_t read;            /* reports read and valid */
	int64_t added, changed, unchanged;
	int64_t shard_lo, shard_hi, shard_total; /* --shard: the bytes of the inputs read */
	int64_t duplicates;      /* an id seen before in the same source in this run */
	int64_t skipped;         /* bad reports or files (lenient) */
	int64_t empty;           /* reports with no text */
	int64_t mentions, polarity[3], historical;
	int64_t batches;
	double seconds;
	struct dict_info dict;
};

/* Extract from inputs[0..n_inputs) into the store (or to o->jsonl).
 * @return 0, or -1 after error(): batches written before the error stay. */
int extract_run(struct store *st, char *const *inputs, size_t n_inputs,
		const struct extract_options *o, struct extract_stats *s);

#endif
