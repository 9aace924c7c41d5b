/* mentions — a report's mentions as a range of ids (mentions.h). */
#include "mentions.h"
#include "../common/buf.h"
#include "../common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t mentions_first(int64_t report, int64_t next)
{
	if (report <= 0 || report > INT64_MAX / MENTION_BLOCK / 2)
		return next; /* no block for it */
	int64_t at = report * MENTION_BLOCK;
	return at > next ? at : next;
}

int mentions_next_id(struct store *st, int64_t *next)
{
	/* the kept mark, and past every id there is (rows written by hand) */
	sqlite3_stmt *q = store_prepare(st,
		"SELECT max(ifnull((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '"
		META_MENTION_NEXT "'), 0), ifnull((SELECT max(id) FROM mentions), 0) + 1)");
	if (!q)
		return -1;
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*next = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : store_error(st, "cannot read the mention ids");
}

int mentions_keep_next(struct store *st, int64_t next)
{
	sqlite3_stmt *s = store_prepare(st,
		"INSERT INTO meta(key, value) VALUES ('" META_MENTION_NEXT "', ?1) "
		"ON CONFLICT(key) DO UPDATE SET value = max(CAST(value AS INTEGER), ?1)");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, next);
	int rc = store_step_done(st, s);
	sqlite3_finalize(s);
	return rc;
}

int mentions_set_ranges(struct store *st)
{
	return store_exec(st,
		"CREATE TEMP TABLE mention_span AS SELECT report, min(id) AS first, "
		"max(id) - min(id) + 1 AS n FROM mentions GROUP BY report;"
		"UPDATE reports SET mention_first = 0, mention_count = 0;"
		"UPDATE reports SET mention_first = s.first, mention_count = s.n "
		"FROM temp.mention_span s WHERE s.report = reports.id;"
		"DROP TABLE temp.mention_span;");
}

/* Room in c[0..*cap) for index id, the new entries zero. */
static void counts_room(int64_t **c, int64_t *cap, int64_t id)
{
	if (id < *cap)
		return;
	int64_t was = *cap;
	*cap = id + 1;
	*c = xrealloc(*c, (size_t)*cap * sizeof(**c));
	memset(*c + was, 0, (size_t)(*cap - was) * sizeof(**c));
}

/* The kept counts (META_MENTION_COUNTS) into c[0..*cap) when they hold:
 * written under the rewrite count and knowledge generation the store has
 * now. @return the last mention id they cover (0: none held; c all zero). */
static int64_t counts_kept(struct store *st, int64_t **c, int64_t *cap, int64_t rewrites,
			   int64_t generation)
{
	struct buf v = BUF_INIT;
	long long through = 0, rw = -1, gen = -1;
	int used = 0;
	if (store_meta_get(st, META_MENTION_COUNTS, &v) <= 0 ||
	    sscanf(v.p, "%lld %lld %lld%n", &through, &rw, &gen, &used) != 3 || rw != rewrites ||
	    gen != generation || through < 0) {
		buf_release(&v);
		return 0;
	}
	for (const char *p = v.p + used; *p == ' ';) {
		char *end, *end2;
		long long id = strtoll(p + 1, &end, 10), k = 0;
		if (end == p + 1 || *end != ':' || id < 0 ||
		    ((k = strtoll(end + 1, &end2, 10)), end2 == end + 1) || k < 0) {
			memset(*c, 0, (size_t)*cap * sizeof(**c)); /* malformed: not used */
			through = 0;
			break;
		}
		counts_room(c, cap, id);
		(*c)[id] = k;
		p = end2;
	}
	buf_release(&v);
	return through;
}

/* counts plus one per mention after id `after`. @return 0 or -1. */
static int count_after(struct store *st, int64_t after, int64_t **counts, int64_t *cap)
{
	sqlite3_stmt *q = store_prepare(st, "SELECT concept FROM mentions WHERE id > ?");
	int rc = q ? SQLITE_DONE : SQLITE_ERROR;
	if (q)
		sqlite3_bind_int64(q, 1, after);
	while (q && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		if (id < 0)
			continue;
		counts_room(counts, cap, id); /* past the last: a concept row gone (a broken store) */
		(*counts)[id]++;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : q ? store_error(st, "cannot read mentions") : -1;
}

/* mentions_by_concept, and the last mention id its counts cover. */
static int counts_now(struct store *st, int64_t **counts, int64_t *n, int64_t *through,
		      int64_t *rewrites, int64_t *generation)
{
	int64_t cap = store_int(st, "SELECT ifnull(max(id), 0) + 1 FROM concepts", 1);
	int64_t *c = xcalloc((size_t)cap, sizeof(*c));
	int rc = -1;
	if (store_meta_get_int(st, META_STORE_REWRITES, rewrites) == 0 &&
	    store_meta_get_int(st, META_KB_GENERATION, generation) == 0) {
		int64_t after = counts_kept(st, &c, &cap, *rewrites, *generation);
		*through = store_int(st, "SELECT ifnull(max(id), 0) FROM mentions", -1);
		rc = *through < 0 ? store_error(st, "cannot read mentions")
				  : count_after(st, after, &c, &cap);
	}
	if (rc < 0) {
		free(c);
		return -1;
	}
	*counts = c;
	*n = cap;
	return 0;
}

int mentions_by_concept(struct store *st, int64_t **counts, int64_t *n)
{
	int64_t through, rewrites, generation;
	return counts_now(st, counts, n, &through, &rewrites, &generation);
}

int mentions_counts_keep(struct store *st)
{
	int64_t *c = NULL, n = 0, through = 0, rewrites = 0, generation = 0;
	if (counts_now(st, &c, &n, &through, &rewrites, &generation) < 0)
		return -1;
	struct buf v = BUF_INIT;
	buf_addf(&v, "%lld %lld %lld", (long long)through, (long long)rewrites,
		 (long long)generation);
	for (int64_t id = 0; id < n; id++)
		if (c[id])
			buf_addf(&v, " %lld:%lld", (long long)id, (long long)c[id]);
	free(c);
	int rc = store_meta_set(st, META_MENTION_COUNTS, v.p);
	buf_release(&v);
	return rc;
}
