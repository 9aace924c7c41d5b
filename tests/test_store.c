/* Opening, creating and migrating the store. */
#include "testhelp.h"
#include "tests.h"
#include "../common/util.h"
#include "../store/store.h"

#include <stdlib.h>

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
}
