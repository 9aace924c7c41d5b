/*
 * merge — join shard stores (each made by 'medkg extract --shard i/n' over
 * the same knowledge base) into one store, with exactly the reports, images
 * and mentions a single run would have written: shards are read round-robin
 * (a report from shard 1, then shard 2, ...), which is the order a single run
 * reads them in, and every report goes through the same incremental rule (an
 * unchanged report is skipped, a changed one replaced). One transaction per
 * batch of reports.
 *
 * The output must hold the same knowledge base as every shard (meta
 * kb.fingerprint, so concept ids agree); a missing output is created as a
 * copy of the first shard's knowledge (its reports removed). Shards over
 * another knowledge base are refused before anything is written.
 *
 * Does not: re-extract anything, or merge knowledge bases.
 */
#ifndef MEDKG_MERGE_H
#define MEDKG_MERGE_H

#include <stdint.h>
#include "../store/store.h"

struct merge_stats {
	int64_t reports, added, changed, unchanged, mentions, images;
	double seconds;
};

/* Merge shards[0..n) into the store at out (created when missing).
 * @return 0, or -1 after error() (then nothing of the failing batch is
 * written). */
int merge_shards(const char *out, char *const *shards, size_t n, struct merge_stats *s);

#endif
