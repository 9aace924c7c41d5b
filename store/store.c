#define _DEFAULT_SOURCE /* flock */
#define _POSIX_C_SOURCE 200809L
#include "store.h"
#include "mentions.h"
#include "../common/embedded.h"
#include "../common/strmap.h"
#include "../common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Migrations: migrations[i] upgrades a store from schema i + 1 to i + 2: its
 * SQL, then its function (or NULL). They run with foreign keys off (SQLite's
 * way of rebuilding a table others refer to), in the transaction that
 * checks them before it commits. When umls_schema.sql changes, bump
 * SCHEMA_VERSION and append what brings a store of the previous version to
 * the new one: its own statements, not the current schema's, so that a
 * store several versions old takes every step.
 */
struct migration {
	int (*before)(struct store *st);
	const char *sql;
	int (*after)(struct store *st);
};

/* The columns of mentions after its key, schema 2 (and 3). */
#define MENTION_DEFS_2 \
	"  report INTEGER NOT NULL," \
	"  concept INTEGER NOT NULL, section TEXT NOT NULL, sentence INTEGER NOT NULL," \
	"  start INTEGER NOT NULL, end INTEGER NOT NULL, surface TEXT NOT NULL," \
	"  polarity TEXT NOT NULL CHECK (polarity = 'affirmed' OR polarity = 'negated' OR " \
	"    polarity = 'uncertain')," \
	"  historical INTEGER NOT NULL DEFAULT 0," \
	"  hedge TEXT NOT NULL DEFAULT 'definite' CHECK (hedge = 'definite' OR " \
	"    hedge = 'probable' OR hedge = 'possible')," \
	"  hypothetical INTEGER NOT NULL DEFAULT 0, term INTEGER," \
	"  match TEXT NOT NULL DEFAULT 'term', candidates INTEGER NOT NULL DEFAULT 1," \
	"  decided TEXT NOT NULL DEFAULT '', modifiers TEXT NOT NULL DEFAULT ''," \
	"  modifiers_start INTEGER)"

/* and their names, with the key */
#define MENTION_COLUMNS_2 \
	"id, report, concept, section, sentence, start, end, surface, polarity, historical, " \
	"hedge, hypothetical, term, match, candidates, decided, modifiers, modifiers_start"

/* 1 -> 2: the recognition columns of mentions and dictionaries; mentions
 * without indexes and foreign keys on report and concept, their ids
 * renumbered so that each report's are consecutive, the ranges in reports. */
static const char migrate_1_2[] =
	"ALTER TABLE reports ADD COLUMN mention_first INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE reports ADD COLUMN mention_count INTEGER NOT NULL DEFAULT 0;"
	"CREATE TEMP TABLE mention_ids AS SELECT id AS old, "
	"  row_number() OVER (ORDER BY report, id) AS new FROM mentions;"
	"CREATE UNIQUE INDEX temp.mention_ids_old ON mention_ids(old);"
	"CREATE TABLE mentions_v2 (id INTEGER PRIMARY KEY AUTOINCREMENT," MENTION_DEFS_2 ";"
	"INSERT INTO mentions_v2(" MENTION_COLUMNS_2 ") "
	"  SELECT n.new, m.report, m.concept, m.section, m.sentence, m.start, m.end, m.surface, "
	"  m.polarity, m.historical, m.hedge, m.hypothetical, m.term, m.match, m.candidates, "
	"  m.decided, m.modifiers, m.modifiers_start "
	"  FROM mentions m JOIN temp.mention_ids n ON n.old = m.id ORDER BY n.new;"
	"DROP TABLE mentions;"
	"ALTER TABLE mentions_v2 RENAME TO mentions;"
	/* through negative ids: no two rows share a key on the way */
	"UPDATE mention_regions SET mention = "
	"  -(SELECT new FROM temp.mention_ids WHERE old = mention);"
	"UPDATE mention_regions SET mention = -mention;"
	"UPDATE mention_patches SET mention = "
	"  -(SELECT new FROM temp.mention_ids WHERE old = mention);"
	"UPDATE mention_patches SET mention = -mention;"
	"DROP TABLE temp.mention_ids;";

