#define _GNU_SOURCE
#include "merge.h"
#include "../store/mentions.h"
#include "../common/buf.h"
#include "../common/strmap.h"
#include "../common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct shard {
	struct store st;
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

int shard_part_keep(struct store *st, const struct shard_part *p)
{
	char v[80];
	snprintf(v, sizeof v, "%d/%d %lld %s", p->i, p->n, (long long)p->total,
		 p->done ? "done" : "started");
	return store_meta_set(st, META_SHARD_PART, v);
}

int shard_part_read(struct store *st, struct shard_part *p)
{
	struct buf v = BUF_INIT;
	int got = store_meta_get(st, META_SHARD_PART, &v);
	if (got <= 0) {
		buf_release(&v);
		return got;
	}
	long long total;
	char state[16], end;
	if (sscanf(v.p, "%d/%d %lld %15s %c", &p->i, &p->n, &total, state, &end) != 4 ||
	    p->n < 2 || p->i < 1 || p->i > p->n || total < 0 ||
	    (strcmp(state, "done") && strcmp(state, "started"))) {
		got = error("%s: meta %s is '%s', not 'I/N BYTES done' or '... started'", st->path,
			    META_SHARD_PART, v.p);
	} else {
		p->total = total;
		p->done = !strcmp(state, "done");
	}
	buf_release(&v);
	return got;
}

/* The parts of 'extract --shard' runs that the output holds and the merge
 * brings, per run (its N and the inputs' size). */
struct run_parts {
	int n, top;              /* N; the highest part held */
	int64_t total;
	unsigned char *held;     /* held[i]: part i (1..n) */
	const char *by;          /* the store that brings part top */
};

struct parts {
	struct run_parts *r;
	size_t len, cap;
};

static void hold(struct parts *ps, int n, int64_t total, int from, int to, const char *by)
{
	struct run_parts *r = NULL;
	for (size_t i = 0; i < ps->len && !r; i++)
		if (ps->r[i].n == n && ps->r[i].total == total)
			r = &ps->r[i];
	if (!r) {
		XGROW(ps->r, ps->cap, ps->len + 1);
		r = &ps->r[ps->len++];
		memset(r, 0, sizeof(*r));
		r->n = n;
		r->total = total;
		r->held = xcalloc((size_t)n + 1, 1);
	}
	for (int i = from; i <= to; i++)
		r->held[i] = 1;
	if (to >= r->top) {
		r->top = to;
		r->by = by;
	}
}

static void parts_release(struct parts *ps)
{
	for (size_t i = 0; i < ps->len; i++)
		free(ps->r[i].held);
	free(ps->r);
}

/* The part store st records, into ps; one whose extraction stopped before
 * the end of its part is refused. @return 0 or -1. */
static int hold_part(struct parts *ps, struct store *st)
{
	struct shard_part p;
	int got = shard_part_read(st, &p);
	if (got <= 0)
		return got;
	if (!p.done)
		return error("%s: its extraction as shard %d/%d stopped before the end of its part "
			     "(killed, or it failed): run 'medkg -d %s extract --shard %d/%d' over "
			     "the same inputs again (it adds what is missing), then merge",
			     st->path, p.i, p.n, st->path, p.i, p.n);
	hold(ps, p.n, p.total, p.i, p.i, st->path);
	return 0;
}

/* What an existing output holds: the parts of earlier merges, and its own
 * when it is a shard's store. @return 0 or -1. */
static int hold_output(struct parts *ps, struct store *o)
{
	struct buf v = BUF_INIT;
	int got = store_meta_get(o, META_SHARDS_MERGED, &v), rc = got < 0 ? -1 : 0;
	for (char *save = NULL, *line = got > 0 ? strtok_r(v.p, "\n", &save) : NULL;
	     line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
		int n, k;
		long long total;
		char end;
		if (sscanf(line, "%d %lld %d %c", &n, &total, &k, &end) != 3 || n < 2 || k < 1 ||
		    k > n || total < 0)
			rc = error("%s: meta %s holds '%s', not 'N BYTES K'", o->path,
				   META_SHARDS_MERGED, line);
		else
			hold(ps, n, total, 1, k, o->path);
	}
	buf_release(&v);
	return rc < 0 ? -1 : hold_part(ps, o);
}

/* Another run of r's N that holds part k: r's inputs are not the ones
 * that run's shards read. NULL when none. */
