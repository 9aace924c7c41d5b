/* images — the images of the store's reports: rows from an image list, and
 * their sizes from their files' headers (link_int.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "link_int.h"
#include "csvfile.h"
#include "image.h"
#include "../common/buf.h"
#include "../common/fingerprint.h"
#include "../common/strlist.h"
#include "../common/strmap.h"
#include "../common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct unknown_row {
	uint64_t hash, offset;
};

struct list_state {
	struct link_ctx *c;
	const char *path;
	int col_report, col_path, col_view, n_cols;
	int col_subject;          /* MIMIC-CXR's metadata: subject_id, else -1 */
	struct strmap reports;    /* external id -> index in report_ids (a whole read) */
	int64_t *report_ids;      /* -1: the id names reports of several sources */
	sqlite3_stmt *by_source;  /* else: the report of (source, external id) */
	char **sources;           /* the store's sources (strlist) */
	size_t n_reports, cap_reports;
	struct strmap seen;       /* "report\tpath" -> line */
	sqlite3_stmt *find, *ins, *upd, *del_p;
	/* rows of reports not in the store: a hash of the report id, and where
	 * the row starts; those read again (at), in file order */
	struct unknown_row *unknown;
	size_t n_unknown, cap_unknown;
	uint64_t *at;
	size_t n_at, cap_at;
	uint64_t offset;          /* where the record read starts */
};

static int find_col(char **f, size_t n, const char *const *names)
{
	for (size_t i = 0; i < n; i++)
		for (const char *const *p = names; *p; p++)
			if (!strcasecmp(f[i], *p))
				return (int)i;
	return -1;
}

static int list_row(struct list_state *ls, size_t line, int64_t report, const char *rep,
		    const char *path, const char *view);

/* The report an image list's id names: 1 with *id (-1: reports of several
 * sources have it), 0 when none does. From the map of every report when
 * the list is read whole, else from the store's (source, external id)
 * index, source by source. */
static int report_of(struct list_state *ls, const char *ext, int64_t *id)
{
	if (!ls->by_source) {
		uint32_t idx;
		if (!strmap_get(&ls->reports, ext, strlen(ext), &idx))
			return 0;
		*id = ls->report_ids[idx];
		return 1;
	}
	int found = 0;
	for (char **src = ls->sources; src && *src; src++) {
		sqlite3_bind_text(ls->by_source, 1, *src, -1, SQLITE_STATIC);
		sqlite3_bind_text(ls->by_source, 2, ext, -1, SQLITE_STATIC);
		if (sqlite3_step(ls->by_source) == SQLITE_ROW) {
			*id = found ? -1 : sqlite3_column_int64(ls->by_source, 0);
			found = 1;
		}
		sqlite3_reset(ls->by_source);
	}
	return found;
}

/* Every report's external id into ls->reports (a whole read), or the
 * store's sources for report_of's lookups. @return 0 or -1. */
static int reports_open(struct list_state *ls, int whole)
{
	struct store *st = ls->c->st;
	sqlite3_stmt *q = store_prepare(st, whole ? "SELECT id, external_id FROM reports"
						  : "SELECT DISTINCT source FROM reports");
	if (!q)
		return -1;
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		if (!whole) {
			ls->sources = strlist_add(ls->sources, (const char *)sqlite3_column_text(q, 0));
			continue;
		}
		const char *ext = (const char *)sqlite3_column_text(q, 1);
		uint32_t idx = (uint32_t)ls->n_reports;
		if (strmap_put(&ls->reports, ext, strlen(ext), &idx)) {
			XGROW(ls->report_ids, ls->cap_reports, ls->n_reports + 1);
			ls->report_ids[ls->n_reports++] = sqlite3_column_int64(q, 0);
		} else {
			ls->report_ids[idx] = -1;
		}
	}
	sqlite3_finalize(q);
	if (r != SQLITE_DONE)
		return store_error(st, "cannot read reports");
	if (!whole && !(ls->by_source = store_prepare(st, "SELECT id FROM reports WHERE "
							   "source = ? AND external_id = ?")))
		return -1;
	return 0;
}

