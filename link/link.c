#define _XOPEN_SOURCE 700
#include "link.h"
#include "csvfile.h"
#include "grid.h"
#include "image.h"
#include "../common/buf.h"
#include "../common/normalize.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../extract/sentences.h"
#include "../store/batch.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Rows of mention_regions and mention_patches go LINK_ROWS to an INSERT
 * (store/batch.h): a large run writes millions. */
enum { LINK_ROWS = 32 };

/* ---------------------------------------------------------------- concepts */

/* What linking needs to know of a concept, computed once per run. */
struct cinfo {
	enum mention_kind kind;
	int have_anatomy, have_site;
	regmask anatomy;          /* as an anatomy concept */
	regmask site;             /* as a finding: implied site */
	enum link_method site_method;
};

/* Semantic types whose concepts are linked (disorders, findings, injuries,
 * abnormalities, neoplasms, devices), and the anatomy types. A concept with
 * no type at all (another knowledge base) counts as a finding. */
static const char *const finding_tuis[] = { "T019", "T020", "T033", "T037", "T046", "T047",
					    "T049", "T050", "T190", "T191", "T073", "T074",
					    "T203" };
static const char *const anatomy_tuis[] = { "T017", "T018", "T021", "T022", "T023", "T024",
					    "T025", "T026", "T029", "T030", "T031" };

struct ctx {
	struct store *st;
	const struct link_options *o;
	struct link_stats *stats;
	struct anatomy_lexicon lx;
	struct link_scratch scratch;
	struct strmap cmap;       /* concept id (8 bytes) -> index in cinfo */
	struct cinfo *ci;
	size_t n_ci, cap_ci;
	sqlite3_stmt *q_types, *q_concept, *q_sites, *q_parents;
};

static int tui_in(const char *tui, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tui, list[i]))
			return 1;
	return 0;
}

static struct cinfo *cinfo_get(struct ctx *c, int64_t id, int *fresh)
{
	uint32_t v = (uint32_t)c->n_ci;
	*fresh = strmap_put(&c->cmap, (const char *)&id, sizeof id, &v);
	if (*fresh) {
		XGROW(c->ci, c->cap_ci, c->n_ci + 1);
		memset(&c->ci[c->n_ci], 0, sizeof c->ci[0]);
		c->n_ci++;
	}
	return &c->ci[v];
}

/* The concept's CUI and normalized preferred name into cui (16 bytes) and
 * name. @return 0, or -1 after error(). */
static int concept_names(struct ctx *c, int64_t id, char *cui, struct buf *name, struct buf *raw)
{
	sqlite3_reset(c->q_concept);
	sqlite3_bind_int64(c->q_concept, 1, id);
	int rc = sqlite3_step(c->q_concept);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(c->q_concept);
		if (rc == SQLITE_DONE)
			return error("%s: mention of concept %lld, which is not in the store",
				     c->st->path, (long long)id);
		return store_error(c->st, "cannot read concepts");
	}
	snprintf(cui, 16, "%s", (const char *)sqlite3_column_text(c->q_concept, 0));
	const char *n = (const char *)sqlite3_column_text(c->q_concept, 1);
	int len = sqlite3_column_bytes(c->q_concept, 1);
	buf_reset(name);
	text_normalize(n, (size_t)len, name);
	if (raw) {
		buf_reset(raw);
		buf_add(raw, n, (size_t)len);
	}
	sqlite3_reset(c->q_concept);
	return 0;
}

static int concept_anatomy(struct ctx *c, int64_t id, regmask *out);

/* Regions of the knowledge base's finding sites (and locations) of id. */
static int kb_sites(struct ctx *c, int64_t id, regmask *out)
{
	*out = 0;
	int64_t targets[64];
	int n = 0, rc;
	sqlite3_reset(c->q_sites);
	sqlite3_bind_int64(c->q_sites, 1, id);
	while ((rc = sqlite3_step(c->q_sites)) == SQLITE_ROW && n < 64)
		targets[n++] = sqlite3_column_int64(c->q_sites, 0);
	sqlite3_reset(c->q_sites);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(c->st, "cannot read finding sites");
	for (int i = 0; i < n; i++) {
		regmask m;
		if (concept_anatomy(c, targets[i], &m) < 0)
			return -1;
		*out |= m;
	}
	return 0;
}

/* Regions of an anatomy concept: the lexicon's concept entry, else its
 * preferred name read as report text. */
static int concept_anatomy(struct ctx *c, int64_t id, regmask *out)
{
	int fresh;
	struct cinfo *ci = cinfo_get(c, id, &fresh);
	if (ci->have_anatomy) {
		*out = ci->anatomy;
		return 0;
	}
	char cui[16];
	struct buf name = BUF_INIT, raw = BUF_INIT;
	int rc = concept_names(c, id, cui, &name, &raw);
	if (rc == 0) {
		regmask m = 0;
		if (!anatomy_lexicon_concept(&c->lx, cui, &m))
			m = link_text_anatomy(&c->lx, buf_str(&raw), raw.len, &c->scratch);
		ci = cinfo_get(c, id, &fresh); /* the table may have grown */
		ci->anatomy = m;
		ci->have_anatomy = 1;
		*out = m;
	}
	buf_release(&name);
	buf_release(&raw);
	return rc;
}

static int lexicon_site_of(struct ctx *c, int64_t id, regmask *out)
{
	char cui[16];
	struct buf name = BUF_INIT;
	*out = 0;
	int rc = concept_names(c, id, cui, &name, NULL);
	if (rc == 0 && !anatomy_lexicon_site(&c->lx, cui, strlen(cui), out))
		anatomy_lexicon_site(&c->lx, buf_str(&name), name.len, out);
	buf_release(&name);
	return rc;
}