static const struct run_parts *run_with_part(const struct parts *ps, const struct run_parts *r,
					     int k)
{
	for (size_t j = 0; j < ps->len; j++)
		if (ps->r[j].n == r->n && ps->r[j].total != r->total && ps->r[j].held[k])
			return &ps->r[j];
	return NULL;
}

/* Run r's parts from 1 to its highest, none left out. @return 0 or -1. */
static int check_run(const struct parts *ps, const struct run_parts *r, const char *out_path)
{
	for (int k = 1; k < r->top; k++) {
		if (r->held[k])
			continue;
		const struct run_parts *o = run_with_part(ps, r, k);
		if (o)
			return error("%s: shard %d/%d of inputs of %lld bytes, but %s holds shard "
				     "%d/%d of %lld bytes: the inputs changed between the runs, and "
				     "with them where the parts start (run every shard over the same "
				     "inputs)", r->by, r->top, r->n, (long long)r->total, o->by, k,
				     r->n, (long long)o->total);
		return error("%s: shard %d/%d of its inputs (%lld bytes end to end), but shard "
			     "%d/%d is neither in %s nor among the stores merged: its reports would "
			     "be missing (merge every shard of a run, in one command or several, "
			     "the earlier ones first)",
			     r->by, r->top, r->n, (long long)r->total, k, r->n, out_path);
	}
	return 0;
}

/* What the output holds of run r, for the 'parts' line. */
static void describe_run(struct buf *sum, const struct run_parts *r)
{
	if (r->top == r->n)
		buf_addf(sum, "all %d shards of a --shard run", r->n);
	else if (r->top == 1)
		buf_addf(sum, "shard 1 of %d of a --shard run", r->n);
	else
		buf_addf(sum, "shards 1 to %d of %d of a --shard run", r->top, r->n);
	if (r->top + 1 < r->n)
		buf_addf(sum, " (%d to %d not merged yet)", r->top + 1, r->n);
	else if (r->top < r->n)
		buf_addf(sum, " (%d not merged yet)", r->n);
}

/* Every run's parts from 1 to its highest, none left out; the summary into
 * s->parts. @return 0 or -1. */
static int check_parts(const struct parts *ps, const char *out_path, struct merge_stats *s)
{
	struct buf sum = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < ps->len && rc == 0; i++) {
		rc = check_run(ps, &ps->r[i], out_path);
		if (i)
			buf_adds(&sum, "; ");
		describe_run(&sum, &ps->r[i]);
	}
	snprintf(s->parts, sizeof s->parts, "%s", sum.p ? sum.p : "");
	buf_release(&sum);
	return rc;
}

/* The output holds the parts checked, and is no shard's store itself (the
 * first shard's record came with its copy). @return 0 or -1. */
static int keep_parts(struct store *o, const struct parts *ps)
{
	if (!ps->len)
		return 0;
	struct buf v = BUF_INIT;
	for (size_t i = 0; i < ps->len; i++)
		buf_addf(&v, "%s%d %lld %d", i ? "\n" : "", ps->r[i].n, (long long)ps->r[i].total,
			 ps->r[i].top);
	int rc = store_meta_set(o, META_SHARDS_MERGED, v.p) < 0 ||
			 store_meta_delete(o, META_SHARD_PART) < 0
		 ? -1
		 : 0;
	buf_release(&v);
	return rc;
}

/* Every byte of file `from` into empty file `to`: by copy_file_range, or by
 * hand where the two files do not allow it. @return 0 or -1 (errno set). */
static int copy_bytes(int from, int to)
{
	ssize_t got;
	while ((got = copy_file_range(from, NULL, to, NULL, (size_t)1 << 30, 0)) > 0)
		;
	if (got == 0)
		return 0;
	if ((errno != EXDEV && errno != ENOSYS && errno != EINVAL) ||
	    lseek(from, 0, SEEK_SET) != 0 || ftruncate(to, 0) != 0 || lseek(to, 0, SEEK_SET) != 0)
		return -1;
	char chunk[1 << 16];
	while ((got = read(from, chunk, sizeof chunk)) > 0)
		if (write(to, chunk, (size_t)got) != got)
			return -1;
	return got < 0 ? -1 : 0;
}

/* Copy the first shard's file byte for byte when all it holds is in it (an
 * empty or no WAL), inside a read transaction: a checkpoint cannot write to
 * it meanwhile. @return 1 when copied, 0 when it is not to be, -1 on error
 * (out removed). */