static int list_record(void *arg, char **f, size_t n, size_t line)
{
	struct list_state *ls = arg;
	struct link_ctx *c = ls->c;
	if (ls->col_report < 0) {
		static const char *const rep[] = { "report_id", "uid", "report", "study_id", "id", NULL };
		static const char *const img[] = { "image_path", "filename", "path", "image",
						   "file", "dicom_id", NULL };
		static const char *const view[] = { "view", "projection", "viewposition", NULL };
		static const char *const subject[] = { "subject_id", NULL };
		static const char *const dicom[] = { "dicom_id", NULL };
		ls->col_report = find_col(f, n, rep);
		ls->col_path = find_col(f, n, img);
		ls->col_view = find_col(f, n, view);
		ls->n_cols = (int)n;
		/* mimic-cxr-2.0.0-metadata.csv: dicom_id, subject_id, study_id,
		 * ViewPosition; the image is files/pXX/pSUBJECT/sSTUDY/DICOM */
		ls->col_subject = find_col(f, n, dicom) >= 0 ? find_col(f, n, subject) : -1;
		if (ls->col_subject >= 0)
			ls->col_path = find_col(f, n, dicom);
		if (ls->col_report < 0 || ls->col_path < 0)
			return error("%s:%zu: expected a header naming the report and image columns "
				     "(report_id,image_path,view)", ls->path, line);
		return 0;
	}
	if ((int)n != ls->n_cols)
		return error("%s:%zu: expected %d fields, found %zu", ls->path, line, ls->n_cols, n);
	const char *rep = f[ls->col_report], *path = f[ls->col_path];
	const char *view = ls->col_view >= 0 ? f[ls->col_view] : "";
	if (!*rep || !*path)
		return error("%s:%zu: empty %s", ls->path, line, *rep ? "image path" : "report id");
	c->stats->images_listed++;
	struct buf mimic_rep = BUF_INIT, mimic_path = BUF_INIT;
	if (ls->col_subject >= 0) {
		/* MIMIC-CXR's reports are named s<study_id> */
		const char *subj = f[ls->col_subject];
		buf_addf(&mimic_rep, "s%s", rep);
		buf_addf(&mimic_path, "files/p%.2s/p%s/s%s/%s", subj, subj, rep, path);
		path = mimic_path.p;
	}
	int64_t report;
	int known = (mimic_rep.len && report_of(ls, mimic_rep.p, &report)) ||
		    report_of(ls, rep, &report);
	if (!known) {
		c->stats->images_unknown_report++;
		XGROW(ls->unknown, ls->cap_unknown, ls->n_unknown + 1);
		ls->unknown[ls->n_unknown++] = (struct unknown_row){ hash_bytes(rep, strlen(rep)),
								     ls->offset };
		buf_release(&mimic_rep);
		buf_release(&mimic_path);
		return 0;
	}
	int rc = list_row(ls, line, report, rep, path, view);
	buf_release(&mimic_rep);
	buf_release(&mimic_path);
	return rc;
}

/* One listed image of a known report: a new row, a changed view, or
 * nothing. @return 0 or -1. */
static int list_row(struct list_state *ls, size_t line, int64_t report, const char *rep,
		    const char *path, const char *view)
{
	struct link_ctx *c = ls->c;
	if (report < 0)
		return error("%s:%zu: report id '%s' names reports of several sources", ls->path,
			     line, rep);
	struct buf key = BUF_INIT;
	buf_addf(&key, "%lld\t%s", (long long)report, path);
	uint32_t first = (uint32_t)line;
	int fresh = strmap_put(&ls->seen, key.p, key.len, &first);
	buf_release(&key);
	if (!fresh)
		return error("%s:%zu: duplicate row: image '%s' of report '%s' is on line %u too",
			     ls->path, line, path, rep, first);
	/* a known image whose view changed loses its patch sets, which
	 * depend on the view; they are computed again below */
	sqlite3_bind_int64(ls->find, 1, report);
	sqlite3_bind_text(ls->find, 2, path, -1, SQLITE_STATIC);
	int r = sqlite3_step(ls->find);
	int64_t image = r == SQLITE_ROW ? sqlite3_column_int64(ls->find, 0) : -1;
	int same = r == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(ls->find, 1), view);
	sqlite3_reset(ls->find);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return store_error(c->st, "cannot read images");
	if (same)
		return 0;
	sqlite3_stmt *s = image < 0 ? ls->ins : ls->upd;
	if (*view)
		sqlite3_bind_text(s, 1, view, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 1);
	if (image < 0) {
		sqlite3_bind_int64(s, 2, report);
		sqlite3_bind_text(s, 3, path, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_int64(s, 2, image);
		sqlite3_bind_int64(ls->del_p, 1, image);
		if (store_step_done(c->st, ls->del_p) < 0)
			return -1;
	}
	if (store_step_done(c->st, s) < 0)
		return -1;
	link_redo_image(c, image < 0 ? sqlite3_last_insert_rowid(c->st->db) : image);
	c->stats->images_new++;
	return 0;
}

