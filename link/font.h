/*
 * font — a 5 x 7 pixel bitmap font for labels drawn into pictures: capital
 * letters, digits and common punctuation (lower case is drawn in capitals;
 * other characters as a box).
 */
#ifndef MEDKG_FONT_H
#define MEDKG_FONT_H

#include <stdint.h>

#define FONT_W 5
#define FONT_H 7

/* The glyph of c: FONT_H rows, bit (FONT_W - 1 - x) of row y is pixel (x, y). */
const uint8_t *font_glyph(int c);

/* Draw s into rgb (width x height x 3) at (x, y), each font pixel a
 * scale x scale square, clipped to the image. @return the width drawn. */
int font_draw(uint8_t *rgb, int width, int height, int x, int y, int scale, const char *s,
	      const uint8_t color[3]);

#endif
