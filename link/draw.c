/* link_draw: a picture of one image's links (see link.h). */
#define _POSIX_C_SOURCE 200809L
#include "link.h"
#include "../store/mentions.h"
#include "font.h"
#include "grid.h"
#include "image.h"
#include "../common/buf.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	uint8_t rgb[3];
} palette[] = {
	{ "red", { 230, 40, 40 } },      { "green", { 40, 200, 60 } },
	{ "blue", { 50, 110, 240 } },    { "yellow", { 240, 220, 30 } },
	{ "magenta", { 220, 50, 220 } }, { "cyan", { 30, 210, 220 } },
	{ "orange", { 250, 140, 20 } },  { "purple", { 140, 70, 230 } },
	{ "lime", { 170, 240, 40 } },    { "pink", { 250, 130, 170 } },
	{ "teal", { 20, 150, 140 } },    { "brown", { 160, 100, 50 } },
};

/* A region drawn: a frontal one (key: its atlas index), or on a lateral
 * view one of the lateral regions the lexicon maps the linked frontal
 * regions to (key: ATLAS_N + its index). */
#define DRAWN_MAX (ATLAS_N + LATERAL_N)
struct drawn_region {
	int key;
	const char *name;
	double box[4];              /* pixels */
	const char *box_from;       /* "boxes", "atlas", "whole" */
	struct buf findings;        /* labels, '\n' separated */
	struct buf legend;          /* labels with methods, ", " separated */
};

struct image_row {
	int64_t id, report;
	char *path, *view, *file;
	int width, height;
};

static void image_row_release(struct image_row *r)
{
	free(r->path);
	free(r->view);
	free(r->file);
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	return t ? xstrdup(t) : NULL;
}

/* The image named by ref: its id, its stored path, or one of its keys. */
static int find_image(struct store *st, const char *ref, struct image_row *out)
{
	sqlite3_stmt *q = store_prepare(st,
		"SELECT id, report, path, ifnull(view, ''), ifnull(width, 0), ifnull(height, 0), "
		"file FROM images ORDER BY id");
	struct buf keys[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	int found = 0, r;
	char *end;
	long long id = strtoll(ref, &end, 10);
	int by_id = *ref && !*end;
	if (!q)
		return -1;
	memset(out, 0, sizeof *out);
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(q, 2);
		int match = by_id && sqlite3_column_int64(q, 0) == id;
		if (!match) {
			image_keys(path, keys);
			for (int k = 0; k < 3; k++)
				match |= !strcmp(buf_str(&keys[k]), ref);
		}
		if (!match)
			continue;
		if (found++) {
			error("%s: '%s' names several images: give the image id", st->path, ref);
			break;
		}
		out->id = sqlite3_column_int64(q, 0);
		out->report = sqlite3_column_int64(q, 1);
		out->path = col_dup(q, 2);
		out->view = col_dup(q, 3);
		out->width = sqlite3_column_int(q, 4);
		out->height = sqlite3_column_int(q, 5);
		out->file = col_dup(q, 6);
	}
	int rc = found == 1 && (r == SQLITE_DONE) ? 0 : -1;
	if (!found && r == SQLITE_DONE)
		error("%s: no image '%s'", st->path, ref);
	else if (r != SQLITE_DONE && r != SQLITE_ROW)
		store_error(st, "cannot read images");
	sqlite3_finalize(q);
	for (int k = 0; k < 3; k++)
		buf_release(&keys[k]);
	if (rc < 0)
		image_row_release(out);
	return rc;
}

static void blend(uint8_t *p, const uint8_t c[3], int alpha /* of 256 */)
{
	for (int k = 0; k < 3; k++)
		p[k] = (uint8_t)((p[k] * (256 - alpha) + c[k] * alpha) >> 8);
}

static void fill_rect(uint8_t *rgb, int w, int h, int x1, int y1, int x2, int y2,
		      const uint8_t c[3], int alpha)
{
	x1 = x1 < 0 ? 0 : x1, y1 = y1 < 0 ? 0 : y1;
	x2 = x2 > w ? w : x2, y2 = y2 > h ? h : y2;
	for (int y = y1; y < y2; y++)
		for (int x = x1; x < x2; x++)
			blend(rgb + ((size_t)y * (size_t)w + (size_t)x) * 3, c, alpha);
}

