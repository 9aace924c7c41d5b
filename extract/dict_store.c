#define _GNU_SOURCE
#include "dict_store.h"
#include "../common/buf.h"
#include "../common/normalize.h"
#include "../common/strlist.h"
#include "../common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <xxhash.h>
#include <zstd.h>

/* Single words that are never a concept mention on their own, even where a
 * knowledge base has them as a term (UMLS lists "was", "as", "all" ...). */
static const char *const stop_words[] = {
	"a", "about", "after", "again", "all", "also", "an", "and", "any", "are", "as", "at",
	"be", "been", "before", "being", "both", "but", "by", "can", "could", "did", "do",
	"doe", "done", "each", "either", "for", "from", "had", "ha", "has", "have", "he", "her",
	"here", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "may", "me",
	"might", "more", "most", "much", "must", "my", "no", "none", "nor", "not", "of", "off",
	"on", "once", "only", "or", "other", "our", "out", "over", "per", "same", "she",
	"should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there",
	"these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
	"upon", "very", "via", "wa", "was", "we", "were", "what", "when", "where", "which",
	"while", "who", "whom", "why", "will", "with", "within", "without", "would", "yet",
	"you", "your",
};

static int is_stop_word(const char *s, size_t n)
{
	if (n <= 1)
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(stop_words); i++)
		if (strlen(stop_words[i]) == n && !memcmp(stop_words[i], s, n))
			return 1;
	return 0;
}

struct filter {
	uint32_t *source_rank;   /* by sources.id; UINT32_MAX: excluded */
	size_t n_sources;
	uint8_t *concept_ok;     /* by concepts.id, NULL: all */
	size_t n_concepts;
};

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Resolve the filters against the store and write their canonical text. */
static int resolve_filters(struct store *st, const struct dict_options *o, struct filter *f,
			   struct buf *canon)
{
	int rc = -1;
	sqlite3_stmt *s = NULL;
	char **tuis = NULL;
	size_t n_tuis = 0, cap_tuis = 0;
	int64_t max_id = store_int(st, "SELECT max(id) FROM sources", 0);
	f->n_sources = (size_t)max_id + 1;
	f->source_rank = xmalloc(f->n_sources * sizeof(*f->source_rank));
	for (size_t i = 0; i < f->n_sources; i++)
		f->source_rank[i] = o->sab ? UINT32_MAX : (uint32_t)i;
	buf_adds(canon, "sab=");
	if (o->sab) {
		if (!(s = store_prepare(st, "SELECT id FROM sources WHERE sab = ? ORDER BY id")))
			goto out;
		for (size_t i = 0; o->sab[i]; i++) {
			sqlite3_bind_text(s, 1, o->sab[i], -1, SQLITE_STATIC);
			int found = 0;
			while (sqlite3_step(s) == SQLITE_ROW) {
				int64_t id = sqlite3_column_int64(s, 0);
				if (id >= 0 && (size_t)id < f->n_sources && f->source_rank[id] == UINT32_MAX)
					f->source_rank[id] = (uint32_t)i;
				found = 1;
			}
			sqlite3_reset(s);
			if (!found) {
				error("%s: no source '%s' in the store (see 'medkg stats')", st->path,
				      o->sab[i]);
				goto out;
			}
			buf_addf(canon, "%s%s", i ? "," : "", o->sab[i]);
		}
		sqlite3_finalize(s);
		s = NULL;
	} else {
		buf_adds(canon, "*");
	}
	buf_adds(canon, ";tui=");
	if (!o->types) {
		buf_adds(canon, "*");
		rc = 0;
		goto out;
	}
	/* each type by TUI or name, with its descendants (tree numbers below it) */
	if (!(s = store_prepare(st, "SELECT tui, name, coalesce(stn, '') FROM semtypes")))
		goto out;
	struct { char *tui, *name, *stn; } *types = NULL;
	size_t n_types = 0, cap_types = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		XGROW(types, cap_types, n_types + 1);
		types[n_types].tui = xstrdup((const char *)sqlite3_column_text(s, 0));
		types[n_types].name = xstrdup((const char *)sqlite3_column_text(s, 1));
		types[n_types].stn = xstrdup((const char *)sqlite3_column_text(s, 2));
		n_types++;
	}
	sqlite3_finalize(s);
	s = NULL;
	int bad = 0;
	for (size_t i = 0; o->types[i] && !bad; i++) {
		const char *stn = NULL, *tui = NULL;
		for (size_t j = 0; j < n_types; j++)
			if (!strcasecmp(types[j].tui, o->types[i]) ||
			    !strcasecmp(types[j].name, o->types[i]))
				stn = types[j].stn, tui = types[j].tui;
		if (!tui) {
			error("%s: no semantic type '%s' in the store", st->path, o->types[i]);
			bad = 1;
			break;
		}
		size_t k = strlen(stn);
		for (size_t j = 0; j < n_types; j++) {
			const char *t = types[j].stn;
			int below = k && (!strcmp(t, stn) || (!strncmp(t, stn, k) && t[k] == '.'));
			if ((below || !strcmp(types[j].tui, tui)) &&
			    !strlist_has(tuis, types[j].tui)) {
				XGROW(tuis, cap_tuis, n_tuis + 2);
				tuis[n_tuis++] = xstrdup(types[j].tui);
				tuis[n_tuis] = NULL;
			}
		}
	}
	for (size_t j = 0; j < n_types; j++) {
		free(types[j].tui);
		free(types[j].name);
		free(types[j].stn);
	}
	free(types);
	if (bad)
		goto out;
	qsort(tuis, n_tuis, sizeof(*tuis), cmp_cstr);
	for (size_t i = 0; i < n_tuis; i++)
		buf_addf(canon, "%s%s", i ? "," : "", tuis[i]);
	f->n_concepts = (size_t)store_int(st, "SELECT max(id) FROM concepts", 0) + 1;
	f->concept_ok = xcalloc(f->n_concepts, 1);
	if (!(s = store_prepare(st, "SELECT c.concept FROM concept_semtypes c JOIN semtypes t "
				    "ON t.id = c.semtype WHERE t.tui = ?")))
		goto out;
	for (size_t i = 0; i < n_tuis; i++) {
		sqlite3_bind_text(s, 1, tuis[i], -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW) {
			int64_t c = sqlite3_column_int64(s, 0);
			if (c >= 0 && (size_t)c < f->n_concepts)
				f->concept_ok[c] = 1;
		}
		sqlite3_reset(s);
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	strlist_free(tuis);
	return rc;
}

