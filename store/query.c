#include "query.h"
#include "mentions.h"
#include "../common/normalize.h"
#include "../common/util.h"

#include <jansson.h>
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
	"embedding_models", "embeddings", "ingest_log", "dictionaries",
};

/* "  label: name n, name n, ..." from the JSON object o (in its order),
 * with a label for each key where names gives one. */
static void print_counts(FILE *out, const char *label, json_t *o, const char *const names[][2])
{
	const char *key;
	json_t *v;
	char num[32];
	int first = 1;
	fprintf(out, "  %-9s", label);
	json_object_foreach(o, key, v) {
		if (!strcmp(key, "all"))
			continue;
		const char *name = key;
		for (size_t i = 0; names && names[i][0]; i++)
			if (!strcmp(names[i][0], key))
				name = names[i][1];
		fprintf(out, "%s%s %s", first ? " " : ", ", name,
			thousands(json_integer_value(v), num, sizeof num));
		first = 0;
	}
	fputc('\n', out);
}

/* The latest dictionary: its size, and what its rules did to the terms
 * (dictionaries.rules, extract/dict_store.h). */
static int dictionary_stats(struct store *st, FILE *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT filters, created, n_entries, n_terms, rules "
					    "FROM dictionaries ORDER BY id DESC LIMIT 1");
	if (!s)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return 0;
	}
	char num[32], n2[32];
	fprintf(out, "\ndictionary (%s, built %s): %s entries from %s terms\n",
		sqlite3_column_text(s, 0), sqlite3_column_text(s, 1),
		thousands(sqlite3_column_int64(s, 2), num, sizeof num),
		thousands(sqlite3_column_int64(s, 3), n2, sizeof n2));
	json_t *j = json_loads((const char *)sqlite3_column_text(s, 4), 0, NULL);
	sqlite3_finalize(s);
	static const char *const removed[][2] = {
		{ "function", "function words" }, { "unit", "units" }, { "numeral", "numerals" },
		{ "generic", "generic head words" }, { NULL, NULL },
	};
	static const char *const cased[][2] = {
		{ "abbreviation", "abbreviations (their case only)" },
		{ "symbol", "acronyms and symbols (as written)" },
		{ "short", "3 characters or fewer (lower case or capitalized)" }, { NULL, NULL },
	};
	json_t *r = json_object_get(j, "removed"), *c = json_object_get(j, "case"),
	       *v = json_object_get(j, "variants");
	if (json_is_object(r))
		print_counts(out, "removed", r, removed);
	if (json_is_object(c))
		print_counts(out, "case", c, cased);
	if (json_is_object(v)) {
		fprintf(out, "  variants  %s added\n",
			thousands(json_integer_value(json_object_get(v, "all")), num, sizeof num));
		print_counts(out, "", v, NULL);
	}
	json_decref(j);
	return 0;
}

