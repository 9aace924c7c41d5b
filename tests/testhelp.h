/*
 * testhelp — the unit-test harness: CHECK macros with stable case ids
 * ("normalize-1.3"), a failure line per failed check, and the closing line
 * "N passed, N failed" printed by testmain.c. Suites are plain functions
 * listed in tests.h.
 */
#ifndef MEDKG_TESTHELP_H
#define MEDKG_TESTHELP_H

#include <stdio.h>
#include <string.h>

extern int test_passed, test_failed;

#define CHECK(id, cond)                                                              \
	do {                                                                         \
		if (cond) {                                                          \
			test_passed++;                                               \
		} else {                                                             \
			test_failed++;                                               \
			fprintf(stderr, "FAIL %s: %s (%s:%d)\n", (id), #cond, __FILE__, \
				__LINE__);                                           \
		}                                                                    \
	} while (0)

#define CHECK_INT(id, got, want)                                                      \
	do {                                                                          \
		long long g_ = (long long)(got), w_ = (long long)(want);              \
		if (g_ == w_) {                                                       \
			test_passed++;                                                \
		} else {                                                              \
			test_failed++;                                                \
			fprintf(stderr, "FAIL %s: %s = %lld, want %lld (%s:%d)\n", (id), \
				#got, g_, w_, __FILE__, __LINE__);                    \
		}                                                                     \
	} while (0)

#define CHECK_STR(id, got, want)                                                      \
	do {                                                                          \
		const char *g_ = (got), *w_ = (want);                                 \
		if (g_ && w_ && !strcmp(g_, w_)) {                                    \
			test_passed++;                                                \
		} else {                                                              \
			test_failed++;                                                \
			fprintf(stderr, "FAIL %s: %s = \"%s\", want \"%s\" (%s:%d)\n", (id), \
				#got, g_ ? g_ : "(null)", w_ ? w_ : "(null)", __FILE__, \
				__LINE__);                                            \
		}                                                                     \
	} while (0)

/* The directory of real shared data (../shared/data, or $MEDKG_SHARED).
 * @return it, or NULL when absent: the caller skips (and says so); when
 * CI=true a missing directory is itself a failure. */
const char *shared_data(const char *suite);

/* A fresh empty temporary directory for this process; removed at exit. */
const char *test_tmpdir(void);
struct store;
/* Open a new, empty store named NAME.db in the temporary directory.
 * @return as store_open. */
int test_store_new(struct store *st, const char *name);
/* The answer of a one-integer query, -1 when it fails. */
long long test_q(struct store *st, const char *sql);
/* The answers of the n queries, joined by '|': equal strings, equal
 * contents. sql NULL: every knowledge table (concepts, terms, triples, types,
 * relations, xrefs, sources, meta, the ingest log's size). Caller frees. */
char *test_digest(struct store *st, const char *const *sql, size_t n);

/* text with the first occurrence of from replaced by to (a fixture made
 * bad on purpose); exits if from is absent, as the fixture is then wrong.
 * Caller frees. */
char *test_replace(const char *text, const char *from, const char *to);

/* Write a file (creating it) with the given contents. */
void write_file(const char *path, const char *text, size_t len);
/* Write a zstd-compressed file. */
void write_zst(const char *path, const char *text, size_t len);

#endif
