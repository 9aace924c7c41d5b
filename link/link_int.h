/*
 * link_int — what the files of the link stage share and nothing else uses
 * (SQLite's btreeInt.h beside btree.h): the run's context and the steps
 * link_run (link.c) takes in order, one file each:
 *
 *   images.c   rows from an image list; sizes from the images' headers
 *   boxes.c    per-image boxes from a CSV; the atlases (frontal and
 *              lateral) into the regions table
 *   sites.c    what each mentioned concept is (finding, anatomy, other) and
 *              the regions it implies: its (or its ancestors') knowledge-base
 *              finding sites or lexicon site, whichever is more precise
 *   textlinks.c  the regions of every finding mention not linked yet
 *   patches.c  the patch set of every linked mention on each image of its
 *              report that has none yet
 *
 * Every step reads and writes inside the run's one transaction, reports a
 * failure with error() (file and line for bad input) and returns -1; the
 * run then rolls back.
 *
 * Does not: begin or commit (link_run does), or concern any other stage.
 */
#ifndef MEDKG_LINK_INT_H
#define MEDKG_LINK_INT_H

#include "link.h"
#include "../common/strmap.h"

/* Rows of mention_regions and mention_patches go LINK_ROWS to an INSERT
 * (store/batch.h): a large run writes millions. */
enum { LINK_ROWS = 32 };

/* What linking needs to know of a concept, computed once per run. */
struct cinfo {
	enum mention_kind kind;
	int have_anatomy, have_site, have_kb, have_lex;
	regmask anatomy;          /* as an anatomy concept */
	regmask site;             /* as a finding: implied site */
	enum link_method site_method;
	regmask kb, lex;          /* its own knowledge-base and lexicon sites (is-a
				     ancestors share them: each is read once) */
};

/* The concepts met so far (sites.c), and the statements that find out. */
struct sites {
	struct store *st;
	const struct anatomy_lexicon *lx;
	struct link_scratch *scratch;
	struct strmap cmap;       /* concept id (8 bytes) -> index in ci */
	struct cinfo *ci;
	size_t n_ci, cap_ci;
	sqlite3_stmt *q_types, *q_concept, *q_sites, *q_parents;
};

/* What link remembers of the image list it read (META_LINK_IMAGE_LIST):
 * its first `bytes` bytes (0: read it whole next time) and their hash, the
 * last report id it was read against, the store's rewrite count, and the
 * list's real path. */
struct image_list_memo {
	uint64_t bytes;
	char hash[33];
	int64_t reports_through, rewrites;
	char *path;
};

struct link_ctx {
	struct store *st;
	const struct link_options *o;
	struct link_stats *stats;
	struct anatomy_lexicon lx;
	struct link_scratch scratch;
	struct sites sites;
	/* images whose patch sets are to be made again, whatever the marks
	 * say: new in an image list, their view changed, their boxes changed */
	int64_t *redo;
	size_t n_redo, cap_redo;
	/* the images an earlier run settled (META_LINK_IMAGES_THROUGH): a
	 * change to one of them changes what the store held (store_note_rewrite) */
	int64_t images_before;
	int rewrote;
	struct image_list_memo list;  /* the image list read (images.c; path NULL: none) */
};

/* link.c. Note a change to image id (its view, boxes or size): one that an
 * earlier run settled counts as a rewrite (link_ctx.images_before). */
void link_image_changed(struct link_ctx *c, int64_t id);
/* link.c. Queue image id for patch sets (link_ctx.redo), a change. */
void link_redo_image(struct link_ctx *c, int64_t id);
/* link.c. Set a mark to the last mention id the store holds. @return 0 or -1. */
int link_mark_set(struct link_ctx *c, const char *key);

/* images.c. Add (or update the view of) the images an image list names for
 * the store's reports. @return 0 or -1. */
int images_import(struct link_ctx *c, const char *path);
/* images.c. At the end of a run: remember the image list read (if any)
 * with the rewrite count the run leaves. @return 0 or -1. */
int images_list_settle(struct link_ctx *c);
/* images.c. Width and height of every image not sized yet whose file is
 * found under dir. @return 0 or -1. */
int images_size(struct link_ctx *c, const char *dir);

/* boxes.c. Read and check a box CSV whole, then store each image's boxes
 * that changed (dropping its patch sets). @return 0 or -1. */
int boxes_import(struct link_ctx *c, const char *path);
/* boxes.c. The atlas's regions into the regions table (image NULL).
 * @return 0 or -1. */
int boxes_store_atlas(struct link_ctx *c);

/* sites.c. Prepare for the concepts of st, with lexicon lx and linker
 * scratch (both borrowed for the run). @return 0, or -1 (then close s all
 * the same). */
int sites_open(struct sites *s, struct store *st, const struct anatomy_lexicon *lx,
	       struct link_scratch *scratch);
/* sites.c. What concept id is and implies, into *out. @return 0, or -1
 * after error() (a concept not in the store, a failed read). */
int sites_info(struct sites *s, int64_t id, struct cinfo *out);
/* sites.c. Free what s holds; accepts a zeroed struct. */
void sites_close(struct sites *s);

/* textlinks.c. Link every finding mention after the regions mark
 * (META_LINK_REGIONS_THROUGH) that has no link yet, then move the mark.
 * @return 0 or -1. */
int textlinks_run(struct link_ctx *c);

/* patches.c. The patch sets on the o->grid grid of every linked mention
 * after the patches mark (META_LINK_PATCHES_THROUGH) on every image of its
 * report, and of every mention on the queued images, where it has none (all
 * of them with regrid); then move the mark. @return 0 or -1. */
int patches_run(struct link_ctx *c);

#endif
