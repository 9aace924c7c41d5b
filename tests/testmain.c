#define _XOPEN_SOURCE 700
#include "testhelp.h"
#include "tests.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../store/store.h"
#include "../store/umls.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

int test_passed, test_failed;
static char tmpdir[256];

/* Where case ids were checked: open-addressing tables keyed by a string,
 * the id (its first place), or "id@file:line" (a second place reported). */
struct case_place {
	char *key;
	const char *file;
	int line;
};
struct place_table {
	struct case_place *t;
	size_t n, cap; /* cap: a power of two, the table at most half full */
};
static struct place_table first_places, dup_places;

static uint64_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct case_place *slot_in(struct case_place *t, size_t cap, const char *key)
{
	size_t i = key_hash(key) & (cap - 1);
	while (t[i].key && strcmp(t[i].key, key))
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* The entry of key, or the empty slot where it goes (room for one more). */
static struct case_place *place_find(struct place_table *tb, const char *key)
{
	if (2 * (tb->n + 1) > tb->cap) {
		size_t cap = tb->cap ? 2 * tb->cap : 4096;
		struct case_place *t = xcalloc(cap, sizeof *t);
		for (size_t i = 0; i < tb->cap; i++)
			if (tb->t[i].key)
				*slot_in(t, cap, tb->t[i].key) = tb->t[i];
		free(tb->t);
		tb->t = t;
		tb->cap = cap;
	}
	return slot_in(tb->t, tb->cap, key);
}

static void place_add(struct place_table *tb, struct case_place *slot, const char *key,
		      const char *file, int line)
{
	*slot = (struct case_place){ xstrdup(key), file, line };
	tb->n++;
}

static void places_release(struct place_table *tb)
{
	for (size_t i = 0; i < tb->cap; i++)
		free(tb->t[i].key);
	free(tb->t);
	*tb = (struct place_table){ NULL, 0, 0 };
}

/* A case id is checked from one place (file:line): each other place is a
 * failure of its own, reported once. */
static void note_place(const char *id, const char *file, int line)
{
	struct case_place *p = place_find(&first_places, id);
	if (!p->key) {
		place_add(&first_places, p, id, file, line);
		return;
	}
	if (p->line == line && !strcmp(p->file, file))
		return;
	char key[600];
	snprintf(key, sizeof key, "%s@%s:%d", id, file, line);
	struct case_place *d = place_find(&dup_places, key);
	if (d->key)
		return;
	place_add(&dup_places, d, key, file, line);
	test_failed++;
	fprintf(stderr, "FAIL duplicate case id %s: %s:%d and %s:%d\n", id, p->file, p->line, file,
		line);
}

int test_result(const char *id, int ok, const char *file, int line, const char *fmt, ...)
{
	note_place(id, file, line);
	if (ok) {
		test_passed++;
		return 1;
	}
	test_failed++;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL %s: ", id);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (%s:%d)\n", file, line);
	va_end(ap);
	return 0;
}

int test_check_err(const char *id, const char *want, const char *file, int line)
{
	if (!*want) /* an empty substring is in every message: no check at all */
		return test_result(id, 0, file, line, "CHECK_ERR wants an empty substring");
	return test_result(id, strstr(last_error(), want) != NULL, file, line,
			   "last_error() = \"%s\", want it to contain \"%s\"", last_error(), want);
}

const char *test_id(const char *fmt, ...)
{
	static char ids[8][128];
	static int k;
	char *out = ids[k++ % 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, sizeof ids[0], fmt, ap);
	va_end(ap);
	return out;
}

const char *shared_data(const char *suite)
{
	static char path[1024];
	const char *env = getenv("MEDKG_SHARED");
	snprintf(path, sizeof path, "%s", env && *env ? env : "../shared/data");
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return path;
	const char *ci = getenv("CI");
	if (ci && !strcmp(ci, "true")) {
		test_failed++;
		fprintf(stderr, "FAIL %s: shared data %s is missing (CI=true)\n", suite, path);
	} else {
		fprintf(stderr, "skip %s: shared data %s not found\n", suite, path);
	}
	return NULL;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

static void cleanup(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *test_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(tmpdir, sizeof tmpdir, "%s/medkg-test-XXXXXX", base && *base ? base : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(1);
		}
		atexit(cleanup);
	}
	return tmpdir;
}

void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

void write_zst(const char *path, const char *text, size_t len)
{
	size_t cap = ZSTD_compressBound(len);
	char *out = xmalloc(cap);
	size_t n = ZSTD_compress(out, cap, text, len, 3);
	if (ZSTD_isError(n)) {
		fprintf(stderr, "zstd: %s\n", ZSTD_getErrorName(n));
		exit(1);
	}
	write_file(path, out, n);
	free(out);
}

const char *test_path(const char *name)
{
	static char paths[16][512];
	static int k;
	char *p = paths[k++ % 16];
	snprintf(p, sizeof paths[0], "%s/%s", test_tmpdir(), name);
	return p;
}

const char *test_file(const char *name, const char *text, size_t len, int zst)
{
	const char *path = test_path(name);
	if (zst)
		write_zst(path, text, len);
	else
		write_file(path, text, len);
	return path;
}