static int copy_file(const char *out, struct store *first)
{
	struct buf wal = BUF_INIT;
	buf_addf(&wal, "%s-wal", first->path);
	if (store_exec(first, "BEGIN; SELECT count(*) FROM sqlite_schema") < 0) {
		buf_release(&wal);
		return -1;
	}
	struct stat sb;
	int rc = 0;
	if (stat(wal.p, &sb) == 0 && sb.st_size > 0)
		goto out;
	int from = open(first->path, O_RDONLY | O_CLOEXEC);
	int to = from < 0 ? -1 : open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (from < 0 || to < 0) {
		rc = error("%s: cannot create from %s: %s", out, first->path, strerror(errno));
		if (from >= 0)
			close(from);
		goto out;
	}
	rc = copy_bytes(from, to) < 0
		     ? error("%s: cannot copy %s: %s", out, first->path, strerror(errno))
		     : 1;
	close(from);
	if (close(to) < 0 && rc > 0)
		rc = error("%s: cannot copy %s: %s", out, first->path, strerror(errno));
	if (rc < 0)
		unlink(out);
out:
	store_exec(first, "COMMIT");
	buf_release(&wal);
	return rc;
}

/* A new output: a copy of the first shard's file. */
static int create_from(const char *out, struct store *first)
{
	int copied = copy_file(out, first);
	if (copied)
		return copied < 0 ? -1 : 0;
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

/* The attached shard's reports against the output's: its id, the output's
 * (new ones get theirs after the output's last), whether the output holds it
 * with the same text (same 1: left alone; 0: replaced; NULL: new), its
 * mentions' range in the shard and where they go (nfirst: number_mentions). */
static const char plan_reports[] =
	"CREATE TEMP TABLE merge_reports (sid INTEGER PRIMARY KEY, oid INTEGER, same INTEGER, "
	"  sfirst INTEGER, n INTEGER, nfirst INTEGER);"
	"INSERT INTO temp.merge_reports(sid, oid, same, sfirst, n) "
	"  SELECT s.id, o.id, o.hash = s.hash, s.mention_first, s.mention_count "
	"  FROM shard.reports s LEFT JOIN main.reports o "
	"  ON o.source = s.source AND o.external_id = s.external_id ORDER BY s.id;"
	"UPDATE temp.merge_reports SET oid = k.base + k.rn FROM (SELECT sid AS key, "
	"  row_number() OVER (ORDER BY sid) AS rn, "
	"  (SELECT ifnull(max(id), 0) FROM main.reports) AS base "
	"  FROM temp.merge_reports WHERE oid IS NULL) AS k WHERE sid = k.key;"
	"CREATE TEMP TABLE merge_images (sid INTEGER PRIMARY KEY, oid INTEGER);"
	"INSERT INTO temp.merge_images(sid, oid) SELECT i.id, "
	"  (SELECT ifnull(max(id), 0) FROM main.images) + row_number() OVER (ORDER BY i.id) "
	"  FROM shard.images i JOIN temp.merge_reports t ON t.sid = i.report "
	"  WHERE t.same IS NOT 1;";

/* What a replaced report had in the output goes first (foreign keys are off
 * for the merge, so the cascade is spelled out). */
static const char drop_replaced[] =
	"CREATE TEMP TABLE merge_gone AS SELECT r.id AS report, r.mention_first AS first, "
	"  r.mention_count AS n FROM temp.merge_reports t JOIN main.reports r ON r.id = t.oid "
	"  WHERE t.same = 0;"
	"DELETE FROM main.mention_patches WHERE image IN (SELECT i.id FROM main.images i "
	"  JOIN temp.merge_gone g ON g.report = i.report);"
	"DELETE FROM main.regions WHERE image IN (SELECT i.id FROM main.images i "
	"  JOIN temp.merge_gone g ON g.report = i.report);"
	"DELETE FROM main.images WHERE report IN (SELECT report FROM temp.merge_gone);"
	"DELETE FROM main.mention_patches WHERE EXISTS (SELECT 1 FROM temp.merge_gone g "
	"  WHERE mention >= g.first AND mention < g.first + g.n);"
	"DELETE FROM main.mention_regions WHERE EXISTS (SELECT 1 FROM temp.merge_gone g "
	"  WHERE mention >= g.first AND mention < g.first + g.n);"
	"DELETE FROM main.mentions WHERE EXISTS (SELECT 1 FROM temp.merge_gone g "
	"  WHERE id >= g.first AND id < g.first + g.n);"
	"DROP TABLE temp.merge_gone;";

/* The copy, every table in its key's order (appending to each b-tree). */
static const char copy_rows[] =
	"INSERT INTO main.reports(id, source, external_id, hash, text, sections, split, ingested, "
	"  mention_first, mention_count) "
	"  SELECT t.oid, s.source, s.external_id, s.hash, s.text, s.sections, s.split, s.ingested, "
	"  t.nfirst, t.n FROM temp.merge_reports t JOIN shard.reports s ON s.id = t.sid "
	"  WHERE t.same IS NULL ORDER BY t.oid;"
	"UPDATE main.reports AS r SET hash = s.hash, text = s.text, sections = s.sections, "
	"  split = s.split, ingested = s.ingested, mention_first = t.nfirst, mention_count = t.n "
	"  FROM temp.merge_reports t JOIN shard.reports s ON s.id = t.sid "
	"  WHERE t.same = 0 AND r.id = t.oid;"
	"INSERT INTO main.mentions(id, report, concept, section, sentence, start, end, surface, "
	"  polarity, historical, hedge, hypothetical, term, match, candidates, decided, modifiers, "
	"  modifiers_start) "
	"  SELECT m.id - t.sfirst + t.nfirst, t.oid, m.concept, m.section, m.sentence, m.start, "
	"  m.end, m.surface, m.polarity, m.historical, m.hedge, m.hypothetical, m.term, m.match, "
	"  m.candidates, m.decided, m.modifiers, m.modifiers_start "
	"  FROM temp.merge_reports t CROSS JOIN shard.mentions m "
	"  ON m.id >= t.sfirst AND m.id < t.sfirst + t.n WHERE t.same IS NOT 1 "
	"  ORDER BY t.sid, m.id;"
	"INSERT INTO main.images(id, report, path, view, width, height, file) "
	"  SELECT mi.oid, t.oid, i.path, i.view, i.width, i.height, i.file "
	"  FROM temp.merge_images mi JOIN shard.images i ON i.id = mi.sid "
	"  JOIN temp.merge_reports t ON t.sid = i.report ORDER BY mi.oid;"
	"INSERT INTO main.regions(name, image, x1, y1, x2, y2) "
	"  SELECT g.name, mi.oid, g.x1, g.y1, g.x2, g.y2 FROM shard.regions g "
	"  JOIN temp.merge_images mi ON mi.sid = g.image ORDER BY g.id;"
	"INSERT INTO main.mention_regions(mention, region, method) "
	"  SELECT r.mention - t.sfirst + t.nfirst, r.region, r.method "
	"  FROM temp.merge_reports t CROSS JOIN shard.mention_regions r "
	"  ON r.mention >= t.sfirst AND r.mention < t.sfirst + t.n WHERE t.same IS NOT 1 "
	"  ORDER BY t.sid, r.mention, r.region;"
	"INSERT INTO main.mention_patches(mention, image, geometry, grid, n_patches, patches) "
	"  SELECT p.mention - t.sfirst + t.nfirst, mi.oid, p.geometry, p.grid, p.n_patches, "
	"  p.patches FROM temp.merge_reports t CROSS JOIN shard.mention_patches p "
	"  ON p.mention >= t.sfirst AND p.mention < t.sfirst + t.n "
	"  JOIN temp.merge_images mi ON mi.sid = p.image WHERE t.same IS NOT 1 "
	"  ORDER BY t.sid, p.mention, p.image;";

/* Where the mentions of the reports copied go: after every id the output
 * has used, in the shard's order, each report's where mentions_first puts
 * them, as a single run would have numbered them. @return 0 or -1. */
static int number_mentions(struct store *out, int64_t next)
{
	sqlite3_stmt *q = store_prepare(out, "SELECT sid, oid, n FROM temp.merge_reports "
					     "WHERE same IS NOT 1 ORDER BY sid");
	sqlite3_stmt *u = store_prepare(out, "UPDATE temp.merge_reports SET nfirst = ? WHERE sid = ?");
	int64_t (*f)[2] = NULL;
	size_t n = 0, cap = 0;
	int rc = q && u ? 0 : -1, got = SQLITE_DONE;
	while (!rc && (got = sqlite3_step(q)) == SQLITE_ROW) {
		XGROW(f, cap, n + 1);
		f[n][0] = sqlite3_column_int64(q, 0);
		f[n][1] = mentions_first(sqlite3_column_int64(q, 1), next);
		next = f[n][1] + sqlite3_column_int64(q, 2);
		n++;
	}
	if (!rc && got != SQLITE_DONE)
		rc = store_error(out, "cannot merge");
	for (size_t i = 0; !rc && i < n; i++) {
		sqlite3_bind_int64(u, 1, f[i][1]);
		sqlite3_bind_int64(u, 2, f[i][0]);
		rc = store_step_done(out, u);
	}
	free(f);
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return rc;
}

/* The tables copied as they are, when a shard's rows need no moving. */
static const char *const verbatim[] = { "reports", "mentions", "images" };

/* Whether attached shard `name` goes in as it is (copy_verbatim): its
 * reports new to the output and numbered right after its last, the first
 * one's mentions where mentions_first puts them after the output's (so its
 * others are too: the shard numbered them by that rule), its images after
 * the output's, no regions nor links, its tables made as the output's. A
 * shard of 'extract --shard' into a copy of the knowledge base, merged in
 * shard order into the first one, is. @return 1, 0 or -1. */
static int verbatim_fits(struct store *out, const char *name, int64_t next)
{
	struct buf sql = BUF_INIT;
	buf_addf(&sql, "SELECT count(*), ifnull(min(id), 0), ifnull(max(id), 0), "
		 "(SELECT ifnull(max(id), 0) FROM main.reports) FROM %s.reports", name);
	sqlite3_stmt *q = store_prepare(out, sql.p);
	int64_t n = 0, lo = 0, hi = 0, last = 0;
	int rc = q ? sqlite3_step(q) : SQLITE_ERROR;
	if (rc == SQLITE_ROW) {
		n = sqlite3_column_int64(q, 0);
		lo = sqlite3_column_int64(q, 1);
		hi = sqlite3_column_int64(q, 2);
		last = sqlite3_column_int64(q, 3);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW) {
		buf_release(&sql);
		return store_error(out, "cannot merge");
	}
	if (n == 0 || lo != last + 1 || hi - lo + 1 != n) {
		buf_release(&sql);
		return 0;
	}
	buf_reset(&sql);
	buf_addf(&sql, "SELECT (SELECT mention_first FROM %s.reports WHERE id = ?2) = ?1 "
		 "AND ifnull((SELECT min(id) FROM %s.mentions), ?1) >= ?1 "
		 "AND ifnull((SELECT min(id) FROM %s.images), ?3) >= ?3 "
		 "AND NOT EXISTS (SELECT 1 FROM %s.regions) "
		 "AND NOT EXISTS (SELECT 1 FROM %s.mention_regions) "
		 "AND NOT EXISTS (SELECT 1 FROM %s.mention_patches) ",
		 name, name, name, name, name, name);
	for (size_t i = 0; i < ARRAY_SIZE(verbatim); i++)
		buf_addf(&sql, "AND (SELECT sql FROM main.sqlite_schema WHERE name = '%s') IS "
			 "(SELECT sql FROM %s.sqlite_schema WHERE name = '%s') ",
			 verbatim[i], name, verbatim[i]);
	buf_addf(&sql, "AND NOT EXISTS (SELECT 1 FROM %s.reports s JOIN main.reports o "
		 "ON o.source = s.source AND o.external_id = s.external_id)", name);
	q = store_prepare(out, sql.p);
	buf_release(&sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, mentions_first(lo, next));
	sqlite3_bind_int64(q, 2, lo);
	sqlite3_bind_int64(q, 3, store_int(out, "SELECT ifnull(max(id), 0) + 1 FROM main.images", 0));
	rc = sqlite3_step(q);
	int fits = rc == SQLITE_ROW && sqlite3_column_int(q, 0) == 1;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? fits : store_error(out, "cannot merge");
}

/* Append attached shard `name` as it is (verbatim_fits): SQLite copies a
 * table into one made the same way page by page, without decoding its rows.
 * @return 0 or -1. */
static int copy_verbatim(struct store *out, const char *name, struct merge_stats *s)
{
	struct buf sql = BUF_INIT;
	int rc = 0;
	int64_t rows[ARRAY_SIZE(verbatim)] = { 0 };
	for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(verbatim); i++) {
		buf_reset(&sql);
		buf_addf(&sql, "INSERT INTO main.%s SELECT * FROM %s.%s", verbatim[i], name,
			 verbatim[i]);
		rc = store_exec(out, sql.p);
		rows[i] = sqlite3_changes64(out->db);
	}
	buf_release(&sql);
	s->reports += rows[0];
	s->added += rows[0];
	s->mentions += rows[1];
	s->images += rows[2];
	s->verbatim++;
	return rc;
}

