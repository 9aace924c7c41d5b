/*
 * mentions — where a report's mentions are (umls_schema.sql): the ids
 * reports.mention_first .. mention_first + mention_count - 1 of the mentions
 * table, which has no index but its key. Every reader that wants the
 * mentions of some reports reads them through MENTIONS_OF (a range of the
 * key per report); every writer takes its ids from mentions_next_id, inside
 * its write transaction, and names the range in the report's row.
 *
 * Ids only grow (every writer keeps the first id no mention has had in
 * meta, META_MENTION_NEXT, and mentions_next_id is past it and every id in
 * the table), so "the mentions after id N" is a range as well: link keeps
 * such high-water marks (META_LINK_*_THROUGH). Not AUTOINCREMENT: SQLite
 * reads and writes sqlite_sequence for every INSERT statement, a third of
 * extraction's insert time (bench/RESULTS.md).
 *
 * Where a range starts (mentions_first): report r's mentions start at id
 * r * MENTION_BLOCK unless the ids already used pass it (a report with more
 * mentions than a block before it, a report extracted again, which keeps
 * its row id): then at the next free id. A store filled in one run from
 * empty thus names every mention by its report's id and its place in it,
 * whatever came before: a shard that knows its first report id numbers its
 * mentions as one run over all the input would (merge.h).
 *
 * Does not: know what a mention means (extract) or how it is linked (link).
 */
#ifndef MEDKG_MENTIONS_H
#define MEDKG_MENTIONS_H

#include "store.h"

/* SQL join condition: mention alias m belongs to report alias r. As a
 * CROSS JOIN from reports, SQLite reads each report's mentions as one range
 * of the mentions table's key, in report order then id order. */
#define MENTIONS_OF(r, m) \
	"(" m ".id >= " r ".mention_first AND " m ".id < " r ".mention_first + " r ".mention_count)"

#define MENTION_BLOCK 4096

/* The first id of the mentions of report row `report`, written when `next`
 * is the first id no mention has had (mentions_next_id). */
int64_t mentions_first(int64_t report, int64_t next);

/* The first id no mention has ever had. Called inside the write
 * transaction, so that two writers never hand out the same ids.
 * @return 0 or -1. */
int mentions_next_id(struct store *st, int64_t *next);

/* Keep next as the first id no mention has had (META_MENTION_NEXT),
 * unless the kept one is higher, inside the caller's write transaction:
 * every writer of mentions, after its rows. @return 0 or -1. */
int mentions_keep_next(struct store *st, int64_t next);

/* Name every report's range from the mentions it holds (reports whose
 * mentions were written with ids but no range: migration, fixtures). The
 * caller has made each report's ids consecutive. @return 0 or -1. */
int mentions_set_ranges(struct store *st);

/* How many mentions each concept has: (*counts)[id] for concept ids up to
 * *n - 1 (the caller frees). The counts mentions_counts_keep kept, when
 * they still hold, plus one pass over the mentions after the last id they
 * cover; else one pass over the table, counted in memory (a GROUP BY would
 * sort it, the table having no index on concept). @return 0 or -1. */
int mentions_by_concept(struct store *st, int64_t **counts, int64_t *n);
/* Keep the counts (META_MENTION_COUNTS) inside the caller's write
 * transaction: the last mention id they cover, under the store's rewrite
 * count and knowledge generation, the only ways medkg removes mentions
 * (a report extracted again, a merge replacing reports, a knowledge load
 * dropping concepts): while both stay, the kept counts hold for every id
 * up to theirs. @return 0 or -1. */
int mentions_counts_keep(struct store *st);

#endif
