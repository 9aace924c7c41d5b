/* patches — the patch sets of linked mentions on their reports' images:
 * the image's own boxes, else the atlas of its view (the frontal atlas, or
 * for a lateral view the lateral regions the lexicon maps each frontal
 * region to), else the whole image (link_int.h). */
#include "link_int.h"
#include "grid.h"
#include "../common/buf.h"
#include "../store/batch.h"
#include "../store/mentions.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

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
	uint8_t *lateral_bits;       /* ATLAS_N bitsets: the lateral view's regions of each */
	int lateral_done[ATLAS_N];   /* 1 done, -1 done and unmapped (the whole image) */
	uint8_t *whole_bits;         /* every patch */
};

/* The patches of frontal region r on a lateral view: the union of the
 * lateral regions the lexicon maps it to; the whole image for one it does
 * not map ("whole image" itself from the atlas, as on a frontal view). */
static const uint8_t *lateral_bits(struct image_regions *ir, const struct anatomy_lexicon *lx, int r,
				   enum geometry *geo)
{
	uint8_t *b = ir->lateral_bits + (size_t)r * ir->nb;
	if (!ir->lateral_done[r]) {
		latmask m;
		memset(b, 0, ir->nb);
		ir->lateral_done[r] = anatomy_lexicon_lateral(lx, r, &m) ? 1 : -1;
		for (int k = 0; ir->lateral_done[r] > 0 && k < LATERAL_N; k++)
			if (m & ATLAS_BIT(k))
				grid_box(ir->grid, atlas_lateral[k].x1, atlas_lateral[k].y1,
					 atlas_lateral[k].x2, atlas_lateral[k].y2, b);
		if (ir->lateral_done[r] < 0)
			memcpy(b, ir->whole_bits, ir->nb);
	}
	*geo = ir->lateral_done[r] > 0 || r == ATLAS_WHOLE ? GEO_ATLAS : GEO_WHOLE;
	return b;
}