static void outline(uint8_t *rgb, int w, int h, int x1, int y1, int x2, int y2, int t,
		    const uint8_t c[3])
{
	fill_rect(rgb, w, h, x1, y1, x2, y1 + t, c, 256);
	fill_rect(rgb, w, h, x1, y2 - t, x2, y2, c, 256);
	fill_rect(rgb, w, h, x1, y1, x1 + t, y2, c, 256);
	fill_rect(rgb, w, h, x2 - t, y1, x2, y2, c, 256);
}

/* What is drawn on: the image's pixels, or a blank canvas of its size. */
struct canvas {
	uint8_t *rgb;               /* (h, w, 3) */
	int w, h;
	const char *what;           /* "image file", or why blank */
};

static int canvas_open(const struct image_row *im, struct canvas *cv)
{
	cv->w = im->width, cv->h = im->height;
	cv->what = "image file";
	if (im->file) {
		cv->rgb = image_decode_rgb(im->file, &cv->w, &cv->h);
		return cv->rgb ? 0 : -1;
	}
	cv->what = cv->w > 0 ? "blank canvas: image file not found" : "blank canvas: size unknown";
	if (cv->w <= 0 || cv->h <= 0)
		cv->w = cv->h = 512;
	cv->rgb = xmalloc((size_t)cv->w * (size_t)cv->h * 3);
	memset(cv->rgb, 48, (size_t)cv->w * (size_t)cv->h * 3);
	return 0;
}

/* The grid of the stored patch sets (18 when none or out of range). */
static int stored_grid(struct store *st)
{
	struct buf gv = BUF_INIT;
	int grid = store_meta_get(st, META_LINK_GRID, &gv) > 0 ? atoi(gv.p) : 18;
	buf_release(&gv);
	return grid <= 0 || grid > GRID_MAX ? 18 : grid;
}

/* The atlas the image's regions are drawn from: the frontal one, the
 * lateral one, or none (VIEW_UNKNOWN: every region is the whole image). An
 * image of unknown view is frontal when it was linked so (--assume-frontal:
 * its patch sets came from the atlas). @return 0 or -1. */
static int drawn_view(struct store *st, const struct image_row *im, enum view *v)
{
	*v = atlas_view(im->view);
	if (*v != VIEW_UNKNOWN)
		return 0;
	sqlite3_stmt *g = store_prepare(st, "SELECT count(*) FROM mention_patches "
					    "WHERE image = ? AND geometry IN ('atlas', 'mixed')");
	if (!g)
		return -1;
	sqlite3_bind_int64(g, 1, im->id);
	if (sqlite3_step(g) == SQLITE_ROW && sqlite3_column_int(g, 0) > 0)
		*v = VIEW_FRONTAL;
	sqlite3_finalize(g);
	return 0;
}

/* The drawn region of this key in dr[0..*n_dr), added with box b when new. */
static struct drawn_region *drawn_get(struct drawn_region *dr, int *n_dr, int key,
				      const char *name, const double b[4], const char *from)
{
	for (int i = 0; i < *n_dr; i++)
		if (dr[i].key == key)
			return &dr[i];
	struct drawn_region *d = &dr[(*n_dr)++];
	memset(d, 0, sizeof *d);
	d->key = key;
	d->name = name;
	memcpy(d->box, b, sizeof d->box);
	d->box_from = from;
	return d;
}

/* The drawn regions of linked frontal region k, into out[0..): its own box
 * on the image (in pixels of its stored size; the file may differ), else
 * the atlas of the view, else the whole image. @return how many. */
static int region_boxes(struct drawn_region *dr, int *n_dr, struct drawn_region **out, int k,
			const struct image_row *im, const struct canvas *cv, enum view view,
			const struct anatomy_lexicon *lx, sqlite3_stmt *q_box)
{
	const double w = cv->w, h = cv->h;
	double b[4];
	int n = 0;
	latmask lat;
	sqlite3_bind_int64(q_box, 1, im->id);
	sqlite3_bind_text(q_box, 2, atlas[k].name, -1, SQLITE_STATIC);
	if (sqlite3_step(q_box) == SQLITE_ROW && im->width > 0) {
		for (int c = 0; c < 4; c++)
			b[c] = sqlite3_column_double(q_box, c) * (c % 2 ? h / im->height : w / im->width);
		out[n++] = drawn_get(dr, n_dr, k, atlas[k].name, b, "boxes");
	} else if (view == VIEW_FRONTAL || k == ATLAS_WHOLE) {
		b[0] = atlas[k].x1 * w, b[1] = atlas[k].y1 * h;
		b[2] = atlas[k].x2 * w, b[3] = atlas[k].y2 * h;
		out[n++] = drawn_get(dr, n_dr, k, atlas[k].name, b, "atlas");
	} else if (view == VIEW_LATERAL && anatomy_lexicon_lateral(lx, k, &lat)) {
		for (int j = 0; j < LATERAL_N; j++) {
			const struct lateral_region *l = &atlas_lateral[j];
			if (!(lat & ATLAS_BIT(j)))
				continue;
			b[0] = l->x1 * w, b[1] = l->y1 * h, b[2] = l->x2 * w, b[3] = l->y2 * h;
			out[n++] = drawn_get(dr, n_dr, ATLAS_N + j, l->name, b, "atlas");
		}
	} else {
		b[0] = 0, b[1] = 0, b[2] = w, b[3] = h;
		out[n++] = drawn_get(dr, n_dr, k, atlas[k].name, b, "whole");
	}
	sqlite3_reset(q_box);
	return n;
}