/* Patch sets of two grids cannot share a store (link.grid). @return 0 or -1. */
static int same_grid(struct store *out, struct store *sh)
{
	if (!store_int(sh, "SELECT EXISTS (SELECT 1 FROM mention_patches)", 0))
		return 0;
	struct buf a = BUF_INIT, b = BUF_INIT;
	int rc = 0;
	if (store_meta_get(sh, META_LINK_GRID, &b) < 0 || store_meta_get(out, META_LINK_GRID, &a) < 0)
		rc = -1;
	else if (store_int(out, "SELECT EXISTS (SELECT 1 FROM mention_patches)", 0) &&
		 strcmp(a.p ? a.p : "", b.p ? b.p : ""))
		rc = error("%s: patch sets on a %s x %s grid, %s's on %s x %s: link one of them "
			   "again with the other's --grid first", sh->path, b.p, b.p, out->path, a.p, a.p);
	else if (b.len)
		rc = store_meta_set(out, META_LINK_GRID, b.p);
	buf_release(&a);
	buf_release(&b);
	return rc;
}

/* Run the statements of sql, with "shard." read as "name.", ?1 bound to
 * first (where a statement has it). @return 0 or -1. */
static int run_on(struct store *out, const char *sql, const char *name, int64_t first)
{
	struct buf text = BUF_INIT;
	for (const char *p = sql, *q; *p; p = q + 6) {
		q = strstr(p, "shard.");
		if (!q) {
			buf_adds(&text, p);
			break;
		}
		buf_add(&text, p, (size_t)(q - p));
		buf_addf(&text, "%s.", name);
	}
	int rc = 0;
	for (const char *p = text.p; rc == 0 && p && *p;) {
		sqlite3_stmt *q = NULL;
		const char *tail;
		if (sqlite3_prepare_v2(out->db, p, -1, &q, &tail) != SQLITE_OK) {
			rc = store_error(out, "cannot merge");
			break;
		}
		p = tail;
		if (!q)
			continue;
		if (sqlite3_bind_parameter_count(q))
			sqlite3_bind_int64(q, 1, first);
		rc = store_step_done(out, q);
		sqlite3_finalize(q);
	}
	buf_release(&text);
	return rc;
}