int query_stats(struct store *st, FILE *out, int top)
{
	struct buf v = BUF_INIT;
	char num[32];
	fprintf(out, "store       %s (schema %d)\n", st->path,
		(int)store_int(st, "PRAGMA user_version", 0));
	if (store_meta_get(st, META_UMLS_RELEASE, &v) > 0)
		fprintf(out, "UMLS        release %s\n", v.p);
	buf_reset(&v);
	if (store_meta_get(st, META_MESH_RELEASE, &v) > 0)
		fprintf(out, "MeSH        %s\n", v.p);
	buf_reset(&v);
	/* obo.<SAB>.release: the SAB and its value */
	sqlite3_stmt *m = store_prepare(st, "SELECT substr(key, length(?1) + 2, length(key) - "
					    "length(?1) - length(?2) - 2), value FROM meta WHERE "
					    "key GLOB ?1 || '.*.' || ?2 ORDER BY key");
	if (m) {
		sqlite3_bind_text(m, 1, META_OBO, -1, SQLITE_STATIC);
		sqlite3_bind_text(m, 2, META_LOAD_RELEASE, -1, SQLITE_STATIC);
	}
	while (m && sqlite3_step(m) == SQLITE_ROW)
		fprintf(out, "OBO         %s: %s\n", sqlite3_column_text(m, 0), sqlite3_column_text(m, 1));
	sqlite3_finalize(m);
	if (store_meta_get(st, META_KB_GENERATION, &v) > 0) {
		fprintf(out, "knowledge   generation %s", v.p);
		buf_reset(&v);
		if (store_meta_get(st, META_KB_FINGERPRINT, &v) > 0)
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
	if (dictionary_stats(st, out) < 0)
		return -1;
	return query_mention_stats(st, out, top);
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

int query_mention_stats(struct store *st, FILE *out, int top)
{
	char num[32], n2[32], n3[32], n4[32];
	int64_t total = store_int(st, "SELECT count(*) FROM mentions", 0);
	if (total == 0)
		return 0;
	int64_t reports = store_int(st, "SELECT count(DISTINCT report) FROM mentions", 0);
	fprintf(out, "\nmentions (%s in %s reports)\n", thousands(total, num, sizeof num),
		thousands(reports, n2, sizeof n2));
	sqlite3_stmt *s = store_prepare(st, "SELECT polarity, count(*) FROM mentions GROUP BY 1 "
					    "ORDER BY 2 DESC, 1");
	if (!s)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(s, 1);
		fprintf(out, "  %-12s %10s  %5.1f%%\n", sqlite3_column_text(s, 0),
			thousands(n, num, sizeof num), 100.0 * (double)n / (double)total);
	}
	sqlite3_finalize(s);
	static const struct {
		const char *name, *sql;
	} flags[] = {
		{ "historical", "SELECT count(*) FROM mentions WHERE historical" },
		{ "hypothetical", "SELECT count(*) FROM mentions WHERE hypothetical" },
		{ "probable", "SELECT count(*) FROM mentions WHERE hedge = 'probable'" },
		{ "possible", "SELECT count(*) FROM mentions WHERE hedge = 'possible'" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		int64_t n = store_int(st, flags[i].sql, 0);
		fprintf(out, "  %-12s %10s  %5.1f%%\n", flags[i].name, thousands(n, num, sizeof num),
			100.0 * (double)n / (double)total);
	}

	/* how they were recognized (extract/recognize.h) */
	s = store_prepare(st, "SELECT 'matched ' || match, count(*), 1 FROM mentions GROUP BY match "
			      "UNION ALL SELECT 'ambiguous, decided by ' || decided, count(*), 2 FROM "
			      "mentions WHERE decided <> '' GROUP BY decided UNION ALL SELECT "
			      "'with modifiers', count(*), 3 FROM mentions WHERE modifiers <> '' "
			      "ORDER BY 3, 2 DESC, 1");
	if (!s)
		return -1;
	fprintf(out, "\nmentions recognized\n");
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(s, 1);
		if (n)
			fprintf(out, "  %-36s %10s  %5.1f%%\n", sqlite3_column_text(s, 0),
				thousands(n, num, sizeof num), 100.0 * (double)n / (double)total);
	}
	sqlite3_finalize(s);

	s = store_prepare(st, "SELECT c.cui, c.name, count(*), sum(m.polarity = 'affirmed'), "
			      "sum(m.polarity = 'negated'), sum(m.polarity = 'uncertain') "
			      "FROM mentions m JOIN concepts c ON c.id = m.concept GROUP BY m.concept "
			      "ORDER BY 3 DESC, 1 LIMIT ?");
	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, top);
	fprintf(out, "\nconcepts mentioned (top %d)\n  %-10s %-34s %9s %9s %9s %9s\n", top, "cui",
		"name", "mentions", "affirmed", "negated", "uncertain");
	while (sqlite3_step(s) == SQLITE_ROW)
		fprintf(out, "  %-10s %-34.34s %9s %9s %9s %9s\n", sqlite3_column_text(s, 0),
			sqlite3_column_text(s, 1), thousands(sqlite3_column_int64(s, 2), num, sizeof num),
			thousands(sqlite3_column_int64(s, 3), n2, sizeof n2),
			thousands(sqlite3_column_int64(s, 4), n3, sizeof n3),
			thousands(sqlite3_column_int64(s, 5), n4, sizeof n4));
	sqlite3_finalize(s);
	return 0;
}

/* Byte offset of character c in s (walking from byte *b, character *at). */
static size_t byte_at(const char *s, size_t len, size_t *b, int64_t *at, int64_t c)
{
	while (*at < c && *b < len) {
		(*b)++;
		while (*b < len && ((unsigned char)s[*b] & 0xC0) == 0x80)
			(*b)++;
		(*at)++;
	}
	return *b;
}