static int build(struct store *st, const struct filter *f, struct dict *d, struct dict_info *info)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT concept, norm, preferred, source FROM terms "
					    "WHERE suppress = 'N'");
	if (!s)
		return -1;
	struct dict_builder b;
	dict_builder_init(&b);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		info->n_terms++;
		int64_t concept = sqlite3_column_int64(s, 0);
		int64_t source = sqlite3_column_int64(s, 3);
		if (source < 0 || (size_t)source >= f->n_sources || f->source_rank[source] == UINT32_MAX)
			continue;
		if (f->concept_ok && (concept < 0 || (size_t)concept >= f->n_concepts ||
				      !f->concept_ok[concept]))
			continue;
		const char *norm = (const char *)sqlite3_column_text(s, 1);
		size_t n = (size_t)sqlite3_column_bytes(s, 1);
		if (!memchr(norm, ' ', n) && is_stop_word(norm, n))
			continue;
		/* preferred names first, then the source's rank */
		uint32_t rank = (sqlite3_column_int(s, 2) ? 0 : 0x80000000u) |
				(f->source_rank[source] & 0x7fffffffu);
		dict_builder_add(&b, norm, n, (uint32_t)concept, rank);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		dict_builder_release(&b);
		return store_error(st, "reading terms");
	}
	if (b.n_terms == 0) {
		dict_builder_release(&b);
		return error("%s: no terms to extract with (load a knowledge base, or widen "
			     "--tui/--sty/--sab)", st->path);
	}
	dict_builder_finish(&b, d);
	dict_builder_release(&b);
	return 0;
}

/* The block is cached as independent zstd frames of RAW_CHUNK bytes each
 * (the last one shorter), one row each, so that they decompress in
 * parallel, straight into place. */
#define RAW_CHUNK (64u << 20)

/* A block of size bytes on transparent huge pages where the kernel allows
 * it: a 500 MB dictionary then costs a thousand page faults, not 120,000. */
static void *block_alloc(size_t size)
{
	size_t huge = 2u << 20, n = (size + huge - 1) & ~(huge - 1);
	void *p = xaligned_alloc(huge, n);
	madvise(p, n, MADV_HUGEPAGE);
	return p;
}