/* The output's next mention id past what it now holds (mentions.h). */
static int keep_next(struct store *out)
{
	int64_t next = store_int(out, "SELECT ifnull(max(id), 0) + 1 FROM main.mentions", -1);
	return next < 0 ? store_error(out, "cannot read mentions") : mentions_keep_next(out, next);
}

/* Append attached shard `name` to the output, inside the caller's
 * transaction. @return 0 or -1. */
static int copy_shard(struct store *out, struct shard *sh, const char *name, struct merge_stats *s)
{
	int64_t next = 0;
	int rc = -1;
	if (same_grid(out, &sh->st) < 0 || mentions_next_id(out, &next) < 0)
		goto out;
	int fits = verbatim_fits(out, name, next);
	if (fits)
		return fits < 0 || copy_verbatim(out, name, s) < 0 ? -1 : keep_next(out);
	if (run_on(out, plan_reports, name, 0) < 0 || number_mentions(out, next) < 0)
		goto out;
	s->added += store_int(out, "SELECT count(*) FROM temp.merge_reports WHERE same IS NULL", 0);
	/* replaced reports: their old rows go first (each deletion scans its
	 * table: only when there are some) */
	const int64_t replaced = store_int(out, "SELECT count(*) FROM temp.merge_reports "
						"WHERE same = 0", 0);
	s->changed += replaced;
	s->unchanged += store_int(out, "SELECT count(*) FROM temp.merge_reports WHERE same = 1", 0);
	s->reports += store_int(out, "SELECT count(*) FROM temp.merge_reports", 0);
	s->images += store_int(out, "SELECT count(*) FROM temp.merge_images", 0);
	if (replaced && (store_exec(out, drop_replaced) < 0 || store_note_rewrite(out) < 0))
		goto out;
	s->mentions += store_int(out, "SELECT ifnull(sum(n), 0) FROM temp.merge_reports "
				      "WHERE same IS NOT 1", 0);
	if (run_on(out, copy_rows, name, 0) < 0)
		goto out;
	rc = keep_next(out);
out:
	store_exec(out, "DROP TABLE IF EXISTS temp.merge_reports; "
			"DROP TABLE IF EXISTS temp.merge_images");
	return rc;
}

