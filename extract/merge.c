#define _GNU_SOURCE
#include "merge.h"
#include "../common/buf.h"
#include "../common/strmap.h"
#include "../common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BATCH 1000

struct shard {
	struct store st;
	sqlite3_stmt *reports, *images, *mentions;
	int done;
};

struct out {
	struct store st;
	sqlite3_stmt *ins_report, *upd_report, *del_mentions, *del_images, *ins_image,
		*ins_mention;
	struct strmap index;     /* source \x1f external id -> position */
	int64_t *rows;
	char (*hash)[33];
	size_t n, cap;
};

static int fingerprint(struct store *st, struct buf *fp)
{
	int got = store_meta_get(st, META_KB_FINGERPRINT, fp);
	if (got < 0)
		return -1;
	if (!got)
		return error("%s: holds no knowledge base", st->path);
	return 0;
}

/* A new output: the first shard's file, without its reports. */
static int create_from(const char *out, struct store *first)
{
	sqlite3 *db = NULL;
	int rc = -1;
	if (sqlite3_open_v2(out, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		error("%s: cannot create: %s", out, db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_backup *b = sqlite3_backup_init(db, "main", first->db, "main");
	if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE) {
		error("%s: cannot copy %s: %s", out, first->path, sqlite3_errmsg(db));
		sqlite3_backup_finish(b);
		goto out;
	}
	if (sqlite3_backup_finish(b) != SQLITE_OK) {
		error("%s: cannot copy %s: %s", out, first->path, sqlite3_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(db);
	return rc;
}

static int out_prepare(struct out *o)
{
	struct store *st = &o->st;
	if (!(o->ins_report = store_prepare(st,
			"INSERT INTO reports(source, external_id, hash, text, sections, split, ingested) "
			"VALUES (?,?,?,?,?,?,?)")) ||
	    !(o->upd_report = store_prepare(st,
			"UPDATE reports SET hash = ?3, text = ?4, sections = ?5, split = ?6, "
			"ingested = ?7 WHERE id = ?8")) ||
	    !(o->del_mentions = store_prepare(st, "DELETE FROM mentions WHERE report = ?")) ||
	    !(o->del_images = store_prepare(st, "DELETE FROM images WHERE report = ?")) ||
	    !(o->ins_image = store_prepare(st, "INSERT OR IGNORE INTO images(report, path, view, "
					       "width, height) VALUES (?,?,?,?,?)")) ||
	    !(o->ins_mention = store_prepare(st,
			"INSERT INTO mentions(report, concept, section, sentence, start, end, surface, "
			"polarity, historical, hedge, hypothetical, term, match, candidates, decided, "
			"modifiers, modifiers_start) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")))
		return -1;
	sqlite3_stmt *q = store_prepare(st, "SELECT source, external_id, id, hash FROM reports");
	if (!q)
		return -1;
	struct buf key = BUF_INIT;
	while (sqlite3_step(q) == SQLITE_ROW) {
		buf_reset(&key);
		buf_addf(&key, "%s\x1f%s", sqlite3_column_text(q, 0), sqlite3_column_text(q, 1));
		XGROW(o->rows, o->cap, o->n + 1);
		o->hash = xrealloc(o->hash, o->cap * sizeof(*o->hash));
		uint32_t pos = (uint32_t)o->n;
		strmap_put(&o->index, key.p, key.len, &pos);
		o->rows[o->n] = sqlite3_column_int64(q, 2);
		snprintf(o->hash[o->n], sizeof o->hash[0], "%s", sqlite3_column_text(q, 3));
		o->n++;
	}
	sqlite3_finalize(q);
	buf_release(&key);
	return 0;
}

static void bind_col(sqlite3_stmt *dst, int i, sqlite3_stmt *src, int j)
{
	sqlite3_bind_value(dst, i, sqlite3_column_value(src, j));
}

/* Copy the report the shard's cursor is on. */
static int copy_report(struct out *o, struct shard *sh, struct merge_stats *s)
{
	sqlite3_stmt *r = sh->reports;
	struct buf key = BUF_INIT;
	buf_addf(&key, "%s\x1f%s", sqlite3_column_text(r, 1), sqlite3_column_text(r, 2));
	const char *hash = (const char *)sqlite3_column_text(r, 3);
	uint32_t pos;
	int64_t row;
	int rc = -1;
	s->reports++;
	if (strmap_get(&o->index, key.p, key.len, &pos)) {
		if (!strcmp(o->hash[pos], hash)) {
			s->unchanged++;
			rc = 0;
			goto out;
		}
		row = o->rows[pos];
		for (int i = 3; i <= 7; i++)
			bind_col(o->upd_report, i, r, i);
		sqlite3_bind_int64(o->upd_report, 8, row);
		sqlite3_bind_int64(o->del_mentions, 1, row);
		sqlite3_bind_int64(o->del_images, 1, row);
		if (store_step_done(&o->st, o->upd_report) < 0 ||
		    store_step_done(&o->st, o->del_mentions) < 0 ||
		    store_step_done(&o->st, o->del_images) < 0)
			goto out;
		snprintf(o->hash[pos], sizeof o->hash[0], "%s", hash);
		s->changed++;
	} else {
		for (int i = 1; i <= 7; i++)
			bind_col(o->ins_report, i, r, i);
		if (store_step_done(&o->st, o->ins_report) < 0)
			goto out;
		row = sqlite3_last_insert_rowid(o->st.db);
		XGROW(o->rows, o->cap, o->n + 1);
		o->hash = xrealloc(o->hash, o->cap * sizeof(*o->hash));
		pos = (uint32_t)o->n;
		strmap_put(&o->index, key.p, key.len, &pos);
		o->rows[o->n] = row;
		snprintf(o->hash[o->n], sizeof o->hash[0], "%s", hash);
		o->n++;
		s->added++;
	}
	int64_t src = sqlite3_column_int64(r, 0);
	sqlite3_bind_int64(sh->images, 1, src);
	while (sqlite3_step(sh->images) == SQLITE_ROW) {
		sqlite3_bind_int64(o->ins_image, 1, row);
		for (int i = 0; i < 4; i++)
			bind_col(o->ins_image, i + 2, sh->images, i);
		if (store_step_done(&o->st, o->ins_image) < 0) {
			sqlite3_reset(sh->images);
			goto out;
		}
		s->images++;
	}
	sqlite3_reset(sh->images);
	sqlite3_bind_int64(sh->mentions, 1, src);
	while (sqlite3_step(sh->mentions) == SQLITE_ROW) {
		sqlite3_bind_int64(o->ins_mention, 1, row);
		for (int i = 0; i < 16; i++)
			bind_col(o->ins_mention, i + 2, sh->mentions, i);
		if (store_step_done(&o->st, o->ins_mention) < 0) {
			sqlite3_reset(sh->mentions);
			goto out;
		}
		s->mentions++;
	}
	sqlite3_reset(sh->mentions);
	rc = 0;
out:
	buf_release(&key);
	return rc;
}

/* Open the shards, which must all hold the same knowledge (its fingerprint
 * into fp0), and name them in target. @return 0 or -1. */
static int open_shards(const char *out_path, char *const *paths, size_t n, struct shard *sh,
		       struct buf *fp0, struct buf *target)
{
	struct buf fp = BUF_INIT;
	int rc = -1;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(paths[i], out_path)) {
			error("%s: a shard cannot be the output", paths[i]);
			goto out;
		}
		if (store_open(&sh[i].st, paths[i], STORE_READONLY) < 0)
			goto out;
		buf_reset(&fp);
		if (fingerprint(&sh[i].st, &fp) < 0)
			goto out;
		if (i == 0) {
			buf_adds(fp0, fp.p);
		} else if (strcmp(fp.p, fp0->p)) {
			error("%s: built over another knowledge base than %s (fingerprint %s, not %s): "
			      "refusing to merge", paths[i], paths[0], fp.p, fp0->p);
			goto out;
		}
		buf_addf(target, "%s%s", i ? " " : "", paths[i]);
	}
	rc = 0;
out:
	buf_release(&fp);
	return rc;
}

/* Open the output, made from the first shard (without its reports) when it
 * does not exist (*created), holding the shards' knowledge fp0. @return 0
 * or -1. */
static int open_output(const char *out_path, struct store *first, const char *fp0,
		       struct out *o, int *created)
{
	struct stat sb;
	struct buf fp = BUF_INIT;
	int rc = -1;
	*created = stat(out_path, &sb) != 0;
	if ((*created && create_from(out_path, first) < 0) || store_open(&o->st, out_path, 0) < 0 ||
	    fingerprint(&o->st, &fp) < 0)
		goto out;
	if (strcmp(fp.p, fp0)) {
		error("%s: holds another knowledge base than the shards (fingerprint %s, not %s): "
		      "refusing to merge", out_path, fp.p, fp0);
		goto out;
	}
	if (*created && store_exec(&o->st, "BEGIN IMMEDIATE; DELETE FROM reports; "
					   "DELETE FROM ingest_log WHERE command IN ('extract', "
					   "'merge'); COMMIT") < 0)
		goto out;
	rc = out_prepare(o);
out:
	buf_release(&fp);
	return rc;
}

static int shard_prepare(struct shard *sh)
{
	return (sh->reports = store_prepare(&sh->st,
			"SELECT id, source, external_id, hash, text, sections, split, ingested "
			"FROM reports ORDER BY id")) &&
	       (sh->images = store_prepare(&sh->st,
			"SELECT path, view, width, height FROM images WHERE report = ? ORDER BY id")) &&
	       (sh->mentions = store_prepare(&sh->st,
			"SELECT concept, section, sentence, start, end, surface, polarity, "
			"historical, hedge, hypothetical, term, match, candidates, decided, modifiers, "
			"modifiers_start FROM mentions WHERE report = ? ORDER BY id"))
		? 0 : -1;
}

/* Copy the shards' reports, one from each in turn, BATCH to a
 * transaction; the last one is left open (*in_tx). @return 0 or -1. */
static int copy_all(struct out *o, struct shard *sh, size_t n, struct merge_stats *s,
		    int *in_tx)
{
	size_t live = n, in_batch = 0;
	while (live) {
		for (size_t i = 0; i < n; i++) {
			if (sh[i].done)
				continue;
			int st = sqlite3_step(sh[i].reports);
			if (st != SQLITE_ROW) {
				if (st != SQLITE_DONE)
					return store_error(&sh[i].st, "reading reports");
				sh[i].done = 1;
				live--;
				continue;
			}
			if (!*in_tx) {
				if (store_begin(&o->st) < 0)
					return -1;
				*in_tx = 1;
			}
			if (copy_report(o, &sh[i], s) < 0)
				return -1;
			if (++in_batch == BATCH) {
				if (store_commit(&o->st) < 0)
					return -1;
				*in_tx = 0;
				in_batch = 0;
			}
		}
	}
	return 0;
}

/* The ingest log row, and the last commit. @return 0 or -1. */
static int log_merge(struct out *o, struct ingest_entry *log, const char *target,
		     const struct merge_stats *s, int *in_tx)
{
	if (!*in_tx && store_begin(&o->st) < 0)
		return -1;
	*in_tx = 1;
	struct buf note = BUF_INIT;
	buf_addf(&note, "%lld added, %lld changed, %lld unchanged, %lld mentions",
		 (long long)s->added, (long long)s->changed, (long long)s->unchanged,
		 (long long)s->mentions);
	log->target = target;
	log->note = note.p;
	log->rows_read = s->reports;
	log->rows_written = s->added + s->changed;
	int rc = ingest_finish(&o->st, log);
	buf_release(&note);
	if (rc < 0 || store_commit(&o->st) < 0)
		return -1;
	*in_tx = 0;
	return 0;
}

static void out_release(struct out *o)
{
	sqlite3_finalize(o->ins_report);
	sqlite3_finalize(o->upd_report);
	sqlite3_finalize(o->del_mentions);
	sqlite3_finalize(o->del_images);
	sqlite3_finalize(o->ins_image);
	sqlite3_finalize(o->ins_mention);
	store_close(&o->st);
	strmap_release(&o->index);
	free(o->rows);
	free(o->hash);
}

/* A new output that failed is no store at all: remove it and its WAL. */
static void remove_store(const char *path)
{
	unlink(path);
	struct buf side = BUF_INIT;
	buf_addf(&side, "%s-wal", path);
	unlink(side.p);
	buf_reset(&side);
	buf_addf(&side, "%s-shm", path);
	unlink(side.p);
	buf_release(&side);
}

int merge_shards(const char *out_path, char *const *paths, size_t n, struct merge_stats *s)
{
	memset(s, 0, sizeof(*s));
	double t0 = now_seconds();
	struct shard *sh = xcalloc(n ? n : 1, sizeof(*sh));
	struct out o;
	memset(&o, 0, sizeof o);
	strmap_init(&o.index);
	struct buf fp0 = BUF_INIT, target = BUF_INIT;
	struct ingest_entry log;
	ingest_start(&log, "merge");
	int rc = -1, in_tx = 0, created = 0;
	if (open_shards(out_path, paths, n, sh, &fp0, &target) < 0 ||
	    open_output(out_path, &sh[0].st, fp0.p, &o, &created) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (shard_prepare(&sh[i]) < 0)
			goto out;
	if (copy_all(&o, sh, n, s, &in_tx) < 0 || log_merge(&o, &log, target.p, s, &in_tx) < 0)
		goto out;
	rc = 0;
out:
	if (in_tx)
		store_rollback(&o.st);
	for (size_t i = 0; i < n; i++) {
		sqlite3_finalize(sh[i].reports);
		sqlite3_finalize(sh[i].images);
		sqlite3_finalize(sh[i].mentions);
		store_close(&sh[i].st);
	}
	free(sh);
	out_release(&o);
	if (rc < 0 && created)
		remove_store(out_path);
	buf_release(&fp0);
	buf_release(&target);
	s->seconds = now_seconds() - t0;
	return rc;
}