static int cache_read(struct store *st, int64_t id, int64_t bytes, struct dict *d,
		      struct dict_info *info)
{
	/* the recorded size is only compared: what is allocated follows the
	 * rows there are and the sizes their frames declare */
	size_t n = bytes > 0 ? ((size_t)bytes + RAW_CHUNK - 1) / RAW_CHUNK : 0, got = 0, cap = 0;
	char **z = NULL;
	int *zn = NULL;
	char *block = NULL;
	int rc = -1, bad = 0;
	sqlite3_stmt *s = store_prepare(st, "SELECT rowid, seq FROM dictionary_chunks WHERE "
					    "dictionary = ? ORDER BY seq");
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	/* read each frame with sqlite3_blob_read: one copy, into its buffer */
	while (sqlite3_step(s) == SQLITE_ROW) {
		sqlite3_blob *b = NULL;
		if (got >= n || sqlite3_column_int64(s, 1) != (int64_t)got ||
		    sqlite3_blob_open(st->db, "main", "dictionary_chunks", "data",
				      sqlite3_column_int64(s, 0), 0, &b) != SQLITE_OK) {
			sqlite3_blob_close(b);
			bad = 1;
			break;
		}
		if (got == cap) {
			XGROW(z, cap, got + 1);
			zn = xrealloc(zn, cap * sizeof(*zn));
		}
		zn[got] = sqlite3_blob_bytes(b);
		z[got] = xmalloc((size_t)zn[got] + 1);
		int r = sqlite3_blob_read(b, z[got], zn[got], 0);
		sqlite3_blob_close(b);
		info->compressed += zn[got];
		got++;
		if (r != SQLITE_OK) {
			bad = 1;
			break;
		}
	}
	sqlite3_finalize(s);
	for (size_t i = 0; !bad && i < got; i++) {
		size_t want = i + 1 < n ? RAW_CHUNK : (size_t)bytes - i * RAW_CHUNK;
		bad = ZSTD_getFrameContentSize(z[i], (size_t)zn[i]) != want;
	}
	if (bad || got != n || !n) {
		error("%s: cached dictionary is damaged", st->path);
		goto out;
	}
	block = block_alloc((size_t)bytes);
	int failed = 0;
#pragma omp parallel for schedule(dynamic, 1) reduction(| : failed)
	for (size_t i = 0; i < n; i++) {
		size_t want = i + 1 < n ? RAW_CHUNK : (size_t)bytes - i * RAW_CHUNK;
		size_t r = ZSTD_decompress(block + i * RAW_CHUNK, want, z[i], (size_t)zn[i]);
		failed |= ZSTD_isError(r) || r != want;
	}
	if (failed) {
		error("%s: cached dictionary is damaged", st->path);
		goto out;
	}
	rc = dict_from_block(d, block, (size_t)bytes);
	block = NULL; /* adopted, or freed by dict_from_block */
out:
	for (size_t i = 0; i < got; i++)
		free(z[i]);
	free(z);
	free(zn);
	free(block);
	return rc;
}

