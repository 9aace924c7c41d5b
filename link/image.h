/*
 * image — what medkg needs of image files: width and height from the header
 * (PNG through libspng, JPEG through libjpeg-turbo's header read; no pixel is
 * decoded), and, for pictures of links, decoding to RGB and writing PNG.
 *
 * The format comes from the file's first bytes, not its name. A file that is
 * neither, truncated before its size is known, or of zero size is an error
 * naming the file. So is an image over IMAGE_MAX_SIDE pixels on a side,
 * refused from its header before anything is allocated (libspng's image and
 * chunk limits; the frame size libjpeg's header read gives), with its own
 * return value so that a caller may skip it.
 *
 * Does not: resize, or touch the store.
 */
#ifndef MEDKG_IMAGE_H
#define MEDKG_IMAGE_H

#include <stdint.h>
#include "../common/buf.h"

enum image_format {
	IMAGE_TOO_LARGE = -3,  /* over IMAGE_MAX_SIDE (reported) */
	IMAGE_MISSING = -2,
	IMAGE_NONE = 0,
	IMAGE_PNG,
	IMAGE_JPEG,
};

/* The largest width and height accepted: 16384 (a chest radiograph is 2000
 * to 4300 pixels on a side; decoding 16384 x 16384 takes 1 GiB). */
#define IMAGE_MAX_SIDE 16384

/* Width and height from the header. @return the format, or -1 (or
 * IMAGE_TOO_LARGE) after error("PATH: problem"). */
int image_size(const char *path, int *width, int *height);
/* The same, except that a file that does not exist is no error: @return
 * IMAGE_MISSING for it (so finding a file costs no extra system call). */
int image_probe(const char *path, int *width, int *height, int missing_ok);
/* Decode to 8-bit RGB, width * height * 3 bytes, rows top down (at most
 * IMAGE_MAX_SIDE on a side). @return the pixels (caller frees), or NULL
 * after error(). */
uint8_t *image_decode_rgb(const char *path, int *width, int *height);
/* Write 8-bit RGB pixels as a PNG file. @return 0 or -1 after error(). */
int image_write_png(const char *path, const uint8_t *rgb, int width, int height);

/* The names an image reference answers to, in keys[0..2] (the caller's
 * buffers, reset first): the reference, its base name, and the base name
 * without .png/.jpg/.jpeg and then .dcm ("files/1_IM-0001-4001.dcm.png" ->
 * "1_IM-0001-4001"). */
void image_keys(const char *ref, struct buf keys[3]);

#endif
