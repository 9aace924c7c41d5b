#define _POSIX_C_SOURCE 200809L
#include "kbload.h"
#include "../common/fingerprint.h"
#include "../common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* ---------------------------------------------------------------- cuimap */

#define CUI_NUM_MAX 10000000u

void cuimap_init(struct cuimap *m)
{
	m->num = NULL;
	strmap_init(&m->other);
}

void cuimap_release(struct cuimap *m)
{
	free(m->num);
	strmap_release(&m->other);
	m->num = NULL;
}

/* "C0032285" -> 32285; -1 if the identifier is not CUI-shaped. */
static long cui_number(const char *s, size_t len)
{
	if (len != 8 || s[0] != 'C')
		return -1;
	long v = 0;
	for (size_t i = 1; i < 8; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

uint32_t cuimap_get(const struct cuimap *m, const char *cui, size_t len)
{
	long v = cui_number(cui, len);
	if (v >= 0)
		return m->num ? m->num[v] : 0;
	uint32_t out = 0;
	strmap_get(&m->other, cui, len, &out);
	return out;
}

void cuimap_set(struct cuimap *m, const char *cui, size_t len, uint32_t value)
{
	long v = cui_number(cui, len);
	if (v >= 0) {
		if (!m->num)
			m->num = xcalloc(CUI_NUM_MAX, sizeof(*m->num));
		m->num[v] = value;
		return;
	}
	*strmap_ref(&m->other, cui, len, 1) = value;
}

/* ---------------------------------------------------------------- load */

/* Indexes rebuilt after a bulk load; they must read exactly as in
 * umls_schema.sql (a test compares a loaded store's schema with a fresh one). */
static const char drop_indexes[] =
	"DROP INDEX IF EXISTS triples_tail;";
static const char create_indexes[] =
	"CREATE INDEX triples_tail ON triples(tail);";

/* The first byte of s[0..n) that a value of this kind may not hold, or n:
 * a control character, a blank in an identifier. A term may hold a tab
 * (real ontologies do): it is white space to the normalizer, and the export
 * writes names with tabs made spaces; a relation name, a key of
 * relation2id.txt, may not. */
enum { TEXT_TERM, TEXT_NAME, TEXT_ID }; /* what a value may hold: less and less */

static size_t bad_byte(const char *s, size_t n, int kind)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && (kind != TEXT_TERM || c != '\t')) || c == 0x7f ||
		    (kind == TEXT_ID && c == ' '))
			return i;
	}
	return n;
}

static int check_text(const char *what, const char *s, size_t n, size_t max, int kind,
		      char *why, size_t cap)
{
	size_t at;
	if (!n)
		snprintf(why, cap, "empty %s", what);
	else if (n > max)
		snprintf(why, cap, "%s of %zu bytes, over the limit of %zu", what, n, max);
	else if ((at = bad_byte(s, n, kind)) < n)
		snprintf(why, cap, "%s holds %s at byte %zu (after '%.*s')", what,
			 s[at] == ' ' ? "a blank" : s[at] == '\t' ? "a tab"
			 : s[at] == '\n' || s[at] == '\r' ? "a line break" : "a control character",
			 at + 1, (int)(at < 40 ? at : 40), s + (at < 40 ? 0 : at - 40));
	else
		return 0;
	return -1;
}

int kb_check_id(const char *what, const char *s, size_t n, char *why, size_t cap)
{
	return check_text(what, s, n, KB_ID_MAX, TEXT_ID, why, cap);
}

int kb_check_term(const char *what, const char *s, size_t n, char *why, size_t cap)
{
	return check_text(what, s, n, KB_TERM_MAX, TEXT_TERM, why, cap);
}

int kb_check_name(const char *what, const char *s, size_t n, char *why, size_t cap)
{
	return check_text(what, s, n, KB_TERM_MAX, TEXT_NAME, why, cap);
}

