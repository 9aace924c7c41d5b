/* link — the run: one transaction around the steps of link_int.h. */
#include "link_int.h"
#include "grid.h"
#include "../common/buf.h"
#include "../common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void link_image_changed(struct link_ctx *c, int64_t id)
{
	if (id <= c->images_before)
		c->rewrote = 1;
}

void link_redo_image(struct link_ctx *c, int64_t id)
{
	link_image_changed(c, id);
	XGROW(c->redo, c->cap_redo, c->n_redo + 1);
	c->redo[c->n_redo++] = id;
}

int link_mark_set(struct link_ctx *c, const char *key)
{
	char v[32];
	snprintf(v, sizeof v, "%lld",
		 (long long)store_int(c->st, "SELECT ifnull(max(id), 0) FROM mentions", 0));
	return store_meta_set(c->st, key, v);
}

/* The end of a run: every image settled, and the image list remembered.
 * @return 0 or -1. */
static int settle_images(struct link_ctx *c)
{
	char v[32];
	snprintf(v, sizeof v, "%lld",
		 (long long)store_int(c->st, "SELECT ifnull(max(id), 0) FROM images", 0));
	return store_meta_set(c->st, META_LINK_IMAGES_THROUGH, v) < 0 ? -1
									 : images_list_settle(c);
}

int link_run(struct store *st, const struct link_options *o, struct link_stats *stats)
{
	struct link_ctx c = { .st = st, .o = o, .stats = stats };
	struct ingest_entry log;
	struct buf params = BUF_INIT, target = BUF_INIT;
	int rc = -1, fk_off = 0;
	memset(stats, 0, sizeof(*stats));
	if (o->grid < 0 || o->grid > GRID_MAX)
		return error("grid must be 1 to %d patches per side, not %d", GRID_MAX, o->grid);
	ingest_start(&log, "link");
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
	if (sites_open(&c.sites, st, &c.lx, &c.scratch) < 0)
		goto out;
	if (store_meta_get_int(st, META_LINK_IMAGES_THROUGH, &c.images_before) < 0)
		goto out;
	c.rewrote = o->replace || o->regrid;
	if (o->replace) {
		stats->dropped = store_int(st, "SELECT count(*) FROM mention_regions", 0) +
				 store_int(st, "SELECT count(*) FROM mention_patches", 0);
		if (store_exec(st, "DELETE FROM mention_patches; DELETE FROM mention_regions;") < 0 ||
		    store_meta_set(st, META_LINK_REGIONS_THROUGH, "0") < 0 ||
		    store_meta_set(st, META_LINK_PATCHES_THROUGH, "0") < 0)
			goto out;
	}
	if (o->image_list && images_import(&c, o->image_list) < 0)
		goto out;
	if (o->images_dir && images_size(&c, o->images_dir) < 0)
		goto out;
	if (o->boxes && boxes_import(&c, o->boxes) < 0)
		goto out;
	if (boxes_store_atlas(&c) < 0)
		goto out;
	double t0 = now_seconds();
	if (textlinks_run(&c) < 0)
		goto out;
	stats->sec_text = now_seconds() - t0;
	t0 = now_seconds();
	if (o->grid > 0 && patches_run(&c) < 0)
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
	if ((c.rewrote && store_note_rewrite(st) < 0) || settle_images(&c) < 0 ||
	    ingest_finish(st, &log) < 0 || store_commit(st) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		store_rollback(st);
	if (fk_off)
		store_exec(st, "PRAGMA foreign_keys = ON");
	sites_close(&c.sites);
	anatomy_lexicon_release(&c.lx);
	link_scratch_release(&c.scratch);
	free(c.redo);
	free(c.list.path);
	buf_release(&params);
	buf_release(&target);
	stats->seconds = now_seconds() - log.t0;
	return rc;
}