int query_mentions(struct store *st, const char *external_id, const char *source, FILE *out,
		   int *n_found)
{
	*n_found = 0;
	sqlite3_stmt *r = store_prepare(st, "SELECT id, source, text, sections, coalesce(split, ''), "
					    "ingested, (SELECT count(*) FROM images i WHERE "
					    "i.report = reports.id) FROM reports WHERE external_id = ?1 "
					    "AND (?2 IS NULL OR source = ?2) ORDER BY source");
	sqlite3_stmt *m = store_prepare(st, "SELECT m.start, m.end, m.section, m.sentence, "
					    "m.polarity, m.historical, c.cui, c.name, m.surface, "
					    "m.hedge, m.hypothetical, m.match, m.candidates, m.decided, "
					    "m.modifiers "
					    "FROM reports p CROSS JOIN mentions m ON "
					    MENTIONS_OF("p", "m") " JOIN concepts c ON c.id = m.concept "
					    "WHERE p.id = ? ORDER BY m.start, m.id");
	int rc = -1;
	if (!r || !m)
		goto out;
	sqlite3_bind_text(r, 1, external_id, -1, SQLITE_STATIC);
	if (source)
		sqlite3_bind_text(r, 2, source, -1, SQLITE_STATIC);
	while (sqlite3_step(r) == SQLITE_ROW) {
		(*n_found)++;
		const char *text = (const char *)sqlite3_column_text(r, 2);
		size_t len = (size_t)sqlite3_column_bytes(r, 2);
		const char *split = (const char *)sqlite3_column_text(r, 4);
		fprintf(out, "%s%s  (source %s%s%s, %lld images, extracted %s)\n",
			*n_found > 1 ? "\n" : "", external_id, sqlite3_column_text(r, 1),
			split[0] ? ", split " : "", split, (long long)sqlite3_column_int64(r, 6),
			sqlite3_column_text(r, 5));
		/* the text with each mention marked [surface](n) */
		sqlite3_bind_int64(m, 1, sqlite3_column_int64(r, 0));
		size_t b = 0, done = 0;
		int64_t at = 0, done_c = 0;
		int k = 0;
		struct buf table = BUF_INIT;
		while (sqlite3_step(m) == SQLITE_ROW) {
			int64_t cs = sqlite3_column_int64(m, 0), ce = sqlite3_column_int64(m, 1);
			k++;
			if (cs >= done_c) { /* else it overlaps the previous one: listed only */
				size_t bs = byte_at(text, len, &b, &at, cs);
				size_t be = byte_at(text, len, &b, &at, ce);
				fwrite(text + done, 1, bs - done, out);
				fputc('[', out);
				fwrite(text + bs, 1, be - bs, out);
				fprintf(out, "](%d)", k);
				done = be;
				done_c = ce;
			}
			const char *pol = (const char *)sqlite3_column_text(m, 4);
			const char *hedge = (const char *)sqlite3_column_text(m, 9);
			buf_addf(&table, "  %3d %5lld-%-5lld %-10s %3lld  %-9s %-8s %-4s %-4s %-10s %s",
				 k, (long long)cs, (long long)ce, sqlite3_column_text(m, 2),
				 (long long)sqlite3_column_int64(m, 3), pol,
				 hedge && strcmp(hedge, "definite") ? hedge : "",
				 sqlite3_column_int(m, 10) ? "hyp" : "",
				 sqlite3_column_int(m, 5) ? "hist" : "", sqlite3_column_text(m, 6),
				 sqlite3_column_text(m, 7));
			/* how it was recognized, when not plainly */
			const char *match = (const char *)sqlite3_column_text(m, 11);
			const char *decided = (const char *)sqlite3_column_text(m, 13);
			const char *mods = (const char *)sqlite3_column_text(m, 14);
			struct buf how = BUF_INIT;
			if (match && strcmp(match, "term"))
				buf_addf(&how, "%s", match);
			if (decided && decided[0])
				buf_addf(&how, "%s%d candidates, decided by %s", how.len ? "; " : "",
					 sqlite3_column_int(m, 12), decided);
			if (mods && mods[0])
				buf_addf(&how, "%smodifiers: %s", how.len ? "; " : "", mods);
			if (how.len)
				buf_addf(&table, "  [%s]", how.p);
			buf_release(&how);
			buf_addc(&table, '\n');
		}
		sqlite3_reset(m);
		fwrite(text + done, 1, len - done, out);
		fprintf(out, "\n\n  %3s %11s %-10s %3s  %-9s %-8s %-4s %-4s %-10s %s\n", "#", "chars",
			"section", "sent", "polarity", "hedge", "hyp", "hist", "cui", "name");
		fputs(table.p ? table.p : "  (no mentions)\n", out);
		buf_release(&table);
	}
	rc = 0;
out:
	sqlite3_finalize(r);
	sqlite3_finalize(m);
	return rc;
}