static int preload(struct kbload *k)
{
	sqlite3_stmt *s = store_prepare(k->st, "SELECT sab, id FROM sources WHERE kb = ?");
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, k->kb, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		uint32_t id = (uint32_t)sqlite3_column_int64(s, 1);
		strmap_put(&k->sources, (const char *)sqlite3_column_text(s, 0),
			   (size_t)sqlite3_column_bytes(s, 0), &id);
	}
	sqlite3_finalize(s);
	if (!(s = store_prepare(k->st, "SELECT name, id FROM relations")))
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		uint32_t id = (uint32_t)sqlite3_column_int64(s, 1);
		strmap_put(&k->relations, (const char *)sqlite3_column_text(s, 0),
			   (size_t)sqlite3_column_bytes(s, 0), &id);
	}
	sqlite3_finalize(s);
	if (!(s = store_prepare(k->st, "SELECT cui, id FROM concepts")))
		return -1;
	uint32_t max = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		uint32_t id = (uint32_t)sqlite3_column_int64(s, 1);
		cuimap_set(&k->concepts, (const char *)sqlite3_column_text(s, 0),
			   (size_t)sqlite3_column_bytes(s, 0), id);
		if (id > max)
			max = id;
	}
	sqlite3_finalize(s);
	k->first_new_concept = k->next_concept = max + 1;
	k->next_term = store_int(k->st, "SELECT coalesce(max(id), 0) + 1 FROM terms", 1);
	return 0;
}

