/* Opening, creating and migrating the store. */
#include "testhelp.h"
#include "tests.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../store/mentions.h"
#include "../store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_migrate(void);
static void test_migrate_v2(void);
static void test_mention_counts(void);
static void test_mention_first(void);

void test_store(void)
{
	const char *dir = test_tmpdir();
	char path[512];
	struct store st;

	snprintf(path, sizeof path, "%s/store-new.db", dir);
	CHECK_INT("store-1.1", store_open(&st, path, 0), -1); /* missing, no create */
	CHECK_ERR("store-1.2", "no such store");
	CHECK_INT("store-1.3", store_open(&st, path, STORE_CREATE), 0);
	CHECK_INT("store-1.4", store_int(&st, "PRAGMA user_version", -1), SCHEMA_VERSION);
	CHECK_INT("store-1.5", store_int(&st, "SELECT count(*) FROM sqlite_master WHERE "
					      "type = 'table' AND name IN ('concepts', 'terms', "
					      "'triples', 'mentions', 'embeddings', 'ingest_log')", 0), 6);
	struct buf v = BUF_INIT;
	CHECK_INT("store-1.6", store_meta_get(&st, "nothing", &v), 0);
	CHECK_INT("store-1.7", store_meta_set(&st, "k", "v1"), 0);
	CHECK_INT("store-1.8", store_meta_set(&st, "k", "v2"), 0);
	CHECK_INT("store-1.9", store_meta_get(&st, "k", &v), 1);
	CHECK_STR("store-1.10", buf_str(&v), "v2");
	buf_release(&v);
	struct buf mode = BUF_INIT;
	sqlite3_stmt *s = store_prepare(&st, "PRAGMA journal_mode");
	if (s && sqlite3_step(s) == SQLITE_ROW)
		buf_adds(&mode, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	CHECK_STR("store-1.11", buf_str(&mode), "wal");
	buf_release(&mode);

	/* a rolled-back transaction leaves nothing */
	CHECK_INT("store-2.1", store_begin(&st), 0);
	store_exec(&st, "INSERT INTO meta VALUES ('tx', '1')");
	store_rollback(&st);
	CHECK_INT("store-2.2", store_int(&st, "SELECT count(*) FROM meta WHERE key = 'tx'", -1), 0);
	/* kb generation and fingerprint chain */
	store_begin(&st);
	store_kb_changed(&st, "a");
	store_commit(&st);
	struct buf f1 = BUF_INIT, f2 = BUF_INIT;
	store_meta_get(&st, META_KB_FINGERPRINT, &f1);
	store_begin(&st);
	store_kb_changed(&st, "b");
	store_commit(&st);
	store_meta_get(&st, META_KB_FINGERPRINT, &f2);
	CHECK_INT("store-2.3", f1.len, 16);
	CHECK_INT("store-2.3.next", f2.len, 16);
	CHECK("store-2.3.changed", f1.p && f2.p && strcmp(f1.p, f2.p));
	CHECK_INT("store-2.4", store_int(&st, "SELECT value FROM meta WHERE key = 'kb.generation'", 0), 2);
	buf_release(&f1);
	buf_release(&f2);
	store_close(&st);

	/* reopening keeps everything and does not re-apply the schema */
	CHECK_INT("store-3.1", store_open(&st, path, 0), 0);
	CHECK_INT("store-3.2", store_int(&st, "SELECT count(*) FROM meta WHERE key = 'k'", 0), 1);
	/* a store from a newer medkg is refused */
	store_exec(&st, "PRAGMA user_version = 99");
	store_close(&st);
	CHECK_INT("store-3.3", store_open(&st, path, 0), -1);
	CHECK_ERR("store-3.4", "newer than this medkg");

	/* not a SQLite file; a SQLite file that is not a store; a directory */
	snprintf(path, sizeof path, "%s/not-sqlite.db", dir);
	write_file(path, "this is not a database, just text\n", 34);
	CHECK_INT("store-4.1", store_open(&st, path, 0), -1);
	CHECK_ERR("store-4.2", "not a SQLite database");
	snprintf(path, sizeof path, "%s/other.db", dir);
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_exec(db, "CREATE TABLE x(a)", NULL, NULL, NULL);
	sqlite3_close(db);
	CHECK_INT("store-4.3", store_open(&st, path, 0), -1);
	CHECK_ERR("store-4.4", "not a medkg store");
	CHECK_INT("store-4.5", store_open(&st, dir, STORE_CREATE), -1);
	CHECK_ERR("store-4.6", "is a directory");
	test_migrate();
	test_migrate_v2();
	test_mention_counts();
	test_mention_first();
}

/* A store of schema 1 (tests/fixtures/schema_v1.sql) with mentions written
 * out of report order, regions and patch sets on them; early (1): with the
 * mentions and dictionaries of the first schema 1, before the columns it
 * gained as it went. */
static void make_v1(const char *path, int early)
{
	char *schema = test_read_fixture("tests/fixtures/schema_v1.sql", NULL);
	sqlite3 *db;
	remove(path);
	sqlite3_open(path, &db);
	char *err = NULL;
	if (!schema || sqlite3_exec(db, schema, NULL, NULL, &err) != SQLITE_OK ||
	    (early && sqlite3_exec(db,
		"DROP TABLE mention_patches; DROP TABLE mention_regions; DROP TABLE mentions;"
		"CREATE TABLE mentions (id INTEGER PRIMARY KEY, report INTEGER NOT NULL "
		"  REFERENCES reports(id) ON DELETE CASCADE, concept INTEGER NOT NULL "
		"  REFERENCES concepts(id) ON DELETE CASCADE, section TEXT NOT NULL, "
		"  sentence INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, "
		"  surface TEXT NOT NULL, polarity TEXT NOT NULL, "
		"  historical INTEGER NOT NULL DEFAULT 0);"
		"CREATE INDEX mentions_report ON mentions(report);"
		"CREATE TABLE mention_regions (mention INTEGER NOT NULL REFERENCES mentions(id) "
		"  ON DELETE CASCADE, region TEXT NOT NULL, method TEXT NOT NULL, "
		"  PRIMARY KEY (mention, region)) WITHOUT ROWID;"
		"CREATE TABLE mention_patches (mention INTEGER NOT NULL REFERENCES mentions(id) "
		"  ON DELETE CASCADE, image INTEGER NOT NULL REFERENCES images(id) ON DELETE "
		"  CASCADE, geometry TEXT NOT NULL, grid INTEGER NOT NULL, n_patches INTEGER NOT "
		"  NULL, patches BLOB NOT NULL, PRIMARY KEY (mention, image)) WITHOUT ROWID;"
		"DROP TABLE dictionaries;"
		"CREATE TABLE dictionaries (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
		"  kb_fingerprint TEXT NOT NULL, normalizer INTEGER NOT NULL, format INTEGER NOT "
		"  NULL, filters TEXT NOT NULL, n_entries INTEGER NOT NULL, n_nodes INTEGER NOT "
		"  NULL, bytes INTEGER NOT NULL, compressed INTEGER NOT NULL, created TEXT NOT NULL);",
		NULL, NULL, &err) != SQLITE_OK) ||
	    sqlite3_exec(db,
		"PRAGMA user_version = 1;"
		"INSERT INTO concepts(id, cui, name) VALUES (1, 'C1', 'one'), (2, 'C2', 'two');"
		"INSERT INTO reports(id, source, external_id, hash, text, ingested) VALUES "
		"  (1, 's', 'r1', 'h1', 'one two', 'now'), (2, 's', 'r2', 'h2', 'two one', 'now'),"
		"  (3, 's', 'r3', 'h3', 'nothing', 'now');"
		"INSERT INTO images(id, report, path) VALUES (1, 2, 'r2.png');"
		/* r2's mentions 1 and 3, r1's 2 and 4 */
		"INSERT INTO mentions(id, report, concept, section, sentence, start, end, surface, "
		"  polarity) VALUES (1, 2, 2, 'findings', 0, 0, 3, 'two', 'affirmed'),"
		"  (2, 1, 1, 'findings', 0, 0, 3, 'one', 'negated'),"
		"  (3, 2, 1, 'findings', 0, 4, 7, 'one', 'affirmed'),"
		"  (4, 1, 2, 'findings', 0, 4, 7, 'two', 'affirmed');"
		"INSERT INTO mention_regions(mention, region, method) VALUES (1, 'left lung', 'kb'),"
		"  (3, 'right lung', 'default'), (4, 'whole image', 'default');"
		"INSERT INTO mention_patches(mention, image, geometry, grid, n_patches, patches) "
		"  VALUES (1, 1, 'atlas', 2, 1, X'01'), (3, 1, 'whole', 2, 4, X'0F');",
		NULL, NULL, &err) != SQLITE_OK ||
	    0) {
		fprintf(stderr, "test: cannot make a schema 1 store: %s\n", err ? err : "no schema");
		exit(1);
	}
	sqlite3_close(db);
	free(schema);
}

/* The columns of a table, joined: the same after a migration as fresh. */
static char *columns(struct store *st, const char *table)
{
	struct buf b = BUF_INIT;
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s') ORDER BY cid", table);
	sqlite3_stmt *q = store_prepare(st, sql);
	while (q && sqlite3_step(q) == SQLITE_ROW)
		buf_addf(&b, "%s ", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return b.p ? b.p : xstrdup("");
}

static char *q_join(struct store *st, const char *sql)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *q = store_prepare(st, sql);
	while (q && sqlite3_step(q) == SQLITE_ROW)
		buf_addf(&b, "%s;", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return b.p ? b.p : xstrdup("");
}

static void test_migrate(void)
{
	char path[512], fresh[512];
	struct store st, f;
	snprintf(fresh, sizeof fresh, "%s/store-fresh.db", test_tmpdir());
	if (store_open(&f, fresh, STORE_CREATE) < 0) {
		CHECK("store-mig-0", 0);
		return;
	}
	for (int early = 0; early <= 1; early++) {
		snprintf(path, sizeof path, "%s/store-v1-%d.db", test_tmpdir(), early);
		make_v1(path, early);
		CHECK_INT(test_id("store-mig-%d.1", early), store_open(&st, path, 0), 0);
		CHECK_INT(test_id("store-mig-%d.2", early), store_int(&st, "PRAGMA user_version", -1),
			  SCHEMA_VERSION);
		/* renumbered in (report, id) order: r1's 2, 4 -> 1, 2; r2's 1, 3 -> 3, 4 */
		char *got = q_join(&st, "SELECT id || ':' || report || ':' || surface || ':' || "
					"polarity || ':' || hedge FROM mentions ORDER BY id");
		CHECK_STR(test_id("store-mig-%d.3", early), got,
			  "1:1:one:negated:definite;2:1:two:affirmed:definite;"
			  "3:2:two:affirmed:definite;4:2:one:affirmed:definite;");
		free(got);
		got = q_join(&st, "SELECT id || ':' || mention_first || ':' || mention_count "
				  "FROM reports ORDER BY id");
		CHECK_STR(test_id("store-mig-%d.4", early), got, "1:1:2;2:3:2;3:0:0;");
		free(got);
		/* regions and patch sets follow their mentions */
		got = q_join(&st, "SELECT mention || ':' || region FROM mention_regions "
				  "ORDER BY mention, region");
		CHECK_STR(test_id("store-mig-%d.5", early), got,
			  "2:whole image;3:left lung;4:right lung;");
		free(got);
		got = q_join(&st, "SELECT mention || ':' || geometry FROM mention_patches "
				  "ORDER BY mention");
		CHECK_STR(test_id("store-mig-%d.6", early), got, "3:atlas;4:whole;");
		free(got);
		/* the next mention gets an id after every old one */
		CHECK_INT(test_id("store-mig-%d.7", early),
			  store_exec(&st, "INSERT INTO mentions(report, concept, section, sentence, "
					  "start, end, surface, polarity) VALUES (3, 1, 'f', 0, 0, 1, "
					  "'n', 'affirmed')"), 0);
		CHECK_INT(test_id("store-mig-%d.8", early),
			  store_int(&st, "SELECT max(id) FROM mentions", 0), 5);
		static const char *const tables[] = { "mentions", "reports", "dictionaries",
						      "mention_regions", "mention_patches" };
		for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
			char *a = columns(&st, tables[i]), *b = columns(&f, tables[i]);
			CHECK_STR(test_id("store-mig-%d.9.%s", early, tables[i]), a, b);
			free(a);
			free(b);
		}
		CHECK_INT(test_id("store-mig-%d.10", early),
			  store_int(&st, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
					 "AND tbl_name = 'mentions'", -1), 0);
		store_close(&st);
	}
	store_close(&f);
}

/* A store of schema 2 (mentions AUTOINCREMENT, the next id in
 * sqlite_sequence past the rows: the last ones were deleted) becomes one
 * of schema 3 with the same rows and the next id kept in meta. */
static void test_migrate_v2(void)
{
	char path[512];
	struct store st, f;
	snprintf(path, sizeof path, "%s/store-v2.db", test_tmpdir());
	remove(path);
	CHECK_INT("store-mig2-0", store_open(&st, path, STORE_CREATE), 0);
	CHECK_INT("store-mig2-0.1", store_exec(&st,
		"PRAGMA foreign_keys = OFF; BEGIN;"
		"CREATE TABLE m2 (id INTEGER PRIMARY KEY AUTOINCREMENT, report INTEGER NOT NULL,"
		"  concept INTEGER NOT NULL, section TEXT NOT NULL, sentence INTEGER NOT NULL,"
		"  start INTEGER NOT NULL, end INTEGER NOT NULL, surface TEXT NOT NULL,"
		"  polarity TEXT NOT NULL, historical INTEGER NOT NULL DEFAULT 0,"
		"  hedge TEXT NOT NULL DEFAULT 'definite', hypothetical INTEGER NOT NULL DEFAULT 0,"
		"  term INTEGER, match TEXT NOT NULL DEFAULT 'term',"
		"  candidates INTEGER NOT NULL DEFAULT 1, decided TEXT NOT NULL DEFAULT '',"
		"  modifiers TEXT NOT NULL DEFAULT '', modifiers_start INTEGER);"
		"DROP TABLE mentions; ALTER TABLE m2 RENAME TO mentions;"
		"INSERT INTO concepts(id, cui, name) VALUES (1, 'C1', 'one');"
		"INSERT INTO reports(id, source, external_id, hash, text, ingested, mention_first, "
		"  mention_count) VALUES (1, 's', 'r1', 'h1', 'one one', 'now', 4096, 2);"
		"INSERT INTO mentions(id, report, concept, section, sentence, start, end, surface, "
		"  polarity, match, modifiers, modifiers_start) VALUES "
		"  (4096, 1, 1, 'findings', 0, 0, 3, 'one', 'negated', 'spelling', '', NULL),"
		"  (4097, 1, 1, 'impression', 0, 4, 7, 'one', 'affirmed', 'term', 'x', 3),"
		"  (9000, 1, 1, 'findings', 0, 4, 7, 'one', 'affirmed', 'term', '', NULL);"
		"DELETE FROM mentions WHERE id = 9000;"
		"DELETE FROM meta WHERE key = '" META_MENTION_NEXT "';"
		"PRAGMA user_version = 2; COMMIT; PRAGMA foreign_keys = ON;"), 0);
	CHECK_INT("store-mig2-0.2", store_int(&st, "SELECT seq FROM sqlite_sequence WHERE "
				     "name = 'mentions'", 0), 9000);
	store_close(&st);
	CHECK_INT("store-mig2-1", store_open(&st, path, 0), 0);
	CHECK_INT("store-mig2-2", store_int(&st, "PRAGMA user_version", -1), SCHEMA_VERSION);
	CHECK_INT("store-mig2-3", store_int(&st, "SELECT count(*) FROM sqlite_schema WHERE name = "
				   "'mentions' AND sql LIKE '%AUTOINCREMENT%'", -1), 0);
	char *got = q_join(&st, "SELECT id || ':' || section || ':' || polarity || ':' || match "
				"|| ':' || modifiers || ':' || ifnull(modifiers_start, '-') "
				"FROM mentions ORDER BY id");
	CHECK_STR("store-mig2-4", got, "4096:findings:negated:spelling::-;"
				       "4097:impression:affirmed:term:x:3;");
	free(got);
	/* the next id is past the deleted one, as sqlite_sequence had it */
	int64_t next = 0;
	CHECK_INT("store-mig2-5", mentions_next_id(&st, &next), 0);
	CHECK_INT("store-mig2-6", next, 9001);
	snprintf(path, sizeof path, "%s/store-v2-fresh.db", test_tmpdir());
	remove(path);
	CHECK_INT("store-mig2-7", store_open(&f, path, STORE_CREATE), 0);
	char *a = columns(&st, "mentions"), *b = columns(&f, "mentions");
	CHECK_STR("store-mig2-8", a, b);
	free(a);
	free(b);
	/* a writer's mark only grows */
	CHECK_INT("store-mig2-9", mentions_keep_next(&st, 5000), 0);
	CHECK_INT("store-mig2-10", mentions_next_id(&st, &next) == 0 ? next : -1, 9001);
	CHECK_INT("store-mig2-11", mentions_keep_next(&st, 12000), 0);
	CHECK_INT("store-mig2-12", mentions_next_id(&st, &next) == 0 ? next : -1, 12000);
	store_close(&f);
	store_close(&st);
}

/* count[concept] of mentions_by_concept, or -1. */
static int64_t count_of(struct store *st, int64_t concept)
{
	int64_t *c = NULL, n = 0, k = -1;
	if (mentions_by_concept(st, &c, &n) == 0)
		k = concept < n ? c[concept] : 0;
	free(c);
	return k;
}

/* A report's mentions start at its block unless the ids used pass it. */
static void test_mention_first(void)
{
	CHECK_INT("first-1.1", mentions_first(1, 0), MENTION_BLOCK);
	CHECK_INT("first-1.2", mentions_first(3, 2 * MENTION_BLOCK + 9), 3 * MENTION_BLOCK);
	/* the report before it had more than a block: right after it */
	CHECK_INT("first-1.3", mentions_first(3, 4 * MENTION_BLOCK + 1), 4 * MENTION_BLOCK + 1);
	CHECK_INT("first-1.4", mentions_first(3, 3 * MENTION_BLOCK), 3 * MENTION_BLOCK);
	/* no block: a row id of 0 or below, or one whose block overflows */
	CHECK_INT("first-1.5", mentions_first(0, 17), 17);
	CHECK_INT("first-1.6", mentions_first(-5, 17), 17);
	CHECK_INT("first-1.7", mentions_first(INT64_MAX / 2, 17), 17);
}

/* Kept counts are read while they hold (the mentions after them counted on
 * top), and not once the store's rewrite count or knowledge generation
 * moved or their value is malformed. */
static void test_mention_counts(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/counts.db", test_tmpdir());
	struct store st;
	char *sql = test_read("tests/fixtures/train_store.sql", NULL);
	CHECK("counts-1.0", sql && store_open(&st, path, STORE_CREATE) == 0 &&
				    store_exec(&st, sql) == 0);
	free(sql);
	/* concept 1 (Pleural effusion): mentions 1, 3 and 9 */
	CHECK_INT("counts-1.1", count_of(&st, 1), 3);
	CHECK_INT("counts-1.2", store_begin(&st) == 0 && mentions_counts_keep(&st) == 0 &&
					store_commit(&st) == 0, 1);
	struct buf v = BUF_INIT;
	CHECK_INT("counts-1.3", store_meta_get(&st, META_MENTION_COUNTS, &v), 1);
	CHECK("counts-1.4", v.p && !strncmp(v.p, "14 0 0 ", 7) && strstr(v.p, " 1:3"));
	CHECK_INT("counts-1.5", count_of(&st, 1), 3);
	/* the kept value is what is read: one edited by hand shows */
	CHECK_INT("counts-2.1", store_meta_set(&st, META_MENTION_COUNTS, "14 0 0 1:40"), 0);
	CHECK_INT("counts-2.2", count_of(&st, 1), 40);
	/* a mention after the kept ones is counted on top */
	CHECK_INT("counts-2.3", store_exec(&st, "INSERT INTO mentions(report, concept, section, "
					      "sentence, start, end, surface, polarity) VALUES "
					      "(5, 1, 'comparison', 0, 0, 4, 'none', 'negated')"), 0);
	CHECK_INT("counts-2.4", count_of(&st, 1), 41);
	/* a rewrite since: every mention counted again */
	CHECK_INT("counts-3.1", store_note_rewrite(&st), 0);
	CHECK_INT("counts-3.2", count_of(&st, 1), 4);
	CHECK_INT("counts-3.3", store_begin(&st) == 0 && mentions_counts_keep(&st) == 0 &&
					store_commit(&st) == 0, 1);
	CHECK_INT("counts-3.4", count_of(&st, 1), 4);
	/* and a knowledge change, and a malformed value */
	CHECK_INT("counts-4.1", store_meta_set(&st, META_MENTION_COUNTS, "15 1 0 1:40"), 0);
	CHECK_INT("counts-4.2", count_of(&st, 1), 40);
	CHECK_INT("counts-4.3", store_meta_bump(&st, META_KB_GENERATION), 0);
	CHECK_INT("counts-4.4", count_of(&st, 1), 4);
	CHECK_INT("counts-4.5", store_meta_set(&st, META_MENTION_COUNTS, "15 1 1 1:40 x"), 0);
	CHECK_INT("counts-4.6", count_of(&st, 1), 4);
	buf_release(&v);
	store_close(&st);
}