/* Add a finding ("no X" negated, "X?" uncertain) to its region's labels. */
static void add_finding(struct drawn_region *d, const char *name, const char *pol,
			const char *method)
{
	struct buf label = BUF_INIT;
	buf_addf(&label, "%s%s%s", !strcmp(pol, "negated") ? "no " : "", name,
		 !strcmp(pol, "uncertain") ? "?" : "");
	if (!strstr(buf_str(&d->findings), label.p)) {
		buf_addf(&d->findings, "%s%s", d->findings.len ? "\n" : "", label.p);
		buf_addf(&d->legend, "%s%s (%s)", d->legend.len ? ", " : "", label.p, method);
	}
	buf_release(&label);
}

/* The linked regions of the image's report, with their findings, into
 * dr[0..*n_dr). @return 0 or -1. */
static int collect_regions(struct store *st, const struct image_row *im, const struct canvas *cv,
			   const struct anatomy_lexicon *lx, struct drawn_region *dr, int *n_dr)
{
	enum view view;
	int r = SQLITE_ERROR;
	sqlite3_stmt *q = store_prepare(st,
		"SELECT r.region, c.name, m.polarity, r.method FROM reports p CROSS JOIN mentions m "
		"ON " MENTIONS_OF("p", "m") " JOIN mention_regions r ON r.mention = m.id "
		"JOIN concepts c ON c.id = m.concept WHERE p.id = ? ORDER BY r.region, m.start");
	sqlite3_stmt *q_box = store_prepare(st, "SELECT x1, y1, x2, y2 FROM regions WHERE "
						"image = ? AND name = ?");
	if (!q || !q_box || drawn_view(st, im, &view) < 0)
		goto out;
	sqlite3_bind_int64(q, 1, im->report);
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		const char *region = (const char *)sqlite3_column_text(q, 0);
		int k = atlas_find(region, strlen(region));
		if (k < 0)
			continue;
		struct drawn_region *d[DRAWN_MAX];
		int n = region_boxes(dr, n_dr, d, k, im, cv, view, lx, q_box);
		for (int i = 0; i < n; i++)
			add_finding(d[i], (const char *)sqlite3_column_text(q, 1),
				    (const char *)sqlite3_column_text(q, 2),
				    (const char *)sqlite3_column_text(q, 3));
	}
	if (r != SQLITE_DONE)
		store_error(st, "cannot read links");
out:
	sqlite3_finalize(q);
	sqlite3_finalize(q_box);
	return r == SQLITE_DONE ? 0 : -1;
}

/* Each region's patches tinted, then its outline. */
static void paint_regions(struct canvas *cv, const struct drawn_region *dr, int n_dr, int grid,
			  int t)
{
	const int w = cv->w, h = cv->h;
	uint8_t bits[GRID_MAX * GRID_MAX / 8];
	for (int i = 0; i < n_dr; i++) {
		const uint8_t *c = palette[i % ARRAY_SIZE(palette)].rgb;
		memset(bits, 0, grid_bytes(grid));
		grid_box(grid, dr[i].box[0] / w, dr[i].box[1] / h, dr[i].box[2] / w,
			 dr[i].box[3] / h, bits);
		for (int p = 0; p < grid * grid; p++)
			if (grid_has(bits, p))
				fill_rect(cv->rgb, w, h, (p % grid) * w / grid, (p / grid) * h / grid,
					  (p % grid + 1) * w / grid, (p / grid + 1) * h / grid, c, 40);
	}
	for (int i = 0; i < n_dr; i++)
		outline(cv->rgb, w, h, (int)dr[i].box[0], (int)dr[i].box[1], (int)dr[i].box[2],
			(int)dr[i].box[3], t, palette[i % ARRAY_SIZE(palette)].rgb);
}