int kbload_begin(struct kbload *k, struct store *st, const char *kb)
{
	memset(k, 0, sizeof(*k));
	k->st = st;
	k->kb = xstrdup(kb);
	strmap_init(&k->sources);
	strmap_init(&k->source_meta);
	strmap_init(&k->relations);
	cuimap_init(&k->concepts);
	/* Foreign keys can only be switched outside a transaction. */
	if (store_exec(st, "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -8192; PRAGMA threads = 2;") < 0)
		return -1;
	/* A rollback journal loads faster than the WAL, but leaving WAL needs the
	 * store to itself: when another process has it open, the load keeps the
	 * WAL (and that process may go on reading). */
	if (sqlite3_exec(st->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
		debug("%s: open in another process: loading in WAL mode", st->path);
	if (store_begin(st) < 0 || store_exec(st, drop_indexes) < 0 || preload(k) < 0)
		goto fail;
	k->ins_source = store_prepare(st, "INSERT INTO sources(sab, name, version, family, "
					  "language, restriction, kb) VALUES (?,?,?,?,?,?,?)");
	k->ins_relation = store_prepare(st, "INSERT INTO relations(name, rel) VALUES (?, ?)");
	k->ins_semtype = store_prepare(st, "INSERT INTO semtypes(tui, name, stn, kb) "
					   "VALUES (?,?,?,?) ON CONFLICT(tui) DO UPDATE SET "
					   "name = excluded.name, stn = excluded.stn RETURNING id");
	k->upd_concept = store_prepare(st, "UPDATE concepts SET name = ? WHERE id = ?");
	k->ins_triple = store_prepare(st, "INSERT OR IGNORE INTO triples(head, relation, tail, "
					  "source) VALUES (?,?,?,?)");
	if (!k->ins_source || !k->ins_relation || !k->ins_semtype || !k->upd_concept ||
	    !k->ins_triple ||
	    batch_init(&k->terms, st, "INSERT INTO terms(concept, id, str, norm, source, tty, "
				      "code, lang, preferred, suppress, scope)", 11, KB_ROWS) < 0 ||
	    batch_init(&k->new_concepts, st, "INSERT INTO concepts(id, cui, name)", 3, KB_ROWS) < 0)
		goto fail;
	return 0;
fail:
	kbload_abort(k);
	return -1;
}

int kbload_clear(struct kbload *k)
{
	sqlite3_stmt *s;
	const char *sql[] = {
		"DELETE FROM terms WHERE source IN (SELECT id FROM sources WHERE kb = ?1)",
		"DELETE FROM triples WHERE source IN (SELECT id FROM sources WHERE kb = ?1)",
		"DELETE FROM xrefs WHERE source IN (SELECT id FROM sources WHERE kb = ?1)",
		"DELETE FROM concept_semtypes WHERE semtype IN "
		"(SELECT id FROM semtypes WHERE kb = ?1)",
	};
	for (size_t i = 0; i < ARRAY_SIZE(sql); i++) {
		if (!(s = store_prepare(k->st, sql[i])))
			return -1;
		sqlite3_bind_text(s, 1, k->kb, -1, SQLITE_STATIC);
		int rc = store_step_done(k->st, s);
		sqlite3_finalize(s);
		if (rc < 0)
			return -1;
	}
	k->cleared = 1;
	return 0;
}

void kbload_source_meta(struct kbload *k, const char *sab, const char *name,
			const char *version, const char *family, const char *language,
			int restriction)
{
	uint32_t idx = (uint32_t)k->n_meta;
	if (!strmap_put(&k->source_meta, sab, strlen(sab), &idx))
		return; /* first current row wins */
	XGROW(k->meta, k->cap_meta, k->n_meta + 1);
	struct source_meta *m = &k->meta[k->n_meta++];
	m->sab = xstrdup(sab);
	m->name = xstrdup(name);
	m->version = xstrdup(version);
	m->family = xstrdup(family);
	m->language = xstrdup(language);
	m->restriction = restriction;
}

static void bind_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

int kbload_source(struct kbload *k, const char *sab, size_t len, uint32_t *id)
{
	if (strmap_get(&k->sources, sab, len, id)) {
		return 0;
	}
	uint32_t mi;
	const struct source_meta *m = strmap_get(&k->source_meta, sab, len, &mi) ? &k->meta[mi]
										 : NULL;
	sqlite3_stmt *s = k->ins_source;
	sqlite3_bind_text(s, 1, sab, (int)len, SQLITE_TRANSIENT);
	bind_or_null(s, 2, m ? m->name : NULL);
	bind_or_null(s, 3, m ? m->version : NULL);
	bind_or_null(s, 4, m ? m->family : NULL);
	bind_or_null(s, 5, m ? m->language : NULL);
	if (m)
		sqlite3_bind_int(s, 6, m->restriction);
	else
		sqlite3_bind_null(s, 6);
	sqlite3_bind_text(s, 7, k->kb, -1, SQLITE_STATIC);
	if (store_step_done(k->st, s) < 0)
		return -1;
	*id = (uint32_t)sqlite3_last_insert_rowid(k->st->db);
	strmap_put(&k->sources, sab, len, id);
	k->n_sources_used++;
	return 0;
}

int kbload_semtype(struct kbload *k, const char *tui, const char *name, const char *stn,
		   uint32_t *id)
{
	sqlite3_stmt *s = k->ins_semtype;
	sqlite3_bind_text(s, 1, tui, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	bind_or_null(s, 3, stn);
	sqlite3_bind_text(s, 4, k->kb, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return store_error(k->st, "cannot write semantic type");
	}
	*id = (uint32_t)sqlite3_column_int64(s, 0);
	sqlite3_step(s);
	sqlite3_reset(s);
	return 0;
}

int kbload_relation(struct kbload *k, const char *name, const char *rel, uint32_t *id)
{
	size_t len = strlen(name);
	if (strmap_get(&k->relations, name, len, id))
		return 0;
	sqlite3_bind_text(k->ins_relation, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(k->ins_relation, 2, rel && *rel ? rel : name, -1, SQLITE_STATIC);
	if (store_step_done(k->st, k->ins_relation) < 0)
		return -1;
	*id = (uint32_t)sqlite3_last_insert_rowid(k->st->db);
	strmap_put(&k->relations, name, len, id);
	return 0;
}

uint32_t kbload_concept(struct kbload *k, const char *cui, size_t len)
{
	uint32_t id = cuimap_get(&k->concepts, cui, len);
	if (!id) {
		id = k->next_concept++;
		cuimap_set(&k->concepts, cui, len, id);
	}
	return id;
}

int kbload_flush_concepts(struct kbload *k)
{
	return batch_flush(&k->new_concepts);
}

int kbload_write_concept(struct kbload *k, uint32_t id, const char *cui, const char *name)
{
	if (id >= k->first_new_concept) {
		batch_int(&k->new_concepts, 0, id);
		batch_text(&k->new_concepts, 1, cui, -1);
		batch_text(&k->new_concepts, 2, name, -1);
		k->n_new_concepts++;
		return batch_row(&k->new_concepts);
	}
	sqlite3_stmt *s = k->upd_concept;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	return store_step_done(k->st, s);
}

/* ---------------------------------------------------------------- terms */

int kbload_flush_terms(struct kbload *k)
{
	return batch_flush(&k->terms);
}

/* Optional text: the column's default when absent. */
static void term_text(struct batch *b, int col, const char *s, size_t len, const char *def)
{
	if (s)
		batch_text_copy(b, col, s, len);
	else
		batch_text(b, col, def, -1);
}

int kbload_add_term(struct kbload *k, const struct kbterm *t)
{
	struct batch *b = &k->terms;
	batch_int(b, 0, t->concept);
	batch_int(b, 1, k->next_term++);
	batch_text_copy(b, 2, t->str, t->str_len);
	batch_text_copy(b, 3, t->norm, t->norm_len);
	batch_int(b, 4, t->source);
	term_text(b, 5, t->tty, t->tty_len, "");
	term_text(b, 6, t->code, t->code_len, "");
	term_text(b, 7, t->lang, t->lang_len, "ENG");
	batch_int(b, 8, t->preferred);
	term_text(b, 9, t->suppress, t->suppress_len, "N");
	term_text(b, 10, t->scope, t->scope_len, "");
	return batch_row(b);
}

/* ---------------------------------------------------------------- triples */

static int triple_cmp(const struct triple *a, const struct triple *b)
{
	if (a->head != b->head)
		return a->head < b->head ? -1 : 1;
	if (a->relation != b->relation)
		return a->relation < b->relation ? -1 : 1;
	if (a->tail != b->tail)
		return a->tail < b->tail ? -1 : 1;
	if (a->source != b->source)
		return a->source < b->source ? -1 : 1;
	return 0;
}

/* In-place quicksort (median of three, smaller side first so
 * the stack stays O(log n)); glibc's qsort would allocate a copy of the whole
 * array, which is most of the load's memory. */
static void triple_sort(struct triple *a, size_t n)
{
	while (n > 16) {
		size_t mid = (n - 1) / 2;
		struct triple t;
		if (triple_cmp(&a[mid], &a[0]) < 0)
			t = a[mid], a[mid] = a[0], a[0] = t;
		if (triple_cmp(&a[n - 1], &a[0]) < 0)
			t = a[n - 1], a[n - 1] = a[0], a[0] = t;
		if (triple_cmp(&a[n - 1], &a[mid]) < 0)
			t = a[n - 1], a[n - 1] = a[mid], a[mid] = t;
		struct triple pivot = a[mid];
		size_t i = 0, j = n - 1;
		for (;;) {
			while (triple_cmp(&a[i], &pivot) < 0)
				i++;
			while (triple_cmp(&pivot, &a[j]) < 0)
				j--;
			if (i >= j)
				break;
			t = a[i], a[i] = a[j], a[j] = t;
			i++, j--;
		}
		size_t left = j + 1;
		if (left < n - left) {
			triple_sort(a, left);
			a += left;
			n -= left;
		} else {
			triple_sort(a + left, n - left);
			n = left;
		}
	}
	for (size_t i = 1; i < n; i++) {
		struct triple t = a[i];
		size_t j = i;
		while (j > 0 && triple_cmp(&t, &a[j - 1]) < 0) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = t;
	}
}

static size_t triple_unique(struct triple *a, size_t n)
{
	if (!n)
		return 0;
	size_t k = 1;
	for (size_t i = 1; i < n; i++)
		if (triple_cmp(&a[i], &a[k - 1]))
			a[k++] = a[i];
	return k;
}

#define TRIPLE_SEGMENT ((size_t)1 << 22)

void kbload_add_triple(struct kbload *k, uint32_t head, uint32_t relation, uint32_t tail,
		       uint32_t source)
{
	/* Sort and deduplicate each segment as it fills: releases list the same
	 * concept-level relation many times (once per pair of atoms), close
	 * together, so memory stays near the number of distinct triples. */
	if (k->n_trip - k->seg_start >= TRIPLE_SEGMENT) {
		size_t n = k->n_trip - k->seg_start;
		triple_sort(k->trip + k->seg_start, n);
		k->n_trip = k->seg_start + triple_unique(k->trip + k->seg_start, n);
		k->seg_start = k->n_trip;
	}
	XGROW(k->trip, k->cap_trip, k->n_trip + 1);
	k->trip[k->n_trip++] = (struct triple){ head, relation, tail, source };
}

int kbload_write_triples(struct kbload *k, int64_t *written)
{
	triple_sort(k->trip, k->n_trip);
	k->n_trip = triple_unique(k->trip, k->n_trip);
	*written = 0;
	sqlite3_stmt *s = k->ins_triple;
	for (size_t i = 0; i < k->n_trip; i++) {
		const struct triple *t = &k->trip[i];
		sqlite3_bind_int64(s, 1, t->head);
		sqlite3_bind_int64(s, 2, t->relation);
		sqlite3_bind_int64(s, 3, t->tail);
		sqlite3_bind_int64(s, 4, t->source);
		if (store_step_done(k->st, s) < 0)
			return -1;
		*written += sqlite3_changes(k->st->db);
	}
	free(k->trip);
	k->trip = NULL;
	k->n_trip = k->cap_trip = k->seg_start = 0;
	return 0;
}

/* After a replacing load: concepts no knowledge base names any more go, with
 * everything that refers to them (foreign keys are off during the load, so
 * the cascade is spelled out). */
static const char remove_orphans[] =
	"CREATE TEMP TABLE gone AS SELECT id FROM concepts c "
	"  WHERE NOT EXISTS (SELECT 1 FROM terms t WHERE t.concept = c.id);"
	"DELETE FROM mention_regions WHERE mention IN "
	"  (SELECT id FROM mentions WHERE concept IN gone);"
	"DELETE FROM mention_patches WHERE mention IN "
	"  (SELECT id FROM mentions WHERE concept IN gone);"
	"DELETE FROM mentions WHERE concept IN gone;"
	"DELETE FROM concept_semtypes WHERE concept IN gone;"
	"DELETE FROM triples WHERE head IN gone OR tail IN gone;"
	"DELETE FROM xrefs WHERE concept IN gone;"
	"DELETE FROM embeddings WHERE kind = 'e' AND item IN gone;"
	"DELETE FROM concepts WHERE id IN gone;"
	"DROP TABLE temp.gone;";

int kbload_commit(struct kbload *k, const char *fingerprint)
{
	struct store *st = k->st;
	/* Appending needs little cache; sorting for the indexes uses as much as
	 * the cache allows before spilling to temporary files. */
	if (kbload_flush_terms(k) < 0 || kbload_flush_concepts(k) < 0 ||
	    store_exec(st, "PRAGMA cache_size = -65536") < 0 ||
	    store_exec(st, create_indexes) < 0)
		goto fail;
	if (k->cleared) {
		if (store_exec(st, remove_orphans) < 0)
			goto fail;
		sqlite3_stmt *s = store_prepare(st,
			"DELETE FROM sources WHERE kb = ?1 AND id NOT IN (SELECT source FROM terms) "
			"AND id NOT IN (SELECT source FROM triples) "
			"AND id NOT IN (SELECT source FROM xrefs)");
		if (!s)
			goto fail;
		sqlite3_bind_text(s, 1, k->kb, -1, SQLITE_STATIC);
		int rc = store_step_done(st, s);
		sqlite3_finalize(s);
		if (rc < 0)
			goto fail;
	}
	if (store_kb_changed(st, fingerprint) < 0 || store_commit(st) < 0)
		goto fail;
	store_exec(st, "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;");
	return 0;
fail:
	kbload_abort(k);
	return -1;
}

void kbload_abort(struct kbload *k)
{
	if (!k->st)
		return;
	store_rollback(k->st);
	sqlite3_exec(k->st->db, "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;", NULL,
		     NULL, NULL);
}

void kbload_release(struct kbload *k)
{
	sqlite3_finalize(k->ins_source);
	sqlite3_finalize(k->ins_relation);
	sqlite3_finalize(k->ins_semtype);
	sqlite3_finalize(k->upd_concept);
	sqlite3_finalize(k->ins_triple);
	batch_release(&k->terms);
	batch_release(&k->new_concepts);
	strmap_release(&k->sources);
	strmap_release(&k->source_meta);
	strmap_release(&k->relations);
	cuimap_release(&k->concepts);
	for (size_t i = 0; i < k->n_meta; i++) {
		struct source_meta *m = &k->meta[i];
		free(m->sab);
		free(m->name);
		free(m->version);
		free(m->family);
		free(m->language);
	}
	free(k->meta);
	free(k->trip);
	free(k->kb);
	memset(k, 0, sizeof(*k));
}

int kbload_file_fingerprint(const char *path, struct buf *out)
{
	uint64_t h;
	int64_t size;
	if (file_fingerprint(path, FINGERPRINT_SAMPLE, 0, &h, &size) < 0)
		return -1;
	const char *base = strrchr(path, '/');
	buf_addf(out, "%s:%lld:%016llx;", base ? base + 1 : path, (long long)size,
		 (unsigned long long)h);
	return 0;
}

int kbload_clear_source(struct kbload *k, const char *sab)
{
	static const char *const sql[] = {
		"DELETE FROM terms WHERE source IN (SELECT id FROM sources WHERE kb = ?1 AND sab = ?2)",
		"DELETE FROM triples WHERE source IN (SELECT id FROM sources WHERE kb = ?1 AND sab = ?2)",
		"DELETE FROM xrefs WHERE source IN (SELECT id FROM sources WHERE kb = ?1 AND sab = ?2)",
	};
	for (size_t i = 0; i < ARRAY_SIZE(sql); i++) {
		sqlite3_stmt *s = store_prepare(k->st, sql[i]);
		if (!s)
			return -1;
		sqlite3_bind_text(s, 1, k->kb, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, sab, -1, SQLITE_STATIC);
		int rc = store_step_done(k->st, s);
		sqlite3_finalize(s);
		if (rc < 0)
			return -1;
	}
	k->cleared = 1;
	return 0;
}

int kbload_source_describe(struct kbload *k, uint32_t id, const char *name, const char *version)
{
	sqlite3_stmt *s = store_prepare(k->st, "UPDATE sources SET name = nullif(?, ''), "
					       "version = nullif(?, '') WHERE id = ?");
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, id);
	int rc = store_step_done(k->st, s);
	sqlite3_finalize(s);
	return rc;
}

int kbload_identity(struct store *st, const char *prefix, const struct buf *ident, int replace,
		    const char *what, const char *name, char fphex[17])
{
	struct buf key = BUF_INIT, old = BUF_INIT;
	int rc = -1;
	snprintf(fphex, 17, "%016llx",
		 (unsigned long long)XXH3_64bits(buf_str(ident), ident->len));
	buf_addf(&key, "%s.%s", prefix, META_LOAD_FINGERPRINT);
	if (store_meta_get(st, key.p, &old) < 0)
		goto out;
	if (!old.len) {
		rc = KB_NEW;
	} else if (!strcmp(old.p, fphex)) {
		info("%s: %s %s already loaded with these options: nothing to do", st->path, what,
		     name);
		rc = KB_SAME;
	} else if (replace) {
		rc = KB_REPLACE;
	} else {
		buf_reset(&key);
		buf_reset(&old);
		buf_addf(&key, "%s.%s", prefix, META_LOAD_RELEASE);
		store_meta_get(st, key.p, &old);
		error("%s: the store already holds %s %s (loaded from other files or with other "
		      "options); use --replace to replace it with %s",
		      st->path, what, buf_str(&old), name);
	}
out:
	buf_release(&key);
	buf_release(&old);
	return rc;
}

int kbload_record_identity(struct store *st, const char *prefix, const char *fphex,
			   const char *release, const char *params)
{
	const char *keys[] = { META_LOAD_FINGERPRINT, META_LOAD_RELEASE, META_LOAD_PARAMS };
	const char *vals[] = { fphex, release, params };
	struct buf key = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < ARRAY_SIZE(keys) && rc == 0; i++) {
		buf_reset(&key);
		buf_addf(&key, "%s.%s", prefix, keys[i]);
		rc = store_meta_set(st, key.p, vals[i]);
	}
	buf_release(&key);
	return rc;
}
