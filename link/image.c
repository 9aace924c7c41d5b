#define _POSIX_C_SOURCE 200809L
#include "image.h"
#include "../common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <spng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
/* jpeglib.h needs FILE and size_t declared first */
#include <jpeglib.h>

/* What libjpeg may allocate for one image beyond the pixels medkg asks for
 * (a progressive image's coefficients): past it, an error, not a swap. */
#define JPEG_MAX_MEMORY (512L << 20)

static const uint8_t png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

/* libjpeg reports errors through error_exit: jump back with the message. */
struct jpeg_err {
	struct jpeg_error_mgr mgr;
	jmp_buf jump;
	char msg[JMSG_LENGTH_MAX];
};

static void jpeg_error_exit(j_common_ptr cinfo)
{
	struct jpeg_err *e = (struct jpeg_err *)cinfo->err;
	(*cinfo->err->format_message)(cinfo, e->msg);
	longjmp(e->jump, 1);
}

static void jpeg_quiet(j_common_ptr cinfo)
{
	(void)cinfo; /* warnings (a premature end) become errors below */
}

/* A PNG context that refuses what medkg would never draw: images over
 * IMAGE_MAX_SIDE on a side (libspng checks the header against them before
 * anything is allocated) and chunks or ancillary data over a few MiB. */