/* Attach shards from..n-1 as s0, s1, ... (outside a transaction: SQLite
 * attaches and detaches only there). *attached: how many. @return 0 or -1. */
static int attach_shards(struct store *out, struct shard *sh, size_t from, size_t n,
			 size_t *attached)
{
	int most = sqlite3_limit(out->db, SQLITE_LIMIT_ATTACHED, -1);
	*attached = 0;
	if (n - from > (size_t)most)
		return error("%s: %zu shards to merge into a store, SQLite attaches at most %d at "
			     "once: merge them in several commands", out->path, n - from, most);
	sqlite3_stmt *a = store_prepare(out, "ATTACH ?1 AS ?2");
	if (!a)
		return -1;
	int rc = 0;
	for (size_t i = from; rc == 0 && i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "s%zu", *attached);
		sqlite3_bind_text(a, 1, sh[i].st.path, -1, SQLITE_STATIC);
		sqlite3_bind_text(a, 2, name, -1, SQLITE_TRANSIENT);
		rc = store_step_done(out, a);
		sqlite3_reset(a);
		if (rc == 0)
			(*attached)++;
	}
	sqlite3_finalize(a);
	return rc;
}

static void detach_shards(struct store *out, size_t attached)
{
	for (size_t i = 0; i < attached; i++) {
		char sql[48];
		snprintf(sql, sizeof sql, "DETACH s%zu", i);
		store_exec(out, sql);
	}
}