/* The implied site of a finding: its own knowledge-base sites, else its
 * lexicon site, else those of its ancestors (is-a), nearest first. */
static int concept_site(struct ctx *c, int64_t id, regmask *site, enum link_method *method)
{
	int64_t level[64], next[64], seen[256];
	int n = 1, n_seen = 1, rc = -1;
	level[0] = id;
	seen[0] = id;
	*site = 0;
	*method = METHOD_NONE;
	for (int depth = 0; depth < 5 && n; depth++) {
		regmask kb = 0, lex = 0, m;
		for (int i = 0; i < n; i++) {
			if (kb_sites(c, level[i], &m) < 0)
				goto out;
			kb |= m;
		}
		if (kb) {
			*site = kb;
			*method = METHOD_KB;
			break;
		}
		for (int i = 0; i < n; i++) {
			if (lexicon_site_of(c, level[i], &m) < 0)
				goto out;
			lex |= m;
		}
		if (lex) {
			*site = lex;
			*method = METHOD_LEXICON;
			break;
		}
		/* parents of this level */
		int nn = 0;
		for (int i = 0; i < n; i++) {
			sqlite3_reset(c->q_parents);
			sqlite3_bind_int64(c->q_parents, 1, level[i]);
			int r;
			while ((r = sqlite3_step(c->q_parents)) == SQLITE_ROW) {
				int64_t p = sqlite3_column_int64(c->q_parents, 0);
				int dup = 0;
				for (int k = 0; k < n_seen; k++)
					dup |= seen[k] == p;
				if (dup || nn == 64 || n_seen == 256)
					continue;
				seen[n_seen++] = p;
				next[nn++] = p;
			}
			sqlite3_reset(c->q_parents);
			if (r != SQLITE_DONE && r != SQLITE_ROW) {
				store_error(c->st, "cannot read is-a relations");
				goto out;
			}
		}
		memcpy(level, next, (size_t)nn * sizeof next[0]);
		n = nn;
	}
	rc = 0;
out:
	return rc;
}

static int concept_info(struct ctx *c, int64_t id, struct cinfo *out)
{
	int fresh;
	struct cinfo *ci = cinfo_get(c, id, &fresh);
	if (ci->have_site) {
		*out = *ci;
		return 0;
	}
	int finding = 0, anatomy = 0, any = 0, rc;
	sqlite3_reset(c->q_types);
	sqlite3_bind_int64(c->q_types, 1, id);
	while ((rc = sqlite3_step(c->q_types)) == SQLITE_ROW) {
		const char *tui = (const char *)sqlite3_column_text(c->q_types, 0);
		any = 1;
		finding |= tui_in(tui, finding_tuis, ARRAY_SIZE(finding_tuis));
		anatomy |= tui_in(tui, anatomy_tuis, ARRAY_SIZE(anatomy_tuis));
	}
	sqlite3_reset(c->q_types);
	if (rc != SQLITE_DONE)
		return store_error(c->st, "cannot read semantic types");
	enum mention_kind kind = finding || !any ? KIND_FINDING : anatomy ? KIND_ANATOMY
								     : KIND_OTHER;
	regmask site = 0, anat = 0;
	enum link_method method = METHOD_NONE;
	if (kind == KIND_FINDING && concept_site(c, id, &site, &method) < 0)
		return -1;
	if (kind == KIND_ANATOMY && concept_anatomy(c, id, &anat) < 0)
		return -1;
	ci = cinfo_get(c, id, &fresh);
	ci->kind = kind;
	ci->site = site;
	ci->site_method = method;
	if (kind == KIND_ANATOMY) {
		ci->anatomy = anat;
		ci->have_anatomy = 1;
	}
	ci->have_site = 1;
	*out = *ci;
	return 0;
}

/* ---------------------------------------------------------------- images */

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

struct list_state {
	struct ctx *c;
	const char *path;
	int col_report, col_path, col_view, n_cols;
	struct strmap reports;    /* external id -> index in report_ids */
	int64_t *report_ids;      /* -1: the id names reports of several sources */
	size_t n_reports, cap_reports;
	struct strmap seen;       /* "report\tpath" -> line */
	sqlite3_stmt *find, *ins, *upd, *del_p;
};

static int find_col(char **f, size_t n, const char *const *names)
{
	for (size_t i = 0; i < n; i++)
		for (const char *const *p = names; *p; p++)
			if (!strcasecmp(f[i], *p))
				return (int)i;
	return -1;
}

