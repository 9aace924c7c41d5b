#define _POSIX_C_SOURCE 200809L /* fileno */
#include "npy.h"
#include "../common/util.h"
#include "../common/tmpfile.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int little_endian(void)
{
	const uint16_t one = 1;
	return *(const uint8_t *)&one == 1;
}

/* Write rows x cols elements of elem bytes, described by descr ('<f4',
 * '<i4'); row i starts at data + i * stride elements. */
static int write_array(const char *path, const char *descr, const void *data, size_t elem,
		       size_t rows, size_t cols, size_t stride)
{
	if (!little_endian())
		return error("%s: writing .npy needs a little-endian machine", path);
	char header[128];
	int n = snprintf(header, sizeof header,
			 "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %zu), }", descr,
			 rows, cols);
	/* magic (6) + version (2) + length (2) + header, padded with spaces to a
	 * multiple of 64 and ended by '\n' (the format's alignment rule) */
	size_t total = 10 + (size_t)n + 1;
	size_t pad = (64 - total % 64) % 64;
	struct tmpfile t;
	FILE *f = tmpfile_open(&t, path);
	if (!f)
		return -1;
	uint16_t hlen = (uint16_t)(n + pad + 1);
	fwrite("\x93NUMPY\x01\x00", 1, 8, f);
	fputc(hlen & 0xff, f);
	fputc(hlen >> 8, f);
	fwrite(header, 1, (size_t)n, f);
	for (size_t i = 0; i < pad; i++)
		fputc(' ', f);
	fputc('\n', f);
	for (size_t i = 0; i < rows && cols > 0; i++)
		if (fwrite((const char *)data + i * stride * elem, elem, cols, f) != cols)
			break;
	return tmpfile_commit(&t);
}

int npy_write(const char *path, const float *data, size_t rows, size_t cols, size_t stride)
{
	return write_array(path, "<f4", data, sizeof(float), rows, cols, stride);
}

int npy_write_i32(const char *path, const int32_t *data, size_t rows, size_t cols)
{
	return write_array(path, "<i4", data, sizeof(int32_t), rows, cols, cols);
}

/* Read a 2-D array of dtype descr (elements of size elem). */
static int read_typed(const char *path, const char *descr, size_t elem, void **data, size_t *rows,
		      size_t *cols)
{
	int rc = -1;
	void *d = NULL;
	char want[32];
	snprintf(want, sizeof want, "'descr': '%s'", descr);
	FILE *f = fopen(path, "rb");
	if (!f)
		return error("%s: cannot open: %s", path, strerror(errno));
	unsigned char pre[10];
	char header[4096];
	if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6)) {
		error("%s: not a .npy file", path);
		goto out;
	}
	if (pre[6] != 1) {
		error("%s: .npy version %d.%d, expected 1.0", path, pre[6], pre[7]);
		goto out;
	}
	size_t hlen = pre[8] | (size_t)pre[9] << 8;
	if (hlen >= sizeof header || fread(header, 1, hlen, f) != hlen) {
		error("%s: truncated .npy header", path);
		goto out;
	}
	header[hlen] = '\0';
	unsigned long long r, c;
	if (!strstr(header, want) || !strstr(header, "'fortran_order': False")) {
		error("%s: expected a C-order %s ('%s') array", path,
		      elem == 4 && descr[1] == 'f' ? "float32" : "int32", descr);
		goto out;
	}
	const char *sh = strstr(header, "'shape': (");
	if (!sh || sscanf(sh, "'shape': (%llu, %llu)", &r, &c) != 2) {
		error("%s: expected a two-dimensional array", path);
		goto out;
	}
	if (!little_endian()) {
		error("%s: reading .npy needs a little-endian machine", path);
		goto out;
	}
	/* the shape must fit the file before anything is allocated for it */
	struct stat sb;
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		error("%s: not a regular file", path);
		goto out;
	}
	unsigned long long have = (unsigned long long)sb.st_size - 10 - hlen;
	int overflow = c && r > ULLONG_MAX / elem / c;
	unsigned long long need = overflow ? 0 : r * c * elem;
	if (overflow || need > have) {
		error("%s: truncated data: shape (%llu, %llu) needs %s%llu bytes, the file holds %llu",
		      path, r, c, overflow ? "over " : "", overflow ? ULLONG_MAX : need, have);
		goto out;
	}
	if (need < have) {
		error("%s: data continues past shape (%llu, %llu)", path, r, c);
		goto out;
	}
	d = xmalloc(need ? need : 1);
	if (fread(d, elem, r * c, f) != r * c) {
		error("%s: cannot read: %s", path, ferror(f) ? strerror(errno) : "the file shrank");
		goto out;
	}
	*data = d;
	*rows = r;
	*cols = c;
	d = NULL;
	rc = 0;
out:
	free(d);
	fclose(f);
	return rc;
}

int npy_read(const char *path, float **data, size_t *rows, size_t *cols)
{
	return read_typed(path, "<f4", sizeof(float), (void **)data, rows, cols);
}

int npy_read_i32(const char *path, int32_t **data, size_t *rows, size_t *cols)
{
	return read_typed(path, "<i4", sizeof(int32_t), (void **)data, rows, cols);
}