/* ------------------------------------------------------------ the list read before
 *
 * An image list is read whole once; after that, while it only grows (its
 * first BYTES bytes hash as they did) and the store's images were not
 * rewritten (store.rewrites: a re-extracted report's images are read again
 * from its input, without the views the list gives), only what was
 * appended is read, and of the old rows those that name a report added
 * since: the rows of report ids the store did not hold are remembered (a
 * hash of the id and where the row starts). */

/* The memo's value: "BYTES HASH REPORTS_THROUGH REWRITES PATH". */
static int memo_get(struct store *st, struct image_list_memo *m)
{
	struct buf v = BUF_INIT;
	memset(m, 0, sizeof(*m));
	int got = store_meta_get(st, META_LINK_IMAGE_LIST, &v);
	unsigned long long bytes;
	long long through, rewrites;
	int used = 0;
	if (got > 0 && sscanf(v.p, "%llu %32s %lld %lld %n", &bytes, m->hash, &through, &rewrites,
			      &used) == 4 && used > 0) {
		m->bytes = bytes;
		m->reports_through = through;
		m->rewrites = rewrites;
		m->path = xstrdup(v.p + used);
	}
	buf_release(&v);
	return got < 0 ? -1 : 0;
}

int images_list_settle(struct link_ctx *c)
{
	const struct image_list_memo *m = &c->list;
	int64_t rewrites;
	if (!m->path)
		return 0;
	if (store_meta_get_int(c->st, META_STORE_REWRITES, &rewrites) < 0)
		return -1;
	struct buf v = BUF_INIT;
	buf_addf(&v, "%llu %s %lld %lld %s", (unsigned long long)m->bytes,
		 m->bytes ? m->hash : "-", (long long)m->reports_through, (long long)rewrites,
		 m->path);
	int rc = store_meta_set(c->st, META_LINK_IMAGE_LIST, v.p);
	buf_release(&v);
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* The rows of META_LINK_IMAGE_LIST_UNKNOWN ("HASH:OFFSET ...") into
 * ls->unknown. @return 1, 0 when it is malformed (the list is then read
 * whole), or -1. */
static int unknown_get(struct store *st, struct list_state *ls)
{
	struct buf v = BUF_INIT;
	int got = store_meta_get(st, META_LINK_IMAGE_LIST_UNKNOWN, &v);
	const char *p = got > 0 ? v.p : "";
	while (*p) {
		char *end, *end2;
		uint64_t h = strtoull(p, &end, 16);
		if (end == p || *end != ':')
			break;
		uint64_t at = strtoull(end + 1, &end2, 10);
		if (end2 == end + 1 || (*end2 && *end2 != ' '))
			break;
		XGROW(ls->unknown, ls->cap_unknown, ls->n_unknown + 1);
		ls->unknown[ls->n_unknown++] = (struct unknown_row){ h, at };
		p = end2 + (*end2 == ' ');
	}
	int whole = got >= 0 && !*p;
	buf_release(&v);
	return got < 0 ? -1 : whole;
}

/* The old rows that name a report added after the memo's (its id as given,
 * or MIMIC's s<study_id>) move from ls->unknown to ls->at, to be read
 * again. @return 0 or -1. */
static int pick_old_rows(struct store *st, struct list_state *ls, int64_t through)
{
	uint64_t *ids = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *q = store_prepare(st, "SELECT external_id FROM reports WHERE id > ?");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, through);
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		const char *ext = (const char *)sqlite3_column_text(q, 0);
		XGROW(ids, cap, n + 2);
		ids[n++] = hash_bytes(ext, strlen(ext));
		if (ext[0] == 's')
			ids[n++] = hash_bytes(ext + 1, strlen(ext + 1));
	}
	sqlite3_finalize(q);
	if (n > 1)
		qsort(ids, n, sizeof(uint64_t), cmp_u64);
	size_t kept = 0;
	for (size_t i = 0; i < ls->n_unknown; i++) {
		struct unknown_row u = ls->unknown[i];
		if (n && bsearch(&u.hash, ids, n, sizeof(uint64_t), cmp_u64)) {
			XGROW(ls->at, ls->cap_at, ls->n_at + 1);
			ls->at[ls->n_at++] = u.offset;
		} else {
			ls->unknown[kept++] = u;
		}
	}
	ls->n_unknown = kept;
	free(ids);
	if (ls->n_at > 1)
		qsort(ls->at, ls->n_at, sizeof(uint64_t), cmp_u64);
	return r == SQLITE_DONE ? 0 : store_error(st, "cannot read reports");
}

/* Where to start reading the list at path (its real path abs): after what
 * the memo says was read, when that still holds, with the old rows that
 * name new reports (ls->at). @return the offset (0: all of it), or -1. */