/* 2 -> 3: mentions without AUTOINCREMENT (its sqlite_sequence update cost
 * a third of extraction's inserts); the first id no mention has had, which
 * sqlite_sequence kept, in meta (mentions.next). Same columns, same rows. */
static const char migrate_2_3[] =
	"CREATE TABLE mentions_v3 (id INTEGER PRIMARY KEY," MENTION_DEFS_2 ";"
	"INSERT INTO mentions_v3(" MENTION_COLUMNS_2 ") SELECT " MENTION_COLUMNS_2
	"  FROM mentions ORDER BY id;"
	"INSERT OR REPLACE INTO meta(key, value) SELECT '" META_MENTION_NEXT "', "
	"  max(ifnull((SELECT seq FROM sqlite_sequence WHERE name = 'mentions'), 0), "
	"  ifnull((SELECT max(id) FROM mentions), 0)) + 1;"
	"DROP TABLE mentions;"
	"ALTER TABLE mentions_v3 RENAME TO mentions;";

/* Schema 1 gained the recognition columns as it went: a store made early
 * lacks some of them. Add what is missing, with the defaults the later
 * schema 1 gave them. @return 0 or -1. */
static int v1_columns(struct store *st)
{
	static const struct {
		const char *table, *column, *decl;
	} cols[] = {
		{ "dictionaries", "n_terms", "INTEGER NOT NULL DEFAULT 0" },
		{ "dictionaries", "rules", "TEXT NOT NULL DEFAULT '{}'" },
		{ "mentions", "hedge", "TEXT NOT NULL DEFAULT 'definite'" },
		{ "mentions", "hypothetical", "INTEGER NOT NULL DEFAULT 0" },
		{ "mentions", "term", "INTEGER" },
		{ "mentions", "match", "TEXT NOT NULL DEFAULT 'term'" },
		{ "mentions", "candidates", "INTEGER NOT NULL DEFAULT 1" },
		{ "mentions", "decided", "TEXT NOT NULL DEFAULT ''" },
		{ "mentions", "modifiers", "TEXT NOT NULL DEFAULT ''" },
		{ "mentions", "modifiers_start", "INTEGER" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++) {
		char sql[256];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
			 cols[i].table, cols[i].column);
		if (store_int(st, sql, 0))
			continue;
		snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", cols[i].table,
			 cols[i].column, cols[i].decl);
		if (store_exec(st, sql) < 0)
			return -1;
	}
	return 0;
}

static const struct migration migrations[] = {
	{ NULL, NULL, NULL }, /* placeholder: version 1 is the first schema */
	{ v1_columns, migrate_1_2, mentions_set_ranges },
	{ NULL, migrate_2_3, NULL },
};

int store_error(struct store *st, const char *what)
{
	return error("%s: %s: %s", st->path ? st->path : "store", what,
		     st->db ? sqlite3_errmsg(st->db) : "not open");
}

int store_exec(struct store *st, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error("%s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *store_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		error("%s: cannot prepare statement: %s (%.60s...)", st->path,
		      sqlite3_errmsg(st->db), sql);
		return NULL;
	}
	return s;
}

int store_step_done(struct store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_error(st, "write failed");
	return 0;
}