static int cache_write(struct store *st, const char *key, const char *fp, const char *filters,
		       const struct dict *d, struct dict_info *info)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_nbWorkers, 2); /* ignored without threads */
	size_t n_frames = (d->size + RAW_CHUNK - 1) / RAW_CHUNK;
	size_t cap = ZSTD_compressBound(RAW_CHUNK);
	char *z = xmalloc(cap * n_frames);
	size_t *zn = xcalloc(n_frames, sizeof(*zn));
	sqlite3_stmt *ins = NULL, *chunk = NULL, *del = NULL;
	int rc = -1;
	info->compressed = 0;
	for (size_t i = 0; i < n_frames; i++) {
		size_t raw = i + 1 < n_frames ? RAW_CHUNK : d->size - i * RAW_CHUNK;
		zn[i] = ZSTD_compress2(cc, z + i * cap, cap, (const char *)d->block + i * RAW_CHUNK, raw);
		if (ZSTD_isError(zn[i])) {
			error("cannot compress the dictionary: %s", ZSTD_getErrorName(zn[i]));
			ZSTD_freeCCtx(cc);
			goto out;
		}
		info->compressed += (int64_t)zn[i];
	}
	ZSTD_freeCCtx(cc);
	char created[32];
	utc_timestamp(created, sizeof created);
	if (store_begin(st) < 0)
		goto out;
	/* dictionaries of another knowledge base, normalizer or format can
	 * never be used again */
	if (!(del = store_prepare(st, "DELETE FROM dictionaries WHERE kb_fingerprint <> ? OR key = ? "
				      "OR normalizer <> ? OR format <> ?")))
		goto fail;
	sqlite3_bind_text(del, 1, fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(del, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(del, 3, NORMALIZER_VERSION);
	sqlite3_bind_int(del, 4, DICT_FORMAT);
	if (store_step_done(st, del) < 0)
		goto fail;
	/* chunks left by a deletion that did not cascade (foreign keys off) */
	if (store_exec(st, "DELETE FROM dictionary_chunks WHERE dictionary NOT IN "
			   "(SELECT id FROM dictionaries)") < 0)
		goto fail;
	if (!(ins = store_prepare(st, "INSERT INTO dictionaries(key, kb_fingerprint, normalizer, "
				      "format, filters, n_entries, n_nodes, bytes, compressed, created) "
				      "VALUES (?,?,?,?,?,?,?,?,?,?)")))
		goto fail;
	sqlite3_bind_text(ins, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, fp, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 3, NORMALIZER_VERSION);
	sqlite3_bind_int(ins, 4, DICT_FORMAT);
	sqlite3_bind_text(ins, 5, filters, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 6, d->n_entries);
	sqlite3_bind_int64(ins, 7, d->n_nodes);
	sqlite3_bind_int64(ins, 8, (int64_t)d->size);
	sqlite3_bind_int64(ins, 9, info->compressed);
	sqlite3_bind_text(ins, 10, created, -1, SQLITE_STATIC);
	if (store_step_done(st, ins) < 0)
		goto fail;
	int64_t id = sqlite3_last_insert_rowid(st->db);
	if (!(chunk = store_prepare(st, "INSERT INTO dictionary_chunks(dictionary, seq, data) "
					"VALUES (?,?,?)")))
		goto fail;
	for (size_t i = 0; i < n_frames; i++) {
		sqlite3_bind_int64(chunk, 1, id);
		sqlite3_bind_int64(chunk, 2, (int64_t)i);
		sqlite3_bind_blob(chunk, 3, z + i * cap, (int)zn[i], SQLITE_STATIC);
		if (store_step_done(st, chunk) < 0)
			goto fail;
	}
	if (store_commit(st) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_rollback(st);
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(chunk);
	sqlite3_finalize(del);
	free(z);
	free(zn);
	return rc;
}

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int dict_open(struct store *st, const struct dict_options *o, struct dict *d,
	      struct dict_info *info)
{
	double t0 = now_seconds(), c0 = cpu_now();
	memset(info, 0, sizeof(*info));
	memset(d, 0, sizeof(*d));
	struct buf fp = BUF_INIT, canon = BUF_INIT, keysrc = BUF_INIT;
	struct filter f;
	memset(&f, 0, sizeof f);
	int rc = -1;
	if (store_meta_get(st, META_KB_FINGERPRINT, &fp) <= 0) {
		error("%s: no knowledge base in the store: load one first (medkg load umls DIR)",
		      st->path);
		goto out;
	}
	if (resolve_filters(st, o, &f, &canon) < 0)
		goto out;
	buf_addf(&keysrc, "%s|normalizer %d|format %d|%s", fp.p, NORMALIZER_VERSION, DICT_FORMAT,
		 canon.p);
	snprintf(info->key, sizeof info->key, "%016llx",
		 (unsigned long long)XXH3_64bits(keysrc.p, keysrc.len));
	info->filters = xstrdup(canon.p);

	sqlite3_stmt *s = store_prepare(st, "SELECT id, bytes FROM dictionaries WHERE key = ?");
	if (!s)
		goto out;
	sqlite3_bind_text(s, 1, info->key, -1, SQLITE_STATIC);
	int64_t id = -1, bytes = 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		bytes = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (id >= 0) {
		if (cache_read(st, id, bytes, d, info) == 0) {
			info->from_cache = 1;
			rc = 0;
			goto done;
		}
		warning("%s (rebuilding it)", last_error());
	}
	if (build(st, &f, d, info) < 0)
		goto out;
	if (cache_write(st, info->key, fp.p, canon.p, d, info) < 0) {
		dict_release(d);
		goto out;
	}
	rc = 0;
done:
	info->n_entries = d->n_entries;
	info->n_nodes = d->n_nodes;
	info->bytes = (int64_t)d->size;
	info->seconds = now_seconds() - t0;
	info->cpu_seconds = cpu_now() - c0;
out:
	free(f.source_rank);
	free(f.concept_ok);
	buf_release(&fp);
	buf_release(&canon);
	buf_release(&keysrc);
	return rc;
}
