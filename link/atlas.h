/*
 * atlas — the anatomical regions medkg links findings to: the 29 regions of
 * the Chest ImaGenome scene graphs and "whole image", each with a default
 * box for frontal (PA/AP) chest radiographs; and a second, smaller atlas of
 * the regions a lateral view shows, onto which the anatomy lexicon maps the
 * frontal regions (laterality is lost on a lateral view).
 *
 * Boxes are normalized: x1, y1, x2, y2 in [0,1], x to the right of the image
 * and y down. A PA and an AP view are both displayed as if the viewer faced
 * the patient, so in either the patient's right is on the image's left and
 * "right lung" has small x: one frontal atlas serves both. A lateral view is
 * displayed with the patient's front on the image's left (sternum left,
 * spine right). The frontal boxes were written from standard chest
 * radiograph anatomy and checked against radiologists' finding boxes on
 * ChestX-ray14 frontal images (bench/pointing.sh; atlas.c says what that
 * changed); they are approximate and meant to be overridden by per-image
 * boxes where these exist.
 *
 * A set of regions is a bit mask (region i is bit i), so finding sets and
 * laterality filters are plain integer operations; lateral regions have
 * masks of their own (latmask).
 *
 * Does not: touch images, grids or mentions.
 */
#ifndef MEDKG_ATLAS_H
#define MEDKG_ATLAS_H

#include <stddef.h>
#include <stdint.h>

#define ATLAS_N 30            /* 29 Chest ImaGenome regions + whole image */
#define ATLAS_WHOLE 29        /* index of "whole image" */

typedef uint32_t regmask;     /* bit i: region i */

struct atlas_region {
	const char *name;     /* Chest ImaGenome name: "right lower lung zone" */
	char side;            /* 'R', 'L', or 0 for midline regions */
	int mirror;           /* index of the other side's region, or -1 */
	float x1, y1, x2, y2; /* normalized box, frontal view */
};

extern const struct atlas_region atlas[ATLAS_N];

/* Regions of the patient's right, of the left, and every region. */
extern const regmask ATLAS_RIGHT, ATLAS_LEFT;
#define ATLAS_ALL ((regmask)((1u << ATLAS_N) - 1))
#define ATLAS_BIT(i) ((regmask)1u << (i))

/* @return the index of the region with this name (exact, lower case), or -1. */
int atlas_find(const char *name, size_t len);

/* Sides a mention or an anatomy phrase may carry. */
enum side { SIDE_NONE = 0, SIDE_RIGHT = 1, SIDE_LEFT = 2, SIDE_BOTH = 3 };

/* A mask has both a right and a left region, so a side can choose between
 * them ("base" -> both lower lung zones; "right base" -> the right one). */
int atlas_sideable(regmask m);
/* Keep the regions of m on that side (and midline ones). SIDE_NONE and
 * SIDE_BOTH return m unchanged, as does a mask that is not sideable. */
regmask atlas_apply_side(regmask m, enum side s);

/* @return the area of the union of the boxes of m (0 for none), as a share
 * of the image: how much of it a finding linked to m points at. */
double atlas_area(regmask m);

/* The regions of a lateral view, with their boxes (normalized as above, the
 * patient's front on the left). Their names end in " (lateral view)", so
 * they never clash with a frontal region's in the regions table. */
#define LATERAL_N 12
typedef uint32_t latmask;     /* bit i: atlas_lateral[i] */

struct lateral_region {
	const char *name;     /* "retrosternal space (lateral view)" */
	float x1, y1, x2, y2;
};

extern const struct lateral_region atlas_lateral[LATERAL_N];

/* @return the index of the lateral region with this name, or -1. */
int atlas_lateral_find(const char *name, size_t len);

/* How an image was taken, from its view as an image list gives it ("PA",
 * "AP", "AP supine", "Frontal", "LATERAL", "LL", ...; case does not matter). */
enum view { VIEW_UNKNOWN = 0, VIEW_FRONTAL, VIEW_LATERAL };
enum view atlas_view(const char *view);

#endif
