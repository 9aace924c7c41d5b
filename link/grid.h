/*
 * grid — regions as sets of patches of the trainer's patch grid.
 *
 * The trainer resizes each image to a square of grid * patch pixels (e.g.
 * 288 = 18 x 16) and cuts it into grid x grid patches, numbered row-major:
 * patch r * grid + c is row r (from the top), column c. A box, normalized
 * to [0,1] in both directions, covers a patch when it covers at least half
 * of the patch's area; a box of positive area that covers no patch that much
 * gets the one patch it covers most (the first such in patch order), so a
 * non-empty region never has an empty patch set.
 *
 * A patch set is a bitset of (grid * grid + 7) / 8 bytes: patch i is bit
 * i % 8 (least significant first) of byte i / 8, as stored in
 * mention_patches.patches.
 *
 * Does not: know about regions, images or the store.
 */
#ifndef MEDKG_GRID_H
#define MEDKG_GRID_H

#include <stddef.h>
#include <stdint.h>

#define GRID_MAX 256

/* @return the bytes of a grid's bitset. */
size_t grid_bytes(int grid);
/* OR the patches that the normalized box covers into bits (grid_bytes(grid)
 * long). Coordinates outside [0,1] are clipped. @return the number of
 * patches of this box (0 only for a box of no area). */
int grid_box(int grid, double x1, double y1, double x2, double y2, uint8_t *bits);
/* @return the number of patches set. */
int grid_count(int grid, const uint8_t *bits);
/* @return whether patch i is set. */
static inline int grid_has(const uint8_t *bits, int i)
{
	return (bits[i >> 3] >> (i & 7)) & 1;
}

#endif