static spng_ctx *png_ctx(int flags)
{
	spng_ctx *ctx = spng_ctx_new(flags);
	if (!ctx)
		return NULL;
	spng_set_image_limits(ctx, IMAGE_MAX_SIDE, IMAGE_MAX_SIDE);
	spng_set_chunk_limits(ctx, (size_t)8 << 20, (size_t)32 << 20);
	spng_set_crc_action(ctx, SPNG_CRC_ERROR, SPNG_CRC_ERROR);
	return ctx;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int too_large(const char *path, unsigned long w, unsigned long h)
{
	error("%s: image of %lu x %lu pixels is over the limit of %d x %d", path, w, h,
	      IMAGE_MAX_SIDE, IMAGE_MAX_SIDE);
	return IMAGE_TOO_LARGE;
}

static int png_size(const char *path, const uint8_t *head, size_t n, int *w, int *h)
{
	spng_ctx *ctx = png_ctx(0);
	struct spng_ihdr ihdr;
	int rc = -1, e;
	if (!ctx)
		return error("%s: out of memory", path);
	if ((e = spng_set_png_buffer(ctx, head, n)) || (e = spng_get_ihdr(ctx, &ihdr))) {
		/* the size refused is the header's, at its fixed place */
		if ((e == SPNG_EUSER_WIDTH || e == SPNG_EUSER_HEIGHT) && n >= 24)
			rc = too_large(path, be32(head + 16), be32(head + 20));
		else
			error("%s: not a readable PNG header: %s", path,
			      e == SPNG_EOF || e == SPNG_IO_EOF ? "truncated file" : spng_strerror(e));
		goto out;
	}
	*w = (int)ihdr.width;
	*h = (int)ihdr.height;
	rc = 0;
out:
	spng_ctx_free(ctx);
	return rc;
}

/* Read the JPEG header from data[0..n), or from fp when data is NULL. */
static int jpeg_header(const char *path, const uint8_t *data, size_t n, FILE *fp, int *w, int *h,
		       int quiet)
{
	struct jpeg_decompress_struct c;
	struct jpeg_err e;
	c.err = jpeg_std_error(&e.mgr);
	e.mgr.error_exit = jpeg_error_exit;
	e.mgr.output_message = jpeg_quiet;
	if (setjmp(e.jump)) {
		if (!quiet)
			error("%s: not a readable JPEG header: %s", path, e.msg);
		jpeg_destroy_decompress(&c);
		return -1;
	}
	jpeg_create_decompress(&c);
	c.mem->max_memory_to_use = JPEG_MAX_MEMORY;
	if (data)
		jpeg_mem_src(&c, data, (unsigned long)n);
	else
		jpeg_stdio_src(&c, fp);
	jpeg_read_header(&c, TRUE);
	/* libjpeg inserts an end marker at a premature end and warns: the
	 * header was read from a fake end, so the file is truncated */
	if (e.mgr.num_warnings) {
		if (!quiet)
			error("%s: not a readable JPEG header: truncated file", path);
		jpeg_destroy_decompress(&c);
		return -1;
	}
	unsigned long jw = c.image_width, jh = c.image_height;
	jpeg_destroy_decompress(&c);
	if (jw > IMAGE_MAX_SIDE || jh > IMAGE_MAX_SIDE)
		return too_large(path, jw, jh);
	*w = (int)jw;
	*h = (int)jh;
	return 0;
}

int image_size(const char *path, int *width, int *height)
{
	return image_probe(path, width, height, 0);
}

int image_probe(const char *path, int *width, int *height, int missing_ok)
{
	/* A PNG header is 33 bytes, and most JPEG headers (quantization and
	 * Huffman tables, frame header) end within the first 4 KiB; a larger one
	 * (EXIF or ICC blocks) is read again through stdio. Reading less copies
	 * less: a third of the time of a header read from the page cache. */
	uint8_t head[4096];
	int fd = open(path, O_RDONLY);
	if (fd < 0 && missing_ok && errno == ENOENT)
		return IMAGE_MISSING;
	if (fd < 0)
		return error("%s: cannot open: %s", path, strerror(errno));
	ssize_t n = 0, got = 0;
	while (n < (ssize_t)sizeof head && (got = read(fd, head + n, sizeof head - n)) > 0)
		n += got;
	if (got < 0) {
		close(fd);
		return error("%s: cannot read: %s", path, strerror(errno));
	}
	int fmt = -1, w = 0, h = 0, r;
	if (n >= 8 && !memcmp(head, png_magic, 8)) {
		if ((r = png_size(path, head, (size_t)n, &w, &h)) == 0)
			fmt = IMAGE_PNG;
		else
			fmt = r;
	} else if (n >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff) {
		int full = n == (ssize_t)sizeof head;
		if ((r = jpeg_header(path, head, (size_t)n, NULL, &w, &h, full)) == 0) {
			fmt = IMAGE_JPEG;
		} else if (r == IMAGE_TOO_LARGE) {
			fmt = r;
		} else if (full) {
			FILE *fp = fdopen(fd, "rb");
			if (fp) {
				fd = -1;
				rewind(fp);
				if ((r = jpeg_header(path, NULL, 0, fp, &w, &h, 0)) == 0)
					fmt = IMAGE_JPEG;
				else
					fmt = r;
				fclose(fp);
			} else {
				error("%s: cannot read: %s", path, strerror(errno));
			}
		}
	} else {
		error("%s: not a PNG or JPEG file%s", path, n == 0 ? " (empty)" : "");
	}
	if (fd >= 0)
		close(fd);
	if (fmt > 0 && (w <= 0 || h <= 0)) {
		error("%s: zero-size image (%d x %d)", path, w, h);
		fmt = -1;
	}
	if (fmt > 0) {
		*width = w;
		*height = h;
	}
	return fmt;
}

static uint8_t *png_decode(const char *path, FILE *fp, int *w, int *h)
{
	spng_ctx *ctx = png_ctx(0);
	uint8_t *rgba = NULL, *rgb = NULL;
	struct spng_ihdr ihdr;
	size_t size;
	int e;
	if (!ctx) {
		error("%s: out of memory", path);
		return NULL;
	}
	if ((e = spng_set_png_file(ctx, fp)) || (e = spng_get_ihdr(ctx, &ihdr)) ||
	    (e = spng_decoded_image_size(ctx, SPNG_FMT_RGBA8, &size))) {
		error("%s: cannot decode PNG: %s", path, spng_strerror(e));
		goto out;
	}
	rgba = xmalloc(size);
	if ((e = spng_decode_image(ctx, rgba, size, SPNG_FMT_RGBA8, SPNG_DECODE_TRNS))) {
		error("%s: cannot decode PNG: %s", path, spng_strerror(e));
		goto out;
	}
	*w = (int)ihdr.width;
	*h = (int)ihdr.height;
	size_t px = (size_t)*w * (size_t)*h;
	rgb = xmalloc(px * 3);
	for (size_t i = 0; i < px; i++)
		memcpy(rgb + i * 3, rgba + i * 4, 3);
out:
	free(rgba);
	spng_ctx_free(ctx);
	return rgb;
}

static uint8_t *jpeg_decode(const char *path, FILE *fp, int *w, int *h)
{
	struct jpeg_decompress_struct c;
	struct jpeg_err e;
	uint8_t *volatile rgb = NULL;
	c.err = jpeg_std_error(&e.mgr);
	e.mgr.error_exit = jpeg_error_exit;
	e.mgr.output_message = jpeg_quiet;
	if (setjmp(e.jump)) {
		error("%s: cannot decode JPEG: %s", path, e.msg);
		jpeg_destroy_decompress(&c);
		free(rgb);
		return NULL;
	}
	jpeg_create_decompress(&c);
	c.mem->max_memory_to_use = JPEG_MAX_MEMORY;
	jpeg_stdio_src(&c, fp);
	jpeg_read_header(&c, TRUE);
	if (c.image_width > IMAGE_MAX_SIDE || c.image_height > IMAGE_MAX_SIDE) {
		too_large(path, c.image_width, c.image_height);
		jpeg_destroy_decompress(&c);
		return NULL;
	}
	c.out_color_space = JCS_RGB;
	jpeg_start_decompress(&c);
	*w = (int)c.output_width;
	*h = (int)c.output_height;
	rgb = xmalloc((size_t)*w * (size_t)*h * 3);
	while (c.output_scanline < c.output_height) {
		JSAMPROW row = rgb + (size_t)c.output_scanline * (size_t)*w * 3;
		jpeg_read_scanlines(&c, &row, 1);
	}
	jpeg_finish_decompress(&c);
	jpeg_destroy_decompress(&c);
	return rgb;
}

uint8_t *image_decode_rgb(const char *path, int *width, int *height)
{
	int w, h;
	if (image_size(path, &w, &h) < 0)
		return NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		error("%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	uint8_t head[3] = { 0 };
	size_t n = fread(head, 1, 3, fp);
	rewind(fp);
	uint8_t *px = n == 3 && head[0] == 0xff && head[1] == 0xd8 ? jpeg_decode(path, fp, width, height)
								     : png_decode(path, fp, width, height);
	fclose(fp);
	return px;
}

int image_write_png(const char *path, const uint8_t *rgb, int width, int height)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return error("%s: cannot create: %s", path, strerror(errno));
	spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
	int rc = -1, e;
	struct spng_ihdr ihdr = { .width = (uint32_t)width, .height = (uint32_t)height,
				  .bit_depth = 8, .color_type = SPNG_COLOR_TYPE_TRUECOLOR };
	size_t len = (size_t)width * (size_t)height * 3;
	if (!ctx) {
		error("%s: out of memory", path);
		goto out;
	}
	if ((e = spng_set_png_file(ctx, fp)) || (e = spng_set_ihdr(ctx, &ihdr)) ||
	    (e = spng_encode_image(ctx, rgb, len, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE))) {
		error("%s: cannot write PNG: %s", path, spng_strerror(e));
		goto out;
	}
	rc = 0;
out:
	spng_ctx_free(ctx);
	if (fclose(fp) != 0 && rc == 0)
		rc = error("%s: write error: %s", path, strerror(errno));
	return rc;
}

void image_keys(const char *path, struct buf keys[3])
{
	const char *b = strrchr(path, '/');
	for (int i = 0; i < 3; i++) {
		buf_reset(&keys[i]);
		buf_adds(&keys[i], i == 0 || !b ? path : b + 1);
	}
	static const char *const ext[] = { ".png", ".jpg", ".jpeg", ".dcm" };
	struct buf *k2 = &keys[2];
	for (size_t e = 0; e < ARRAY_SIZE(ext); e++) {
		size_t k = strlen(ext[e]);
		if (k2->len > k && !strcasecmp(k2->p + k2->len - k, ext[e]))
			k2->p[k2->len -= k] = '\0';
	}
}