/* Labels at the top left of their box (moved left when they would run off
 * the image), moved down past labels already drawn there. */
static void paint_labels(struct canvas *cv, const struct drawn_region *dr, int n_dr, int t,
			 int scale)
{
	static const uint8_t shade[3] = { 0, 0, 0 };
	int placed[DRAWN_MAX * 8][4], n_placed = 0, lh = (FONT_H + 2) * scale;
	for (int i = 0; i < n_dr; i++) {
		const uint8_t *c = palette[i % ARRAY_SIZE(palette)].rgb;
		int y = (int)dr[i].box[1] + t + 1;
		char *labels = xstrdup(buf_str(&dr[i].findings)), *save = NULL;
		for (char *l = strtok_r(labels, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			int tw = (int)strlen(l) * (FONT_W + 1) * scale;
			int x = (int)dr[i].box[0] + t + 1;
			if (x + tw >= cv->w)
				x = cv->w - tw - 1 > 1 ? cv->w - tw - 1 : 1;
			for (int k = 0; k < n_placed; k++) {
				const int *p = placed[k];
				if (x < p[2] && p[0] < x + tw && y < p[3] && p[1] < y + lh) {
					y = p[3];
					k = -1; /* check again from the first */
				}
			}
			fill_rect(cv->rgb, cv->w, cv->h, x - 1, y - 1, x + tw, y + lh - scale, shade,
				  160);
			font_draw(cv->rgb, cv->w, cv->h, x, y, scale, l, c);
			if (n_placed < DRAWN_MAX * 8) {
				int *p = placed[n_placed++];
				p[0] = x, p[1] = y, p[2] = x + tw, p[3] = y + lh;
			}
			y += lh;
		}
		free(labels);
	}
}

static void write_legend(FILE *legend, const struct image_row *im, const struct canvas *cv,
			 const struct drawn_region *dr, int n_dr, int grid, const char *out_png)
{
	fprintf(legend, "image %lld (%s, %s view, %d x %d): %s\n", (long long)im->id, im->path,
		*im->view ? im->view : "unknown", cv->w, cv->h, im->file ? im->file : cv->what);
	int width = 26;
	for (int i = 0; i < n_dr; i++)
		if ((int)strlen(dr[i].name) > width)
			width = (int)strlen(dr[i].name);
	if (!n_dr)
		fprintf(legend, "no linked findings\n");
	else
		fprintf(legend, "%-8s %-*s %-6s %s\n", "colour", width, "region", "box",
			"findings (method)");
	for (int i = 0; i < n_dr; i++)
		fprintf(legend, "%-8s %-*s %-6s %s\n", palette[i % ARRAY_SIZE(palette)].name, width,
			dr[i].name, dr[i].box_from, buf_str(&dr[i].legend));
	fprintf(legend, "wrote %s (patches of the %d x %d grid tinted)\n", out_png, grid, grid);
}

int link_draw(struct store *st, const char *ref, const char *lexicon, const char *out_png,
	      FILE *legend)
{
	struct image_row im;
	struct drawn_region dr[DRAWN_MAX];
	struct canvas cv = { 0 };
	struct anatomy_lexicon lx;
	int n_dr = 0, rc = -1;
	if (anatomy_lexicon_load(&lx, lexicon) < 0)
		return -1;
	if (find_image(st, ref, &im) < 0) {
		anatomy_lexicon_release(&lx);
		return -1;
	}
	if (canvas_open(&im, &cv) < 0)
		goto out;
	int grid = stored_grid(st);
	if (collect_regions(st, &im, &cv, &lx, dr, &n_dr) < 0)
		goto out;
	int small = cv.w < cv.h ? cv.w : cv.h;
	int t = small / 200 > 1 ? small / 200 : 1;
	int scale = small / 320 > 1 ? small / 320 : 1;
	/* patches first, then outlines, then labels on top */
	paint_regions(&cv, dr, n_dr, grid, t);
	paint_labels(&cv, dr, n_dr, t, scale);
	if (image_write_png(out_png, cv.rgb, cv.w, cv.h) < 0)
		goto out;
	write_legend(legend, &im, &cv, dr, n_dr, grid, out_png);
	rc = 0;
out:
	for (int i = 0; i < n_dr; i++) {
		buf_release(&dr[i].findings);
		buf_release(&dr[i].legend);
	}
	free(cv.rgb);
	image_row_release(&im);
	anatomy_lexicon_release(&lx);
	return rc;
}
