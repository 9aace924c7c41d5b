#include "query.h"
#include "../common/normalize.h"
#include "../common/util.h"

#include <string.h>

/* 1234567 -> "1,234,567" */
static const char *thousands(int64_t v, char *out, size_t n)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%lld", (long long)(v < 0 ? -v : v));
	size_t len = strlen(tmp), k = 0;
	if (v < 0 && k + 1 < n)
		out[k++] = '-';
	for (size_t i = 0; i < len && k + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = tmp[i];
	}
	out[k] = '\0';
	return out;
}

static const char *const tables[] = {
	"concepts", "terms", "semtypes", "concept_semtypes", "sources", "relations",
	"triples", "xrefs", "reports", "images", "mentions", "regions", "mention_regions",
	"mention_patches",
	"embedding_models", "embeddings", "ingest_log",
};

int query_stats(struct store *st, FILE *out, int top)
{
	struct buf v = BUF_INIT;
	char num[32];
	fprintf(out, "store       %s (schema %d)\n", st->path,
		(int)store_int(st, "PRAGMA user_version", 0));
	if (store_meta_get(st, "umls.release", &v) > 0)
		fprintf(out, "UMLS        release %s\n", v.p);
	buf_reset(&v);
	if (store_meta_get(st, "mesh.release", &v) > 0)
		fprintf(out, "MeSH        %s\n", v.p);
	buf_reset(&v);
	sqlite3_stmt *m = store_prepare(st, "SELECT substr(key, 5, length(key) - 12), value FROM "
					    "meta WHERE key GLOB 'obo.*.release' ORDER BY key");
	while (m && sqlite3_step(m) == SQLITE_ROW)
		fprintf(out, "OBO         %s: %s\n", sqlite3_column_text(m, 0), sqlite3_column_text(m, 1));
	sqlite3_finalize(m);
	if (store_meta_get(st, "kb.generation", &v) > 0) {
		fprintf(out, "knowledge   generation %s", v.p);
		buf_reset(&v);
		if (store_meta_get(st, "kb.fingerprint", &v) > 0)
			fprintf(out, ", fingerprint %s", v.p);
		fputc('\n', out);
	}
	buf_release(&v);

	fprintf(out, "\n%-18s %12s\n", "table", "rows");
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
		char sql[96];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
		fprintf(out, "%-18s %12s\n", tables[i], thousands(store_int(st, sql, 0), num, sizeof num));
	}

	sqlite3_stmt *s = store_prepare(st,
		"SELECT s.sab, s.kb, coalesce(s.version, ''), "
		"(SELECT count(*) FROM terms t WHERE t.source = s.id), "
		"(SELECT count(*) FROM triples r WHERE r.source = s.id), coalesce(s.name, '') "
		"FROM sources s ORDER BY 4 DESC, 1");
	if (!s)
		return -1;
	fprintf(out, "\nsources\n  %-14s %-5s %-12s %10s %10s  %s\n", "sab", "kb", "version", "terms",
		"triples", "name");
	while (sqlite3_step(s) == SQLITE_ROW) {
		char n2[32];
		fprintf(out, "  %-14s %-5s %-12s %10s %10s  %s\n", sqlite3_column_text(s, 0),
			sqlite3_column_text(s, 1), sqlite3_column_text(s, 2),
			thousands(sqlite3_column_int64(s, 3), num, sizeof num),
			thousands(sqlite3_column_int64(s, 4), n2, sizeof n2),
			sqlite3_column_text(s, 5));
	}
	sqlite3_finalize(s);

	s = store_prepare(st, "SELECT t.tui, t.name, count(*) FROM concept_semtypes c "
			      "JOIN semtypes t ON t.id = c.semtype GROUP BY t.id "
			      "ORDER BY 3 DESC, 1 LIMIT ?");
	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, top);
	fprintf(out, "\nsemantic types (concepts, top %d)\n", top);
	while (sqlite3_step(s) == SQLITE_ROW)
		fprintf(out, "  %-6s %-40s %10s\n", sqlite3_column_text(s, 0), sqlite3_column_text(s, 1),
			thousands(sqlite3_column_int64(s, 2), num, sizeof num));
	sqlite3_finalize(s);

	s = store_prepare(st, "SELECT r.name, r.rel, count(*) FROM triples t "
			      "JOIN relations r ON r.id = t.relation GROUP BY r.id "
			      "ORDER BY 3 DESC, 1 LIMIT ?");
	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, top);
	fprintf(out, "\nrelations (triples, top %d)\n", top);
	while (sqlite3_step(s) == SQLITE_ROW)
		fprintf(out, "  %-30s %-4s %10s\n", sqlite3_column_text(s, 0), sqlite3_column_text(s, 1),
			thousands(sqlite3_column_int64(s, 2), num, sizeof num));
	sqlite3_finalize(s);
	return 0;
}

