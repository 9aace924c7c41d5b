#include "chexpert.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *cui;
	int obs;
} table[] = {
	{ "C0004144", 0 }, { "C0018800", 1 }, { "C0521530", 2 }, { "C0034063", 3 },
	{ "C0016658", 5 }, { "C0034079", 6 }, { "C0028259", 6 }, { "C9000097", 7 },
	{ "C0032227", 9 }, { "C0032285", 11 }, { "C0032326", 12 },
};

int chexpert_map_load(struct chexpert_map *m, struct store *st)
{
	memset(m, 0, sizeof(*m));
	sqlite3_stmt *s = store_prepare(st, "SELECT id FROM concepts WHERE cui = ?");
	if (!s)
		return -1;
	m->concept = xmalloc(ARRAY_SIZE(table) * sizeof(int64_t));
	m->obs = xmalloc(ARRAY_SIZE(table));
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		sqlite3_bind_text(s, 1, table[i].cui, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW) {
			m->concept[m->n] = sqlite3_column_int64(s, 0);
			m->obs[m->n++] = (signed char)table[i].obs;
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return 0;
}

void chexpert_map_release(struct chexpert_map *m)
{
	free(m->concept);
	free(m->obs);
	memset(m, 0, sizeof(*m));
}

int chexpert_label_report(const struct chexpert_map *m, struct store *st, int64_t report,
			  signed char out[CHEXPERT_N])
{
	for (int i = 0; i < CHEXPERT_N; i++)
		out[i] = CHEXPERT_BLANK;
	sqlite3_stmt *s = store_prepare(st, "SELECT concept, polarity FROM mentions WHERE report = ? "
					    "AND section IN ('findings', 'impression')");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, report);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t c = sqlite3_column_int64(s, 0);
		const char *p = (const char *)sqlite3_column_text(s, 1);
		int v = !strcmp(p, "affirmed") ? 1 : !strcmp(p, "uncertain") ? -1 : 0;
		for (size_t i = 0; i < m->n; i++) {
			if (m->concept[i] != c)
				continue;
			signed char *o = &out[m->obs[i]];
			if (*o == CHEXPERT_BLANK || v == 1 || (v == -1 && *o == 0))
				*o = (signed char)v;
		}
	}
	sqlite3_finalize(s);
	int any = 0;
	for (int i = 0; i < CHEXPERT_N; i++)
		any |= i != 8 && i != 13 && (out[i] == 1 || out[i] == -1);
	out[8] = any ? CHEXPERT_BLANK : 1;
	return 0;
}
