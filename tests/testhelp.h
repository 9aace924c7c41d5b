/*
 * testhelp — the unit-test harness: CHECK macros with stable case ids
 * ("mesh-1.3"), a failure line per failed check that says what it got and
 * what it wanted, and the closing line "N passed, N failed" printed by
 * testmain.c. Suites are plain functions listed in tests.h.
 *
 * A case id names one check, so that a failure line points at one place:
 * the harness records the file and line where each id is first checked, and
 * the same id checked from another place fails the run ("FAIL duplicate case
 * id X: a.c:10 and b.c:20"); one check run many times in a loop is one
 * place. Ids start with their suite's prefix (tests.h), so that suites do not
 * collide, and a table case with several checks names each one from its id
 * (test_id("%s.rc", id)).
 */
#ifndef MEDKG_TESTHELP_H
#define MEDKG_TESTHELP_H

#include <stdio.h>
#include <string.h>
#include "../common/util.h"

extern int test_passed, test_failed;

/* Count one check of case id: passed when ok, else printed as
 * "FAIL id: <fmt, ...> (file:line)". @return ok. */
int test_result(const char *id, int ok, const char *file, int line, const char *fmt, ...)
	MK_PRINTF(5, 6);

/* A boolean condition: a failure prints the expression. */
#define CHECK(id, cond) test_result((id), (cond) ? 1 : 0, __FILE__, __LINE__, "%s", #cond)

/* Two integers: a failure prints both values. */
#define CHECK_INT(id, got, want)                                                     \
	do {                                                                         \
		long long g_ = (long long)(got), w_ = (long long)(want);             \
		test_result((id), g_ == w_, __FILE__, __LINE__, "%s = %lld, want %lld", \
			    #got, g_, w_);                                           \
	} while (0)

/* Two strings (NULL never equals anything): a failure prints both. */
#define CHECK_STR(id, got, want)                                                      \
	do {                                                                          \
		const char *g_ = (got), *w_ = (want);                                 \
		test_result((id), g_ && w_ && !strcmp(g_, w_), __FILE__, __LINE__,    \
			    "%s = \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)",     \
			    w_ ? w_ : "(null)");                                      \
	} while (0)

/* Two numbers within tol of each other (|got - want| <= tol; NaN never is):
 * a failure prints both and the tolerance. */
#define CHECK_NEAR(id, got, want, tol)                                                \
	do {                                                                          \
		double g_ = (double)(got), w_ = (double)(want), t_ = (double)(tol);   \
		test_result((id), g_ - w_ <= t_ && w_ - g_ <= t_, __FILE__, __LINE__, \
			    "%s = %.17g, want %.17g within %g", #got, g_, w_, t_);    \
	} while (0)

/* The last error (last_error(), common/util.h) contains want, which must not
 * be empty: a failure prints the message and the substring wanted. */
#define CHECK_ERR(id, want) test_check_err((id), (want), __FILE__, __LINE__)
int test_check_err(const char *id, const char *want, const char *file, int line);

/* A case id built from a format ("%s.rc", a table's id): valid for the next
 * 8 calls. */
const char *test_id(const char *fmt, ...) MK_PRINTF(1, 2);

/* The directory of real shared data (../shared/data, or $MEDKG_SHARED).
 * @return it, or NULL when absent: the caller skips (and says so); when
 * CI=true a missing directory is itself a failure. */
const char *shared_data(const char *suite);

/* A fresh empty temporary directory for this process; removed at exit. */
const char *test_tmpdir(void);
/* The path of name in the temporary directory: valid for the next 16
 * calls. */
const char *test_path(const char *name);
/* Write name in the temporary directory (zstd-compressed when zst).
 * @return its path, as test_path. */
const char *test_file(const char *name, const char *text, size_t len, int zst);
/* The bytes of a file, NUL-terminated, with their count in *len (len may be
 * NULL). @return them (caller frees), or NULL when the file cannot be read. */
char *test_read(const char *path, size_t *len);
/* As test_read, for a file the tests cannot do without (a fixture under
 * tests/fixtures): exits when it cannot be read. */
char *test_read_fixture(const char *path, size_t *len);
/* Drop the last n bytes of a file (a compressed stream cut short). */
void test_cut(const char *path, size_t n);
/* The 1-based line of the nth (1-based) occurrence of needle in text, 0
 * when there are fewer. */
size_t test_line_of(const char *text, const char *needle, int nth);

struct store;
/* Open a new, empty store named NAME.db in the temporary directory.
 * @return as store_open. */
int test_store_new(struct store *st, const char *name);
/* A new store NAME.db with the demo knowledge base (data/demo) loaded with
 * the default options. @return 0, or -1 with the store closed. */
int test_store_demo(struct store *st, const char *name);
/* The answer of a one-integer query, -1 when it fails. */
long long test_q(struct store *st, const char *sql);
/* The answers of the n queries, joined by '|': equal strings, equal
 * contents. sql NULL: every knowledge table (concepts, terms, triples, types,
 * relations, xrefs, sources, meta, the ingest log's size). Caller frees. */
char *test_digest(struct store *st, const char *const *sql, size_t n);

/* A bad input file for a loader: written as name in the temporary directory
 * (content NULL: not written; zst: compressed, then cut 20 bytes short). */
struct bad_input {
	const char *id, *name;
	char *content;
	int zst;
	size_t line;         /* the line the error names; 0: the path alone */
	const char *problem; /* what the error says */
};
/* Load each case with load(st, path, ctx) over the store st: the load fails
 * (case id.rc), its error names path:line (id.where) and the problem (id),
 * and st is left as it was (id.store). */
void test_bad_inputs(struct store *st, const struct bad_input *cases, size_t n,
		     int (*load)(struct store *st, const char *path, void *ctx), void *ctx);

/* text with the first occurrence of from replaced by to (a fixture made
 * bad on purpose); exits if from is absent, as the fixture is then wrong.
 * Caller frees. */
char *test_replace(const char *text, const char *from, const char *to);

/* Write a file (creating it) with the given contents. */
void write_file(const char *path, const char *text, size_t len);
/* Write a zstd-compressed file. */
void write_zst(const char *path, const char *text, size_t len);

#endif