char *test_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (len)
		*len = b.len;
	return buf_detach(&b);
}

char *test_read_fixture(const char *path, size_t *len)
{
	char *text = test_read(path, len);
	if (!text) {
		fprintf(stderr, "tests: cannot read %s (run from the repository root)\n", path);
		exit(1);
	}
	return text;
}

void test_cut(const char *path, size_t n)
{
	size_t len;
	char *data = test_read(path, &len);
	if (!data || len < n) {
		fprintf(stderr, "tests: cannot cut %zu bytes off %s\n", n, path);
		exit(1);
	}
	write_file(path, data, len - n);
	free(data);
}

size_t test_line_of(const char *text, const char *needle, int nth)
{
	const char *p = text;
	for (int i = 0; i < nth; i++) {
		p = strstr(i ? p + 1 : p, needle);
		if (!p)
			return 0;
	}
	size_t line = 1;
	for (const char *c = text; c < p; c++)
		line += *c == '\n';
	return line;
}

int test_store_new(struct store *st, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s.db", test_tmpdir(), name);
	remove(path);
	return store_open(st, path, STORE_CREATE);
}

int test_store_demo(struct store *st, const char *name)
{
	struct umls_options o = { 0 };
	struct umls_stats s;
	if (test_store_new(st, name) < 0)
		return -1;
	if (umls_load(st, "data/demo", &o, &s) < 0) {
		store_close(st);
		return -1;
	}
	return 0;
}

long long test_q(struct store *st, const char *sql)
{
	return store_int(st, sql, -1);
}

static const char *const kb_tables[] = {
	"SELECT group_concat(id || cui || name, ';') FROM (SELECT * FROM concepts ORDER BY id)",
	"SELECT group_concat(concept || str || norm || source || tty || code || preferred || "
	"suppress || scope, ';') FROM (SELECT * FROM terms ORDER BY concept, id)",
	"SELECT group_concat(head || '.' || relation || '.' || tail || '.' || source, ';') "
	"FROM triples",
	"SELECT group_concat(concept || '.' || semtype, ';') FROM concept_semtypes",
	"SELECT group_concat(tui || name, ';') FROM semtypes",
	"SELECT group_concat(id || name || rel, ';') FROM relations",
	"SELECT group_concat(concept || target || source, ';') FROM xrefs",
	"SELECT group_concat(sab || kb || coalesce(version, ''), ';') FROM sources",
	"SELECT group_concat(key || '=' || value, ';') FROM meta",
	"SELECT count(*) FROM ingest_log",
};

char *test_digest(struct store *st, const char *const *sql, size_t n)
{
	if (!sql) {
		sql = kb_tables;
		n = sizeof kb_tables / sizeof kb_tables[0];
	}
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *s = store_prepare(st, sql[i]);
		if (s && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
			buf_adds(&b, (const char *)sqlite3_column_text(s, 0));
		buf_addc(&b, '|');
		sqlite3_finalize(s);
	}
	return buf_detach(&b);
}

void test_bad_inputs(struct store *st, const struct bad_input *cases, size_t n,
		     int (*load)(struct store *st, const char *path, void *ctx), void *ctx)
{
	char *before = test_digest(st, NULL, 0);
	for (size_t i = 0; i < n; i++) {
		const struct bad_input *c = &cases[i];
		const char *path = test_path(c->name);
		if (c->content) {
			test_file(c->name, c->content, strlen(c->content), c->zst);
			if (c->zst)
				test_cut(path, 20);
		}
		char where[600];
		if (c->line)
			snprintf(where, sizeof where, "%s:%zu: ", path, c->line);
		else
			snprintf(where, sizeof where, "%s", path);
		last_error_reset();
		CHECK_INT(test_id("%s.rc", c->id), load(st, path, ctx), -1);
		CHECK_ERR(test_id("%s.where", c->id), where);
		CHECK_ERR(c->id, c->problem);
		char *after = test_digest(st, NULL, 0);
		CHECK_STR(test_id("%s.store", c->id), after, before);
		free(after);
	}
	free(before);
}

char *test_replace(const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	if (!p) {
		fprintf(stderr, "test fixture: '%s' not found\n", from);
		exit(1);
	}
	struct buf b = BUF_INIT;
	buf_add(&b, text, (size_t)(p - text));
	buf_adds(&b, to);
	buf_adds(&b, p + strlen(from));
	return buf_detach(&b);
}

struct suite {
	const char *name;
	void (*fn)(void);
};

#define ENTRY(name) { #name, test_##name },
static const struct suite suites[] = { TEST_SUITES(ENTRY) };

int main(int argc, char **argv)
{
	log_level = getenv("TEST_VERBOSE") ? 1 : -1; /* errors are asserted through last_error() */
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
		int run = argc < 2;
		for (int a = 1; a < argc; a++)
			run |= !strcmp(argv[a], suites[i].name);
		if (!run)
			continue;
		int p0 = test_passed, f0 = test_failed;
		suites[i].fn();
		fprintf(stderr, "  %-12s %d passed, %d failed\n", suites[i].name, test_passed - p0,
			test_failed - f0);
	}
	places_release(&first_places);
	places_release(&dup_places);
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
