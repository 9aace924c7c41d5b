/*
 * merge — join shard stores (each made by 'medkg extract --shard i/n' over
 * the same knowledge base) into one store, with exactly the reports, images,
 * mentions and links a single run would have written: a shard reads one part
 * of the input in the input's order (extract.h), so shard 1's reports, then
 * shard 2's, ... are what a single run reads. Each shard is attached to the
 * output. One whose ids already follow the output's (a shard numbers its
 * reports, images and mentions as the single run does: extract.c
 * shard_prefix, mentions.h) is copied as it is, INSERT INTO t SELECT * FROM
 * shard.t, rows SQLite moves without decoding them; any other is appended
 * with INSERT ... SELECT by a plan, every table in its key's order, its ids
 * moved past the output's; a report the output already holds is left alone
 * when its text is the same and replaced when not (the incremental rule of
 * extraction). One transaction for the whole merge.
 *
 * The output must hold the same knowledge base as every shard (meta
 * kb.fingerprint, so concept ids agree); a missing output is created as a
 * copy of the first shard. Shards over another knowledge base, or linked on
 * another grid, are refused before anything is written.
 *
 * A shard's store records its part (META_SHARD_PART: I/N, the inputs' size,
 * whether its extraction finished), and an output the parts it holds
 * (META_SHARDS_MERGED). A merge refuses a shard whose extraction stopped
 * before the end of its part, and one that would leave a hole: part I of a
 * run while part J < I is neither in the output nor merged with it. Either
 * would be a store that holds less than a single run's, with nothing to
 * show it. Stores of no --shard run are merged as they are.
 *
 * Does not: re-extract anything, or merge knowledge bases.
 */
#ifndef MEDKG_MERGE_H
#define MEDKG_MERGE_H

#include <stdint.h>
#include "../store/store.h"

struct merge_stats {
	int64_t reports, added, changed, unchanged, mentions, images;
	int64_t verbatim;        /* shards copied as they are (merge.c verbatim_fits) */
	char parts[240];         /* the --shard parts the output holds ("shards 1 to 3 of 8 of a
				  * --shard run (4 to 8 not merged yet)"); "" when none */
	double seconds;
};

/* What a store of 'extract --shard I/N' records of its part. */
struct shard_part {
	int i, n;                /* part i of n */
	int64_t total;           /* bytes of the inputs end to end */
	int done;                /* its extraction finished (else: stopped after some batches) */
};

/* Record p in st (inside the caller's transaction). @return 0 or -1. */
int shard_part_keep(struct store *st, const struct shard_part *p);
/* What st records: @return 1 with *p, 0 when it is no shard's store, -1 on
 * error (a value that does not read included). */
int shard_part_read(struct store *st, struct shard_part *p);

/* Merge shards[0..n) into the store at out (created when missing).
 * @return 0, or -1 after error() (then the output is as it was, or not
 * there when it was to be created). */
int merge_shards(const char *out, char *const *shards, size_t n, struct merge_stats *s);

#endif
