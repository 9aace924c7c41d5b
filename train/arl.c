#define _XOPEN_SOURCE 700 /* realpath */
#include "arl.h"
#include "../store/mentions.h"
#include "chexpert.h"
#include "select.h"
#include "../common/buf.h"
#include "../common/strlist.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../link/csvfile.h"
#include "../link/link.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void arl_options_default(struct arl_options *o)
{
	memset(o, 0, sizeof(*o));
	o->threshold = 20;
}

const char *arl_dataset(const struct arl_options *o)
{
	return o->dataset ? o->dataset : "mimic_cxr";
}

int arl_frontal(const struct arl_options *o, const char *view)
{
	static const char *const views[] = { "PA", "AP", "Frontal" };
	if (o->views)
		return strlist_has(o->views, view);
	for (size_t i = 0; i < ARRAY_SIZE(views); i++)
		if (!strcmp(view, views[i]))
			return 1;
	return 0;
}

/* ------------------------------------------------------------ the corpus */

/* A mention of a kept text: [start, end) in characters of the text. */
struct amention {
	int32_t start, end;
	int64_t concept;
};

/* A kept text: its characters in the pool, its mentions. */
struct atext {
	size_t off, len;        /* bytes in the pool */
	size_t m0, nm;          /* mentions m[m0 .. m0 + nm) */
};

/* A report with texts, and its samples. */
struct areport {
	int64_t id;
	size_t ext;             /* external id, in the pool */
	int split;
	struct atext text[2];   /* impression, findings */
	int n_text;
	size_t i0, ni;          /* its samples' image files: img[i0 .. i0 + ni) */
	signed char labels[CHEXPERT_N]; /* 1, 0, -1 or CHEXPERT_BLANK */
	int have_labels;        /* labels from the CSV (else medkg's) */
};

struct arl_corpus {
	struct buf pool;        /* collapsed texts, ids, paths */
	struct areport *rep;
	size_t n_rep, cap_rep;
	struct amention *m;
	size_t n_m, cap_m;
	size_t *img;            /* image files (pool offsets); (size_t)-1: not found */
	size_t n_img, cap_img;
	int64_t *counts;        /* (n_counts) mentions by concept id */
	int64_t n_counts;
	const char *dataset;
	int with_chexpert;      /* the dataset has the chexpert column */
};

void arl_corpus_free(struct arl_corpus *c)
{
	if (!c)
		return;
	buf_release(&c->pool);
	free(c->rep);
	free(c->m);
	free(c->img);
	free(c->counts);
	free(c);
}

const int64_t *arl_corpus_counts(const struct arl_corpus *c, int64_t *n)
{
	*n = c->n_counts;
	return c->counts;
}

static size_t pool_str(struct buf *pool, const char *s, size_t n)
{
	size_t at = pool->len;
	buf_add(pool, s, n);
	buf_addc(pool, '\0');
	return at;
}

/* ------------------------------------------------------------ texts */

/* Python's str.isspace, which its re's \s and str.split() use. */
static int py_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202f || c == 0x205f || c == 0x3000;
}

