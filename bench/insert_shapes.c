/*
 * insert_shapes — what SQLite alone takes to append mention-shaped rows,
 * by table shape (bench/RESULTS.md, "Mentions without AUTOINCREMENT").
 *
 *   insert_shapes DB ROWS
 *
 * For each shape, into a fresh DB (16 KiB pages, WAL, synchronous NORMAL,
 * an 8 MiB cache, as medkg's extraction writer): ROWS rows, 32 to a
 * multi-row INSERT, 400 statements to a transaction, ids r * 4096 + place
 * for 13 mentions a report; prints the seconds of the inserts and commits.
 *   autoincrement  the schema 2 mentions table, 13 columns bound
 *   rowid          the same without AUTOINCREMENT (schema 3)
 *   ints           10 integer columns (text columns as codes)
 *   blob           one row per report, its 13 mentions as a 260-byte blob
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PER_STATEMENT 32
#define PER_TRANSACTION 400
#define PER_REPORT 13

static const char mention_cols[] =
	"report INT NOT NULL, concept INT NOT NULL, section TEXT NOT NULL, "
	"sentence INT NOT NULL, start INT NOT NULL, end INT NOT NULL, surface TEXT NOT NULL, "
	"polarity TEXT NOT NULL, historical INT NOT NULL DEFAULT 0, "
	"hedge TEXT NOT NULL DEFAULT 'definite', hypothetical INT NOT NULL DEFAULT 0, term INT, "
	"match TEXT NOT NULL DEFAULT 'term', candidates INT NOT NULL DEFAULT 1, "
	"decided TEXT NOT NULL DEFAULT '', modifiers TEXT NOT NULL DEFAULT '', "
	"modifiers_start INT)";

static const char mention_names[] =
	"id, report, concept, section, sentence, start, end, surface, polarity, historical, "
	"term, hedge, hypothetical";

static const struct shape {
	const char *name, *table, *columns;
	int cols;
} shapes[] = {
	{ "autoincrement", "id INTEGER PRIMARY KEY AUTOINCREMENT, ", mention_names, 13 },
	{ "rowid", "id INTEGER PRIMARY KEY, ", mention_names, 13 },
	{ "ints", "id INTEGER PRIMARY KEY, report INT NOT NULL, concept INT NOT NULL, section INT "
		  "NOT NULL, sentence INT NOT NULL, start INT NOT NULL, end INT NOT NULL, polarity INT "
		  "NOT NULL, term INT, how INT)",
	  "id, report, concept, section, sentence, start, end, polarity, term, how", 10 },
	{ "blob", "report INTEGER PRIMARY KEY, data BLOB)", "report, data", 2 },
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "insert_shapes: %s: %s\n", what, sqlite3_errmsg(db));
	return 1;
}

/* Bind row k (a mention, or a report for blob) of the statement at p. */
static void bind(sqlite3_stmt *s, const struct shape *sh, int p, int64_t k)
{
	static const unsigned char blob[PER_REPORT * 20];
	int64_t id = k / PER_REPORT * 4096 + k % PER_REPORT;
	if (sh->cols == 2) {
		sqlite3_bind_int64(s, p, k + 1);
		sqlite3_bind_blob(s, p + 1, blob, sizeof blob, SQLITE_STATIC);
		return;
	}
	int64_t ints[] = { id, k / PER_REPORT, k % 500 + 100 };
	for (int i = 0; i < 3; i++)
		sqlite3_bind_int64(s, p + i, ints[i]);
	if (sh->cols == 10) {
		int64_t rest[] = { 1, k % 7, k % 300, k % 300 + 8, 0, k % 900 + 1000, 0 };
		for (int i = 0; i < 7; i++)
			sqlite3_bind_int64(s, p + 3 + i, rest[i]);
		return;
	}
	sqlite3_bind_text(s, p + 3, "findings", 8, SQLITE_STATIC);
	sqlite3_bind_int64(s, p + 4, k % 7);
	sqlite3_bind_int64(s, p + 5, k % 300);
	sqlite3_bind_int64(s, p + 6, k % 300 + 8);
	sqlite3_bind_text(s, p + 7, "pneumothorax", 12, SQLITE_STATIC);
	sqlite3_bind_text(s, p + 8, "affirmed", 8, SQLITE_STATIC);
	sqlite3_bind_int64(s, p + 9, 0);
	sqlite3_bind_int64(s, p + 10, k % 900 + 1000);
	sqlite3_bind_text(s, p + 11, "definite", 8, SQLITE_STATIC);
	sqlite3_bind_int64(s, p + 12, 0);
}

static int run(const char *path, const struct shape *sh, int64_t rows)
{
	char side[1024], sql[8192];
	remove(path);
	snprintf(side, sizeof side, "%s-wal", path);
	remove(side);
	sqlite3 *db = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return fail(db, path);
	int n = snprintf(sql, sizeof sql, "CREATE TABLE m(%s%s", sh->table,
			 sh->cols == 13 ? mention_cols : "");
	if (sqlite3_exec(db, "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; "
			     "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -8192; "
			     "PRAGMA wal_autocheckpoint = 16384", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, "schema");
	n = snprintf(sql, sizeof sql, "INSERT INTO m(%s) VALUES ", sh->columns);
	for (int r = 0; r < PER_STATEMENT; r++) {
		n += snprintf(sql + n, sizeof sql - (size_t)n, r ? ", (" : "(");
		for (int c = 0; c < sh->cols; c++)
			n += snprintf(sql + n, sizeof sql - (size_t)n, c ? ", ?" : "?");
		n += snprintf(sql + n, sizeof sql - (size_t)n, ")");
	}
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return fail(db, "prepare");
	/* a blob row holds a report's mentions */
	int64_t total = sh->cols == 2 ? rows / PER_REPORT : rows, k = 0;
	int64_t per_tx = (int64_t)PER_STATEMENT * PER_TRANSACTION;
	double t0 = now();
	for (int64_t tx = 0; tx < total / per_tx; tx++) {
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		for (int st = 0; st < PER_TRANSACTION; st++) {
			for (int r = 0; r < PER_STATEMENT; r++)
				bind(s, sh, r * sh->cols + 1, k++);
			if (sqlite3_step(s) != SQLITE_DONE)
				return fail(db, "insert");
			sqlite3_reset(s);
		}
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			return fail(db, "commit");
	}
	printf("%-14s %lld rows, %.2f s\n", sh->name, (long long)k, now() - t0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3 || atoll(argv[2]) <= 0) {
		fprintf(stderr, "usage: insert_shapes DB ROWS\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
		if (run(argv[1], &shapes[i], atoll(argv[2])))
			return 1;
	return 0;
}