int64_t store_int(struct store *st, const char *sql, int64_t def)
{
	sqlite3_stmt *s = NULL;
	int64_t v = def;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

int store_begin(struct store *st)
{
	if (store_exec(st, "BEGIN IMMEDIATE") < 0)
		return -1;
	st->in_tx = 1;
	return 0;
}

int store_commit(struct store *st)
{
	if (store_exec(st, "COMMIT") < 0)
		return -1;
	st->in_tx = 0;
	return 0;
}

void store_rollback(struct store *st)
{
	if (st->db && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

/* Create the schema of a new store (its version 0 and no table), inside
 * the caller's transaction. */
static int apply_schema(struct store *st)
{
	const struct embedded_file *f = embedded_get("umls_schema.sql");
	char pragma[64];
	if (store_int(st, "SELECT count(*) FROM sqlite_master", 0) > 0)
		return error("%s: not a medkg store (a SQLite database with other tables)", st->path);
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", SCHEMA_VERSION);
	return store_exec(st, f->data) < 0 || store_exec(st, pragma) < 0 ? -1 : 0;
}

/* Bring a store of schema from up to SCHEMA_VERSION, inside the caller's
 * transaction (foreign keys off), and check the foreign keys after. */
static int migrate(struct store *st, int from)
{
	for (int v = from; v < SCHEMA_VERSION; v++) {
		const struct migration *m = &migrations[v];
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
		if ((m->before && m->before(st) < 0) || store_exec(st, m->sql) < 0 ||
		    (m->after && m->after(st) < 0) ||
		    store_exec(st, pragma) < 0)
			return error("%s: migration from schema %d to %d failed", st->path, v, v + 1);
		info("%s: migrated store schema %d -> %d", st->path, v, v + 1);
	}
	if (store_int(st, "SELECT count(*) FROM pragma_foreign_key_check", 0) > 0)
		return error("%s: migration to schema %d left rows whose references are gone",
			     st->path, SCHEMA_VERSION);
	return 0;
}

/* Create or migrate the store: one BEGIN IMMEDIATE transaction that reads
 * the version again once it holds the write lock, so that of two processes
 * opening a new store at once, one creates it and the other (which waited)
 * finds it made. @return 0 or -1. */
static int upgrade(struct store *st)
{
	/* foreign keys can only be switched outside a transaction */
	int64_t seen = store_int(st, "PRAGMA user_version", -1);
	int fk_off = seen > 0 && seen < SCHEMA_VERSION;
	if (fk_off && store_exec(st, "PRAGMA foreign_keys = OFF") < 0)
		return -1;
	int rc = store_begin(st);
	if (rc == 0) {
		int64_t version = store_int(st, "PRAGMA user_version", -1);
		rc = version < 0 ? error("%s: not a SQLite database", st->path)
		     : version == 0 ? apply_schema(st)
		     : version == SCHEMA_VERSION ? 0
		     : !fk_off ? error("%s: another process changed the store's schema meanwhile",
				       st->path)
		     : migrate(st, (int)version);
		if (rc < 0)
			store_rollback(st);
		else
			rc = store_commit(st);
	}
	if (fk_off && store_exec(st, "PRAGMA foreign_keys = ON") < 0)
		rc = -1;
	return rc;
}

int store_busy_timeout_s = STORE_BUSY_TIMEOUT_S;

/* SQLite's busy handler: another connection holds the lock this one needs.
 * Wait in growing steps (1 ms to 100 ms), saying so once per store opened,
 * until store_busy_timeout_s have passed. @return 1 to try again, 0 to give
 * up (the statement then fails with "database is locked"). */
static int busy_wait(void *arg, int count)
{
	struct store *st = arg;
	static const int steps[] = { 1, 2, 5, 10, 20, 50, 100 };
	if (count == 0)
		st->busy_since = now_seconds();
	double waited = now_seconds() - st->busy_since;
	if (waited >= store_busy_timeout_s) {
		if (st->said_waiting)
			info("%s: still locked after %d s: giving up", st->path, store_busy_timeout_s);
		return 0;
	}
	if (!st->said_waiting) {
		st->said_waiting = 1;
		info("%s: another process is writing to the store: waiting for it (up to %d s)",
		     st->path, store_busy_timeout_s);
	}
	sqlite3_sleep(steps[count < (int)ARRAY_SIZE(steps) ? count : (int)ARRAY_SIZE(steps) - 1]);
	return 1;
}

/* MEDKG_SQL_PROFILE set: every statement that ran longer than that many
 * milliseconds, with its time, on stderr (a tool for finding slow queries). */
static int sql_profile(unsigned type, void *ctx, void *stmt, void *ns)
{
	double ms = (double)*(const sqlite3_int64 *)ns / 1e6;
	if (type == SQLITE_TRACE_PROFILE && ms >= *(const double *)ctx) {
		char *sql = sqlite3_expanded_sql(stmt);
		fprintf(stderr, "medkg: sql %.1f ms: %.200s\n", ms, sql ? sql : "?");
		sqlite3_free(sql);
	}
	return 0;
}

int store_open(struct store *st, const char *path, int flags)
{
	memset(st, 0, sizeof(*st));
	st->path = xstrdup(path);
	struct stat sb;
	int exists = stat(path, &sb) == 0;
	if (!exists && !(flags & STORE_CREATE)) {
		error("%s: no such store (create it with 'medkg init' or choose one with -d)", path);
		goto fail;
	}
	if (exists && S_ISDIR(sb.st_mode)) {
		error("%s: is a directory, expected a store file", path);
		goto fail;
	}
	/* One connection per thread that uses it: SQLite's own mutexes are not needed. */
	int oflags = SQLITE_OPEN_NOMUTEX | ((flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
					      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		store_error(st, "cannot open");
		goto fail;
	}
	sqlite3_busy_handler(st->db, busy_wait, st);
	static double profile_ms = -1;
	const char *profile = getenv("MEDKG_SQL_PROFILE");
	if (profile && *profile) {
		profile_ms = atof(profile);
		sqlite3_trace_v2(st->db, SQLITE_TRACE_PROFILE, sql_profile, &profile_ms);
	}
	sqlite3_extended_result_codes(st->db, 1);
	int64_t version = store_int(st, "PRAGMA user_version", -1);
	if (version < 0) {
		error("%s: not a SQLite database", path);
		goto fail;
	}
	/* Larger pages: bulk loads write and re-read whole tables, and 16 KiB
	 * pages take a quarter of the system calls. Only effective on a new file. */
	if (version == 0 && !(flags & STORE_READONLY) &&
	    store_exec(st, "PRAGMA page_size = 16384") < 0)
		goto fail;
	/* Leaving a rollback journal (a knowledge load's) for the WAL needs the
	 * store to itself for a moment, which SQLite does not wait for: wait
	 * here as the busy handler would. */
	for (int i = 0; !(flags & STORE_READONLY); i++) {
		int rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			break;
		if ((rc & 0xff) != SQLITE_BUSY || !busy_wait(st, i)) {
			store_error(st, "cannot use the WAL");
			goto fail;
		}
	}
	if (!(flags & STORE_READONLY) && store_exec(st, "PRAGMA synchronous = NORMAL") < 0)
		goto fail;
	if (store_exec(st, "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;") < 0)
		goto fail;
	if (version > SCHEMA_VERSION) {
		error("%s: store schema %d is newer than this medkg (schema %d): upgrade medkg",
		      path, (int)version, SCHEMA_VERSION);
		goto fail;
	}
	if (version < SCHEMA_VERSION && (flags & STORE_READONLY)) {
		if (version == 0 && store_int(st, "SELECT count(*) FROM sqlite_master", 0) > 0)
			error("%s: not a medkg store (a SQLite database with other tables)", path);
		else if (version == 0)
			error("%s: empty store", path);
		else
			error("%s: store schema %d needs migrating to %d: 'medkg -d %s init' does it "
			      "(or any command that writes)",
			      path, (int)version, SCHEMA_VERSION, path);
		goto fail;
	}
	if (version < SCHEMA_VERSION && upgrade(st) < 0)
		goto fail;
	return 0;
fail:
	store_close(st);
	return -1;
}

int store_hold(struct store *st)
{
	if (st->hold_fd > 0)
		return 0;
	/* kept open until store_close: closing a descriptor of the file would
	 * drop SQLite's own (POSIX) locks on it */
	int fd = open(st->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error("%s: cannot open: %s", st->path, strerror(errno));
	st->hold_fd = fd;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	double t0 = now_seconds();
	if (errno == EWOULDBLOCK)
		info("%s: another medkg build or ingest is running on the store: waiting for it "
		     "(up to %d s)", st->path, store_busy_timeout_s);
	while (errno == EWOULDBLOCK && now_seconds() - t0 < store_busy_timeout_s) {
		sqlite3_sleep(100);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
	}
	return error("%s: cannot hold the store: %s", st->path,
		     errno == EWOULDBLOCK ? "another process held it too long" : strerror(errno));
}

void store_close(struct store *st)
{
	if (st->db) {
		store_rollback(st);
		sqlite3_close_v2(st->db);
	}
	if (st->hold_fd > 0)
		close(st->hold_fd); /* after SQLite's: releases the hold */
	free(st->path);
	memset(st, 0, sizeof(*st));
}

sqlite3 *store_checkpointer(struct store *st)
{
	sqlite3 *ck = NULL;
	if (sqlite3_open_v2(st->path, &ck, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(ck);
		return NULL;
	}
	/* its checkpoints sync as the writer's would (store_open) */
	sqlite3_exec(ck, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
	return ck;
}

void store_checkpoint(sqlite3 *ck)
{
	if (ck)
		sqlite3_wal_checkpoint_v2(ck, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

int store_meta_get(struct store *st, const char *key, struct buf *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT value FROM meta WHERE key = ?");
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int found = 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		buf_adds(out, (const char *)sqlite3_column_text(s, 0));
		found = 1;
	}
	sqlite3_finalize(s);
	return found;
}

int store_meta_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO meta(key, value) VALUES (?, ?) "
					    "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	int rc = store_step_done(st, s);
	sqlite3_finalize(s);
	return rc;
}

int store_meta_delete(struct store *st, const char *key)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM meta WHERE key = ?");
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = store_step_done(st, s);
	sqlite3_finalize(s);
	return rc;
}

void ingest_start(struct ingest_entry *e, const char *command)
{
	memset(e, 0, sizeof(*e));
	e->command = command;
	utc_timestamp(e->started, sizeof e->started);
	e->t0 = now_seconds();
}

int ingest_finish(struct store *st, struct ingest_entry *e)
{
	char finished[32];
	utc_timestamp(finished, sizeof finished);
	sqlite3_stmt *s = store_prepare(st,
		"INSERT INTO ingest_log(command, target, params, started, finished, seconds, "
		"rows_read, rows_written, rows_skipped, note) VALUES (?,?,?,?,?,?,?,?,?,?)");
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, e->command, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, e->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, e->params, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, e->started, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, finished, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 6, now_seconds() - e->t0);
	sqlite3_bind_int64(s, 7, e->rows_read);
	sqlite3_bind_int64(s, 8, e->rows_written);
	sqlite3_bind_int64(s, 9, e->rows_skipped);
	sqlite3_bind_text(s, 10, e->note, -1, SQLITE_STATIC);
	int rc = store_step_done(st, s);
	sqlite3_finalize(s);
	return rc;
}

int store_meta_get_int(struct store *st, const char *key, int64_t *v)
{
	struct buf b = BUF_INIT;
	int got = store_meta_get(st, key, &b);
	*v = got > 0 ? strtoll(b.p, NULL, 10) : 0;
	buf_release(&b);
	return got < 0 ? -1 : 0;
}

int store_meta_bump(struct store *st, const char *key)
{
	int64_t v;
	char n[24];
	if (store_meta_get_int(st, key, &v) < 0)
		return -1;
	snprintf(n, sizeof n, "%lld", (long long)v + 1);
	return store_meta_set(st, key, n);
}

int store_note_rewrite(struct store *st)
{
	return store_meta_bump(st, META_STORE_REWRITES);
}

int store_kb_changed(struct store *st, const char *fingerprint)
{
	struct buf old = BUF_INIT, v = BUF_INIT;
	int rc = -1;
	if (store_meta_bump(st, META_KB_GENERATION) < 0)
		goto out;
	/* The fingerprint chains every load, so two stores agree only if the
	 * same knowledge was loaded the same way in the same order. */
	if (store_meta_get(st, META_KB_FINGERPRINT, &old) < 0)
		goto out;
	buf_addf(&v, "%s|%s", buf_str(&old), fingerprint);
	char hex[17];
	snprintf(hex, sizeof hex, "%016llx", (unsigned long long)hash_bytes(v.p, v.len));
	rc = store_meta_set(st, META_KB_FINGERPRINT, hex);
out:
	buf_release(&old);
	buf_release(&v);
	return rc;
}