/* The code point at s (valid UTF-8) and its length. */
static uint32_t utf8_next(const unsigned char *s, int *len)
{
	if (s[0] < 0x80)
		return *len = 1, s[0];
	if ((s[0] & 0xe0) == 0xc0)
		return *len = 2, (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	if ((s[0] & 0xf0) == 0xe0)
		return *len = 3, (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 |
				  (s[2] & 0x3f);
	return *len = 4, (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
			  (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

/* Scratch of the text builder: where each character of a section went. */
struct collapse {
	int32_t *to;            /* (n) character i of the section -> of the text, or -1 */
	size_t cap;
	size_t words;
};

/* Collapse the section s[0..bytes) (n characters) into the pool: strip,
 * runs of whitespace to one space. @return the text's length in bytes. */
static size_t collapse(struct collapse *x, struct buf *pool, const char *s, size_t bytes, size_t n)
{
	XGROW(x->to, x->cap, n + 1);
	size_t at = pool->len, out = 0, i = 0;
	int gap = 0;
	x->words = 0;
	for (size_t b = 0; b < bytes; i++) {
		int len;
		uint32_t c = utf8_next((const unsigned char *)s + b, &len);
		if (py_space(c)) {
			gap = out > 0;
			x->to[i] = -1;
		} else {
			if (gap || out == 0)
				x->words++;
			if (gap) {
				buf_addc(pool, ' ');
				out++;
			}
			gap = 0;
			x->to[i] = (int32_t)out++;
			buf_add(pool, s + b, (size_t)len);
		}
		b += (size_t)len;
	}
	return pool->len - at;
}

/* A section: [start, end) in characters of the report's text. */
struct asection {
	int32_t start, end;
};

/* The last impression and the last findings of a sections value.
 * @return 0, or -1 when it is malformed. */
static int pick_sections(const char *json, size_t len, size_t n_chars, struct asection sec[2])
{
	static const char *const names[2] = { "impression", "findings" };
	sec[0].start = sec[0].end = sec[1].start = sec[1].end = -1;
	json_t *a = json_loadb(json, len, 0, NULL);
	if (!json_is_array(a)) {
		json_decref(a);
		return -1;
	}
	size_t i;
	json_t *s;
	json_array_foreach(a, i, s)
	{
		json_t *name = json_array_get(s, 0), *js = json_array_get(s, 1),
		       *je = json_array_get(s, 2);
		if (!json_is_string(name) || !json_is_integer(js) || !json_is_integer(je) ||
		    json_integer_value(js) < 0 || json_integer_value(je) < json_integer_value(js) ||
		    (size_t)json_integer_value(je) > n_chars) {
			json_decref(a);
			return -1;
		}
		for (int k = 0; k < 2; k++)
			if (!strcmp(json_string_value(name), names[k]))
				sec[k] = (struct asection){ (int32_t)json_integer_value(js),
							    (int32_t)json_integer_value(je) };
	}
	json_decref(a);
	return 0;
}

/* ------------------------------------------------------------ reading */

/* A mention as stored: characters of the report's text. */
struct raw {
	int64_t concept;
	int32_t start, end;
};

static int cmp_raw(const void *a, const void *b)
{
	const struct raw *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return (x->concept > y->concept) - (x->concept < y->concept);
}

/* What reading needs besides the corpus. */
struct reading {
	struct store *st;
	const struct arl_options *o;
	const double *split;
	uint64_t seed;
	struct arl_stats *s;
	sqlite3_stmt *rq, *iq, *mq; /* reports, images, mentions, all in report order */
	int irow, mrow;             /* the images' and mentions' cursors hold a row */
	struct raw *raw;
	size_t n_raw, cap_raw;
	struct collapse cx;
	struct strmap labels;       /* study -> index in label_rows (the labels CSV) */
	signed char (*label_rows)[CHEXPERT_N];
	size_t n_label_rows, cap_label_rows;
	struct strmap splits;       /* study -> split (the split CSV), as index + 1 */
	struct chexpert_map cmap;   /* medkg's labels */
	int have_cmap;
	struct buf file;
	int need_files;             /* look for the images' files */
};

/* A study's key in the CSVs: MIMIC-CXR's reports are named s<study_id>. */
static const char *study_key(const char *ext)
{
	return ext[0] == 's' && ext[1] >= '0' && ext[1] <= '9' ? ext + 1 : ext;
}

/* The mentions of report id into rd->raw, sorted. */
static int read_mentions(struct reading *rd, int64_t id)
{
	rd->n_raw = 0;
	while (rd->mrow && sqlite3_column_int64(rd->mq, 0) <= id) {
		if (sqlite3_column_int64(rd->mq, 0) == id) {
			XGROW(rd->raw, rd->cap_raw, rd->n_raw + 1);
			rd->raw[rd->n_raw++] = (struct raw){ sqlite3_column_int64(rd->mq, 1),
							     sqlite3_column_int(rd->mq, 2),
							     sqlite3_column_int(rd->mq, 3) };
		}
		int r = sqlite3_step(rd->mq);
		if (r != SQLITE_ROW && r != SQLITE_DONE)
			return store_error(rd->st, "reading mentions");
		rd->mrow = r == SQLITE_ROW;
	}
	if (rd->n_raw)
		qsort(rd->raw, rd->n_raw, sizeof(struct raw), cmp_raw);
	rd->s->mentions += rd->n_raw;
	return 0;
}

/* Text k of a report from section sec of its text (n characters; boff maps
 * characters to bytes), with the mentions inside it. */
static void build_text(struct reading *rd, struct arl_corpus *c, struct areport *r, const char *text,
		       const size_t *boff, struct asection sec)
{
	if (sec.start < 0 || sec.end <= sec.start)
		return;
	struct atext *t = &r->text[r->n_text];
	t->off = c->pool.len;
	t->len = collapse(&rd->cx, &c->pool, text + boff[sec.start],
			  boff[sec.end] - boff[sec.start], (size_t)(sec.end - sec.start));
	if (rd->cx.words < 3) {
		c->pool.len = t->off;
		if (c->pool.p)
			c->pool.p[c->pool.len] = '\0';
		rd->s->texts_short++;
		return;
	}
	buf_addc(&c->pool, '\0');
	t->m0 = c->n_m;
	for (size_t i = 0; i < rd->n_raw; i++) {
		const struct raw *m = &rd->raw[i];
		if (m->start < sec.start || m->end > sec.end || m->end <= m->start)
			continue;
		int32_t a = -1, b = -1;
		for (int32_t k = m->start; k < m->end; k++) {
			int32_t to = rd->cx.to[k - sec.start];
			if (to >= 0) {
				if (a < 0)
					a = to;
				b = to + 1;
			}
		}
		if (a < 0)
			continue;
		if (b - a < 2) {
			rd->s->single++;
			continue;
		}
		XGROW(c->m, c->cap_m, c->n_m + 1);
		c->m[c->n_m++] = (struct amention){ a, b, m->concept };
	}
	t->nm = c->n_m - t->m0;
	r->n_text++;
	rd->s->texts++;
}

/* The file of an image: the one the link stage found, else looked for in
 * the images directory, else its path if it names a file. @return the
 * pool offset of its absolute path, or (size_t)-1 when not found. */
static size_t image_file(struct reading *rd, struct arl_corpus *c, const char *path,
			 const char *found)
{
	struct stat sb;
	const char *f = NULL;
	if (found && stat(found, &sb) == 0 && S_ISREG(sb.st_mode))
		f = found;
	else if (rd->o->images && images_locate(rd->o->images, path, &rd->file) == 1)
		f = rd->file.p;
	else if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		f = path;
	if (!f)
		return (size_t)-1;
	char *abs = realpath(f, NULL);
	size_t at = pool_str(&c->pool, abs ? abs : f, strlen(abs ? abs : f));
	free(abs);
	return at;
}

/* The frontal images of report id, counted as samples, into c->img. */
static int read_images(struct reading *rd, struct arl_corpus *c, struct areport *r)
{
	r->i0 = c->n_img;
	while (rd->irow && sqlite3_column_int64(rd->iq, 0) <= r->id) {
		if (sqlite3_column_int64(rd->iq, 0) == r->id) {
			const char *view = (const char *)sqlite3_column_text(rd->iq, 2);
			rd->s->images++;
			if (view && arl_frontal(rd->o, view)) {
				rd->s->frontal++;
				XGROW(c->img, c->cap_img, c->n_img + 1);
				c->img[c->n_img++] =
					!rd->need_files ? (size_t)-1
					: image_file(rd, c, (const char *)sqlite3_column_text(rd->iq, 1),
						     (const char *)sqlite3_column_text(rd->iq, 3));
			}
		}
		int rc = sqlite3_step(rd->iq);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return store_error(rd->st, "reading images");
		rd->irow = rc == SQLITE_ROW;
	}
	r->ni = c->n_img - r->i0;
	return 0;
}

/* The report's split: its own, the split CSV's, else drawn. */
static int report_split(struct reading *rd, const char *source, const char *ext, const char *own)
{
	int sp = split_from_name(own);
	if (sp >= 0) {
		rd->s->splits_input++;
		return sp;
	}
	uint32_t v;
	const char *key = study_key(ext);
	if (strmap_get(&rd->splits, key, strlen(key), &v)) {
		rd->s->splits_file++;
		return (int)v - 1;
	}
	struct buf k = BUF_INIT;
	buf_addf(&k, "%s\x1f%s", source, ext);
	sp = split_draw(rd->split, rd->seed, k.p, k.len);
	buf_release(&k);
	rd->s->splits_drawn++;
	return sp;
}

/* The labels of a report: the CSV's row of its study, else medkg's.
 * @return 1, 0 when the CSV lacks the study, or -1. */
static int report_labels(struct reading *rd, struct areport *r, const char *ext)
{
	if (rd->o->chexpert) {
		uint32_t v;
		const char *key = study_key(ext);
		if (!strmap_get(&rd->labels, key, strlen(key), &v))
			return 0;
		memcpy(r->labels, rd->label_rows[v], CHEXPERT_N);
		r->have_labels = 1;
		return 1;
	}
	return chexpert_label_report(&rd->cmap, rd->st, r->id, r->labels) < 0 ? -1 : 1;
}

/* One report row: its texts, its frontal images and their counts. */
static int read_report(struct reading *rd, struct arl_corpus *c, size_t **boff, size_t *cap_boff)
{
	sqlite3_stmt *q = rd->rq;
	struct areport r = { 0 };
	r.id = sqlite3_column_int64(q, 0);
	const char *source = (const char *)sqlite3_column_text(q, 1);
	const char *ext = (const char *)sqlite3_column_text(q, 2);
	const char *text = (const char *)sqlite3_column_text(q, 3);
	size_t bytes = (size_t)sqlite3_column_bytes(q, 3);
	rd->s->reports++;
	XGROW(*boff, *cap_boff, bytes + 1);
	size_t n = 0;
	for (size_t b = 0; b < bytes; b++)
		if (((unsigned char)text[b] & 0xc0) != 0x80)
			(*boff)[n++] = b;
	(*boff)[n] = bytes;
	struct asection sec[2];
	if (pick_sections((const char *)sqlite3_column_text(q, 4), (size_t)sqlite3_column_bytes(q, 4),
			  n, sec) < 0)
		return error("%s: report %s: malformed sections value", rd->st->path, ext);
	if (read_mentions(rd, r.id) < 0)
		return -1;
	size_t pool_at = c->pool.len, m_at = c->n_m;
	build_text(rd, c, &r, text, *boff, sec[0]);
	build_text(rd, c, &r, text, *boff, sec[1]);
	if (read_images(rd, c, &r) < 0)
		return -1;
	int have = r.n_text > 0 && r.ni > 0;
	if (have) {
		int l = report_labels(rd, &r, ext);
		if (l < 0)
			return -1;
		if (l == 0) {
			rd->s->no_chexpert += r.ni;
			have = 0;
		}
	}
	if (r.n_text == 0)
		rd->s->no_text++;
	if (!have) {
		/* nothing of it is kept */
		c->n_img = r.i0;
		c->n_m = m_at;
		c->pool.len = pool_at;
		return 0;
	}
	r.ext = pool_str(&c->pool, ext, strlen(ext));
	r.split = report_split(rd, source, ext, (const char *)sqlite3_column_text(q, 5));
	/* every mention counts once per text per sample */
	for (int k = 0; k < r.n_text; k++)
		for (size_t i = 0; i < r.text[k].nm; i++) {
			int64_t cid = c->m[r.text[k].m0 + i].concept;
			if (cid >= 0 && cid < c->n_counts)
				c->counts[cid] += (int64_t)r.ni;
			rd->s->kept += r.ni;
		}
	rd->s->samples += r.ni;
	XGROW(c->rep, c->cap_rep, c->n_rep + 1);
	c->rep[c->n_rep++] = r;
	return 0;
}

/* ------------------------------------------------------------ the CSVs */

struct csv_read {
	struct reading *rd;
	const char *path;
	int is_labels;
	int col_study, col_split, col_first;
	size_t rows;
};

static const char *const label_columns[CHEXPERT_N] = {
	"Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Enlarged Cardiomediastinum",
	"Fracture", "Lung Lesion", "Lung Opacity", "No Finding", "Pleural Effusion",
	"Pleural Other", "Pneumonia", "Pneumothorax", "Support Devices",
};

/* The header: MIMIC-CXR's labels CSV (subject_id, study_id, then the 14
 * observations in its order), or a split CSV with study_id and split. */
static int csv_header(struct csv_read *cr, char **f, size_t n)
{
	cr->col_study = cr->col_split = -1;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(f[i], "study_id"))
			cr->col_study = (int)i;
		else if (!strcmp(f[i], "split"))
			cr->col_split = (int)i;
	}
	if (cr->is_labels) {
		int ok = n == 2 + CHEXPERT_N && !strcmp(f[0], "subject_id") && cr->col_study == 1;
		for (size_t i = 0; ok && i < CHEXPERT_N; i++)
			ok = !strcmp(f[2 + i], label_columns[i]);
		if (!ok)
			return error("%s:1: not MIMIC-CXR's labels CSV: expected the header "
				     "subject_id,study_id,Atelectasis,...,Support Devices (the 14 "
				     "observations in mimic-cxr-2.0.0-chexpert.csv's order)",
				     cr->path);
		cr->col_first = 2;
		return 0;
	}
	if (cr->col_study < 0 || cr->col_split < 0)
		return error("%s:1: a split CSV needs the columns study_id and split", cr->path);
	return 0;
}

/* A label as MIMIC-CXR writes it: 1.0, 0.0, -1.0 or empty. */
static int label_value(const char *s, signed char *out)
{
	if (!*s)
		return *out = CHEXPERT_BLANK, 0;
	char *end;
	double v = strtod(s, &end);
	if (*end || (v != 1 && v != 0 && v != -1))
		return -1;
	*out = (signed char)v;
	return 0;
}

static int csv_record(void *ctx, char **f, size_t n, size_t line)
{
	struct csv_read *cr = ctx;
	struct reading *rd = cr->rd;
	if (cr->rows++ == 0)
		return csv_header(cr, f, n);
	if ((int)n <= cr->col_study || (cr->is_labels && n != 2 + CHEXPERT_N) ||
	    (!cr->is_labels && (int)n <= cr->col_split))
		return error("%s:%zu: expected %s fields, found %zu", cr->path, line,
			     cr->is_labels ? "16" : "the header's", n);
	const char *study = f[cr->col_study];
	if (!cr->is_labels) {
		int sp = split_from_name(f[cr->col_split]);
		if (sp < 0)
			return error("%s:%zu: unknown split '%s' (train, validate, test)", cr->path,
				     line, f[cr->col_split]);
		uint32_t v = (uint32_t)sp + 1;
		strmap_put(&rd->splits, study, strlen(study), &v);
		return 0;
	}
	signed char row[CHEXPERT_N];
	for (size_t i = 0; i < CHEXPERT_N; i++)
		if (label_value(f[2 + i], &row[i]) < 0)
			return error("%s:%zu: %s is '%s': expected 1.0, 0.0, -1.0 or empty", cr->path,
				     line, label_columns[i], f[2 + i]);
	uint32_t idx = (uint32_t)rd->n_label_rows;
	if (strmap_put(&rd->labels, study, strlen(study), &idx)) {
		XGROW(rd->label_rows, rd->cap_label_rows, rd->n_label_rows + 1);
		memcpy(rd->label_rows[rd->n_label_rows++], row, CHEXPERT_N);
	}
	return 0;
}

static int read_csv(struct reading *rd, const char *path, int is_labels)
{
	struct csv_read cr = { rd, path, is_labels, -1, -1, 0, 0 };
	if (csvfile_read(path, csv_record, &cr) < 0)
		return -1;
	if (cr.rows == 0)
		return error("%s: empty file", path);
	return 0;
}

/* ------------------------------------------------------------ the whole read */

static void reading_release(struct reading *rd)
{
	sqlite3_finalize(rd->rq);
	sqlite3_finalize(rd->iq);
	sqlite3_finalize(rd->mq);
	free(rd->raw);
	free(rd->cx.to);
	strmap_release(&rd->labels);
	strmap_release(&rd->splits);
	free(rd->label_rows);
	if (rd->have_cmap)
		chexpert_map_release(&rd->cmap);
	buf_release(&rd->file);
}

static int start_cursors(struct reading *rd)
{
	rd->rq = store_prepare(rd->st, "SELECT id, source, external_id, text, sections, split "
				       "FROM reports ORDER BY id");
	rd->iq = store_prepare(rd->st, "SELECT report, path, view, file FROM images "
				       "ORDER BY report, id");
	rd->mq = store_prepare(rd->st, "SELECT p.id, m.concept, m.start, m.end FROM reports p "
				       "CROSS JOIN mentions m ON " MENTIONS_OF("p", "m")
				       " ORDER BY p.id, m.id");
	if (!rd->rq || !rd->iq || !rd->mq)
		return -1;
	int a = sqlite3_step(rd->iq), b = sqlite3_step(rd->mq);
	if ((a != SQLITE_ROW && a != SQLITE_DONE) || (b != SQLITE_ROW && b != SQLITE_DONE))
		return store_error(rd->st, "reading images and mentions");
	rd->irow = a == SQLITE_ROW;
	rd->mrow = b == SQLITE_ROW;
	return 0;
}

static int check_corpus(const struct reading *rd, const struct arl_corpus *c, int need_files)
{
	const struct arl_stats *s = rd->s;
	if (c->n_rep == 0)
		return error("%s: no sample for ARL: %zu reports, %zu without an impression or "
			     "findings of 3 words, %zu images, %zu of them frontal (--views)%s",
			     rd->st->path, s->reports, s->no_text, s->images, s->frontal,
			     s->no_chexpert ? "; the labels CSV lacks their studies" : "");
	size_t found = 0;
	for (size_t i = 0; i < c->n_img; i++)
		found += c->img[i] != (size_t)-1;
	if (found == 0 && need_files)
		return error("%s: none of the %zu frontal images' files is found: name the directory "
			     "that holds them (--images DIR, or [link] images_dir)",
			     rd->st->path, c->n_img);
	return 0;
}

int arl_corpus_read(struct store *st, const struct arl_options *o, const double split[N_SPLITS],
		    uint64_t seed, int need_files, struct arl_corpus **out, struct arl_stats *s)
{
	struct reading rd = { .st = st, .o = o, .split = split, .seed = seed, .s = s,
			      .need_files = need_files };
	struct arl_corpus *c = xcalloc(1, sizeof(*c));
	size_t *boff = NULL, cap_boff = 0;
	int rc = -1, r;
	memset(s, 0, sizeof(*s));
	strmap_init(&rd.labels);
	strmap_init(&rd.splits);
	c->dataset = arl_dataset(o);
	c->with_chexpert = !strcmp(c->dataset, "mimic_cxr");
	struct stat sb;
	if (o->images && (stat(o->images, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
		error("%s: %s (the images directory)", o->images,
		      stat(o->images, &sb) != 0 ? strerror(errno) : "not a directory");
		goto out;
	}
	if ((o->chexpert && read_csv(&rd, o->chexpert, 1) < 0) ||
	    (o->splits && read_csv(&rd, o->splits, 0) < 0))
		goto out;
	if (!o->chexpert) {
		if (chexpert_map_load(&rd.cmap, st) < 0)
			goto out;
		rd.have_cmap = 1;
	}
	c->n_counts = store_int(st, "SELECT coalesce(max(id), 0) + 1 FROM concepts", -1);
	if (c->n_counts < 1) {
		store_error(st, "reading concepts");
		goto out;
	}
	c->counts = xcalloc((size_t)c->n_counts, sizeof(int64_t));
	if (start_cursors(&rd) < 0)
		goto out;
	while ((r = sqlite3_step(rd.rq)) == SQLITE_ROW)
		if (read_report(&rd, c, &boff, &cap_boff) < 0)
			goto out;
	if (r != SQLITE_DONE) {
		store_error(st, "reading reports");
		goto out;
	}
	if (check_corpus(&rd, c, need_files) < 0)
		goto out;
	*out = c;
	c = NULL;
	rc = 0;
out:
	free(boff);
	reading_release(&rd);
	arl_corpus_free(c);
	return rc;
}

/* ------------------------------------------------------------ writing */

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_span(const void *a, const void *b)
{
	const struct amention *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return (x->concept > y->concept) - (x->concept < y->concept);
}

/* One sample as JSON into b: the report's texts and entities, the image. */
static void sample_json(const struct arl_corpus *c, const struct areport *r, size_t file,
			const int32_t *ent_of, int64_t max_concept, struct buf *b, int32_t **ids,
			size_t *cap_ids)
{
	buf_adds(b, "{\"img_path\": ");
	buf_add_json_str(b, c->pool.p + file, strlen(c->pool.p + file));
	buf_adds(b, ", \"texts\": [");
	size_t n_ids = 0;
	for (int k = 0; k < r->n_text; k++) {
		if (k)
			buf_adds(b, ", ");
		buf_add_json_str(b, c->pool.p + r->text[k].off, r->text[k].len);
		for (size_t i = 0; i < r->text[k].nm; i++) {
			int64_t cid = c->m[r->text[k].m0 + i].concept;
			if (cid >= 0 && cid <= max_concept && ent_of[cid] >= 0) {
				XGROW(*ids, *cap_ids, n_ids + 1);
				(*ids)[n_ids++] = ent_of[cid];
			}
		}
	}
	if (n_ids)
		qsort(*ids, n_ids, sizeof(int32_t), cmp_i32);
	buf_adds(b, "], \"image_entities\": [");
	for (size_t i = 0, w = 0; i < n_ids; i++)
		if (i == 0 || (*ids)[i] != (*ids)[i - 1])
			buf_addf(b, "%s%d", w++ ? ", " : "", (*ids)[i]);
	buf_adds(b, "], \"text_entities\": [");
	for (int k = 0; k < r->n_text; k++) {
		/* by (start, end, id): the ids are the export's, not the store's */
		struct amention *ms = NULL;
		size_t n = 0, cap = 0;
		for (size_t i = 0; i < r->text[k].nm; i++) {
			const struct amention *m = &c->m[r->text[k].m0 + i];
			if (m->concept < 0 || m->concept > max_concept || ent_of[m->concept] < 0)
				continue;
			XGROW(ms, cap, n + 1);
			ms[n++] = (struct amention){ m->start, m->end, ent_of[m->concept] };
		}
		if (n)
			qsort(ms, n, sizeof(*ms), cmp_span);
		buf_adds(b, k ? ", [" : "[");
		for (size_t i = 0; i < n; i++)
			buf_addf(b, "%s[%d, %d, %lld]", i ? ", " : "", ms[i].start, ms[i].end,
				 (long long)ms[i].concept);
		buf_addc(b, ']');
		free(ms);
	}
	buf_addc(b, ']');
	if (c->with_chexpert) {
		buf_adds(b, ", \"chexpert\": [");
		for (int i = 0; i < CHEXPERT_N; i++)
			buf_addf(b, "%s%d", i ? ", " : "", r->labels[i] == 1 ? 1 : 0);
		buf_addc(b, ']');
	}
	buf_addc(b, '}');
}

/* Whether every sample of split sp has the same chexpert list (ARL's
 * MIMIC-CXR dataset then finds no false image to draw, and loops). */
static int uniform_labels(const struct arl_corpus *c, int sp)
{
	const struct areport *first = NULL;
	for (size_t i = 0; i < c->n_rep; i++) {
		const struct areport *r = &c->rep[i];
		if (r->split != sp)
			continue;
		if (!first)
			first = r;
		for (int k = 0; k < CHEXPERT_N; k++)
			if ((r->labels[k] == 1) != (first->labels[k] == 1))
				return 0;
	}
	return first != NULL;
}

int arl_write_samples(const struct arl_corpus *c, const char *path, const int32_t *ent_of,
		      int64_t max_concept, struct arl_stats *s)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return error("%s: cannot write: %s", path, strerror(errno));
	struct buf b = BUF_INIT;
	int32_t *ids = NULL;
	size_t cap_ids = 0;
	int bad = 0;
	s->no_file = s->uniform_chexpert = 0;
	fputc('{', f);
	for (int sp = 0; sp < N_SPLITS && !bad; sp++) {
		fprintf(f, "%s\"%s\": [", sp ? ", " : "", split_names[sp]);
		s->written[sp] = 0;
		for (size_t i = 0; i < c->n_rep && !bad; i++) {
			const struct areport *r = &c->rep[i];
			if (r->split != sp)
				continue;
			for (size_t k = 0; k < r->ni; k++) {
				size_t file = c->img[r->i0 + k];
				if (file == (size_t)-1) {
					s->no_file++;
					continue;
				}
				buf_reset(&b);
				if (s->written[sp]++)
					buf_adds(&b, ", ");
				sample_json(c, r, file, ent_of, max_concept, &b, &ids, &cap_ids);
				bad |= fwrite(b.p, 1, b.len, f) != b.len;
			}
		}
		fputc(']', f);
		if (c->with_chexpert)
			s->uniform_chexpert += uniform_labels(c, sp);
	}
	fputs("}\n", f);
	bad |= ferror(f) != 0;
	bad |= fclose(f) != 0;
	buf_release(&b);
	free(ids);
	if (bad)
		return error("%s: write failed: %s", path, strerror(errno));
	return 0;
}

int arl_write_labels(const struct arl_corpus *c, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return error("%s: cannot write: %s", path, strerror(errno));
	fputs("subject_id,study_id", f);
	for (int i = 0; i < CHEXPERT_N; i++)
		fprintf(f, ",%s", label_columns[i]);
	fputc('\n', f);
	for (size_t i = 0; i < c->n_rep; i++) {
		const struct areport *r = &c->rep[i];
		fprintf(f, ",%s", study_key(c->pool.p + r->ext));
		for (int k = 0; k < CHEXPERT_N; k++) {
			if (r->labels[k] == CHEXPERT_BLANK)
				fputc(',', f);
			else
				fprintf(f, ",%d.0", r->labels[k]);
		}
		fputc('\n', f);
	}
	int bad = ferror(f) != 0;
	bad |= fclose(f) != 0;
	if (bad)
		return error("%s: write failed: %s", path, strerror(errno));
	return 0;
}

int arl_entities(struct store *st, const struct arl_options *o, int64_t **ids, size_t *n)
{
	static const double split[N_SPLITS] = { 1, 0, 0 };
	struct arl_corpus *c = NULL;
	struct arl_stats s;
	struct knowledge k;
	if (arl_corpus_read(st, o, split, 0, 0, &c, &s) < 0)
		return -1;
	struct select_rule rule = { o->threshold + 1, 1, c->counts, c->n_counts };
	int rc = knowledge_select(st, &rule, NULL, &k);
	if (rc == 0) {
		*n = k.sel.n_ent;
		*ids = xmalloc((*n ? *n : 1) * sizeof(int64_t));
		memcpy(*ids, k.sel.ent, *n * sizeof(int64_t));
		qsort(*ids, *n, sizeof(int64_t), cmp_i64);
	}
	knowledge_release(&k);
	arl_corpus_free(c);
	return rc;
}
