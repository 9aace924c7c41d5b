/*
 * link — the link stage: ties the finding mentions of the store to
 * anatomical regions (linker.h decides how) and, for each image of their
 * report, to the patches of the trainer's grid that those regions cover
 * (grid.h), with boxes from the image's own annotations or the atlas of its
 * view (atlas.h: frontal, or lateral through the lexicon).
 *
 * One run, in one transaction (any error leaves the store as it was):
 *   1. images: rows from an image list (CSV report_id,image_path,view; the IU
 *      projections.csv header uid,filename,projection is understood too),
 *      then width and height from the headers of the files found in a
 *      directory, for images not sized yet;
 *   2. per-image boxes (CSV image_id,region,x1,y1,x2,y2 in pixels), which
 *      replace the image's earlier boxes and its patch sets;
 *   3. the atlas into the regions table;
 *   4. every finding mention with no link yet gets its regions
 *      (mention_regions), sentence by sentence;
 *   5. every linked mention gets, for each image of its report that it has
 *      none for, its patch set (mention_patches).
 * So a second run adds nothing, and a run after new reports, mentions or
 * images adds only what they need.
 *
 * Mention offsets are character (code point) offsets into reports.text; a
 * mention's sentence is the one extraction split it from
 * (extract/sentences.h), so the two stages agree on what a sentence is.
 *
 * Does not: parse arguments or print results (the front end does).
 */
#ifndef MEDKG_LINK_H
#define MEDKG_LINK_H

#include <stdint.h>
#include "../common/buf.h"
#include <stdio.h>
#include "linker.h"
#include "../store/store.h"

struct link_options {
	char *lexicon;           /* lexicon file; NULL: the embedded one */
	char *image_list;        /* CSV of images per report, or NULL */
	char *images_dir;        /* where image files are, or NULL */
	char *boxes;             /* CSV of per-image boxes, or NULL */
	int grid;                /* patches per side (1..GRID_MAX); 0: no patches */
	int assume_frontal;      /* images of unknown view use the atlas */
	int lenient;             /* skip images that cannot be sized, counted */
	int regrid;              /* recompute every patch set (another grid) */
	int replace;             /* drop every link and link again */
};

struct link_stats {
	int64_t images_listed, images_new, images_unknown_report;
	uint64_t images_list_from; /* bytes of the list passed over: read before (images.c) */
	int64_t images_sized, images_missing;
	int64_t images_bad;          /* unreadable or too large, skipped (lenient) */
	double sec_headers;          /* header reads alone */
	int64_t boxes_read, boxes_images, boxes_changed;
	int64_t mentions_read, reports, findings;
	int64_t by_method[N_METHODS];       /* findings linked, by method */
	int64_t positive_by_method[N_METHODS]; /* affirmed findings, by method */
	int64_t region_links;
	int64_t patch_sets, patch_images;
	int64_t dropped;             /* links dropped by replace / regrid */
	double seconds, sec_text, sec_patches;
};

/* Run the stage on an open store. @return 0, or -1 after error() (naming the
 * file and line for bad input); the store is then unchanged. */
int link_run(struct store *st, const struct link_options *o, struct link_stats *stats);

/* Look for the file of an image reference under dir as the link stage does
 * (--images): the reference as a path, its base name, and its base name
 * without extensions, each as given or with .png, .jpg or .jpeg. @return 1
 * with the file's path in out, or 0 when none is there. */
int images_locate(const char *dir, const char *ref, struct buf *out);

/* Draw the links of one image (its id, or its path or file name as stored)
 * into a PNG: the image, or a blank canvas of its size when its file is not
 * found, each linked region outlined in a colour and labelled with its
 * findings, its patches tinted. On a lateral view the regions drawn are the
 * lateral ones the lexicon (a file, or the embedded one when NULL) maps the
 * linked regions to. The legend (colour, region, findings) is written to
 * legend. @return 0 or -1 after error(). */
int link_draw(struct store *st, const char *image, const char *lexicon, const char *out_png,
	      FILE *legend);

#endif