/* Open the shards, which must all hold the same knowledge (its fingerprint
 * into fp0), name them in target, and their --shard parts into ps.
 * @return 0 or -1. */
static int open_shards(const char *out_path, char *const *paths, size_t n, struct shard *sh,
		       struct buf *fp0, struct buf *target, struct parts *ps)
{
	struct buf fp = BUF_INIT;
	int rc = -1;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(paths[i], out_path)) {
			error("%s: a shard cannot be the output", paths[i]);
			goto out;
		}
		/* read once, in a few statements: SQLite's default cache, not a
		 * store's (filling 64 MiB of it tripled a count of its mentions) */
		if (store_open(&sh[i].st, paths[i], STORE_READONLY) < 0 ||
		    store_exec(&sh[i].st, "PRAGMA cache_size = -2000") < 0)
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
		if (hold_part(ps, &sh[i].st) < 0)
			goto out;
		buf_addf(target, "%s%s", i ? " " : "", paths[i]);
	}
	rc = 0;
out:
	buf_release(&fp);
	return rc;
}

/* Open the output, holding the shards' knowledge fp0. When it does not
 * exist (*created), the store opened is a copy of the first shard at a
 * temporary name beside it (*work, the caller frees), written without a
 * journal: merge_shards moves it into place once it is complete.
 * @return 0 or -1. */
static int open_output(const char *out_path, struct store *first, const char *fp0,
		       struct store *o, int *created, char **work)
{
	struct stat sb;
	struct buf fp = BUF_INIT, w = BUF_INIT;
	int rc = -1;
	*created = stat(out_path, &sb) != 0;
	*work = NULL;
	if (*created) {
		buf_addf(&w, "%s.merging-%ld", out_path, (long)getpid());
		*work = xstrdup(w.p);
		if (create_from(*work, first) < 0 || store_open(o, *work, 0) < 0 ||
		    store_exec(o, "PRAGMA synchronous = OFF; PRAGMA journal_mode = OFF") < 0)
			goto out;
	} else if (store_open(o, out_path, 0) < 0) {
		goto out;
	}
	if (fingerprint(o, &fp) < 0)
		goto out;
	if (strcmp(fp.p, fp0)) {
		error("%s: holds another knowledge base than the shards (fingerprint %s, not %s): "
		      "refusing to merge", out_path, fp.p, fp0);
		goto out;
	}
	rc = 0;
out:
	buf_release(&fp);
	buf_release(&w);
	return rc;
}

