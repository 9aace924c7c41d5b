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
 * Does not: re-extract anything, or merge knowledge bases.
 */
#ifndef MEDKG_MERGE_H
#define MEDKG_MERGE_H

#include <stdint.h>
#include "../store/store.h"

struct merge_stats {
	int64_t reports, added, changed, unchanged, mentions, images;
	int64_t verbatim;        /* shards copied as they are (merge.c verbatim_fits) */
	double seconds;
};

/* Merge shards[0..n) into the store at out (created when missing).
 * @return 0, or -1 after error() (then the output is as it was, or not
 * there when it was to be created). */
int merge_shards(const char *out, char *const *shards, size_t n, struct merge_stats *s);

#endif
