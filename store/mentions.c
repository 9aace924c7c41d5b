/* mentions — a report's mentions as a range of ids (mentions.h). */
#include "mentions.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

int mentions_next_id(struct store *st, int64_t *next)
{
	sqlite3_stmt *q = store_prepare(st,
		"SELECT max(ifnull((SELECT seq FROM sqlite_sequence WHERE name = 'mentions'), 0), "
		"ifnull((SELECT max(id) FROM mentions), 0)) + 1");
	if (!q)
		return -1;
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*next = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : store_error(st, "cannot read the mention ids");
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

int mentions_by_concept(struct store *st, int64_t **counts, int64_t *n)
{
	int64_t cap = store_int(st, "SELECT ifnull(max(id), 0) + 1 FROM concepts", 1);
	int64_t *c = xcalloc((size_t)cap, sizeof(*c));
	sqlite3_stmt *q = store_prepare(st, "SELECT concept FROM mentions");
	int rc = q ? SQLITE_DONE : SQLITE_ERROR;
	while (q && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		if (id < 0)
			continue;
		if (id >= cap) { /* a concept row gone (only a broken store) */
			int64_t was = cap;
			cap = id + 1;
			c = xrealloc(c, (size_t)cap * sizeof(*c));
			memset(c + was, 0, (size_t)(cap - was) * sizeof(*c));
		}
		c[id]++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(c);
		return q ? store_error(st, "cannot read mentions") : -1;
	}
	*counts = c;
	*n = cap;
	return 0;
}