/* A new output, complete: back to WAL mode, closed, on disk (written
 * without syncs until now: one here, before it takes its name, which must
 * still be free). @return 0 or -1. */
static int put_in_place(struct store *o, const char *work, const char *out_path)
{
	if (store_exec(o, "PRAGMA journal_mode = WAL") < 0)
		return -1;
	store_close(o);
	int fd = open(work, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return error("%s: cannot write: %s", out_path, strerror(e));
	}
	close(fd);
	if (link(work, out_path) < 0)
		return error("%s: cannot create: %s", out_path,
			     errno == EEXIST ? "it appeared while merging" : strerror(errno));
	unlink(work);
	return 0;
}

/* The ingest log row, in the merge's transaction. @return 0 or -1. */
static int log_merge(struct store *o, struct ingest_entry *log, const char *target,
		     const struct merge_stats *s)
{
	struct buf note = BUF_INIT;
	buf_addf(&note, "%lld added, %lld changed, %lld unchanged, %lld mentions",
		 (long long)s->added, (long long)s->changed, (long long)s->unchanged,
		 (long long)s->mentions);
	log->target = target;
	log->note = note.p;
	log->rows_read = s->reports;
	log->rows_written = s->added + s->changed;
	int rc = ingest_finish(o, log);
	buf_release(&note);
	return rc;
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
	struct store o = { 0 };
	struct buf fp0 = BUF_INIT, target = BUF_INIT;
	struct ingest_entry log;
	ingest_start(&log, "merge");
	int rc = -1, in_tx = 0, created = 0, fk_off = 0;
	struct parts ps = { 0 };
	size_t attached = 0;
	char *work = NULL;
	if (open_shards(out_path, paths, n, sh, &fp0, &target, &ps) < 0 ||
	    open_output(out_path, &sh[0].st, fp0.p, &o, &created, &work) < 0 ||
	    (!created && hold_output(&ps, &o) < 0) || check_parts(&ps, out_path, s) < 0)
		goto out;
	/* Every row copied refers to rows copied with it, and every deletion
	 * is explicit: no foreign-key checks, no statement journals. An 8 MiB
	 * page cache, as extraction's writer: the copy appends, and 256 MiB
	 * of cache cost 10-20% of its time and 157 MB of memory
	 * (bench/RESULTS.md). */
	if (store_exec(&o, "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -8192; "
			   "PRAGMA temp_store = MEMORY") < 0)
		goto out;
	fk_off = 1;
	size_t from = created ? 1 : 0;
	if (attach_shards(&o, sh, from, n, &attached) < 0 || store_begin(&o) < 0)
		goto out;
	in_tx = 1;
	if (created) {
		/* the copy of the first shard is that shard merged; the log
		 * tells of this merge, not of its extraction */
		s->reports = s->added = store_int(&sh[0].st, "SELECT count(*) FROM reports", 0);
		s->mentions = store_int(&sh[0].st, "SELECT count(*) FROM mentions", 0);
		s->images = store_int(&sh[0].st, "SELECT count(*) FROM images", 0);
		s->verbatim = 1;
		if (store_exec(&o, "DELETE FROM ingest_log WHERE command IN ('extract', 'merge')") < 0)
			goto out;
	}
	for (size_t i = from; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "s%zu", i - from);
		if (copy_shard(&o, &sh[i], name, s) < 0)
			goto out;
	}
	if (keep_parts(&o, &ps) < 0 || log_merge(&o, &log, target.p, s) < 0 ||
	    store_commit(&o) < 0)
		goto out;
	in_tx = 0;
	detach_shards(&o, attached);
	attached = 0;
	if (store_exec(&o, "PRAGMA foreign_keys = ON") < 0)
		goto out;
	fk_off = 0;
	if (created && put_in_place(&o, work, out_path) < 0)
		goto out;
	rc = 0;
out:
	if (in_tx)
		store_rollback(&o);
	detach_shards(&o, attached);
	if (fk_off)
		store_exec(&o, "PRAGMA foreign_keys = ON");
	for (size_t i = 0; i < n; i++)
		store_close(&sh[i].st);
	free(sh);
	parts_release(&ps);
	store_close(&o);
	if (rc < 0 && work)
		remove_store(work);
	free(work);
	buf_release(&fp0);
	buf_release(&target);
	s->seconds = now_seconds() - t0;
	return rc;
}