static const uint8_t *region_bits(struct image_regions *ir, const struct link_ctx *c, int r,
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
	if (ir->view == VIEW_LATERAL)
		return lateral_bits(ir, &c->lx, r, geo);
	if (ir->view == VIEW_FRONTAL || (ir->view == VIEW_UNKNOWN && c->o->assume_frontal)) {
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

static int load_image(struct link_ctx *c, struct image_regions *ir, sqlite3_stmt *q_boxes, int64_t id,
		      const char *view, int w, int h)
{
	ir->id = id;
	ir->view = atlas_view(view);
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

static int write_patches(struct link_ctx *c, struct image_regions *ir, struct batch *ins,
			 int64_t mention, regmask m, uint8_t *acc)
{
	memset(acc, 0, ir->nb);
	enum geometry geo = GEO_NONE;
	for (int r = 0; r < ATLAS_N; r++) {
		if (!(m & ATLAS_BIT(r)))
			continue;
		enum geometry g;
		const uint8_t *b = region_bits(ir, c, r, &g);
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

/* Patch sets for the rows of q (image id, view, width, height, mention,
 * region), a mention's regions together and an image's mentions together.
 * @return 0 or -1. */
static int patch_rows(struct link_ctx *c, struct image_regions *ir, sqlite3_stmt *q,
		      sqlite3_stmt *q_boxes, struct batch *ins, uint8_t *acc)
{
	int64_t image = -1, mention = -1;
	regmask m = 0;
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t im = sqlite3_column_int64(q, 0), mn = sqlite3_column_int64(q, 4);
		if ((im != image || mn != mention) && mention >= 0) {
			if (write_patches(c, ir, ins, mention, m, acc) < 0)
				goto fail;
			m = 0;
		}
		if (im != image) {
			if (load_image(c, ir, q_boxes, im, (const char *)sqlite3_column_text(q, 1),
				       sqlite3_column_int(q, 2), sqlite3_column_int(q, 3)) < 0)
				goto fail;
			c->stats->patch_images++;
		}
		image = im;
		mention = mn;
		const char *name = (const char *)sqlite3_column_text(q, 5);
		int k = atlas_find(name, strlen(name));
		if (k >= 0)
			m |= ATLAS_BIT(k);
	}
	sqlite3_reset(q);
	if (r != SQLITE_DONE)
		return store_error(c->st, "cannot read links");
	return mention >= 0 ? write_patches(c, ir, ins, mention, m, acc) : 0;
fail:
	sqlite3_reset(q);
	return -1;
}

/* The pairs to do: a mention after the mark on each image of its report
 * (the reports of the mentions after it, their images, the mentions of
 * each as a range); every mention of one queued image. Pairs that have a
 * patch set already are skipped (?2 = 0: the store has none). */
#define PAIR_COLUMNS "i.id, ifnull(i.view, ''), ifnull(i.width, 0), ifnull(i.height, 0), " \
		     "r.mention, r.region "
#define PAIR_FROM "CROSS JOIN reports p ON p.id = i.report CROSS JOIN mentions m ON "
#define PAIR_REGIONS " CROSS JOIN mention_regions r ON r.mention = m.id "
#define PAIR_NEW "(?2 = 0 OR NOT EXISTS (SELECT 1 FROM mention_patches x "                  \
		 "WHERE x.mention = r.mention AND x.image = i.id))"
/* (one lower bound on m.id: with two, SQLite may take the mark's and read
 * every report's range from there) */
static const char fresh_pairs[] =
	"SELECT " PAIR_COLUMNS "FROM (SELECT DISTINCT report FROM mentions WHERE id > ?1) f "
	"CROSS JOIN images i ON i.report = f.report " PAIR_FROM
	"m.id >= max(p.mention_first, ?1 + 1) AND m.id < p.mention_first + p.mention_count"
	PAIR_REGIONS "WHERE " PAIR_NEW;
static const char image_pairs[] =
	"SELECT " PAIR_COLUMNS "FROM images i " PAIR_FROM MENTIONS_OF("p", "m") PAIR_REGIONS
	"WHERE i.id = ?1 AND " PAIR_NEW;

/* The grid: the stored one unless --regrid, which drops every patch set.
 * *have: patch sets are stored. @return 0 or -1. */
static int check_grid(struct link_ctx *c, int64_t *have)
{
	struct buf v = BUF_INIT;
	int grid = c->o->grid, rc = -1;
	int stored = store_meta_get(c->st, META_LINK_GRID, &v);
	if (stored < 0)
		goto out;
	*have = store_int(c->st, "SELECT EXISTS (SELECT 1 FROM mention_patches)", 0);
	if (stored && atoi(v.p) != grid && *have > 0 && !c->o->regrid) {
		error("%s: patch sets were computed on a %s x %s grid, not %d x %d: "
		      "use --regrid to recompute them", c->st->path, v.p, v.p, grid, grid);
		goto out;
	}
	if (c->o->regrid && *have > 0) {
		c->stats->dropped += store_int(c->st, "SELECT count(*) FROM mention_patches", 0);
		if (store_exec(c->st, "DELETE FROM mention_patches") < 0)
			goto out;
		*have = 0;
	}
	if (c->o->regrid && store_meta_set(c->st, META_LINK_PATCHES_THROUGH, "0") < 0)
		goto out;
	buf_reset(&v);
	buf_addf(&v, "%d", grid);
	rc = store_meta_set(c->st, META_LINK_GRID, v.p);
out:
	buf_release(&v);
	return rc;
}

int patches_run(struct link_ctx *c)
{
	int grid = c->o->grid, rc = -1;
	struct image_regions ir = { .grid = grid, .nb = grid_bytes(grid) };
	ir.bits = xmalloc(ir.nb * ATLAS_N);
	ir.atlas_bits = xmalloc(ir.nb * ATLAS_N);
	ir.lateral_bits = xmalloc(ir.nb * ATLAS_N);
	ir.whole_bits = xcalloc(1, ir.nb);
	grid_box(grid, 0, 0, 1, 1, ir.whole_bits);
	uint8_t *acc = xmalloc(ir.nb);
	sqlite3_stmt *qf = NULL, *qi = NULL, *q_boxes = NULL;
	struct batch ins = { 0 };
	int64_t have = 0, mark = 0;
	if (check_grid(c, &have) < 0 ||
	    store_meta_get_int(c->st, META_LINK_PATCHES_THROUGH, &mark) < 0)
		goto out;
	qf = store_prepare(c->st, fresh_pairs);
	qi = store_prepare(c->st, image_pairs);
	q_boxes = store_prepare(c->st, "SELECT name, x1, y1, x2, y2 FROM regions WHERE image = ?");
	if (batch_init(&ins, c->st, "INSERT INTO mention_patches(mention, image, geometry, grid, "
					"n_patches, patches)", 6, LINK_ROWS) < 0)
		goto out;
	if (!qf || !qi || !q_boxes)
		goto out;
	sqlite3_bind_int64(qf, 1, mark);
	sqlite3_bind_int64(qf, 2, have);
	if (patch_rows(c, &ir, qf, q_boxes, &ins, acc) < 0)
		goto out;
	/* the queued images' rows go in after the fresh ones: a pair of both is
	 * skipped by then */
	for (size_t i = 0; i < c->n_redo; i++) {
		if (batch_flush(&ins) < 0)
			goto out;
		sqlite3_bind_int64(qi, 1, c->redo[i]);
		sqlite3_bind_int64(qi, 2, 1);
		if (patch_rows(c, &ir, qi, q_boxes, &ins, acc) < 0)
			goto out;
	}
	if (batch_flush(&ins) < 0 || link_mark_set(c, META_LINK_PATCHES_THROUGH) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(qf);
	sqlite3_finalize(qi);
	sqlite3_finalize(q_boxes);
	batch_release(&ins);
	free(ir.bits);
	free(ir.atlas_bits);
	free(ir.lateral_bits);
	free(ir.whole_bits);
	free(acc);
	return rc;
}