static int list_record(void *arg, char **f, size_t n, size_t line)
{
	struct list_state *ls = arg;
	struct ctx *c = ls->c;
	if (ls->col_report < 0) {
		static const char *const rep[] = { "report_id", "uid", "report", "study_id", "id", NULL };
		static const char *const img[] = { "image_path", "filename", "path", "image",
						   "file", "dicom_id", NULL };
		static const char *const view[] = { "view", "projection", "viewposition", NULL };
		ls->col_report = find_col(f, n, rep);
		ls->col_path = find_col(f, n, img);
		ls->col_view = find_col(f, n, view);
		ls->n_cols = (int)n;
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
	uint32_t idx;
	if (!strmap_get(&ls->reports, rep, strlen(rep), &idx)) {
		c->stats->images_unknown_report++;
		return 0;
	}
	int64_t report = ls->report_ids[idx];
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
	c->stats->images_new++;
	return 0;
}

static int import_image_list(struct ctx *c, const char *path)
{
	struct list_state ls = { .c = c, .path = path, .col_report = -1 };
	int rc = -1;
	strmap_init(&ls.reports);
	strmap_init(&ls.seen);
	sqlite3_stmt *q = store_prepare(c->st, "SELECT id, external_id FROM reports");
	ls.find = store_prepare(c->st,
		"SELECT id, ifnull(view, '') FROM images WHERE report = ? AND path = ?");
	ls.ins = store_prepare(c->st, "INSERT INTO images(view, report, path) VALUES (?, ?, ?)");
	ls.upd = store_prepare(c->st, "UPDATE images SET view = ? WHERE id = ?");
	ls.del_p = store_prepare(c->st, "DELETE FROM mention_patches WHERE image = ?");
	if (!q || !ls.find || !ls.ins || !ls.upd || !ls.del_p)
		goto out;
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		const char *ext = (const char *)sqlite3_column_text(q, 1);
		uint32_t idx = (uint32_t)ls.n_reports;
		if (strmap_put(&ls.reports, ext, strlen(ext), &idx)) {
			XGROW(ls.report_ids, ls.cap_reports, ls.n_reports + 1);
			ls.report_ids[ls.n_reports++] = sqlite3_column_int64(q, 0);
		} else {
			ls.report_ids[idx] = -1;
		}
	}
	if (r != SQLITE_DONE) {
		store_error(c->st, "cannot read reports");
		goto out;
	}
	if (csvfile_read(path, list_record, &ls) < 0)
		goto out;
	if (ls.col_report < 0) {
		error("%s: empty image list", path);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(q);
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
	char keys[3][512];
	image_keys(ref, keys);
	for (int k = 0; k < 3; k++) {
		if (!keys[k][0] || (k && !strcmp(keys[k], keys[k - 1])))
			continue;
		for (size_t e = 0; e < ARRAY_SIZE(ext); e++) {
			buf_reset(out);
			buf_addf(out, "%s/%s%s", dir, keys[k], ext[e]);
			int fmt = image_probe(out->p, w, h, 1);
			if (fmt != IMAGE_MISSING)
				return fmt;
		}
	}
	return IMAGE_MISSING;
}

static int size_images(struct ctx *c, const char *dir)
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
		int w, h, fmt = find_and_size(dir, ref, &file, &w, &h);
		c->stats->sec_headers += now_seconds() - t0;
		if (fmt == IMAGE_MISSING) {
			c->stats->images_missing++;
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

/* ---------------------------------------------------------------- boxes */

struct img {
	int64_t id;
	int width, height;          /* 0: unknown */
	int ambiguous;              /* another image has the same key */
	char *name;                 /* as stored */
};

struct box {
	int image, region;          /* index in images, atlas index */
	double x1, y1, x2, y2;
	size_t line;
};

struct box_state {
	struct ctx *c;
	const char *path;
	struct img *img;
	size_t n_img, cap_img;
	struct strmap keys;         /* image key -> index in img */
	struct strmap seen;         /* "image\tregion" -> line */
	struct box *box;
	size_t n_box, cap_box;
	int header_checked;
};

static int parse_num(const char *s, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	return *s && !*end && !errno && *v == *v;
}

static int box_record(void *arg, char **f, size_t n, size_t line)
{
	struct box_state *bs = arg;
	if (!bs->header_checked) {
		bs->header_checked = 1;
		if (n >= 1 && !strcasecmp(f[0], "image_id"))
			return 0;
	}
	if (n != 6)
		return error("%s:%zu: expected 6 fields (image_id,region,x1,y1,x2,y2), found %zu",
			     bs->path, line, n);
	uint32_t idx;
	if (!strmap_get(&bs->keys, f[0], strlen(f[0]), &idx))
		return error("%s:%zu: unknown image '%s'", bs->path, line, f[0]);
	struct img *im = &bs->img[idx];
	if (im->ambiguous)
		return error("%s:%zu: image id '%s' names several images", bs->path, line, f[0]);
	char region[128];
	snprintf(region, sizeof region, "%s", f[1]);
	lower(region);
	int r = atlas_find(region, strlen(region));
	if (r < 0)
		return error("%s:%zu: unknown region '%s'", bs->path, line, f[1]);
	double v[4];
	for (int k = 0; k < 4; k++)
		if (!parse_num(f[2 + k], &v[k]))
			return error("%s:%zu: '%s' is not a number", bs->path, line, f[2 + k]);
	if (im->width <= 0 || im->height <= 0)
		return error("%s:%zu: size of image '%s' unknown (give --images DIR)", bs->path,
			     line, f[0]);
	if (!(v[0] < v[2] && v[1] < v[3]))
		return error("%s:%zu: empty box (%g,%g)-(%g,%g)", bs->path, line, v[0], v[1], v[2],
			     v[3]);
	if (v[0] < 0 || v[1] < 0 || v[2] > im->width || v[3] > im->height)
		return error("%s:%zu: box (%g,%g)-(%g,%g) outside the image (%d x %d)", bs->path,
			     line, v[0], v[1], v[2], v[3], im->width, im->height);
	char key[64];
	int kn = snprintf(key, sizeof key, "%u\t%d", idx, r);
	uint32_t first = (uint32_t)line;
	if (!strmap_put(&bs->seen, key, (size_t)kn, &first))
		return error("%s:%zu: duplicate row: image '%s' region '%s' is on line %u too",
			     bs->path, line, f[0], region, first);
	XGROW(bs->box, bs->cap_box, bs->n_box + 1);
	bs->box[bs->n_box++] = (struct box){ (int)idx, r, v[0], v[1], v[2], v[3], line };
	bs->c->stats->boxes_read++;
	return 0;
}

static int cmp_box(const void *a, const void *b)
{
	const struct box *x = a, *y = b;
	if (x->image != y->image)
		return x->image < y->image ? -1 : 1;
	return (x->region > y->region) - (x->region < y->region);
}

/* Store the boxes of one image (boxes[0..n), sorted by region) unless they
 * are the ones already stored; new boxes drop the image's patch sets. */
static int store_image_boxes(struct ctx *c, int64_t image, const struct box *b, size_t n,
			     sqlite3_stmt *q_old, sqlite3_stmt *del, sqlite3_stmt *del_p,
			     sqlite3_stmt *ins)
{
	size_t same = 0, old = 0;
	int r;
	sqlite3_bind_int64(q_old, 1, image);
	while ((r = sqlite3_step(q_old)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q_old, 0);
		int idx = atlas_find(name, strlen(name));
		old++;
		for (size_t k = 0; k < n; k++)
			if (b[k].region == idx && b[k].x1 == sqlite3_column_double(q_old, 1) &&
			    b[k].y1 == sqlite3_column_double(q_old, 2) &&
			    b[k].x2 == sqlite3_column_double(q_old, 3) &&
			    b[k].y2 == sqlite3_column_double(q_old, 4))
				same++;
	}
	sqlite3_reset(q_old);
	if (r != SQLITE_DONE)
		return store_error(c->st, "cannot read regions");
	c->stats->boxes_images++;
	if (same == n && old == n)
		return 0;
	c->stats->boxes_changed++;
	sqlite3_bind_int64(del, 1, image);
	sqlite3_bind_int64(del_p, 1, image);
	if (store_step_done(c->st, del) < 0 || store_step_done(c->st, del_p) < 0)
		return -1;
	for (size_t k = 0; k < n; k++) {
		sqlite3_bind_text(ins, 1, atlas[b[k].region].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, image);
		sqlite3_bind_double(ins, 3, b[k].x1);
		sqlite3_bind_double(ins, 4, b[k].y1);
		sqlite3_bind_double(ins, 5, b[k].x2);
		sqlite3_bind_double(ins, 6, b[k].y2);
		if (store_step_done(c->st, ins) < 0)
			return -1;
	}
	return 0;
}

static int import_boxes(struct ctx *c, const char *path)
{
	struct box_state bs = { .c = c, .path = path };
	int rc = -1, r;
	strmap_init(&bs.keys);
	strmap_init(&bs.seen);
	sqlite3_stmt *q = store_prepare(c->st,
		"SELECT id, path, ifnull(width, 0), ifnull(height, 0) FROM images");
	sqlite3_stmt *q_old = store_prepare(c->st,
		"SELECT name, x1, y1, x2, y2 FROM regions WHERE image = ?");
	sqlite3_stmt *del = store_prepare(c->st, "DELETE FROM regions WHERE image = ?");
	sqlite3_stmt *del_p = store_prepare(c->st, "DELETE FROM mention_patches WHERE image = ?");
	sqlite3_stmt *ins = store_prepare(c->st,
		"INSERT INTO regions(name, image, x1, y1, x2, y2) VALUES (?, ?, ?, ?, ?, ?)");
	if (!q || !q_old || !del || !del_p || !ins)
		goto out;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		XGROW(bs.img, bs.cap_img, bs.n_img + 1);
		struct img *im = &bs.img[bs.n_img];
		im->id = sqlite3_column_int64(q, 0);
		im->name = xstrdup((const char *)sqlite3_column_text(q, 1));
		im->width = sqlite3_column_int(q, 2);
		im->height = sqlite3_column_int(q, 3);
		im->ambiguous = 0;
		char keys[3][512];
		image_keys(im->name, keys);
		for (int k = 0; k < 3; k++) {
			if (k && !strcmp(keys[k], keys[k - 1]))
				continue;
			uint32_t idx = (uint32_t)bs.n_img;
			if (!strmap_put(&bs.keys, keys[k], strlen(keys[k]), &idx) &&
			    idx != (uint32_t)bs.n_img)
				bs.img[idx].ambiguous = 1;
		}
		bs.n_img++;
	}
	if (r != SQLITE_DONE) {
		store_error(c->st, "cannot read images");
		goto out;
	}
	/* read and check everything before writing anything */
	if (csvfile_read(path, box_record, &bs) < 0)
		goto out;
	qsort(bs.box, bs.n_box, sizeof *bs.box, cmp_box);
	for (size_t i = 0; i < bs.n_box;) {
		size_t j = i;
		while (j < bs.n_box && bs.box[j].image == bs.box[i].image)
			j++;
		if (store_image_boxes(c, bs.img[bs.box[i].image].id, bs.box + i, j - i, q_old, del,
				      del_p, ins) < 0)
			goto out;
		i = j;
	}
	rc = 0;
out:
	sqlite3_finalize(q);
	sqlite3_finalize(q_old);
	sqlite3_finalize(del);
	sqlite3_finalize(del_p);
	sqlite3_finalize(ins);
	for (size_t i = 0; i < bs.n_img; i++)
		free(bs.img[i].name);
	free(bs.img);
	free(bs.box);
	strmap_release(&bs.keys);
	strmap_release(&bs.seen);
	return rc;
}

static int store_atlas(struct ctx *c)
{
	sqlite3_stmt *up = store_prepare(c->st,
		"UPDATE regions SET x1 = ?, y1 = ?, x2 = ?, y2 = ? WHERE image IS NULL AND name = ?");
	sqlite3_stmt *ins = store_prepare(c->st,
		"INSERT INTO regions(x1, y1, x2, y2, name, image) VALUES (?, ?, ?, ?, ?, NULL)");
	int rc = -1;
	if (!up || !ins)
		goto out;
	for (int i = 0; i < ATLAS_N; i++) {
		const struct atlas_region *a = &atlas[i];
		for (int k = 0; k < 2; k++) {
			sqlite3_stmt *s = k ? ins : up;
			sqlite3_bind_double(s, 1, a->x1);
			sqlite3_bind_double(s, 2, a->y1);
			sqlite3_bind_double(s, 3, a->x2);
			sqlite3_bind_double(s, 4, a->y2);
			sqlite3_bind_text(s, 5, a->name, -1, SQLITE_STATIC);
			if (store_step_done(c->st, s) < 0)
				goto out;
			if (sqlite3_changes(c->st->db) > 0)
				break;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(up);
	sqlite3_finalize(ins);
	return rc;
}

/* ---------------------------------------------------------------- text links */

struct pending {
	int64_t id, concept;
	int64_t sentence, start, end;   /* character offsets until converted */
	int affirmed;
	struct cinfo info;
};

/* The sentence holding bytes [a, b): the spans of sentences_split (sorted,
 * disjoint) that contain a and b - 1, and everything between; [a, b) itself
 * when no span holds it. */
static void sentence_around(const struct span *sp, size_t n_sp, size_t a, size_t b, size_t *sa,
			    size_t *sb)
{
	size_t lo = 0, hi = n_sp;
	while (lo < hi) { /* first span ending after a */
		size_t mid = (lo + hi) / 2;
		if (sp[mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	*sa = lo < n_sp && sp[lo].start <= a ? sp[lo].start : a;
	size_t k = lo;
	while (k < n_sp && sp[k].start < b)
		k++;
	*sb = k > lo && sp[k - 1].end > b ? sp[k - 1].end : b;
}

/* Character offsets -> byte offsets, for text that is not ASCII. */
static size_t *char_to_byte(const char *t, size_t n, size_t *n_chars)
{
	size_t *map = xmalloc((n + 1) * sizeof *map), k = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)t[i] & 0xc0) != 0x80)
			map[k++] = i;
	map[k] = n;
	*n_chars = k;
	return map;
}

static int cmp_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	if (x->sentence != y->sentence)
		return x->sentence < y->sentence ? -1 : 1;
	return (x->start > y->start) - (x->start < y->start);
}

struct text_state {
	struct pending *p;
	size_t n, cap;
	struct span *sp;          /* the report's sentences (extract/sentences.h) */
	size_t n_sp, cap_sp;
	struct link_mention *lm;
	size_t cap_lm;
	sqlite3_stmt *q_text;
	struct batch ins;         /* mention_regions(mention, region, method) */
};

/* Link the pending mentions of one report. */
static int link_report(struct ctx *c, struct text_state *ts, int64_t report)
{
	struct link_stats *s = c->stats;
	int any = 0;
	for (size_t i = 0; i < ts->n; i++) {
		if (concept_info(c, ts->p[i].concept, &ts->p[i].info) < 0)
			return -1;
		any |= ts->p[i].info.kind == KIND_FINDING;
	}
	if (!any)
		return 0;
	s->reports++;
	sqlite3_bind_int64(ts->q_text, 1, report);
	if (sqlite3_step(ts->q_text) != SQLITE_ROW) {
		sqlite3_reset(ts->q_text);
		return store_error(c->st, "cannot read a report");
	}
	const char *text = (const char *)sqlite3_column_text(ts->q_text, 0);
	size_t n = (size_t)sqlite3_column_bytes(ts->q_text, 0);
	size_t n_chars = (size_t)sqlite3_column_int64(ts->q_text, 1);
	size_t *map = n_chars != n ? char_to_byte(text, n, &n_chars) : NULL;
	int rc = -1;
	qsort(ts->p, ts->n, sizeof *ts->p, cmp_pending);
	XGROW(ts->lm, ts->cap_lm, ts->n);
	/* the sentences as extraction found them */
	ts->n_sp = 0;
	sentences_split(text, 0, n, &ts->sp, &ts->n_sp, &ts->cap_sp);
	for (size_t i = 0; i < ts->n; i++) {
		struct pending *p = &ts->p[i];
		if (p->start < 0 || p->start > p->end || (size_t)p->end > n_chars) {
			error("%s: mention %lld: offsets %lld-%lld outside its report (%zu characters)",
			      c->st->path, (long long)p->id, (long long)p->start, (long long)p->end,
			      n_chars);
			goto out;
		}
		if (map) {
			p->start = (int64_t)map[p->start];
			p->end = (int64_t)map[p->end];
		}
	}
	for (size_t i = 0; i < ts->n;) {
		size_t j = i;
		size_t a = (size_t)ts->p[i].start, b = (size_t)ts->p[i].end;
		int finding = 0;
		while (j < ts->n && ts->p[j].sentence == ts->p[i].sentence) {
			if ((size_t)ts->p[j].end > b)
				b = (size_t)ts->p[j].end;
			finding |= ts->p[j].info.kind == KIND_FINDING;
			j++;
		}
		if (finding) {
			size_t sa, sb;
			sentence_around(ts->sp, ts->n_sp, a, b, &sa, &sb);
			for (size_t k = i; k < j; k++) {
				struct link_mention *m = &ts->lm[k - i];
				memset(m, 0, sizeof *m);
				m->start = (uint32_t)ts->p[k].start;
				m->end = (uint32_t)ts->p[k].end;
				const struct cinfo *in = &ts->p[k].info;
				m->kind = in->kind;
				m->anatomy = in->anatomy;
				m->site = in->site;
				m->site_method = in->site_method;
			}
			link_sentence(&c->lx, text, sa, sb, ts->lm, j - i, &c->scratch);
			for (size_t k = i; k < j; k++) {
				const struct link_mention *m = &ts->lm[k - i];
				if (m->kind != KIND_FINDING)
					continue;
				s->findings++;
				s->by_method[m->method]++;
				if (ts->p[k].affirmed)
					s->positive_by_method[m->method]++;
				for (int r = 0; r < ATLAS_N; r++) {
					if (!(m->regions & ATLAS_BIT(r)))
						continue;
					batch_int(&ts->ins, 0, ts->p[k].id);
					batch_text(&ts->ins, 1, atlas[r].name, -1);
					batch_text(&ts->ins, 2, link_method_name(m->method), -1);
					if (batch_row(&ts->ins) < 0)
						goto out;
					s->region_links++;
				}
			}
		}
		i = j;
	}
	rc = 0;
out:
	sqlite3_reset(ts->q_text);
	free(map);
	return rc;
}

static int link_text(struct ctx *c)
{
	struct text_state ts = { 0 };
	int rc = -1, r;
	sqlite3_stmt *q = store_prepare(c->st,
		"SELECT m.id, m.report, m.concept, m.sentence, m.start, m.end, "
		"m.polarity = 'affirmed' FROM mentions m "
		"WHERE NOT EXISTS (SELECT 1 FROM mention_regions r WHERE r.mention = m.id) "
		"ORDER BY m.report");
	ts.q_text = store_prepare(c->st, "SELECT text, length(text) FROM reports WHERE id = ?");
	if (batch_init(&ts.ins, c->st, "INSERT INTO mention_regions(mention, region, method)", 3,
		       LINK_ROWS) < 0)
		goto out;
	if (!q || !ts.q_text)
		goto out;
	int64_t report = -1;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t rep = sqlite3_column_int64(q, 1);
		if (rep != report && ts.n) {
			if (link_report(c, &ts, report) < 0)
				goto out;
			ts.n = 0;
		}
		report = rep;
		XGROW(ts.p, ts.cap, ts.n + 1);
		struct pending *p = &ts.p[ts.n++];
		p->id = sqlite3_column_int64(q, 0);
		p->concept = sqlite3_column_int64(q, 2);
		p->sentence = sqlite3_column_int64(q, 3);
		p->start = sqlite3_column_int64(q, 4);
		p->end = sqlite3_column_int64(q, 5);
		p->affirmed = sqlite3_column_int(q, 6);
		c->stats->mentions_read++;
	}
	if (r != SQLITE_DONE) {
		store_error(c->st, "cannot read mentions");
		goto out;
	}
	if (ts.n && link_report(c, &ts, report) < 0)
		goto out;
	if (batch_flush(&ts.ins) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(q);
	sqlite3_finalize(ts.q_text);
	batch_release(&ts.ins);
	free(ts.p);
	free(ts.lm);
	free(ts.sp);
	return rc;
}

/* ---------------------------------------------------------------- patches */

enum view { VIEW_UNKNOWN, VIEW_FRONTAL, VIEW_LATERAL };

static enum view view_of(const char *v)
{
	char u[32];
	size_t n = 0;
	for (; v[n] && n + 1 < sizeof u; n++)
		u[n] = (char)toupper((unsigned char)v[n]);
	u[n] = '\0';
	if (strstr(u, "LAT") || !strcmp(u, "LL") || !strcmp(u, "RL"))
		return VIEW_LATERAL;
	if (!strncmp(u, "PA", 2) || !strncmp(u, "AP", 2) || strstr(u, "FRONT"))
		return VIEW_FRONTAL;
	return VIEW_UNKNOWN;
}

enum geometry { GEO_NONE = 0, GEO_ATLAS, GEO_BOXES, GEO_WHOLE, GEO_MIXED };
static const char *const geometry_names[] = { "", "atlas", "boxes", "whole", "mixed" };

/* One image's region patch sets, computed when first needed: its own boxes
 * per image, the atlas's and the whole image's once per run. */
struct image_regions {
	int64_t id;
	enum view view;
	int width, height;
	int grid;
	size_t nb;                   /* bytes per bitset */
	int has_box[ATLAS_N];
	double box[ATLAS_N][4];      /* normalized */
	uint8_t *bits;               /* ATLAS_N bitsets of this image's boxes */
	int done[ATLAS_N];
	uint8_t *atlas_bits;         /* ATLAS_N bitsets of the atlas */
	int atlas_done[ATLAS_N];
	uint8_t *whole_bits;         /* every patch */
};

static const uint8_t *region_bits(struct image_regions *ir, int r, int assume_frontal,
				  enum geometry *geo)
{
	if (ir->has_box[r]) {
		uint8_t *b = ir->bits + (size_t)r * ir->nb;
		if (!ir->done[r]) {
			memset(b, 0, ir->nb);
			grid_box(ir->grid, ir->box[r][0], ir->box[r][1], ir->box[r][2],
				 ir->box[r][3], b);
			ir->done[r] = 1;
		}
		*geo = GEO_BOXES;
		return b;
	}
	if (ir->view == VIEW_FRONTAL || (ir->view == VIEW_UNKNOWN && assume_frontal)) {
		uint8_t *b = ir->atlas_bits + (size_t)r * ir->nb;
		if (!ir->atlas_done[r]) {
			const struct atlas_region *a = &atlas[r];
			memset(b, 0, ir->nb);
			grid_box(ir->grid, a->x1, a->y1, a->x2, a->y2, b);
			ir->atlas_done[r] = 1;
		}
		*geo = GEO_ATLAS;
		return b;
	}
	*geo = GEO_WHOLE;
	return ir->whole_bits;
}

static int load_image(struct ctx *c, struct image_regions *ir, sqlite3_stmt *q_boxes, int64_t id,
		      const char *view, int w, int h)
{
	ir->id = id;
	ir->view = view_of(view);
	ir->width = w;
	ir->height = h;
	memset(ir->has_box, 0, sizeof ir->has_box);
	memset(ir->done, 0, sizeof ir->done);
	sqlite3_bind_int64(q_boxes, 1, id);
	int r;
	while ((r = sqlite3_step(q_boxes)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q_boxes, 0);
		int k = atlas_find(name, strlen(name));
		if (k < 0 || w <= 0 || h <= 0)
			continue;
		ir->has_box[k] = 1;
		ir->box[k][0] = sqlite3_column_double(q_boxes, 1) / w;
		ir->box[k][1] = sqlite3_column_double(q_boxes, 2) / h;
		ir->box[k][2] = sqlite3_column_double(q_boxes, 3) / w;
		ir->box[k][3] = sqlite3_column_double(q_boxes, 4) / h;
	}
	sqlite3_reset(q_boxes);
	return r == SQLITE_DONE ? 0 : store_error(c->st, "cannot read regions");
}

static int write_patches(struct ctx *c, struct image_regions *ir, struct batch *ins,
			 int64_t mention, regmask m, uint8_t *acc)
{
	memset(acc, 0, ir->nb);
	enum geometry geo = GEO_NONE;
	for (int r = 0; r < ATLAS_N; r++) {
		if (!(m & ATLAS_BIT(r)))
			continue;
		enum geometry g;
		const uint8_t *b = region_bits(ir, r, c->o->assume_frontal, &g);
		for (size_t k = 0; k < ir->nb; k++)
			acc[k] |= b[k];
		geo = geo == GEO_NONE || geo == g ? g : GEO_MIXED;
	}
	if (geo == GEO_NONE)
		return 0;
	batch_int(ins, 0, mention);
	batch_int(ins, 1, ir->id);
	batch_text(ins, 2, geometry_names[geo], -1);
	batch_int(ins, 3, ir->grid);
	batch_int(ins, 4, grid_count(ir->grid, acc));
	batch_blob_copy(ins, 5, acc, ir->nb);
	if (batch_row(ins) < 0)
		return -1;
	c->stats->patch_sets++;
	return 0;
}

static int link_patches(struct ctx *c)
{
	int grid = c->o->grid, rc = -1, r;
	struct buf v = BUF_INIT;
	struct image_regions ir = { .grid = grid, .nb = grid_bytes(grid) };
	ir.bits = xmalloc(ir.nb * ATLAS_N);
	ir.atlas_bits = xmalloc(ir.nb * ATLAS_N);
	ir.whole_bits = xcalloc(1, ir.nb);
	grid_box(grid, 0, 0, 1, 1, ir.whole_bits);
	uint8_t *acc = xmalloc(ir.nb);
	sqlite3_stmt *q = NULL, *q_boxes = NULL;
	struct batch ins = { 0 };
	int stored = store_meta_get(c->st, META_LINK_GRID, &v);
	if (stored < 0)
		goto out;
	int64_t have = store_int(c->st, "SELECT EXISTS (SELECT 1 FROM mention_patches)", 0);
	if (stored && atoi(v.p) != grid && have > 0) {
		if (!c->o->regrid) {
			error("%s: patch sets were computed on a %s x %s grid, not %d x %d: "
			      "use --regrid to recompute them", c->st->path, v.p, v.p, grid, grid);
			goto out;
		}
	}
	if (c->o->regrid && have > 0) {
		c->stats->dropped += store_int(c->st, "SELECT count(*) FROM mention_patches", 0);
		if (store_exec(c->st, "DELETE FROM mention_patches") < 0)
			goto out;
		have = 0;
	}
	buf_reset(&v);
	buf_addf(&v, "%d", grid);
	if (store_meta_set(c->st, META_LINK_GRID, v.p) < 0)
		goto out;
	q = store_prepare(c->st,
		"SELECT i.id, ifnull(i.view, ''), ifnull(i.width, 0), ifnull(i.height, 0), "
		"r.mention, r.region FROM images i "
		/* CROSS JOIN keeps this loop order, in which the rows come
		 * sorted (images by id, a report's mentions by id) */
		"CROSS JOIN mentions m ON m.report = i.report "
		"CROSS JOIN mention_regions r ON r.mention = m.id "
		/* with no patch set yet, no pair needs looking up */
		"WHERE ?1 = 0 OR NOT EXISTS (SELECT 1 FROM mention_patches p "
		"WHERE p.mention = r.mention AND p.image = i.id) "
		"ORDER BY i.id, m.id");
	q_boxes = store_prepare(c->st, "SELECT name, x1, y1, x2, y2 FROM regions WHERE image = ?");
	if (batch_init(&ins, c->st, "INSERT INTO mention_patches(mention, image, geometry, grid, "
					"n_patches, patches)", 6, LINK_ROWS) < 0)
		goto out;
	if (!q || !q_boxes)
		goto out;
	sqlite3_bind_int64(q, 1, have);
	int64_t image = -1, mention = -1;
	regmask m = 0;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t im = sqlite3_column_int64(q, 0), mn = sqlite3_column_int64(q, 4);
		if ((im != image || mn != mention) && mention >= 0) {
			if (write_patches(c, &ir, &ins, mention, m, acc) < 0)
				goto out;
			m = 0;
		}
		if (im != image) {
			if (load_image(c, &ir, q_boxes, im, (const char *)sqlite3_column_text(q, 1),
				       sqlite3_column_int(q, 2), sqlite3_column_int(q, 3)) < 0)
				goto out;
			c->stats->patch_images++;
		}
		image = im;
		mention = mn;
		const char *name = (const char *)sqlite3_column_text(q, 5);
		int k = atlas_find(name, strlen(name));
		if (k >= 0)
			m |= ATLAS_BIT(k);
	}
	if (r != SQLITE_DONE) {
		store_error(c->st, "cannot read links");
		goto out;
	}
	if (mention >= 0 && write_patches(c, &ir, &ins, mention, m, acc) < 0)
		goto out;
	if (batch_flush(&ins) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(q);
	sqlite3_finalize(q_boxes);
	batch_release(&ins);
	free(ir.bits);
	free(ir.atlas_bits);
	free(ir.whole_bits);
	free(acc);
	buf_release(&v);
	return rc;
}

/* ---------------------------------------------------------------- the run */

int link_run(struct store *st, const struct link_options *o, struct link_stats *stats)
{
	struct ctx c = { .st = st, .o = o, .stats = stats };
	struct ingest_entry log;
	struct buf params = BUF_INIT, target = BUF_INIT;
	int rc = -1, fk_off = 0;
	memset(stats, 0, sizeof(*stats));
	if (o->grid < 0 || o->grid > GRID_MAX)
		return error("grid must be 1 to %d patches per side, not %d", GRID_MAX, o->grid);
	ingest_start(&log, "link");
	strmap_init(&c.cmap);
	if (anatomy_lexicon_load(&c.lx, o->lexicon) < 0)
		goto out;
	/* Every row written refers to rows just read in the same transaction,
	 * and every deletion is explicit: without foreign-key checks, an INSERT
	 * needs no statement journal (a third of the time of a large run). */
	if (store_exec(st, "PRAGMA foreign_keys = OFF") < 0)
		goto out;
	fk_off = 1;
	if (store_begin(st) < 0)
		goto out;
	c.q_types = store_prepare(st,
		"SELECT s.tui FROM concept_semtypes cs JOIN semtypes s ON s.id = cs.semtype "
		"WHERE cs.concept = ?");
	c.q_concept = store_prepare(st, "SELECT cui, name FROM concepts WHERE id = ?");
	c.q_sites = store_prepare(st,
		"SELECT tail FROM triples WHERE head = ?1 AND relation IN "
		"(SELECT id FROM relations WHERE name IN ('has_finding_site', 'has_location')) "
		"UNION SELECT head FROM triples WHERE tail = ?1 AND relation IN "
		"(SELECT id FROM relations WHERE name IN ('finding_site_of', 'location_of'))");
	c.q_parents = store_prepare(st,
		"SELECT tail FROM triples WHERE head = ?1 AND relation IN "
		"(SELECT id FROM relations WHERE name = 'isa') "
		"UNION SELECT head FROM triples WHERE tail = ?1 AND relation IN "
		"(SELECT id FROM relations WHERE name = 'inverse_isa')");
	if (!c.q_types || !c.q_concept || !c.q_sites || !c.q_parents)
		goto out;
	if (o->replace) {
		stats->dropped = store_int(st, "SELECT count(*) FROM mention_regions", 0) +
				 store_int(st, "SELECT count(*) FROM mention_patches", 0);
		if (store_exec(st, "DELETE FROM mention_patches; DELETE FROM mention_regions;") < 0)
			goto out;
	}
	if (o->image_list && import_image_list(&c, o->image_list) < 0)
		goto out;
	if (o->images_dir && size_images(&c, o->images_dir) < 0)
		goto out;
	if (o->boxes && import_boxes(&c, o->boxes) < 0)
		goto out;
	if (store_atlas(&c) < 0)
		goto out;
	double t0 = now_seconds();
	if (link_text(&c) < 0)
		goto out;
	stats->sec_text = now_seconds() - t0;
	t0 = now_seconds();
	if (o->grid > 0 && link_patches(&c) < 0)
		goto out;
	stats->sec_patches = now_seconds() - t0;
	buf_addf(&params, "{\"grid\":%d,\"lexicon\":", o->grid);
	buf_add_json_str(&params, c.lx.path, strlen(c.lx.path));
	buf_addf(&params, ",\"assume_frontal\":%d,\"regrid\":%d,\"replace\":%d}", o->assume_frontal,
		 o->regrid, o->replace);
	const char *parts[] = { o->image_list, o->images_dir, o->boxes };
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		if (parts[i])
			buf_addf(&target, "%s%s", target.len ? " " : "", parts[i]);
	log.target = target.len ? target.p : NULL;
	log.params = params.p;
	log.rows_read = stats->mentions_read;
	log.rows_written = stats->region_links + stats->patch_sets + stats->images_new +
			   stats->images_sized + stats->boxes_read;
	if (ingest_finish(st, &log) < 0 || store_commit(st) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		store_rollback(st);
	if (fk_off)
		store_exec(st, "PRAGMA foreign_keys = ON");
	sqlite3_finalize(c.q_types);
	sqlite3_finalize(c.q_concept);
	sqlite3_finalize(c.q_sites);
	sqlite3_finalize(c.q_parents);
	anatomy_lexicon_release(&c.lx);
	link_scratch_release(&c.scratch);
	strmap_release(&c.cmap);
	free(c.ci);
	buf_release(&params);
	buf_release(&target);
	stats->seconds = now_seconds() - log.t0;
	return rc;
}