int query_find_concept(struct store *st, const char *what, int64_t *id, FILE *out,
		       int *n_candidates)
{
	*n_candidates = 0;
	sqlite3_stmt *s = store_prepare(st, "SELECT id FROM concepts WHERE cui = ?");
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, what, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*n_candidates = 1;
		sqlite3_finalize(s);
		return 1;
	}
	sqlite3_finalize(s);

	struct buf norm = BUF_INIT;
	text_normalize(what, strlen(what), &norm);
	s = store_prepare(st, "SELECT c.id, c.cui, c.name, max(t.preferred) FROM terms t "
			      "JOIN concepts c ON c.id = t.concept WHERE t.norm = ? "
			      "GROUP BY c.id ORDER BY 4 DESC, c.cui");
	if (!s) {
		buf_release(&norm);
		return -1;
	}
	sqlite3_bind_text(s, 1, buf_str(&norm), -1, SQLITE_STATIC);
	int found = 0;
	struct buf list = BUF_INIT;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (found++ == 0)
			*id = sqlite3_column_int64(s, 0);
		buf_addf(&list, "  %s  %s\n", sqlite3_column_text(s, 1), sqlite3_column_text(s, 2));
	}
	if (found > 1)
		fprintf(out, "'%s' names %d concepts:\n%s", what, found, list.p);
	buf_release(&list);
	sqlite3_finalize(s);
	buf_release(&norm);
	*n_candidates = found;
	return found == 1;
}

static int print_relations(struct store *st, int64_t id, FILE *out, int max_rel, int outgoing)
{
	const char *sql = outgoing
		? "SELECT r.name, c.cui, c.name, s.sab FROM triples t JOIN relations r ON "
		  "r.id = t.relation JOIN concepts c ON c.id = t.tail JOIN sources s ON "
		  "s.id = t.source WHERE t.head = ?1 ORDER BY r.name, c.name LIMIT ?2"
		: "SELECT r.name, c.cui, c.name, s.sab FROM triples t JOIN relations r ON "
		  "r.id = t.relation JOIN concepts c ON c.id = t.head JOIN sources s ON "
		  "s.id = t.source WHERE t.tail = ?1 ORDER BY r.name, c.name LIMIT ?2";
	const char *count_sql = outgoing ? "SELECT count(*) FROM triples WHERE head = ?"
					 : "SELECT count(*) FROM triples WHERE tail = ?";
	sqlite3_stmt *c = store_prepare(st, count_sql);
	if (!c)
		return -1;
	sqlite3_bind_int64(c, 1, id);
	int64_t total = sqlite3_step(c) == SQLITE_ROW ? sqlite3_column_int64(c, 0) : 0;
	sqlite3_finalize(c);
	fprintf(out, "%s (%lld)\n", outgoing ? "relations, this concept -> other" :
		"relations, other -> this concept", (long long)total);
	sqlite3_stmt *s = store_prepare(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, max_rel > 0 ? max_rel : -1);
	while (sqlite3_step(s) == SQLITE_ROW)
		fprintf(out, "  %-24s %-10s %-40s [%s]\n", sqlite3_column_text(s, 0),
			sqlite3_column_text(s, 1), sqlite3_column_text(s, 2), sqlite3_column_text(s, 3));
	sqlite3_finalize(s);
	if (max_rel > 0 && total > max_rel)
		fprintf(out, "  ... %lld more (--all lists them)\n", (long long)(total - max_rel));
	return 0;
}

int query_show(struct store *st, int64_t id, FILE *out, int max_rel)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT cui, name FROM concepts WHERE id = ?");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return error("%s: no concept with id %lld", st->path, (long long)id);
	}
	fprintf(out, "%s  %s\n", sqlite3_column_text(s, 0), sqlite3_column_text(s, 1));
	sqlite3_finalize(s);

	s = store_prepare(st, "SELECT t.tui, t.name FROM concept_semtypes c JOIN semtypes t ON "
			      "t.id = c.semtype WHERE c.concept = ? ORDER BY t.tui");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	fprintf(out, "semantic types\n");
	while (sqlite3_step(s) == SQLITE_ROW)
		fprintf(out, "  %s  %s\n", sqlite3_column_text(s, 0), sqlite3_column_text(s, 1));
	sqlite3_finalize(s);

	s = store_prepare(st, "SELECT t.str, s.sab, t.tty, t.lang, t.preferred, t.suppress, t.scope "
			      "FROM terms t JOIN sources s ON s.id = t.source WHERE t.concept = ? "
			      "ORDER BY t.preferred DESC, t.lang, s.sab, t.tty, t.str");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	fprintf(out, "names\n");
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *sup = (const char *)sqlite3_column_text(s, 5);
		const char *scope = (const char *)sqlite3_column_text(s, 6);
		fprintf(out, "  %-40s %-10s %-4s %s", sqlite3_column_text(s, 0),
			sqlite3_column_text(s, 1), sqlite3_column_text(s, 2), sqlite3_column_text(s, 3));
		if (sqlite3_column_int(s, 4))
			fputs(" preferred", out);
		if (strcmp(sup, "N"))
			fprintf(out, " suppress=%s", sup);
		if (scope[0])
			fprintf(out, " %s", scope);
		fputc('\n', out);
	}
	sqlite3_finalize(s);
	if (print_relations(st, id, out, max_rel, 1) < 0 || print_relations(st, id, out, max_rel, 0) < 0)
		return -1;
	return 0;
}
