/* boxes — the regions table: per-image boxes from a CSV, and the atlas
 * (link_int.h). */
#include "link_int.h"
#include "../common/number.h"
#include "csvfile.h"
#include "image.h"
#include "../common/buf.h"
#include "../common/strmap.h"
#include "../common/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

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
	struct link_ctx *c;
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
	return parse_f64(s, -HUGE_VAL, HUGE_VAL, v) == 0;
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
static int store_image_boxes(struct link_ctx *c, int64_t image, const struct box *b, size_t n,
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
	link_redo_image(c, image);
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

int boxes_import(struct link_ctx *c, const char *path)
{
	struct box_state bs = { .c = c, .path = path };
	struct buf keys[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
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
		image_keys(im->name, keys);
		for (int k = 0; k < 3; k++) {
			const char *key = buf_str(&keys[k]);
			if (k && !strcmp(key, buf_str(&keys[k - 1])))
				continue;
			uint32_t idx = (uint32_t)bs.n_img;
			if (!strmap_put(&bs.keys, key, keys[k].len, &idx) && idx != (uint32_t)bs.n_img)
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
	if (!bs.header_checked) {
		error("%s: empty boxes file (expected image_id,region,x1,y1,x2,y2 lines)", path);
		goto out;
	}
	if (bs.n_box) /* a header alone: no boxes */
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
	for (int k = 0; k < 3; k++)
		buf_release(&keys[k]);
	return rc;
}

/* One atlas row: updated if there, else inserted. @return 0 or -1. */
static int store_atlas_row(struct link_ctx *c, sqlite3_stmt *up, sqlite3_stmt *ins, const char *name,
			   double x1, double y1, double x2, double y2)
{
	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *s = k ? ins : up;
		sqlite3_bind_double(s, 1, x1);
		sqlite3_bind_double(s, 2, y1);
		sqlite3_bind_double(s, 3, x2);
		sqlite3_bind_double(s, 4, y2);
		sqlite3_bind_text(s, 5, name, -1, SQLITE_STATIC);
		if (store_step_done(c->st, s) < 0)
			return -1;
		if (sqlite3_changes(c->st->db) > 0)
			break;
	}
	return 0;
}

int boxes_store_atlas(struct link_ctx *c)
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
		if (store_atlas_row(c, up, ins, a->name, a->x1, a->y1, a->x2, a->y2) < 0)
			goto out;
	}
	/* the lateral view's regions too, so that SQL alone can draw them */
	for (int i = 0; i < LATERAL_N; i++) {
		const struct lateral_region *a = &atlas_lateral[i];
		if (store_atlas_row(c, up, ins, a->name, a->x1, a->y1, a->x2, a->y2) < 0)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(up);
	sqlite3_finalize(ins);
	return rc;
}