static int64_t list_start(struct link_ctx *c, struct list_state *ls, const char *abs,
			  int64_t rewrites)
{
	struct image_list_memo m;
	struct stat sb;
	char hex[33];
	uint64_t n;
	int64_t from = -1;
	if (memo_get(c->st, &m) < 0)
		goto out;
	from = 0;
	if (!m.bytes || strcmp(m.path, abs) || m.rewrites != rewrites || stat(abs, &sb) != 0 ||
	    (uint64_t)sb.st_size < m.bytes ||
	    file_hash_prefix(abs, m.bytes, hex, &n) < 0 || n != m.bytes || strcmp(hex, m.hash))
		goto out;
	int read = unknown_get(c->st, ls);
	if (read <= 0) {
		ls->n_unknown = 0;
		from = read;
	} else {
		from = pick_old_rows(c->st, ls, m.reports_through) < 0 ? -1 : (int64_t)m.bytes;
	}
out:
	free(m.path);
	return from;
}

static int cmp_offset(const void *a, const void *b)
{
	const struct unknown_row *x = a, *y = b;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Remember the list as read: all of it (when it ends a line), the reports
 * it was read against, and its rows of report ids the store does not hold. */
static int list_remember(struct link_ctx *c, struct list_state *ls, const char *abs)
{
	struct buf v = BUF_INIT;
	char hex[33];
	uint64_t n = 0;
	int rc = -1;
	FILE *f = fopen(abs, "rb");
	int ends_line = 0;
	if (f && fseek(f, -1, SEEK_END) == 0)
		ends_line = fgetc(f) == '\n';
	if (f)
		fclose(f);
	if (ends_line && file_hash_prefix(abs, UINT64_MAX, hex, &n) < 0)
		goto out;
	/* written when the run ends, with the rewrite count it leaves */
	struct image_list_memo *m = &c->list;
	free(m->path);
	memset(m, 0, sizeof(*m));
	m->bytes = ends_line ? n : 0;
	if (ends_line)
		memcpy(m->hash, hex, sizeof hex);
	m->reports_through = store_int(c->st, "SELECT ifnull(max(id), 0) FROM reports", 0);
	m->path = xstrdup(abs);
	if (ls->n_unknown > 1)
		qsort(ls->unknown, ls->n_unknown, sizeof(*ls->unknown), cmp_offset);
	for (size_t i = 0; i < ls->n_unknown; i++)
		buf_addf(&v, "%s%016llx:%llu", i ? " " : "", (unsigned long long)ls->unknown[i].hash,
			 (unsigned long long)ls->unknown[i].offset);
	rc = store_meta_set(c->st, META_LINK_IMAGE_LIST_UNKNOWN, v.len ? v.p : "");
out:
	buf_release(&v);
	return rc;
}

int images_import(struct link_ctx *c, const char *path)
{
	struct list_state ls = { .c = c, .path = path, .col_report = -1 };
	int rc = -1;
	char *abs = NULL;
	strmap_init(&ls.reports);
	strmap_init(&ls.seen);
	ls.find = store_prepare(c->st,
		"SELECT id, ifnull(view, '') FROM images WHERE report = ? AND path = ?");
	ls.ins = store_prepare(c->st, "INSERT INTO images(view, report, path) VALUES (?, ?, ?)");
	ls.upd = store_prepare(c->st, "UPDATE images SET view = ? WHERE id = ?");
	ls.del_p = store_prepare(c->st, "DELETE FROM mention_patches WHERE image = ?");
	if (!ls.find || !ls.ins || !ls.upd || !ls.del_p)
		goto out;
	/* a plain file can be read from where the last read ended */
	size_t n = strlen(path);
	abs = n > 4 && !strcmp(path + n - 4, ".zst") ? NULL : realpath(path, NULL);
	int64_t rewrites = 0, from = 0;
	if (abs && (store_meta_get_int(c->st, META_STORE_REWRITES, &rewrites) < 0 ||
		    (from = list_start(c, &ls, abs, rewrites)) < 0))
		goto out;
	if (reports_open(&ls, from == 0) < 0)
		goto out;
	const struct csv_pick pick = { (uint64_t)from, ls.at, ls.n_at, &ls.offset };
	if (csvfile_pick(path, &pick, list_record, &ls) < 0)
		goto out;
	if (ls.col_report < 0) {
		error("%s: empty image list", path);
		goto out;
	}
	c->stats->images_list_from = (uint64_t)from;
	if (abs && list_remember(c, &ls, abs) < 0)
		goto out;
	rc = 0;
out:
	free(abs);
	free(ls.unknown);
	free(ls.at);
	sqlite3_finalize(ls.by_source);
	strlist_free(ls.sources);
	sqlite3_finalize(ls.find);
	sqlite3_finalize(ls.ins);
	sqlite3_finalize(ls.upd);
	sqlite3_finalize(ls.del_p);
	strmap_release(&ls.reports);
	strmap_release(&ls.seen);
	free(ls.report_ids);
	return rc;
}

/* Find and size the file of an image reference under dir: the reference as
 * a path, its base name, and its base name without extensions, each as given
 * or with .png, .jpg or .jpeg ("a/x.dcm.png" may be found as "x.jpg").
 * @return the format with *out the file, IMAGE_MISSING, or -1 after error(). */
static int find_and_size(const char *dir, const char *ref, struct buf *out, int *w, int *h)
{
	static const char *const ext[] = { "", ".png", ".jpg", ".jpeg" };
	struct buf keys[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	int fmt = IMAGE_MISSING;
	image_keys(ref, keys);
	for (int k = 0; k < 3 && fmt == IMAGE_MISSING; k++) {
		if (!keys[k].len || (k && !strcmp(buf_str(&keys[k]), buf_str(&keys[k - 1]))))
			continue;
		for (size_t e = 0; e < ARRAY_SIZE(ext) && fmt == IMAGE_MISSING; e++) {
			buf_reset(out);
			buf_addf(out, "%s/%s%s", dir, keys[k].p, ext[e]);
			fmt = image_probe(out->p, w, h, 1);
		}
	}
	for (int k = 0; k < 3; k++)
		buf_release(&keys[k]);
	return fmt;
}

int images_locate(const char *dir, const char *ref, struct buf *out)
{
	static const char *const ext[] = { "", ".png", ".jpg", ".jpeg" };
	struct buf keys[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	int found = 0;
	image_keys(ref, keys);
	for (int k = 0; k < 3 && !found; k++) {
		if (!keys[k].len || (k && !strcmp(buf_str(&keys[k]), buf_str(&keys[k - 1]))))
			continue;
		for (size_t e = 0; e < ARRAY_SIZE(ext) && !found; e++) {
			struct stat sb;
			buf_reset(out);
			buf_addf(out, "%s/%s%s", dir, keys[k].p, ext[e]);
			found = stat(out->p, &sb) == 0 && S_ISREG(sb.st_mode);
		}
	}
	for (int k = 0; k < 3; k++)
		buf_release(&keys[k]);
	return found;
}

int images_size(struct link_ctx *c, const char *dir)
{
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return error("%s: %s", dir, stat(dir, &sb) != 0 ? strerror(errno) : "not a directory");
	sqlite3_stmt *q = store_prepare(c->st, "SELECT id, path FROM images WHERE width IS NULL");
	sqlite3_stmt *up = store_prepare(c->st,
		"UPDATE images SET width = ?, height = ?, file = ? WHERE id = ?");
	struct buf file = BUF_INIT;
	int rc = -1, r;
	if (!q || !up)
		goto out;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(q, 1);
		double t0 = now_seconds();
		int quiet = error_quiet(c->o->lenient); /* said as a warning below */
		int w, h, fmt = find_and_size(dir, ref, &file, &w, &h);
		error_quiet(quiet);
		c->stats->sec_headers += now_seconds() - t0;
		if (fmt == IMAGE_MISSING) {
			c->stats->images_missing++;
			continue;
		}
		if (fmt < 0 && c->o->lenient) {
			/* left unsized: the next run tries it again */
			if (c->stats->images_bad++ < 5)
				warning("%s (skipped)", last_error());
			continue;
		}
		if (fmt < 0)
			goto out;
		/* stored absolute, so that the file is found from anywhere */
		char *abs = realpath(file.p, NULL);
		if (abs) {
			buf_reset(&file);
			buf_adds(&file, abs);
			free(abs);
		}
		sqlite3_bind_int(up, 1, w);
		sqlite3_bind_int(up, 2, h);
		sqlite3_bind_text(up, 3, file.p, (int)file.len, SQLITE_STATIC);
		sqlite3_bind_int64(up, 4, sqlite3_column_int64(q, 0));
		if (store_step_done(c->st, up) < 0)
			goto out;
		link_image_changed(c, sqlite3_column_int64(q, 0));
		c->stats->images_sized++;
	}
	if (r != SQLITE_DONE) {
		store_error(c->st, "cannot read images");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(q);
	sqlite3_finalize(up);
	buf_release(&file);
	return rc;
}
